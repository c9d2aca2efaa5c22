"""Billing controls on real NATS and Postgres: what a vendor may post directly, what waits for
a manager of the charge's property (and never reaches Mews before), what is refused, the
caps, and two managers approving at once."""

import asyncio
from datetime import timedelta
from decimal import Decimal

import asyncpg
from vendors_testkit import FRONT_DESK, MANAGER, Harness, vendor_user, wait_for

from attendandt.contracts.caller import Caller
from attendandt.contracts.rpc import vendors as rpc
from attendandt.contracts.snapshots import BookingState, ChargeState, StayState, UserRole


async def _spa(harness: Harness) -> tuple[rpc.VendorView, rpc.OfferingView]:
    vendor = await harness.vendor()
    offering = await harness.offering(vendor.vendor_id, price="85.50")
    return vendor, offering


def _ad_hoc(offering_id: str, **extra: object) -> rpc.CreateChargeRequest:
    values: dict[str, object] = {
        "offering_id": offering_id,
        "guest_id": "g-1",
        "stay_id": "s-1",
    }
    values.update(extra)
    return rpc.CreateChargeRequest(**values)


async def _nothing_sent_to_mews(harness: Harness, created: int) -> None:
    """Once the `created` events are relayed (the relay goes in commit order), no PostCharge
    can still be on its way: nothing was queued for Mews."""
    await harness.wait_events([("charge", "created")] * created, aggregate="charge")
    assert await harness.post_charges() == []
    assert await harness.outbox_rows() == 0


async def _audit(harness: Harness, charge_id: str) -> list[tuple[str, str, str | None]]:
    rows = await harness.sql(
        "select action, user_id, detail from vendors.billing_audit where charge_id = $1"
        " order by id",
        charge_id,
    )
    return [(r["action"], r["user_id"], r["detail"]) for r in rows]


async def test_a_vendors_over_price_charge_waits_for_a_manager_of_its_property(
    harness: Harness,
) -> None:
    vendor, offering = await _spa(harness)
    await harness.stay("s-1", state=StayState.STARTED, event="checked_in")
    spa = vendor_user(vendor.vendor_id)

    held = await harness.call_as(
        spa, rpc.CREATE_CHARGE, _ad_hoc(offering.offering_id, unit_amount=Decimal("120"))
    )
    charge = held.charge
    assert charge.state is ChargeState.PENDING_APPROVAL
    assert charge.approval_reason == (
        "an ad-hoc charge without a booking; a unit price of EUR 120.00 instead of the "
        "offering's EUR 85.50"
    )
    await _nothing_sent_to_mews(harness, created=1)
    # The vendor sees its charge waiting.
    seen = await harness.call_as(
        spa, rpc.GET_CHARGE, rpc.GetChargeRequest(charge_id=charge.charge_id)
    )
    assert seen.charge.state is ChargeState.PENDING_APPROVAL

    approve = rpc.ApproveChargeRequest(charge_id=charge.charge_id)
    other_hotel = harness.manager("u-other-manager", enterprise_id="another-hotel")
    assert (await harness.fails_as(other_hotel, rpc.APPROVE_CHARGE, approve)).error.status == 404
    desk = Caller(
        user_id="u-desk",
        role=UserRole.FRONT_DESK,
        permissions=("charges:create",),
        enterprise_ids=(harness.enterprise_id,),
    )
    assert (await harness.fails_as(desk, rpc.APPROVE_CHARGE, approve)).error.status == 403
    as_vendor = Caller(
        user_id="u-vendor",
        role=UserRole.VENDOR,
        vendor_id=vendor.vendor_id,
        enterprise_ids=(harness.enterprise_id,),
    )
    assert (await harness.fails_as(as_vendor, rpc.APPROVE_CHARGE, approve)).error.status == 403
    no_caller = await harness.fails_as(None, rpc.APPROVE_CHARGE, approve)
    assert no_caller.error.status == 401
    assert await harness.post_charges() == []

    approved = await harness.call_as(harness.manager(), rpc.APPROVE_CHARGE, approve)
    assert approved.charge.state is ChargeState.PENDING
    assert approved.charge.approved_by == "u-manager"
    assert approved.charge.approved_at == harness.clock.now
    [order] = await harness.wait_post_charges(1)
    assert order.charge_id == charge.charge_id
    assert order.lines[0].unit_amount == Decimal("120")

    # Approving again changes nothing; rejecting an approved charge is refused.
    again = await harness.call_as(harness.manager("u-second"), rpc.APPROVE_CHARGE, approve)
    assert again.charge.approved_by == "u-manager"
    reject = rpc.RejectChargeRequest(charge_id=charge.charge_id, reason="too late")
    assert (
        await harness.fails_as(harness.manager(), rpc.REJECT_CHARGE, reject)
    ).error.status == 409

    await harness.charge_result(charge.charge_id, posted=True, order_id="order-1")
    await harness.charge_in_state(charge.charge_id, ChargeState.POSTED)
    await harness.wait_events(
        [("charge", "created"), ("charge", "approved"), ("charge", "posted")], aggregate="charge"
    )
    assert len(await harness.post_charges()) == 1
    assert await _audit(harness, charge.charge_id) == [
        ("charge_approved", "u-manager", approved.charge.approval_reason)
    ]


