"""A guest's timeline of vendor events (bookings and charges): recorded once per event id, read
newest first."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec
from sqlalchemy import Integer, bindparam, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from attendandt.contracts.rpc.guests import TimelineEntry
from attendandt.contracts.snapshots import BookingSnapshot, ChargeSnapshot
from attendandt.guests.models import timeline


async def add_timeline_entry(
    session: AsyncSession,
    *,
    event_id: str,
    enterprise_id: str,
    guest_id: str,
    kind: Literal["booking", "charge"],
    ref_id: str,
    stay_id: str | None,
    event: str,
    occurred_at: datetime,
    snapshot: BookingSnapshot | ChargeSnapshot,
    recorded_at: datetime,
) -> bool:
    """One row per event id; False when the event was already recorded."""
    statement = (
        insert(timeline)
        .values(
            event_id=event_id,
            enterprise_id=enterprise_id,
            guest_id=guest_id,
            kind=kind,
            ref_id=ref_id,
            stay_id=stay_id,
            event=event,
            occurred_at=occurred_at,
            snapshot=msgspec.to_builtins(snapshot),
            recorded_at=recorded_at,
        )
        .on_conflict_do_nothing(index_elements=[timeline.c.event_id])
        .returning(timeline.c.event_id)
    )
    return (await session.execute(statement)).first() is not None


# A guest's detail is among the gateway's most frequent calls: its statement is built once.
_TIMELINE = (
    select(timeline)
    .where(
        timeline.c.enterprise_id == bindparam("enterprise_id"),
        timeline.c.guest_id == bindparam("guest_id"),
    )
    .order_by(timeline.c.occurred_at.desc(), timeline.c.event_id.desc())
    .limit(bindparam("limit", type_=Integer))
)


async def timeline_of_guest(
    session: AsyncSession, enterprise_id: str, guest_id: str, limit: int
) -> list[TimelineEntry]:
    rows = await session.execute(
        _TIMELINE, {"enterprise_id": enterprise_id, "guest_id": guest_id, "limit": limit}
    )
    entries: list[TimelineEntry] = []
    for row in rows:
        booking = charge = None
        if row.kind == "booking":
            booking = msgspec.convert(row.snapshot, BookingSnapshot, strict=False)
        else:
            charge = msgspec.convert(row.snapshot, ChargeSnapshot, strict=False)
        entries.append(
            TimelineEntry(
                kind=row.kind,
                at=row.occurred_at,
                event=row.event,
                ref_id=row.ref_id,
                stay_id=row.stay_id,
                booking=booking,
                charge=charge,
            )
        )
    return entries
