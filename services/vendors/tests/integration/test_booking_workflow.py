"""The booking workflow end to end on real NATS and Postgres: request, confirm, fulfil, the
charge posted to Mews through the outbox, and the paths that end a booking otherwise."""

from datetime import timedelta
from decimal import Decimal

import httpx
from vendors_testkit import FRONT_DESK, MANAGER, Harness, vendor_user

from attendandt.contracts.caller import CALLER_HEADER, encode_caller
from attendandt.contracts.events import BookingEvent, ChargeEvent, VendorEvent
from attendandt.contracts.rpc import vendors as rpc
from attendandt.contracts.snapshots import BookingState, ChargeState, StayState


async def test_requested_confirmed_fulfilled_then_posted_to_mews(harness: Harness) -> None:
    vendor = await harness.vendor()
    offering = await harness.offering(vendor.vendor_id, price="85.50")
    await harness.stay("s-1", guest_ids=("g-1", "g-2"))
    spa = vendor_user(vendor.vendor_id)

    booking = await harness.booking(offering.offering_id, guest_id="g-2", quantity=2)
    assert booking.state is BookingState.REQUESTED
    assert (booking.unit_price, booking.currency) == (Decimal("85.50"), "EUR")

    confirmed = await harness.call(
        rpc.CONFIRM_BOOKING, rpc.ConfirmBookingRequest(booking_id=booking.booking_id), caller=spa
    )
    assert confirmed.booking.state is BookingState.CONFIRMED
    # The guests check in: a vendor's charge for a stay in house goes straight to Mews.
    await harness.stay("s-1", guest_ids=("g-1", "g-2"), state=StayState.STARTED, event="checked_in")

    fulfilled = await harness.call(
        rpc.FULFIL_BOOKING, rpc.FulfilBookingRequest(booking_id=booking.booking_id), caller=spa
    )
    charge = fulfilled.charge
    assert fulfilled.booking.state is BookingState.FULFILLED
    assert fulfilled.booking.charge_id == charge.charge_id
    assert charge.state is ChargeState.PENDING
    assert (charge.quantity, charge.unit_amount, charge.amount) == (2, Decimal("85.50"), 171)
    assert charge.reference == f"attendandt:charge:{charge.charge_id}"

    # The order for Mews was committed with the charge and relayed to MEWS_OUTBOX.
    [order] = await harness.wait_post_charges(1)
    assert order.charge_id == charge.charge_id
    assert order.reference == charge.reference
    assert order.account_id == "cust-owner"
    assert order.linked_reservation_id == "res-s-1"
    assert order.service_id == "svc-spa"
    assert order.notes is None  # the booking's "window seat" is not for the guest's bill
    [line] = order.lines
    assert (line.name, line.unit_count, line.unit_amount, line.currency) == (
        "Massage 60 min",
        2,
        Decimal("85.50"),
        "EUR",
    )
    assert (line.product_id, line.accounting_category_id, line.tax_codes) == (
        "prod-massage",
        "acc-wellness",
        ("AT-S",),
    )
    assert line.amount_is_gross is True
    assert order.consumption_utc == booking.scheduled_for

    # The publisher answers on DOMAIN_COMMANDS.
    harness.clock.advance(timedelta(minutes=5))
    await harness.charge_result(charge.charge_id, posted=True, order_id="order-1")
    posted = await harness.charge_in_state(charge.charge_id, ChargeState.POSTED)
    assert posted.mews_order_id == "order-1"
    assert posted.posted_at == harness.clock.now

    await harness.wait_events(
        [
            ("vendor", "created"),
            ("booking", "requested"),
            ("booking", "confirmed"),
            ("booking", "fulfilled"),
            ("charge", "created"),
            ("charge", "posted"),
        ]
    )
    [*_, last_booking_event] = await harness.event_bodies("booking", BookingEvent)
    assert last_booking_event.booking.state is BookingState.FULFILLED
    # Public events leave out the booking's notes and the vendor's contact; the API keeps them.
    assert booking.notes == "window seat"
    assert [b.booking.notes for b in await harness.event_bodies("booking", BookingEvent)] == [
        None,
        None,
        None,
    ]
    assert vendor.contact_email == "desk@spa.example"
    [vendor_event] = await harness.event_bodies("vendor", VendorEvent)
    assert (vendor_event.vendor.contact_email, vendor_event.vendor.name) == (None, vendor.name)
    assert last_booking_event.event_id == f"booking:{booking.booking_id}:3"
    [created, posted_event] = await harness.event_bodies("charge", ChargeEvent)
    assert created.charge.state is ChargeState.PENDING
    assert posted_event.charge.mews_order_id == "order-1"

    # Settlement: posted charges of the vendor in the period, per currency.
    settlement = await harness.call(
        rpc.SETTLEMENT,
        rpc.SettlementRequest(
            vendor_id=vendor.vendor_id,
            from_utc=harness.clock.now - timedelta(days=1),
            to_utc=harness.clock.now + timedelta(days=1),
        ),
        caller=spa,
    )
    assert settlement.totals == (rpc.CurrencyTotal(currency="EUR", amount=Decimal(171), charges=1),)
    after = await harness.call(
        rpc.SETTLEMENT,
        rpc.SettlementRequest(
            vendor_id=vendor.vendor_id,
            from_utc=harness.clock.now + timedelta(seconds=1),
            to_utc=harness.clock.now + timedelta(days=1),
        ),
        caller=MANAGER,
    )
    assert after.totals == ()

    got = await harness.call(
        rpc.GET_BOOKING, rpc.GetBookingRequest(booking_id=booking.booking_id), caller=FRONT_DESK
    )
    assert got.booking.charge_id == charge.charge_id
    assert await harness.outbox_rows() == 0