async def test_an_ad_hoc_charge_at_the_offerings_price_waits_and_can_be_rejected(
    harness: Harness,
) -> None:
    vendor, offering = await _spa(harness)
    await harness.stay("s-1", state=StayState.STARTED, event="checked_in")
    spa = vendor_user(vendor.vendor_id)
    held = await harness.call_as(spa, rpc.CREATE_CHARGE, _ad_hoc(offering.offering_id))
    assert held.charge.state is ChargeState.PENDING_APPROVAL
    assert held.charge.approval_reason == "an ad-hoc charge without a booking"
    # The front desk's ad-hoc charge waits too; a manager's goes straight on.
    by_desk = await harness.call_as(FRONT_DESK, rpc.CREATE_CHARGE, _ad_hoc(offering.offering_id))
    assert by_desk.charge.state is ChargeState.PENDING_APPROVAL
    await _nothing_sent_to_mews(harness, created=2)

    blank = rpc.RejectChargeRequest(charge_id=held.charge.charge_id, reason="   ")
    assert (await harness.fails_as(harness.manager(), rpc.REJECT_CHARGE, blank)).error.status == 422
    reject = rpc.RejectChargeRequest(
        charge_id=held.charge.charge_id, reason="no booking, guest did not ask"
    )
    rejected = await harness.call_as(harness.manager(), rpc.REJECT_CHARGE, reject)
    assert (
        rejected.charge.state,
        rejected.charge.rejected_by,
        rejected.charge.rejection_reason,
    ) == (
        ChargeState.REJECTED,
        "u-manager",
        "no booking, guest did not ask",
    )
    again = await harness.call_as(harness.manager("u-second"), rpc.REJECT_CHARGE, reject)
    assert again.charge.rejected_by == "u-manager"
    approve = rpc.ApproveChargeRequest(charge_id=held.charge.charge_id)
    assert (
        await harness.fails_as(harness.manager(), rpc.APPROVE_CHARGE, approve)
    ).error.status == 409
    await harness.wait_events(
        [("charge", "created"), ("charge", "created"), ("charge", "rejected")], aggregate="charge"
    )
    assert await harness.post_charges() == []
    assert await _audit(harness, held.charge.charge_id) == [
        ("charge_rejected", "u-manager", "no booking, guest did not ask")
    ]

    by_manager = await harness.call_as(MANAGER, rpc.CREATE_CHARGE, _ad_hoc(offering.offering_id))
    assert by_manager.charge.state is ChargeState.PENDING
    [order] = await harness.wait_post_charges(1)
    assert order.charge_id == by_manager.charge.charge_id


async def _confirmed_booking(
    harness: Harness, offering: rpc.OfferingView, spa: Caller, stay_id: str
) -> rpc.BookingView:
    booking = await harness.booking(offering.offering_id, stay_id=stay_id)
    await harness.call_as(
        spa, rpc.CONFIRM_BOOKING, rpc.ConfirmBookingRequest(booking_id=booking.booking_id)
    )
    return booking


