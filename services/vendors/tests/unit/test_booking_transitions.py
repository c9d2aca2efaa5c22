"""The booking workflow on the in-memory unit of work: every transition the table allows and
refuses, the caller's use cases over it, and all-or-nothing (a refused step leaves no event).
The same use cases run on Postgres and NATS in test_booking_workflow.py."""

from __future__ import annotations

import copy
import dataclasses
import itertools

import pytest
from vendors_fakes import FakeDatabase
from vendors_world import (
    ELSEWHERE,
    GUEST,
    MANAGER,
    OFFERING,
    PRICE,
    STAY,
    VENDOR_USER,
    service,
    stay,
    store,
    subjects,
)

from attendandt.contracts.events import BookingEvent
from attendandt.contracts.outbound import PostCharge
from attendandt.contracts.rpc import vendors as rpc
from attendandt.contracts.snapshots import BookingState, ChargeState
from attendandt.platform.rpc import Conflict, NotFound
from attendandt.vendors.bookings import move
from attendandt.vendors.records import BookingRecord

S = BookingState
#: The workflow as the product describes it: (from, to) a booking may make, and no other.
ALLOWED = {
    (S.REQUESTED, S.CONFIRMED),
    (S.REQUESTED, S.DECLINED),
    (S.REQUESTED, S.EXPIRED),
    (S.REQUESTED, S.CANCELLED),
    (S.CONFIRMED, S.CANCELLED),
    (S.CONFIRMED, S.FULFILLED),
    (S.FULFILLED, S.REFUNDED),
}
#: Nothing becomes requested again: a booking starts there.
TARGETS = [s for s in BookingState if s is not S.REQUESTED]


async def requested(database: FakeDatabase) -> BookingRecord:
    answer = await service(database).create_booking(
        rpc.CreateBookingRequest(offering_id=OFFERING, guest_id=GUEST, stay_id=STAY), MANAGER
    )
    return database.committed.bookings[answer.booking.booking_id]


async def in_state(state: BookingState) -> tuple[FakeDatabase, BookingRecord]:
    database = FakeDatabase(store())
    booking = await requested(database)
    booking = dataclasses.replace(booking, state=state.value)
    database.committed.bookings[booking.id] = booking
    database.committed.outbox.clear()
    return database, booking


@pytest.mark.parametrize(
    ("start", "to"),
    list(itertools.product(BookingState, TARGETS)),
    ids=lambda s: s.value,
)
async def test_a_transition_is_made_with_its_event_only_when_the_table_allows_it(
    start: BookingState, to: BookingState
) -> None:
    database, booking = await in_state(start)
    vendors = service(database)
    async with database.unit() as uow:
        if (start, to) in ALLOWED:
            moved = await move(vendors.core, uow, booking, to=to, reason="why")
            await uow.commit()
            assert (moved.state, moved.state_reason, moved.version) == (to.value, "why", 2)
        else:
            with pytest.raises(Conflict, match=f"can become {to.value}"):
                await move(vendors.core, uow, booking, to=to, reason="why")

    stored = database.committed.bookings[booking.id]
    if (start, to) in ALLOWED:
        assert stored.state == to.value
        [event] = database.committed.outbox
        assert subjects([event]) == [f"booking.{to.value}"]
        assert isinstance(event.payload, BookingEvent)
        assert (event.msg_id, event.payload.booking.state) == (f"booking:{booking.id}:2", to)
    else:
        assert stored == booking
        assert database.committed.outbox == []


async def test_a_booking_is_requested_confirmed_and_fulfilled_with_its_charge() -> None:
    database = FakeDatabase(store())
    vendors = service(database)
    booking = await requested(database)
    assert subjects(database.committed.outbox) == ["booking.requested"]

    confirm = rpc.ConfirmBookingRequest(booking_id=booking.id)
    assert (await vendors.confirm_booking(confirm, VENDOR_USER)).booking.state is S.CONFIRMED
    fulfilled = await vendors.fulfil_booking(
        rpc.FulfilBookingRequest(booking_id=booking.id), VENDOR_USER
    )

    assert fulfilled.booking.state is S.FULFILLED
    # At the booking's price, for a stay in house: posted at once, even by the vendor.
    assert fulfilled.charge.state is ChargeState.PENDING
    assert fulfilled.booking.charge_id == fulfilled.charge.charge_id
    [charge] = database.committed.charges.values()
    assert (charge.booking_id, charge.amount, charge.mews_account_id) == (
        booking.id,
        PRICE,
        "customer-1",
    )
    assert subjects(database.committed.outbox) == [
        "booking.requested",
        "booking.confirmed",
        "booking.fulfilled",
        "charge.created",
        "outbound.post_charge",
    ]
    post = database.committed.outbox[-1]
    assert isinstance(post.payload, PostCharge)
    assert post.msg_id == f"post_charge:{charge.id}:1"


async def test_a_refused_step_changes_nothing() -> None:
    database = FakeDatabase(store())
    vendors = service(database)
    booking = await requested(database)
    await vendors.decline_booking(
        rpc.DeclineBookingRequest(booking_id=booking.id, reason="fully booked"), VENDOR_USER
    )
    before = copy.deepcopy(database.committed)

    with pytest.raises(Conflict, match="only a requested booking can become confirmed"):
        await vendors.confirm_booking(rpc.ConfirmBookingRequest(booking_id=booking.id), MANAGER)
    with pytest.raises(Conflict, match="only a confirmed booking can become fulfilled"):
        await vendors.fulfil_booking(rpc.FulfilBookingRequest(booking_id=booking.id), MANAGER)
    # Another property's booking is not found (and not changed).
    with pytest.raises(NotFound):
        await vendors.cancel_booking(rpc.CancelBookingRequest(booking_id=booking.id), ELSEWHERE)

    assert database.committed == before
    stored = database.committed.bookings[booking.id]
    assert (stored.state, stored.state_reason) == ("declined", "fully booked")


async def test_a_fulfilment_that_fails_late_leaves_no_event_and_no_charge() -> None:
    """The transition and its event are queued before the charge is refused: the rollback
    discards both."""
    database = FakeDatabase(store())
    vendors = service(database)
    booking = await requested(database)
    await vendors.confirm_booking(rpc.ConfirmBookingRequest(booking_id=booking.id), MANAGER)
    database.committed.stays[STAY] = stay(owner=None)  # the stay lost its Mews account
    before = copy.deepcopy(database.committed)

    with pytest.raises(Conflict, match="no Mews account to charge"):
        await vendors.fulfil_booking(rpc.FulfilBookingRequest(booking_id=booking.id), MANAGER)

    assert subjects(database.queued)[-1] == "booking.fulfilled"  # queued, then rolled back
    assert database.committed == before
    assert database.committed.bookings[booking.id].state == "confirmed"
    assert database.committed.charges == {}
    assert "booking.fulfilled" not in subjects(database.committed.outbox)