async def test_decline_cancel_and_transitions_that_are_not_allowed(harness: Harness) -> None:
    vendor = await harness.vendor()
    offering = await harness.offering(vendor.vendor_id)
    await harness.stay("s-1")
    spa = vendor_user(vendor.vendor_id)

    declined_one = await harness.booking(offering.offering_id)
    declined = await harness.call(
        rpc.DECLINE_BOOKING,
        rpc.DeclineBookingRequest(booking_id=declined_one.booking_id, reason="fully booked"),
        caller=spa,
    )
    assert declined.booking.state is BookingState.DECLINED
    assert declined.booking.state_reason == "fully booked"
    for method, request in [
        (
            rpc.CONFIRM_BOOKING,
            rpc.ConfirmBookingRequest(booking_id=declined_one.booking_id),
        ),
        (
            rpc.FULFIL_BOOKING,
            rpc.FulfilBookingRequest(booking_id=declined_one.booking_id),
        ),
        (
            rpc.CANCEL_BOOKING,
            rpc.CancelBookingRequest(booking_id=declined_one.booking_id),
        ),
    ]:
        assert await harness.fails(method, request, spa) == 409

    cancelled_one = await harness.booking(offering.offering_id)
    # Only a confirmed booking can be fulfilled.
    assert (
        await harness.fails(
            rpc.FULFIL_BOOKING,
            rpc.FulfilBookingRequest(booking_id=cancelled_one.booking_id),
            caller=spa,
        )
        == 409
    )
    await harness.call(
        rpc.CONFIRM_BOOKING,
        rpc.ConfirmBookingRequest(booking_id=cancelled_one.booking_id),
        caller=spa,
    )
    cancelled = await harness.call(
        rpc.CANCEL_BOOKING,
        rpc.CancelBookingRequest(booking_id=cancelled_one.booking_id, reason="guest changed plans"),
        caller=FRONT_DESK,
    )
    assert cancelled.booking.state is BookingState.CANCELLED
    assert (
        await harness.fails(
            rpc.DECLINE_BOOKING,
            rpc.DeclineBookingRequest(booking_id=cancelled_one.booking_id),
            caller=spa,
        )
        == 409
    )

    await harness.wait_events(
        [
            ("booking", "requested"),
            ("booking", "declined"),
            ("booking", "requested"),
            ("booking", "confirmed"),
            ("booking", "cancelled"),
        ],
        aggregate="booking",
    )
    assert await harness.post_charges() == []
    assert (
        await harness.fails(
            rpc.GET_BOOKING, rpc.GetBookingRequest(booking_id="nope"), caller=MANAGER
        )
        == 404
    )