async def test_check_out_grace_period(harness: Harness) -> None:
    vendor, offering = await _spa(harness)
    spa = vendor_user(vendor.vendor_id)
    for stay_id in ("s-late", "s-recent", "s-arriving"):
        await harness.stay(stay_id)
    late = await _confirmed_booking(harness, offering, spa, "s-late")
    recent = await _confirmed_booking(harness, offering, spa, "s-recent")
    arriving = await _confirmed_booking(harness, offering, spa, "s-arriving")
    # Checked out: the stay's end is its check-out time (the testkit's stays end in 3 days,
    # so the clock moves past them).
    await harness.stay("s-late", state=StayState.PROCESSED, event="checked_out")
    await harness.stay("s-recent", state=StayState.PROCESSED, event="checked_out")
    end = harness.clock.now + timedelta(days=3)

    harness.clock.now = end + timedelta(hours=24, minutes=1)
    refused = await harness.fails_as(
        spa,
        rpc.FULFIL_BOOKING,
        rpc.FulfilBookingRequest(booking_id=late.booking_id),
    )
    assert refused.error.status == 409
    assert refused.error.detail == (
        "stay s-late checked out more than 24 hours ago: its bill takes no new charges "
        "(a manager can lengthen the grace period)"
    )
    # Nothing of the refused fulfilment stayed: the booking is still confirmed.
    still = await harness.call_as(
        spa, rpc.GET_BOOKING, rpc.GetBookingRequest(booking_id=late.booking_id)
    )
    assert (still.booking.state, still.booking.charge_id) == (BookingState.CONFIRMED, None)

    harness.clock.now = end + timedelta(hours=23)
    within = await harness.call_as(
        spa, rpc.FULFIL_BOOKING, rpc.FulfilBookingRequest(booking_id=recent.booking_id)
    )
    assert within.charge.state is ChargeState.PENDING
    [order] = await harness.wait_post_charges(1)
    assert order.charge_id == within.charge.charge_id

    # A guest not checked in yet: the vendor's charge waits for a manager.
    early = await harness.call_as(
        spa, rpc.FULFIL_BOOKING, rpc.FulfilBookingRequest(booking_id=arriving.booking_id)
    )
    assert early.charge.state is ChargeState.PENDING_APPROVAL
    assert early.charge.approval_reason == "the stay is confirmed, not in house"

    # A manager lengthens the grace period: the late one can be charged.
    await harness.call_as(
        harness.manager(),
        rpc.UPDATE_BILLING_SETTINGS,
        rpc.UpdateBillingSettingsRequest(checkout_grace_hours=48),
    )
    harness.clock.now = end + timedelta(hours=25)
    allowed = await harness.call_as(
        spa, rpc.FULFIL_BOOKING, rpc.FulfilBookingRequest(booking_id=late.booking_id)
    )
    assert allowed.charge.state is ChargeState.PENDING


