"""A manager cancels a charge (undo on the guest's bill), on real NATS and Postgres: who may,
the reason audited, one CancelCharge per try to Mews (none when the charge never got there),
the publisher's answer, and a fulfilled booking refunded."""

from decimal import Decimal

import pytest
from vendors_testkit import Harness, vendor_user

from attendandt.contracts.caller import Caller
from attendandt.contracts.commands import CancellationMethod
from attendandt.contracts.rpc import vendors as rpc
from attendandt.contracts.snapshots import BookingState, ChargeState, StayState, UserRole
from attendandt.vendors import cancellation
from attendandt.vendors.cancellation import NothingToCancel, Step, step_for


async def _audit(harness: Harness, charge_id: str) -> list[tuple[str, str, str | None]]:
    rows = await harness.sql(
        "select action, user_id, detail from vendors.billing_audit where charge_id = $1"
        " and action like 'charge_cancel%' order by id",
        charge_id,
    )
    return [(r["action"], r["user_id"], r["detail"]) for r in rows]


def _cancel(charge_id: str, reason: str = "the guest was not satisfied") -> rpc.CancelChargeRequest:
    return rpc.CancelChargeRequest(charge_id=charge_id, reason=reason)


async def _posted_charge(harness: Harness, offering_id: str, order_id: str) -> rpc.ChargeView:
    """A manager's ad-hoc charge, posted in Mews as `order_id`."""
    made = await harness.call_as(
        harness.manager(),
        rpc.CREATE_CHARGE,
        rpc.CreateChargeRequest(offering_id=offering_id, guest_id="g-1", stay_id="s-1"),
    )
    await harness.charge_result(made.charge.charge_id, posted=True, order_id=order_id)
    return await harness.charge_in_state(made.charge.charge_id, ChargeState.POSTED)


async def test_a_fulfilled_bookings_charge_is_taken_back_once_and_the_booking_refunded(
    harness: Harness,
) -> None:
    vendor = await harness.vendor()
    offering = await harness.offering(vendor.vendor_id, price="85.50")
    await harness.stay("s-1", state=StayState.STARTED, event="checked_in")
    spa = vendor_user(vendor.vendor_id, enterprise_id=harness.enterprise_id)
    booking = await harness.booking(offering.offering_id, actor=spa)
    await harness.call_as(
        spa, rpc.CONFIRM_BOOKING, rpc.ConfirmBookingRequest(booking_id=booking.booking_id)
    )
    fulfilled = await harness.call_as(
        spa, rpc.FULFIL_BOOKING, rpc.FulfilBookingRequest(booking_id=booking.booking_id)
    )
    charge_id = fulfilled.charge.charge_id
    await harness.charge_result(charge_id, posted=True, order_id="order-1")
    await harness.charge_in_state(charge_id, ChargeState.POSTED)

    # Only a manager (or admin) of the charge's property may; the reason is required.
    request = _cancel(charge_id)
    other_hotel = harness.manager("u-elsewhere", enterprise_id="another-hotel")
    assert (await harness.fails_as(other_hotel, rpc.CANCEL_CHARGE, request)).error.status == 404
    desk = Caller(
        user_id="u-desk",
        role=UserRole.FRONT_DESK,
        permissions=("charges:create", "charges:read"),
        enterprise_ids=(harness.enterprise_id,),
    )
    assert (await harness.fails_as(desk, rpc.CANCEL_CHARGE, request)).error.status == 403
    assert (await harness.fails_as(spa, rpc.CANCEL_CHARGE, request)).error.status == 403
    assert (await harness.fails_as(None, rpc.CANCEL_CHARGE, request)).error.status == 401
    blank = _cancel(charge_id, reason="  ")
    assert (await harness.fails_as(harness.manager(), rpc.CANCEL_CHARGE, blank)).error.status == 422
    assert await harness.cancel_charges() == []

    asked = await harness.call_as(harness.manager(), rpc.CANCEL_CHARGE, request)
    charge = asked.charge
    assert charge.state is ChargeState.CANCELLING
    assert (charge.cancel_reason, charge.cancel_requested_by, charge.cancel_requested_at) == (
        "the guest was not satisfied",
        "u-manager",
        harness.clock.now,
    )
    [command] = await harness.wait_cancel_charges(1)
    assert command.command_id == f"cancel_charge:{charge_id}:1"
    assert (command.charge_id, command.mews_order_id, command.reference) == (
        charge_id,
        "order-1",
        charge.reference,
    )
    assert command.account_id == "cust-owner"
    assert command.service_id == "svc-spa"
    # Asking again (a double click, a second manager) sends nothing more.
    again = await harness.call_as(harness.manager("u-second"), rpc.CANCEL_CHARGE, request)
    assert again.charge.cancel_requested_by == "u-manager"

    answer = await harness.cancellation_result(
        charge_id, cancelled=True, method=CancellationMethod.ORDER_ITEMS_CANCELLED
    )
    cancelled = await harness.charge(charge_id)
    assert cancelled.state is ChargeState.CANCELLED
    assert cancelled.cancelled_at == harness.clock.now
    assert cancelled.cancel_method == "order_items_cancelled"
    refunded = await harness.call_as(
        spa, rpc.GET_BOOKING, rpc.GetBookingRequest(booking_id=booking.booking_id)
    )
    assert refunded.booking.state is BookingState.REFUNDED
    assert refunded.booking.state_reason == "the guest was not satisfied"
    # The publisher's answer again (a repeat) and another cancel change nothing.
    await harness.cancellation_result(
        charge_id, cancelled=False, reason="late", command_id=f"{answer}:late"
    )
    done = await harness.call_as(harness.manager(), rpc.CANCEL_CHARGE, request)
    assert (done.charge.state, done.charge.version) == (ChargeState.CANCELLED, cancelled.version)
    assert len(await harness.cancel_charges()) == 1
    await harness.wait_events(
        [
            ("vendor", "created"),
            ("booking", "requested"),
            ("booking", "confirmed"),
            ("booking", "fulfilled"),
            ("charge", "created"),
            ("charge", "posted"),
            ("charge", "cancelling"),
            ("charge", "cancelled"),
            ("booking", "refunded"),
        ]
    )
    assert await _audit(harness, charge_id) == [
        ("charge_cancel_requested", "u-manager", "the guest was not satisfied"),
        ("charge_cancelled", cancellation.MEWS_ACTOR, "order_items_cancelled"),
    ]


