"""Stays as the gateway reads them: one stay, a guest's stays and the day lists (`day_lists`'
rules as SQL), each with its customers (linked to our guests) and its room's state and type.

For a vendor user only the stays its vendor has bookings with, and on them only the customers
it has bookings with (`vendor_booking_repository`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, bindparam, func, literal, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from attendandt.contracts.rpc.guests import StayGuestView, StayNoteView, StayView
from attendandt.guests.day_lists import AtOrAfter, Bound, Clause, DayList, HotelDay, Moment, clauses
from attendandt.guests.models import guests, rooms, stay_guests, stays
from attendandt.guests.upsert_repository import stay_state
from attendandt.guests.vendor_booking_repository import guest_booked_by, stay_booked_by


def _notes(stored: Any) -> tuple[StayNoteView, ...]:
    return tuple(
        StayNoteView(
            text=str(note.get("text") or ""),
            type=str(note.get("type") or ""),
            mews_id=str(note["mews_id"]) if note.get("mews_id") else None,
        )
        for note in stored or ()
        if isinstance(note, dict)
    )


@dataclass(frozen=True)
class _Room:
    """What a stay shows of its room beside its name."""

    state: str | None = None
    category: str | None = None


def _stay_view(row: Any, on_stay: tuple[StayGuestView, ...], room: _Room | None = None) -> StayView:
    room = room or _Room()
    return StayView(
        stay_id=row.id,
        enterprise_id=row.enterprise_id,
        mews_id=row.mews_id,
        mews_updated_utc=row.mews_updated_utc,
        synced_at=row.synced_at,
        number=row.number,
        state=stay_state(row.state),
        mews_state=row.mews_state,
        scheduled_start_utc=row.scheduled_start_utc,
        scheduled_end_utc=row.scheduled_end_utc,
        actual_start_utc=row.actual_start_utc,
        actual_end_utc=row.actual_end_utc,
        cancelled_utc=row.cancelled_utc,
        resource_mews_id=row.resource_mews_id,
        resource_name=row.resource_name,
        company_mews_id=row.company_mews_id,
        service_mews_id=row.service_mews_id,
        guests=on_stay,
        notes=_notes(row.notes),
        room_state=room.state,
        room_category=room.category,
    )


_ON_STAYS = (
    select(
        stay_guests.c.stay_id,
        stay_guests.c.customer_mews_id,
        stay_guests.c.role,
        guests.c.id.label("guest_id"),
        guests.c.first_name,
        guests.c.last_name,
    )
    .select_from(
        stay_guests.outerjoin(
            guests,
            and_(
                guests.c.enterprise_id == stay_guests.c.enterprise_id,
                guests.c.mews_id == stay_guests.c.customer_mews_id,
            ),
        )
    )
    .where(stay_guests.c.stay_id.in_(bindparam("stay_ids", expanding=True)))
    .order_by(stay_guests.c.stay_id, stay_guests.c.position)
)
_STAYS_OF_GUEST = (
    select(stays)
    .join(stay_guests, stay_guests.c.stay_id == stays.c.id)
    .where(
        stay_guests.c.enterprise_id == bindparam("enterprise_id"),
        stay_guests.c.customer_mews_id == bindparam("customer_mews_id"),
    )
    .order_by(stays.c.scheduled_start_utc.desc().nulls_last(), stays.c.id.desc())
    .limit(bindparam("limit", type_=Integer))
)


_ROOMS_OF_STAYS = select(
    rooms.c.enterprise_id, rooms.c.mews_id, rooms.c.state, rooms.c.category_name
).where(tuple_(rooms.c.enterprise_id, rooms.c.mews_id).in_(bindparam("rooms", expanding=True)))


async def _rooms_of(session: AsyncSession, rows: Sequence[Any]) -> dict[tuple[str, str], _Room]:
    """(enterprise, room Mews id) → the room's state and type, for the rooms of these stays."""
    wanted = sorted({(r.enterprise_id, r.resource_mews_id) for r in rows if r.resource_mews_id})
    if not wanted:
        return {}
    found = await session.execute(_ROOMS_OF_STAYS, {"rooms": wanted})
    return {
        (row.enterprise_id, row.mews_id): _Room(state=row.state, category=row.category_name)
        for row in found
    }


