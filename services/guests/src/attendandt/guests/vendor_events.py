"""The vendor events of a guest's timeline (bookings and charges), on a `UnitOfWork`. A booking
also records that its vendor may see the guest and the stay (`vendor_bookings`), in the same
unit of work as the timeline entry.

A repeated event is recognised by its event id, which the timeline keeps once (no inbox claim:
the entry itself is the record that the event was processed, whichever consumer brings it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from attendandt.contracts.events import BookingEvent, ChargeEvent
from attendandt.contracts.snapshots import BookingSnapshot, ChargeSnapshot
from attendandt.guests.input_checks import require_aware
from attendandt.guests.unit_of_work import SqlUnitOfWork, UnitOfWork
from attendandt.platform.rpc import Invalid

Clock = Callable[[], datetime]


async def record_booking(uow: UnitOfWork, event: BookingEvent, *, clock: Clock) -> bool:
    """Add a booking event to its guest's timeline; False if it was already there."""
    booking = event.booking
    return await _record(
        uow,
        event,
        kind="booking",
        ref_id=booking.booking_id,
        guest_id=booking.guest_id,
        stay_id=booking.stay_id,
        snapshot=booking,
        clock=clock,
    )


async def record_charge(uow: UnitOfWork, event: ChargeEvent, *, clock: Clock) -> bool:
    """Add a charge event to its guest's timeline; False if it was already there."""
    charge = event.charge
    return await _record(
        uow,
        event,
        kind="charge",
        ref_id=charge.charge_id,
        guest_id=charge.guest_id,
        stay_id=charge.stay_id,
        snapshot=charge,
        clock=clock,
    )


async def _record(
    uow: UnitOfWork,
    event: BookingEvent | ChargeEvent,
    *,
    kind: Literal["booking", "charge"],
    ref_id: str,
    guest_id: str,
    stay_id: str | None,
    snapshot: BookingSnapshot | ChargeSnapshot,
    clock: Clock,
) -> bool:
    if not event.event_id:
        raise Invalid("event_id is empty")
    require_aware(event.occurred_at, "occurred_at")
    async with uow:
        if isinstance(snapshot, BookingSnapshot):
            # Insert-only, so a repeated event adds nothing here either.
            await uow.vendor_bookings.record(
                booking_id=snapshot.booking_id,
                enterprise_id=event.enterprise_id,
                vendor_id=snapshot.vendor_id,
                guest_id=guest_id,
                stay_id=stay_id,
            )
        added = await uow.timeline.add(
            event_id=event.event_id,
            enterprise_id=event.enterprise_id,
            guest_id=guest_id,
            kind=kind,
            ref_id=ref_id,
            stay_id=stay_id,
            event=event.event,
            occurred_at=event.occurred_at,
            snapshot=snapshot,
            recorded_at=clock(),
        )
        await uow.commit()
    return added


class VendorEvents:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Clock,
        units: Callable[[], UnitOfWork] | None = None,
    ) -> None:
        self._clock = clock
        self._units = units or (lambda: SqlUnitOfWork(sessions))

    async def record_booking(self, event: BookingEvent) -> bool:
        return await record_booking(self._units(), event, clock=self._clock)

    async def record_charge(self, event: ChargeEvent) -> bool:
        return await record_charge(self._units(), event, clock=self._clock)