async def test_caps_per_charge_and_per_vendor_per_day(harness: Harness) -> None:
    vendor, offering = await _spa(harness)
    await harness.stay("s-1", state=StayState.STARTED, event="checked_in")
    spa = vendor_user(vendor.vendor_id)

    # The incident: quantity 1000 x 9,999,999.9999 from a vendor, refused outright.
    incident = await harness.fails_as(
        spa,
        rpc.CREATE_CHARGE,
        _ad_hoc(offering.offering_id, quantity=1000, unit_amount=Decimal("9999999.9999")),
    )
    assert incident.error.status == 422
    assert incident.error.detail == (
        "the charge of EUR 9,999,999,999.90 is above this property's limit of "
        "EUR 1,000.00 per charge"
    )
    # The cap binds managers too (an approval does not lift it).
    over = await harness.fails_as(
        MANAGER,
        rpc.CREATE_CHARGE,
        _ad_hoc(offering.offering_id, unit_amount=Decimal("1000.01")),
    )
    assert over.error.status == 422

    settings = await harness.call_as(
        harness.manager(),
        rpc.UPDATE_BILLING_SETTINGS,
        rpc.UpdateBillingSettingsRequest(
            max_charge_amount=Decimal(600), max_daily_amount_per_vendor=Decimal(1000)
        ),
    )
    assert (settings.max_charge_amount, settings.max_daily_amount_per_vendor) == (600, 1000)
    assert (settings.is_default, settings.updated_by, settings.version) == (
        False,
        "u-manager",
        1,
    )
    read = await harness.call_as(
        harness.manager("u-reader"), rpc.GET_BILLING_SETTINGS, rpc.GetBillingSettingsRequest()
    )
    assert read == settings

    first = await harness.call_as(
        MANAGER, rpc.CREATE_CHARGE, _ad_hoc(offering.offering_id, unit_amount=Decimal(500))
    )
    held = await harness.call_as(
        spa, rpc.CREATE_CHARGE, _ad_hoc(offering.offering_id, unit_amount=Decimal(400))
    )
    assert (first.charge.state, held.charge.state) == (
        ChargeState.PENDING,
        ChargeState.PENDING_APPROVAL,
    )
    # 900 today; 100.01 more is above the daily 1000, whoever asks.
    daily = await harness.fails_as(
        MANAGER,
        rpc.CREATE_CHARGE,
        _ad_hoc(offering.offering_id, unit_amount=Decimal("100.01")),
    )
    assert daily.error.status == 409
    assert daily.error.detail is not None
    assert "daily limit of EUR 1,000.00 per vendor" in daily.error.detail
    # A rejected charge does not count.
    await harness.call_as(
        harness.manager(),
        rpc.REJECT_CHARGE,
        rpc.RejectChargeRequest(charge_id=held.charge.charge_id, reason="wrong price"),
    )
    fits = await harness.call_as(
        MANAGER, rpc.CREATE_CHARGE, _ad_hoc(offering.offering_id, unit_amount=Decimal("100.01"))
    )
    assert fits.charge.state is ChargeState.PENDING
    # 24 hours later the window has moved on.
    harness.clock.advance(timedelta(hours=24, seconds=1))
    later = await harness.call_as(
        MANAGER, rpc.CREATE_CHARGE, _ad_hoc(offering.offering_id, unit_amount=Decimal(600))
    )
    assert later.charge.state is ChargeState.PENDING


async def test_billing_settings_belong_to_the_managers_of_the_property(harness: Harness) -> None:
    defaults = await harness.call_as(
        harness.manager(), rpc.GET_BILLING_SETTINGS, rpc.GetBillingSettingsRequest()
    )
    assert (
        defaults.max_charge_amount,
        defaults.max_daily_amount_per_vendor,
        defaults.checkout_grace_hours,
        defaults.is_default,
    ) == (Decimal(1000), Decimal(5000), 24, True)

    other = rpc.GetBillingSettingsRequest(enterprise_id="another-hotel")
    assert (
        await harness.fails_as(harness.manager(), rpc.GET_BILLING_SETTINGS, other)
    ).error.status == 404
    desk = Caller(
        user_id="u-desk", role=UserRole.FRONT_DESK, enterprise_ids=(harness.enterprise_id,)
    )
    change = rpc.UpdateBillingSettingsRequest(max_charge_amount=Decimal(2000))
    assert (await harness.fails_as(desk, rpc.UPDATE_BILLING_SETTINGS, change)).error.status == 403
    portfolio = Caller(
        user_id="u-admin", role=UserRole.ADMIN, permissions=(rpc.BILLING_SETTINGS_PERMISSION,)
    )
    unnamed = await harness.fails_as(portfolio, rpc.UPDATE_BILLING_SETTINGS, change)
    assert unnamed.error.status == 422
    # Above the daily cap (5000 by default) the per-charge cap makes no sense.
    nonsense = rpc.UpdateBillingSettingsRequest(max_charge_amount=Decimal(6000))
    refused = await harness.fails_as(harness.manager(), rpc.UPDATE_BILLING_SETTINGS, nonsense)
    assert refused.error.status == 422
    assert "at least max_charge_amount" in (refused.error.detail or "")

    named = rpc.UpdateBillingSettingsRequest(
        enterprise_id=harness.enterprise_id, max_charge_amount=Decimal(2000)
    )
    changed = await harness.call_as(portfolio, rpc.UPDATE_BILLING_SETTINGS, named)
    assert (changed.max_charge_amount, changed.max_daily_amount_per_vendor) == (2000, 5000)
    rows = await harness.sql(
        "select action, user_id from vendors.billing_audit where enterprise_id = $1",
        harness.enterprise_id,
    )
    assert [(r["action"], r["user_id"]) for r in rows] == [("billing_settings_changed", "u-admin")]