async def test_requested_bookings_whose_time_passed_expire(harness: Harness) -> None:
    vendor = await harness.vendor()
    offering = await harness.offering(vendor.vendor_id)
    await harness.stay("s-1")
    soon = await harness.booking(
        offering.offering_id, scheduled_for=harness.clock.now + timedelta(hours=1)
    )
    later = await harness.booking(
        offering.offering_id, scheduled_for=harness.clock.now + timedelta(hours=5)
    )
    confirmed = await harness.booking(
        offering.offering_id, scheduled_for=harness.clock.now + timedelta(hours=1)
    )
    await harness.call(
        rpc.CONFIRM_BOOKING,
        rpc.ConfirmBookingRequest(booking_id=confirmed.booking_id),
        caller=MANAGER,
    )

    assert await harness.app.service.expire_overdue(harness.clock.now) == 0
    now = harness.clock.advance(timedelta(hours=2))
    assert await harness.app.service.expire_overdue(now) == 1
    assert await harness.app.service.expire_overdue(now) == 0  # once

    async def state(booking_id: str) -> BookingState:
        response = await harness.call(
            rpc.GET_BOOKING, rpc.GetBookingRequest(booking_id=booking_id), caller=MANAGER
        )
        return response.booking.state

    assert await state(soon.booking_id) is BookingState.EXPIRED
    assert await state(later.booking_id) is BookingState.REQUESTED
    # Confirmed bookings are the vendor's to fulfil, even late: they do not expire.
    assert await state(confirmed.booking_id) is BookingState.CONFIRMED
    assert (
        await harness.fails(
            rpc.CONFIRM_BOOKING,
            rpc.ConfirmBookingRequest(booking_id=soon.booking_id),
            caller=MANAGER,
        )
        == 409
    )
    await harness.wait_events(
        [("booking", "requested")] * 3 + [("booking", "confirmed"), ("booking", "expired")],
        aggregate="booking",
    )


async def test_a_cancelled_stay_cancels_its_open_bookings(harness: Harness) -> None:
    vendor = await harness.vendor()
    offering = await harness.offering(vendor.vendor_id)
    await harness.stay("s-1", guest_ids=("g-1",))
    await harness.stay("s-2", guest_ids=("g-1",))
    requested = await harness.booking(offering.offering_id)
    confirmed = await harness.booking(offering.offering_id)
    fulfilled = await harness.booking(offering.offering_id)
    other_stay = await harness.booking(offering.offering_id, stay_id="s-2")
    for booking in (confirmed, fulfilled):
        await harness.call(
            rpc.CONFIRM_BOOKING,
            rpc.ConfirmBookingRequest(booking_id=booking.booking_id),
            caller=MANAGER,
        )
    await harness.call(
        rpc.FULFIL_BOOKING,
        rpc.FulfilBookingRequest(booking_id=fulfilled.booking_id),
        caller=MANAGER,
    )
    first = [("booking", "requested")] * 4 + [("booking", "confirmed")] * 2
    first += [("booking", "fulfilled")]
    await harness.wait_events(first, aggregate="booking")

    cancelled_at = harness._stay_versions["s-1"] + timedelta(hours=1)
    await harness.stay("s-1", state=StayState.CANCELED, event="cancelled", updated=cancelled_at)

    page = await harness.call(
        rpc.LIST_BOOKINGS, rpc.ListBookingsRequest(stay_id="s-1"), caller=MANAGER
    )
    states = {b.booking_id: (b.state, b.state_reason) for b in page.items}
    assert states == {
        requested.booking_id: (BookingState.CANCELLED, "stay cancelled"),
        confirmed.booking_id: (BookingState.CANCELLED, "stay cancelled"),
        fulfilled.booking_id: (BookingState.FULFILLED, None),
    }
    other = await harness.call(
        rpc.GET_BOOKING, rpc.GetBookingRequest(booking_id=other_stay.booking_id), caller=MANAGER
    )
    assert other.booking.state is BookingState.REQUESTED
    await harness.wait_events(first + [("booking", "cancelled")] * 2, aggregate="booking")

    # An older version of the stay arriving late changes nothing.
    await harness.stay(
        "s-1", state=StayState.CONFIRMED, updated=cancelled_at - timedelta(minutes=30)
    )
    rows = await harness.sql("select state from vendors.stay_refs where stay_id = 's-1'")
    assert rows[0]["state"] == "canceled"
    # No new booking for a cancelled stay.
    assert (
        await harness.fails(
            rpc.CREATE_BOOKING,
            rpc.CreateBookingRequest(
                offering_id=offering.offering_id, guest_id="g-1", stay_id="s-1"
            ),
            caller=FRONT_DESK,
        )
        == 409
    )
    assert len(await harness.events("booking")) == len(first) + 2