async def _with_guests(
    session: AsyncSession, rows: Sequence[Any], vendor_id: str | None = None
) -> list[StayView]:
    """Attach each stay's customers, linked to our guests where we have them (one query),
    and its room's state and type (one more); for a vendor, only the customers it has
    bookings with."""
    if not rows:
        return []
    statement = _ON_STAYS
    if vendor_id is not None:
        statement = statement.where(guest_booked_by(vendor_id))
    found = await session.execute(statement, {"stay_ids": [row.id for row in rows]})
    by_stay: dict[str, list[StayGuestView]] = {}
    for item in found:
        by_stay.setdefault(item.stay_id, []).append(
            StayGuestView(
                customer_mews_id=item.customer_mews_id,
                role=item.role,
                guest_id=item.guest_id,
                first_name=item.first_name,
                last_name=item.last_name,
            )
        )
    known = await _rooms_of(session, rows)
    return [
        _stay_view(
            row,
            tuple(by_stay.get(row.id, ())),
            known.get((row.enterprise_id, row.resource_mews_id or "")),
        )
        for row in rows
    ]


async def find_stay(
    session: AsyncSession,
    enterprise_id: str,
    *,
    stay_id: str | None,
    mews_id: str | None,
    vendor_id: str | None = None,
) -> StayView | None:
    statement = select(stays).where(stays.c.enterprise_id == enterprise_id)
    if vendor_id is not None:
        statement = statement.where(stay_booked_by(vendor_id))
    if stay_id is not None:
        statement = statement.where(stays.c.id == stay_id)
    if mews_id is not None:
        statement = statement.where(stays.c.mews_id == mews_id)
    rows = (await session.execute(statement)).all()
    views = await _with_guests(session, rows, vendor_id)
    return views[0] if views else None


async def stays_of_guest(
    session: AsyncSession,
    enterprise_id: str,
    guest_mews_id: str,
    limit: int,
    vendor_id: str | None = None,
) -> list[StayView]:
    """The stays a guest is on (owner or companion), latest scheduled start first; for a
    vendor, only the stays it has bookings with."""
    statement = _STAYS_OF_GUEST
    if vendor_id is not None:
        statement = statement.where(stay_booked_by(vendor_id))
    found = await session.execute(
        statement,
        {"enterprise_id": enterprise_id, "customer_mews_id": guest_mews_id, "limit": limit},
    )
    rows = found.all()
    return await _with_guests(session, rows, vendor_id)


StayKey = tuple[datetime, str]  # (scheduled start or end, id): the day lists' order


_MOMENTS: dict[Moment, ColumnElement[datetime]] = {
    Moment.SCHEDULED_START: stays.c.scheduled_start_utc,
    Moment.SCHEDULED_END: stays.c.scheduled_end_utc,
    Moment.CHECKED_IN: func.coalesce(stays.c.actual_start_utc, stays.c.scheduled_start_utc),
    Moment.CHECKED_OUT: func.coalesce(stays.c.actual_end_utc, stays.c.scheduled_end_utc),
}


def _day_list_condition(clause: Clause, day: HotelDay) -> ColumnElement[bool]:
    """One clause of `day_lists` as SQL: its states and its time conditions (a NULL time
    satisfies no condition, as the rules say of a missing moment)."""
    bounds = {Bound.DAY_START: day.start_utc, Bound.DAY_END: day.end_utc}
    parts: list[ColumnElement[bool]] = [
        stays.c.state.in_(sorted(state.value for state in clause.states))
    ]
    for condition in clause.conditions:
        moment, bound = _MOMENTS[condition.moment], bounds[condition.bound]
        parts.append(moment >= bound if isinstance(condition, AtOrAfter) else moment < bound)
    return and_(*parts)


async def day_stays(
    session: AsyncSession,
    *,
    enterprise_id: str,
    which: DayList,
    day: HotelDay,
    include_cancelled: bool,
    after: StayKey | None,
    limit: int,
    vendor_id: str | None = None,
) -> list[tuple[StayView, StayKey]]:
    """The stays on one day list (the rules are `day_lists`'), in list order from `after`."""
    start, end = stays.c.scheduled_start_utc, stays.c.scheduled_end_utc
    order = end if which == "departures" else start
    rules = clauses(which, day, include_cancelled=include_cancelled)
    statement = select(stays).where(
        stays.c.enterprise_id == enterprise_id,
        or_(*(_day_list_condition(clause, day) for clause in rules)),
    )
    if vendor_id is not None:
        statement = statement.where(stay_booked_by(vendor_id))
    if after is not None:
        statement = statement.where(
            tuple_(order, stays.c.id)
            > tuple_(literal(after[0], order.type), literal(after[1], stays.c.id.type))
        )
    statement = statement.order_by(order, stays.c.id).limit(limit)
    rows = (await session.execute(statement)).all()
    views = await _with_guests(session, rows, vendor_id)
    key_column = "scheduled_end_utc" if which == "departures" else "scheduled_start_utc"
    return [
        (view, (getattr(row, key_column), row.id)) for view, row in zip(views, rows, strict=True)
    ]