async def test_a_cancellation_mews_refused_is_tried_again_and_may_be_rebated(
    harness: Harness,
) -> None:
    vendor = await harness.vendor()
    offering = await harness.offering(vendor.vendor_id)
    await harness.stay("s-1", state=StayState.STARTED, event="checked_in")
    charge = await _posted_charge(harness, offering.offering_id, "order-7")
    await harness.call_as(harness.manager(), rpc.CANCEL_CHARGE, _cancel(charge.charge_id))
    await harness.cancellation_result(
        charge.charge_id, cancelled=False, reason="Invalid AccountId.", permanent=True
    )
    failed = await harness.charge(charge.charge_id)
    assert failed.state is ChargeState.CANCEL_FAILED
    assert failed.cancel_failure_reason == "Invalid AccountId. (refused by Mews)"

    retried = await harness.call_as(
        harness.manager("u-other"), rpc.CANCEL_CHARGE, _cancel(charge.charge_id, "try again")
    )
    assert retried.charge.state is ChargeState.CANCELLING
    assert retried.charge.cancel_failure_reason is None
    assert retried.charge.cancel_reason == "try again"
    first, second = await harness.wait_cancel_charges(2)
    assert (first.command_id, second.command_id) == (
        f"cancel_charge:{charge.charge_id}:1",
        f"cancel_charge:{charge.charge_id}:2",
    )
    await harness.cancellation_result(
        charge.charge_id, cancelled=True, method=CancellationMethod.REBATED
    )
    done = await harness.charge(charge.charge_id)
    assert (done.state, done.cancel_method) == (ChargeState.CANCELLED, "rebated")
    assert await _audit(harness, charge.charge_id) == [
        ("charge_cancel_requested", "u-manager", "the guest was not satisfied"),
        ("charge_cancel_failed", cancellation.MEWS_ACTOR, "Invalid AccountId. (refused by Mews)"),
        ("charge_cancel_requested", "u-other", "try again"),
        ("charge_cancelled", cancellation.MEWS_ACTOR, "rebated"),
    ]


