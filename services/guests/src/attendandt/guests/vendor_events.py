"""The vendor events of a guest's timeline (bookings and charges). A booking also records that
its vendor may see the guest and the stay (`vendor_bookings`), in the same transaction as the
timeline entry."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from attendandt.contracts.events import BookingEvent, ChargeEvent
from attendandt.contracts.snapshots import BookingSnapshot, ChargeSnapshot
from attendandt.guests import timeline_repository as tr
from attendandt.guests import vendor_booking_repository as vbr
from attendandt.guests.input_checks import require_aware
from attendandt.platform.rpc import Invalid


class VendorEvents:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Callable[[], datetime],
    ) -> None:
        self._sessions = sessions
        self._clock = clock

    async def record_booking(self, event: BookingEvent) -> bool:
        """Add a booking event to its guest's timeline; False if it was already there."""
        booking = event.booking
        return await self._record(
            event,
            kind="booking",
            ref_id=booking.booking_id,
            guest_id=booking.guest_id,
            stay_id=booking.stay_id,
            snapshot=booking,
        )

    async def record_charge(self, event: ChargeEvent) -> bool:
        """Add a charge event to its guest's timeline; False if it was already there."""
        charge = event.charge
        return await self._record(
            event,
            kind="charge",
            ref_id=charge.charge_id,
            guest_id=charge.guest_id,
            stay_id=charge.stay_id,
            snapshot=charge,
        )

    async def _record(
        self,
        event: BookingEvent | ChargeEvent,
        *,
        kind: Literal["booking", "charge"],
        ref_id: str,
        guest_id: str,
        stay_id: str | None,
        snapshot: BookingSnapshot | ChargeSnapshot,
    ) -> bool:
        if not event.event_id:
            raise Invalid("event_id is empty")
        require_aware(event.occurred_at, "occurred_at")
        async with self._sessions() as session, session.begin():
            if isinstance(snapshot, BookingSnapshot):
                await vbr.record_vendor_booking(
                    session,
                    booking_id=snapshot.booking_id,
                    enterprise_id=event.enterprise_id,
                    vendor_id=snapshot.vendor_id,
                    guest_id=guest_id,
                    stay_id=stay_id,
                )
            return await tr.add_timeline_entry(
                session,
                event_id=event.event_id,
                enterprise_id=event.enterprise_id,
                guest_id=guest_id,
                kind=kind,
                ref_id=ref_id,
                stay_id=stay_id,
                event=event.event,
                occurred_at=event.occurred_at,
                snapshot=snapshot,
                recorded_at=self._clock(),
            )
