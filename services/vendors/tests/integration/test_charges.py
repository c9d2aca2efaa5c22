"""Charges and Mews' answers: failures, retries with the same reference, repeated and late
results, bad results as dead letters, ad-hoc charges, and settlement per currency."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from vendors_testkit import ADMIN, FRONT_DESK, MANAGER, Harness, vendor_user, wait_for

from attendandt.contracts.deadletter import DeadLetter
from attendandt.contracts.rpc import vendors as rpc
from attendandt.contracts.snapshots import ChargeState, StayState


async def _fulfilled_charge(harness: Harness) -> tuple[rpc.VendorView, rpc.ChargeView]:
    vendor = await harness.vendor()
    offering = await harness.offering(vendor.vendor_id)
    await harness.stay("s-1")
    booking = await harness.booking(offering.offering_id)
    await harness.call(
        rpc.CONFIRM_BOOKING,
        rpc.ConfirmBookingRequest(booking_id=booking.booking_id),
        caller=MANAGER,
    )
    fulfilled = await harness.call(
        rpc.FULFIL_BOOKING, rpc.FulfilBookingRequest(booking_id=booking.booking_id), caller=MANAGER
    )
    return vendor, fulfilled.charge


async def test_a_failed_charge_is_retried_with_the_same_reference(harness: Harness) -> None:
    vendor, charge = await _fulfilled_charge(harness)
    [first] = await harness.wait_post_charges(1)

    await harness.charge_result(charge.charge_id, posted=False, reason="account is closed")
    failed = await harness.charge_in_state(charge.charge_id, ChargeState.FAILED)
    assert failed.failure_reason == "account is closed"

    retry = rpc.RetryChargeRequest(charge_id=charge.charge_id)
    assert await harness.fails(rpc.RETRY_CHARGE, retry, FRONT_DESK) == 403
    as_vendor = rpc.RetryChargeRequest(charge_id=charge.charge_id)
    assert await harness.fails(rpc.RETRY_CHARGE, as_vendor, vendor_user(vendor.vendor_id)) == 403

    retried = await harness.call(
        rpc.RETRY_CHARGE, rpc.RetryChargeRequest(charge_id=charge.charge_id), caller=MANAGER
    )
    assert retried.charge.state is ChargeState.PENDING
    assert retried.charge.attempts == 2
    assert retried.charge.failure_reason is None
    # Only a failed charge is retried.
    again = rpc.RetryChargeRequest(charge_id=charge.charge_id)
    assert await harness.fails(rpc.RETRY_CHARGE, again, ADMIN) == 409

    first_again, second = await harness.wait_post_charges(2)
    assert first_again == first
    assert second.reference == first.reference == charge.reference
    assert second.command_id != first.command_id
    assert (second.lines, second.account_id, second.service_id) == (
        first.lines,
        first.account_id,
        first.service_id,
    )

    await harness.charge_result(charge.charge_id, posted=True, order_id="order-9")
    posted = await harness.charge_in_state(charge.charge_id, ChargeState.POSTED)
    assert posted.mews_order_id == "order-9"
    await harness.wait_events(
        [("charge", "created"), ("charge", "failed"), ("charge", "retried"), ("charge", "posted")],
        aggregate="charge",
    )


async def test_repeated_and_late_results_change_nothing(harness: Harness) -> None:
    _, charge = await _fulfilled_charge(harness)

    # The same command delivered twice (a publisher retry past JetStream's dedup window).
    command_id = await harness.charge_result(
        charge.charge_id, posted=True, order_id="order-1", msg_id="first-delivery"
    )
    await harness.charge_result(
        charge.charge_id,
        posted=True,
        order_id="order-1",
        command_id=command_id,
        msg_id="second-delivery",
    )
    # A late failure from an earlier attempt, and a second success, arriving after it.
    late_failure = await harness.charge_result(charge.charge_id, posted=False, reason="timeout")
    other_order = await harness.charge_result(charge.charge_id, posted=True, order_id="order-2")
    for message_id in (command_id, late_failure, other_order):
        await harness.processed("vendors-record-charge-result", message_id)

    final = await harness.charge(charge.charge_id)
    assert (final.state, final.mews_order_id, final.failure_reason) == (
        ChargeState.POSTED,
        "order-1",
        None,
    )
    await harness.wait_events([("charge", "created"), ("charge", "posted")], aggregate="charge")
    assert final.version == 2


async def test_a_success_after_a_failure_wins(harness: Harness) -> None:
    """Out of order: attempt one's late 'posted' arrives after the charge was marked failed."""
    _, charge = await _fulfilled_charge(harness)
    await harness.charge_result(charge.charge_id, posted=False, reason="timeout")
    await harness.charge_in_state(charge.charge_id, ChargeState.FAILED)
    await harness.charge_result(charge.charge_id, posted=True, order_id="order-late")
    posted = await harness.charge_in_state(charge.charge_id, ChargeState.POSTED)
    assert posted.mews_order_id == "order-late"
    assert posted.failure_reason is None