async def test_managers_approving_at_once_post_each_charge_once(harness: Harness) -> None:
    vendor, offering = await _spa(harness)
    await harness.stay("s-1", state=StayState.STARTED, event="checked_in")
    spa = vendor_user(vendor.vendor_id)
    held = [
        (await harness.call_as(spa, rpc.CREATE_CHARGE, _ad_hoc(offering.offering_id))).charge
        for _ in range(5)
    ]
    managers = [harness.manager(f"u-manager-{n}") for n in range(3)]

    async def approve(caller: Caller, charge_id: str) -> rpc.ChargeView:
        response = await harness.call_as(
            caller, rpc.APPROVE_CHARGE, rpc.ApproveChargeRequest(charge_id=charge_id)
        )
        return response.charge

    answers = await asyncio.gather(*(approve(m, c.charge_id) for c in held for m in managers))
    # Every click answers the approved charge, with one approver per charge.
    for index, charge in enumerate(held):
        mine = answers[index * len(managers) : (index + 1) * len(managers)]
        assert {(a.charge_id, a.state) for a in mine} == {(charge.charge_id, ChargeState.PENDING)}
        assert len({a.approved_by for a in mine}) == 1
    orders = await harness.wait_post_charges(len(held))
    await harness.wait_events(
        [("charge", "created")] * len(held) + [("charge", "approved")] * len(held),
        aggregate="charge",
    )
    assert sorted(o.charge_id for o in orders) == sorted(c.charge_id for c in held)
    rows = await harness.sql(
        "select count(*) as n from vendors.billing_audit where action = 'charge_approved'"
    )
    assert rows[0]["n"] == len(held)


async def test_two_approvals_waiting_on_the_same_charge_queue_one_order(harness: Harness) -> None:
    """Provoked deterministically: the charge's row is held while two managers' approvals
    start, so both are inside their transactions, waiting, when it is let go."""
    vendor, offering = await _spa(harness)
    await harness.stay("s-1", state=StayState.STARTED, event="checked_in")
    spa = vendor_user(vendor.vendor_id)
    held = (await harness.call_as(spa, rpc.CREATE_CHARGE, _ad_hoc(offering.offering_id))).charge
    await harness.wait_events([("charge", "created")], aggregate="charge")

    blocker = await asyncpg.connect(harness.admin_url)
    try:
        holding = blocker.transaction()
        await holding.start()
        await blocker.execute(
            "select 1 from vendors.charges where id = $1 for update", held.charge_id
        )
        request = rpc.ApproveChargeRequest(charge_id=held.charge_id)
        service = harness.app.service
        both = asyncio.gather(
            service.approve_charge(request, harness.manager("u-first")),
            service.approve_charge(request, harness.manager("u-second")),
        )

        async def both_waiting() -> bool:
            rows = await harness.sql(
                "select count(*) as n from pg_stat_activity"
                " where wait_event_type = 'Lock' and application_name = 'vendors'"
            )
            return bool(rows[0]["n"] >= 2)

        await wait_for(both_waiting, what="both approvals waiting for the charge's row")
        await holding.rollback()
        first, second = await both
    finally:
        await blocker.close()

    assert first.charge.approved_by == second.charge.approved_by
    assert first.charge.approved_by in {"u-first", "u-second"}
    [order] = await harness.wait_post_charges(1)
    assert order.charge_id == held.charge_id
    await harness.wait_events([("charge", "created"), ("charge", "approved")], aggregate="charge")
    assert await harness.outbox_rows() == 0
    assert len(await harness.post_charges()) == 1
