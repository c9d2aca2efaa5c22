"""Guests as the gateway reads them: search pages (each way of matching its own index scan)
and lookups by our id or the Mews id, with where each guest's edits are (`sync_state`).

For a vendor user only the guests its vendor has bookings with (`vendor_booking_repository`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    tuple_,
    union,
)
from sqlalchemy.ext.asyncio import AsyncSession

from attendandt.contracts.rpc.guests import GuestView
from attendandt.contracts.snapshots import StayState
from attendandt.guests.models import guest_edits, guests, stay_guests, stays
from attendandt.guests.vendor_booking_repository import guest_booked_by

_target = guests.alias("merge_target")

_open_edits = guest_edits.alias("open_edits")
#: Where the guest's edits are (`edits.sync_state`, in SQL): through the open-edits index.
_SYNC_STATE = (
    select(
        func.coalesce(
            func.max(
                case(
                    (_open_edits.c.state == "conflict", literal("2:conflict")),
                    else_=literal("1:saving"),
                )
            ),
            literal("0:in_step"),
        )
    )
    .where(
        _open_edits.c.guest_id == guests.c.id,
        _open_edits.c.state.in_(("saving", "conflict")),
    )
    .scalar_subquery()
    .label("sync_state")
)

_GUEST_COLUMNS = (
    guests,
    _target.c.id.label("merge_target_guest_id"),
    _SYNC_STATE,
)


def _guest_select() -> Select[Any]:
    return select(*_GUEST_COLUMNS).select_from(
        guests.outerjoin(
            _target,
            and_(
                _target.c.enterprise_id == guests.c.enterprise_id,
                _target.c.mews_id == guests.c.merge_target_mews_id,
            ),
        )
    )


def _guest_view(row: Any) -> GuestView:
    return GuestView(
        guest_id=row.id,
        enterprise_id=row.enterprise_id,
        mews_id=row.mews_id,
        mews_updated_utc=row.mews_updated_utc,
        synced_at=row.synced_at,
        first_name=row.first_name,
        last_name=row.last_name,
        email=row.email,
        phone=row.phone,
        language_code=row.language_code,
        nationality_code=row.nationality_code,
        birth_date=row.birth_date,
        classifications=tuple(row.classifications),
        company_mews_id=row.company_mews_id,
        notes=row.notes,
        is_active=row.is_active,
        merge_target_mews_id=row.merge_target_mews_id,
        merge_target_guest_id=row.merge_target_guest_id,
        sync_state=row.sync_state.partition(":")[2],
    )


GuestKey = tuple[str, str, str]  # (search_last, search_first, id): the listing order


def guest_key(row: Any) -> GuestKey:
    return (row.search_last, row.search_first, row.id)


@dataclass(frozen=True)
class GuestSearch:
    """What a search query can match; None parts are not searched."""

    #: Lower-cased, single-spaced text: a prefix of first name, last name or email.
    prefix: str | None = None
    #: (first words, last word) and (first word, the rest) of a multi-word query, each
    #: a (first-name prefix, last-name prefix) pair, tried both ways round.
    name_pairs: tuple[tuple[str, str], ...] = ()
    #: The query's digits reversed: a phone number ending with them.
    phone_reversed: str | None = None
    #: The query as typed: a room (on a current stay) or a reservation number.
    room_or_number: str | None = None
    #: When the hotel's today ends (UTC): a stay due in before then is in its room today.
    today_ends: datetime | None = None
    #: Whether `prefix` also matches the email (not for vendors: it would reveal emails).
    email: bool = True


def _like_prefix(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def _current_stay(now: datetime, today_ends: datetime) -> ColumnElement[bool]:
    """In the room now: checked in, or due in today (confirmed or optional, scheduled to
    start before the hotel's next midnight and not yet over)."""
    return or_(
        stays.c.state == StayState.STARTED.value,
        and_(
            stays.c.state.in_((StayState.CONFIRMED.value, StayState.OPTIONAL.value)),
            stays.c.scheduled_start_utc < today_ends,
            stays.c.scheduled_end_utc > now,
        ),
    )


def _guest_filters(
    enterprise_id: str, include_inactive: bool, after: GuestKey | None, vendor_id: str | None
) -> list[ColumnElement[bool]]:
    """What every candidate must satisfy: the enterprise, booked by the vendor (for a vendor
    user), active unless asked, after the key."""
    filters: list[ColumnElement[bool]] = [guests.c.enterprise_id == enterprise_id]
    if vendor_id is not None:
        filters.append(guest_booked_by(vendor_id))
    if not include_inactive:
        filters += [guests.c.is_active, guests.c.merge_target_mews_id.is_(None)]
    if after is not None:
        filters.append(
            tuple_(guests.c.search_last, guests.c.search_first, guests.c.id)
            > tuple_(
                literal(after[0], guests.c.search_last.type),
                literal(after[1], guests.c.search_first.type),
                literal(after[2], guests.c.id.type),
            )
        )
    return filters


def _candidates(search: GuestSearch, enterprise_id: str, now: datetime) -> list[Select[Any]]:
    """Each way of matching as its own statement, so each is one index scan."""
    key = (guests.c.id, guests.c.search_last, guests.c.search_first)
    branches: list[Select[Any]] = []
    if search.prefix is not None:
        pattern = _like_prefix(search.prefix)
        columns = [guests.c.search_last, guests.c.search_first]
        if search.email:
            columns.append(guests.c.search_email)
        for column in columns:
            branches.append(select(*key).where(column.like(pattern)))
    for first, last in search.name_pairs:
        for a, b in ((first, last), (last, first)):
            branches.append(
                select(*key).where(
                    guests.c.search_first.like(_like_prefix(a)),
                    guests.c.search_last.like(_like_prefix(b)),
                )
            )
    if search.phone_reversed is not None:
        pattern = _like_prefix(search.phone_reversed)
        branches.append(select(*key).where(guests.c.phone_reversed.like(pattern)))
    if search.room_or_number is not None:
        on_stay = (
            select(*key)
            .select_from(
                stays.join(stay_guests, stay_guests.c.stay_id == stays.c.id).join(
                    guests,
                    and_(
                        guests.c.enterprise_id == stay_guests.c.enterprise_id,
                        guests.c.mews_id == stay_guests.c.customer_mews_id,
                    ),
                )
            )
            .where(stays.c.enterprise_id == enterprise_id)
        )
        today_ends = search.today_ends or now
        branches.append(
            on_stay.where(
                stays.c.resource_name == search.room_or_number, _current_stay(now, today_ends)
            )
        )
        branches.append(on_stay.where(stays.c.number == search.room_or_number))
    return branches


async def search_guests(
    session: AsyncSession,
    *,
    enterprise_id: str,
    search: GuestSearch | None,
    include_inactive: bool,
    after: GuestKey | None,
    limit: int,
    now: datetime,
    vendor_id: str | None = None,
) -> list[tuple[GuestView, GuestKey]]:
    """A page of guests in (last name, first name, id) order, after the key `after`.

    The page's keys are chosen first (from the union of the matching index scans, or from
    the name index when there is no query); only the page's guests are then read whole.
    """
    filters = _guest_filters(enterprise_id, include_inactive, after, vendor_id)
    key = (guests.c.id, guests.c.search_last, guests.c.search_first)
    if search is None:
        candidates = select(*key).where(*filters).subquery("candidates")
    else:
        # Each branch brings at most a page, in page order (the name index stops early).
        branches = [
            branch.where(*filters)
            .order_by(guests.c.search_last, guests.c.search_first, guests.c.id)
            .limit(limit)
            for branch in _candidates(search, enterprise_id, now)
        ]
        if not branches:
            return []
        candidates = union(*branches).subquery("candidates")
    order = (candidates.c.search_last, candidates.c.search_first, candidates.c.id)
    page = select(candidates).order_by(*order).limit(limit).subquery("page")
    statement = (
        _guest_select()
        .add_columns(guests.c.search_last, guests.c.search_first)
        .join(page, page.c.id == guests.c.id)
        .order_by(page.c.search_last, page.c.search_first, page.c.id)
    )
    rows = (await session.execute(statement)).all()
    return [(_guest_view(row), guest_key(row)) for row in rows]


# Lookups by id are the gateway's most frequent calls: their statements are built once.
_GUEST_BY_ID = _guest_select().where(
    guests.c.enterprise_id == bindparam("enterprise_id"), guests.c.id == bindparam("key")
)
_GUEST_BY_MEWS_ID = _guest_select().where(
    guests.c.enterprise_id == bindparam("enterprise_id"), guests.c.mews_id == bindparam("key")
)


async def find_guest(
    session: AsyncSession,
    enterprise_id: str,
    *,
    guest_id: str | None,
    mews_id: str | None,
    vendor_id: str | None = None,
) -> GuestView | None:
    statement = _GUEST_BY_ID if guest_id is not None else _GUEST_BY_MEWS_ID
    if vendor_id is not None:
        statement = statement.where(guest_booked_by(vendor_id))
    found = await session.execute(
        statement, {"enterprise_id": enterprise_id, "key": guest_id or mews_id}
    )
    row = found.first()
    return None if row is None else _guest_view(row)