async def test_a_charge_that_never_reached_mews_is_cancelled_without_it(
    harness: Harness,
) -> None:
    vendor = await harness.vendor()
    offering = await harness.offering(vendor.vendor_id)
    await harness.stay("s-1", state=StayState.STARTED, event="checked_in")
    spa = vendor_user(vendor.vendor_id)
    ad_hoc = rpc.CreateChargeRequest(
        offering_id=offering.offering_id, guest_id="g-1", stay_id="s-1"
    )
    held = (await harness.call_as(spa, rpc.CREATE_CHARGE, ad_hoc)).charge
    rejected = (await harness.call_as(spa, rpc.CREATE_CHARGE, ad_hoc)).charge
    await harness.call_as(
        harness.manager(),
        rpc.REJECT_CHARGE,
        rpc.RejectChargeRequest(charge_id=rejected.charge_id, reason="no"),
    )
    refused = (await harness.call_as(harness.manager(), rpc.CREATE_CHARGE, ad_hoc)).charge
    await harness.charge_result(
        refused.charge_id, posted=False, reason="Invalid AccountId.", permanent=True
    )
    await harness.charge_in_state(refused.charge_id, ChargeState.FAILED)

    for charge in (held, refused):
        done = await harness.call_as(
            harness.manager(), rpc.CANCEL_CHARGE, _cancel(charge.charge_id)
        )
        assert (done.charge.state, done.charge.cancel_method) == (
            ChargeState.CANCELLED,
            "not_in_mews",
        )
        assert done.charge.cancelled_at == harness.clock.now
        assert await _audit(harness, charge.charge_id) == [
            ("charge_cancel_requested", "u-manager", "the guest was not satisfied"),
            ("charge_cancelled", "u-manager", "not_in_mews"),
        ]
    nothing = await harness.fails_as(
        harness.manager(), rpc.CANCEL_CHARGE, _cancel(rejected.charge_id)
    )
    assert nothing.error.status == 409
    assert "rejected" in (nothing.error.detail or "")
    assert await harness.cancel_charges() == []
    # The vendor's daily cap no longer counts what was cancelled (nor what was rejected).
    await harness.call_as(
        harness.manager(),
        rpc.UPDATE_BILLING_SETTINGS,
        rpc.UpdateBillingSettingsRequest(
            max_charge_amount=Decimal("100"), max_daily_amount_per_vendor=Decimal("100")
        ),
    )
    fits = await harness.call_as(harness.manager(), rpc.CREATE_CHARGE, ad_hoc)
    assert fits.charge.state is ChargeState.PENDING


async def test_a_charge_being_posted_is_taken_back_once_the_answer_is_in(
    harness: Harness,
) -> None:
    vendor = await harness.vendor()
    offering = await harness.offering(vendor.vendor_id)
    await harness.stay("s-1", state=StayState.STARTED, event="checked_in")
    ad_hoc = rpc.CreateChargeRequest(
        offering_id=offering.offering_id, guest_id="g-1", stay_id="s-1"
    )
    posting, refused, unsure = [
        (await harness.call_as(harness.manager(), rpc.CREATE_CHARGE, ad_hoc)).charge
        for _ in range(3)
    ]
    for charge in (posting, refused, unsure):
        asked = await harness.call_as(
            harness.manager(), rpc.CANCEL_CHARGE, _cancel(charge.charge_id)
        )
        assert asked.charge.state is ChargeState.CANCELLING
    assert await harness.cancel_charges() == []  # it may be posted any moment: wait

    await harness.charge_result(posting.charge_id, posted=True, order_id="order-9")
    await harness.charge_result(
        refused.charge_id, posted=False, reason="Invalid AccountId.", permanent=True
    )
    # The publisher gave up waiting: it may be in Mews after all.
    await harness.charge_result(unsure.charge_id, posted=False, reason="Mews unreachable")
    commands = {c.charge_id: c for c in await harness.wait_cancel_charges(2)}
    assert commands[posting.charge_id].mews_order_id == "order-9"
    assert commands[unsure.charge_id].mews_order_id is None
    assert refused.charge_id not in commands
    taken = await harness.charge(posting.charge_id)
    assert (taken.state, taken.mews_order_id) == (ChargeState.CANCELLING, "order-9")
    gone = await harness.charge_in_state(refused.charge_id, ChargeState.CANCELLED)
    assert gone.cancel_method == "not_in_mews"
    # A repeated posting answer sends no second CancelCharge.
    await harness.charge_result(posting.charge_id, posted=True, order_id="order-9")
    await harness.cancellation_result(
        unsure.charge_id, cancelled=True, method=CancellationMethod.NOT_IN_MEWS
    )
    assert len(await harness.cancel_charges()) == 2
    assert (await harness.charge(posting.charge_id)).state is ChargeState.CANCELLING


@pytest.mark.parametrize(
    ("state", "permanent", "step"),
    [
        (ChargeState.PENDING_APPROVAL, False, Step.CANCEL_WITHOUT_MEWS),
        (ChargeState.FAILED, True, Step.CANCEL_WITHOUT_MEWS),
        (ChargeState.FAILED, False, Step.TAKE_BACK),
        (ChargeState.POSTED, False, Step.TAKE_BACK),
        (ChargeState.CANCEL_FAILED, False, Step.TAKE_BACK),
        (ChargeState.PENDING, False, Step.WAIT_FOR_POSTING),
        (ChargeState.CANCELLING, False, Step.ANSWER_AS_IS),
        (ChargeState.CANCELLED, False, Step.ANSWER_AS_IS),
    ],
)
def test_what_cancelling_does_by_the_charges_state(
    state: ChargeState, permanent: bool, step: Step
) -> None:
    assert step_for(state, failure_permanent=permanent) is step


def test_a_rejected_charge_has_nothing_to_cancel() -> None:
    with pytest.raises(NothingToCancel):
        step_for(ChargeState.REJECTED, failure_permanent=False)