async def test_bad_results_are_dead_lettered_and_the_consumer_goes_on(harness: Harness) -> None:
    _, charge = await _fulfilled_charge(harness)
    await harness.js.publish(
        "cmd.v1.vendors.record_charge_result", b'{"charge_id": 42}', headers={"Nats-Msg-Id": "bad"}
    )
    await harness.charge_result("no-such-charge", posted=True, order_id="x")
    await harness.charge_result(charge.charge_id, posted=True, order_id=None)
    await harness.charge_result(charge.charge_id, posted=True, order_id="order-1")
    await harness.charge_in_state(charge.charge_id, ChargeState.POSTED)

    async def three() -> list[DeadLetter] | None:
        letters = await harness.dead_letters("vendors-record-charge-result")
        return letters if len(letters) == 3 else None

    letters = await wait_for(three, what="three dead letters")
    reasons = sorted(letter.reason for letter in letters)
    assert reasons[0].startswith("cannot decode as vendors.record_charge_result/v1")
    assert reasons[1] == "rejected: a posted charge result must carry the Mews order id"
    assert reasons[2] == "rejected: charge no-such-charge is not known in this property"


async def test_ad_hoc_charges_and_settlement_per_currency(harness: Harness) -> None:
    vendor = await harness.vendor()
    spa = vendor_user(vendor.vendor_id)
    massage = await harness.offering(vendor.vendor_id, actor=spa)
    # The hotel moved to francs in Mews: offerings made since are priced in them.
    await harness.catalogue(currency="CHF", updated=datetime(2026, 2, 1, tzinfo=UTC))
    boat = await harness.offering(
        vendor.vendor_id, name="Boat trip", price="40", currency="CHF", actor=spa
    )
    await harness.stay("s-1", guest_ids=("g-1",))
    await harness.stay("s-cancelled", state=StayState.CANCELED, event="cancelled")

    def ad_hoc(offering_id: str, **extra: object) -> rpc.CreateChargeRequest:
        # A manager's ad-hoc charge goes straight to Mews (a vendor's waits for approval:
        # test_billing_controls).
        values: dict[str, object] = {
            "offering_id": offering_id,
            "guest_id": "g-1",
            "stay_id": "s-1",
        }
        values.update(extra)
        return rpc.CreateChargeRequest(**values)

    oils = await harness.call(
        rpc.CREATE_CHARGE,
        ad_hoc(
            massage.offering_id,
            description="Massage oils",
            unit_amount=Decimal("12.25"),
            quantity=2,
        ),
        MANAGER,
    )
    assert (oils.charge.description, oils.charge.amount, oils.charge.booking_id) == (
        "Massage oils",
        Decimal("24.50"),
        None,
    )
    trip = await harness.call(rpc.CREATE_CHARGE, ad_hoc(boat.offering_id, quantity=3), MANAGER)
    assert (trip.charge.unit_amount, trip.charge.currency) == (Decimal(40), "CHF")
    plain = await harness.call(rpc.CREATE_CHARGE, ad_hoc(massage.offering_id), MANAGER)
    assert plain.charge.description == "Massage 60 min"

    assert (
        await harness.fails(
            rpc.CREATE_CHARGE, ad_hoc(massage.offering_id, stay_id="s-cancelled"), MANAGER
        )
        == 409
    )
    assert (
        await harness.fails(
            rpc.CREATE_CHARGE, ad_hoc(massage.offering_id, unit_amount=Decimal("-1")), MANAGER
        )
        == 422
    )
    assert (
        await harness.fails(
            rpc.CREATE_CHARGE, ad_hoc(massage.offering_id, unit_amount=Decimal("0.00001")), MANAGER
        )
        == 422
    )

    orders = await harness.wait_post_charges(3)
    assert {o.charge_id for o in orders} == {
        oils.charge.charge_id,
        trip.charge.charge_id,
        plain.charge.charge_id,
    }

    for charge, order_id in ((oils.charge, "o-1"), (trip.charge, "o-2")):
        await harness.charge_result(charge.charge_id, posted=True, order_id=order_id)
        await harness.charge_in_state(charge.charge_id, ChargeState.POSTED)
    await harness.charge_result(plain.charge.charge_id, posted=False, reason="refused")
    await harness.charge_in_state(plain.charge.charge_id, ChargeState.FAILED)

    settlement = await harness.call(
        rpc.SETTLEMENT,
        rpc.SettlementRequest(
            vendor_id=vendor.vendor_id,
            from_utc=harness.clock.now - timedelta(hours=1),
            to_utc=harness.clock.now + timedelta(hours=1),
        ),
        caller=spa,
    )
    assert settlement.totals == (
        rpc.CurrencyTotal(currency="CHF", amount=Decimal(120), charges=1),
        rpc.CurrencyTotal(currency="EUR", amount=Decimal("24.50"), charges=1),
    )
    backwards = rpc.SettlementRequest(
        vendor_id=vendor.vendor_id,
        from_utc=harness.clock.now,
        to_utc=harness.clock.now - timedelta(hours=1),
    )
    assert await harness.fails(rpc.SETTLEMENT, backwards, MANAGER) == 422

    failed = await harness.call(
        rpc.LIST_CHARGES, rpc.ListChargesRequest(state=ChargeState.FAILED), caller=spa
    )
    assert [c.charge_id for c in failed.items] == [plain.charge.charge_id]
    everything = await harness.call(
        rpc.LIST_CHARGES, rpc.ListChargesRequest(stay_id="s-1", limit=2), caller=MANAGER
    )
    assert (len(everything.items), everything.total, everything.next_offset) == (2, 3, 2)