async def test_booking_is_checked_against_the_stay_projection(harness: Harness) -> None:
    vendor = await harness.vendor()
    offering = await harness.offering(vendor.vendor_id)
    await harness.stay("s-1", guest_ids=("g-1",))
    await harness.stay("s-out", state=StayState.PROCESSED, event="checked_out")
    await harness.stay("s-no-owner", owner=None)

    def request(**overrides: object) -> rpc.CreateBookingRequest:
        values: dict[str, object] = {
            "offering_id": offering.offering_id,
            "guest_id": "g-1",
            "stay_id": "s-1",
            "scheduled_for": harness.clock.now + timedelta(hours=1),
        }
        values.update(overrides)
        return rpc.CreateBookingRequest(**values)

    assert await harness.fails(rpc.CREATE_BOOKING, request(stay_id="unknown"), FRONT_DESK) == 422
    assert (
        await harness.fails(rpc.CREATE_BOOKING, request(guest_id="g-stranger"), FRONT_DESK) == 422
    )
    assert await harness.fails(rpc.CREATE_BOOKING, request(stay_id="s-out"), FRONT_DESK) == 409
    assert await harness.fails(rpc.CREATE_BOOKING, request(stay_id="s-no-owner"), FRONT_DESK) == 409
    past = harness.clock.now - timedelta(minutes=1)
    assert await harness.fails(rpc.CREATE_BOOKING, request(scheduled_for=past), FRONT_DESK) == 422
    assert (
        await harness.fails(rpc.CREATE_BOOKING, request(offering_id="missing"), FRONT_DESK) == 404
    )

    # Bad input at the edge: a clear status, and the service keeps answering.
    as_desk = {CALLER_HEADER: encode_caller(FRONT_DESK)}
    status, _ = await harness.raw_call("rpc.v1.vendors.create_booking", b"{not json", as_desk)
    assert status == 400
    status, body = await harness.raw_call(
        "rpc.v1.vendors.create_booking",
        b'{"offering_id": "o", "guest_id": "g", "stay_id": "s", "quantity": 0}',
        as_desk,
    )
    assert status == 400
    assert b"quantity" in body

    await harness.call(
        rpc.DEACTIVATE_OFFERING,
        rpc.DeactivateOfferingRequest(offering_id=offering.offering_id),
        caller=MANAGER,
    )
    assert await harness.fails(rpc.CREATE_BOOKING, request(), FRONT_DESK) == 409
    assert await harness.events("booking") == []


async def test_health_and_readiness(harness: Harness) -> None:
    assert harness.app.health is not None
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{harness.app.health.port}") as client:
        assert (await client.get("/healthz")).status_code == 200
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json() == {
            "status": "ready",
            "nats": True,
            "database": True,
            "consumers": True,
        }
