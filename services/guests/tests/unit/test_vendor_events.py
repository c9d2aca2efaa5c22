"""Vendor events on a guest's timeline (`vendor_events.record_booking`, `record_charge`) on
the in-memory unit of work: a booking is recorded once with its vendor's grant, a charge
grants nothing, a repeated event changes nothing, a bad one records nothing, and the grant
and the entry commit together. The same use cases run on Postgres in test_app.py."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from guests_fakes import FakeStore, FakeUnitOfWork
from guests_support import ENT, T0

from attendandt.contracts.events import BookingEvent, ChargeEvent
from attendandt.contracts.snapshots import (
    BookingSnapshot,
    BookingState,
    ChargeSnapshot,
    ChargeState,
)
from attendandt.guests import vendor_events
from attendandt.platform.rpc import Invalid

GUEST_ID = "1d2e3f40-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
STAY_ID = "6f1c7d52-2c1e-4c55-9a55-1e2f3a4b5c6d"
RECORDED = T0 + timedelta(minutes=1)


def booking_event(event_id: str = "ev-b1", **fields: Any) -> BookingEvent:
    snapshot = BookingSnapshot(
        booking_id="b-1",
        vendor_id="v-1",
        offering_id="o-1",
        guest_id=GUEST_ID,
        stay_id=STAY_ID,
        quantity=2,
        state=BookingState.CONFIRMED,
    )
    values: dict[str, Any] = {
        "event_id": event_id,
        "enterprise_id": ENT,
        "occurred_at": T0,
        "event": "confirmed",
        "booking": snapshot,
    }
    return BookingEvent(**(values | fields))


def charge_event(event_id: str = "ev-c1") -> ChargeEvent:
    snapshot = ChargeSnapshot(
        charge_id="ch-1",
        vendor_id="v-1",
        booking_id="b-1",
        guest_id=GUEST_ID,
        description="massage",
        quantity=1,
        unit_amount=Decimal("80.00"),
        currency="EUR",
        state=ChargeState.POSTED,
    )
    return ChargeEvent(
        event_id=event_id, enterprise_id=ENT, occurred_at=T0, event="posted", charge=snapshot
    )


async def record_booking(uow: FakeUnitOfWork, event: BookingEvent) -> bool:
    return await vendor_events.record_booking(uow, event, clock=lambda: RECORDED)


async def test_a_booking_goes_on_the_timeline_once_with_its_vendors_grant() -> None:
    uow = FakeUnitOfWork()
    assert await record_booking(uow, booking_event()) is True
    assert await record_booking(uow, booking_event()) is False  # redelivered

    entry = uow.store.timeline["ev-b1"]
    assert (entry["guest_id"], entry["kind"], entry["ref_id"], entry["stay_id"]) == (
        GUEST_ID,
        "booking",
        "b-1",
        STAY_ID,
    )
    assert (entry["event"], entry["occurred_at"], entry["recorded_at"]) == (
        "confirmed",
        T0,
        RECORDED,
    )
    assert list(uow.store.timeline) == ["ev-b1"]
    assert uow.store.vendor_bookings == {
        "b-1": {"enterprise_id": ENT, "vendor_id": "v-1", "guest_id": GUEST_ID, "stay_id": STAY_ID}
    }


async def test_a_later_event_of_the_booking_is_a_new_entry_under_the_same_grant() -> None:
    uow = FakeUnitOfWork()
    await record_booking(uow, booking_event())
    assert await record_booking(uow, booking_event("ev-b2", event="fulfilled")) is True
    assert set(uow.store.timeline) == {"ev-b1", "ev-b2"}
    assert list(uow.store.vendor_bookings) == ["b-1"]


async def test_a_charge_goes_on_the_timeline_and_grants_nothing() -> None:
    uow = FakeUnitOfWork()
    record = vendor_events.record_charge
    assert await record(uow, charge_event(), clock=lambda: RECORDED) is True
    assert await record(uow, charge_event(), clock=lambda: RECORDED) is False

    entry = uow.store.timeline["ev-c1"]
    assert (entry["kind"], entry["ref_id"], entry["stay_id"]) == ("charge", "ch-1", None)
    assert entry["snapshot"]["description"] == "massage"
    assert uow.store.vendor_bookings == {}


@pytest.mark.parametrize(
    "bad",
    [{"event_id": ""}, {"occurred_at": datetime(2026, 3, 1, 12, 0)}],
    ids=["no event id", "naive time"],
)
async def test_an_event_that_cannot_be_recorded_records_nothing(bad: dict[str, Any]) -> None:
    uow = FakeUnitOfWork()
    with pytest.raises(Invalid):
        await record_booking(uow, booking_event(**bad))
    assert uow.store == FakeStore()


class _FailingTimeline(FakeUnitOfWork):
    def __init__(self) -> None:
        super().__init__()

        async def down(**_: Any) -> bool:
            raise RuntimeError("the timeline is down")

        self.timeline.add = down  # type: ignore[method-assign]


async def test_the_grant_is_not_kept_without_its_timeline_entry() -> None:
    failing = _FailingTimeline()
    with pytest.raises(RuntimeError):
        await record_booking(failing, booking_event())
    assert failing.store.vendor_bookings == {}
    assert failing.store.commits == 0
