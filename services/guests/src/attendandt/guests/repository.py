"""Every SQL statement of the guests service.

Writes take the caller's session (the service owns the transaction, so the inbox row, the
effect and the outbox row commit together); reads return the RPC views directly.

Reads for a vendor user take its `vendor_id` and see, in SQL, only the guests and stays that
vendor has bookings with (`vendor_bookings`); None reads as hotel staff do. The enterprise is
always a filter; the service checks first that the caller may act for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import msgspec
from sqlalchemy import (
    ColumnElement,
    Integer,
    Row,
    Select,
    Table,
    Text,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    text,
    tuple_,
    union,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert

from attendandt.contracts.rpc.guests import (
    GuestView,
    PropertyView,
    StayGuestView,
    StayNoteView,
    StayView,
    TimelineEntry,
)
from attendandt.contracts.snapshots import (
    BookingSnapshot,
    ChargeSnapshot,
    GuestSnapshot,
    PropertySnapshot,
    RoomSnapshot,
    StaySnapshot,
    StayState,
)
from attendandt.guests.day_lists import (
    AtOrAfter,
    Bound,
    Clause,
    DayList,
    HotelDay,
    Moment,
    clauses,
)
from attendandt.guests.models import (
    guest_edits,
    guests,
    properties,
    rooms,
    stay_guests,
    stays,
    timeline,
    vendor_bookings,
)

# --------------------------------------------------------------------------- writes


# The statements on the command path are built once: constructing a statement costs more
# CPU than executing it, and commands are the hot path.
_LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")


async def lock_mews_entity(
    session: AsyncSession, kind: str, enterprise_id: str, mews_id: str
) -> None:
    """Serialise the commands about one Mews entity until this transaction ends, so the
    version read next is the one the upsert replaces (a missing row has nothing to lock)."""
    await session.execute(_LOCK, {"key": f"{kind}:{enterprise_id}:{mews_id}"})


@dataclass(frozen=True)
class MewsVersion:
    """A version of a Mews entity. UpdatedUtc has whole seconds, so versions that share one
    are ordered by when sync read them; an unchanged re-read (same digest) is no new version.
    Rows stored before reads were recorded have no read time: any later read is newer."""

    updated_utc: datetime
    read_at: datetime | None
    digest: str | None

    def is_newer_than(self, stored: MewsVersion) -> bool:
        if self.updated_utc != stored.updated_utc:
            return self.updated_utc > stored.updated_utc
        if self.digest == stored.digest or self.read_at is None:
            return False
        return stored.read_at is None or self.read_at > stored.read_at


@dataclass(frozen=True)
class StoredGuest:
    guest_id: str
    version: MewsVersion
    merge_target_mews_id: str | None
    #: The guest as stored (what a new version is compared with).
    snapshot: GuestSnapshot | None = None
    #: Field → the UpdatedUtc (ISO) of the first version we applied with its current value.
    field_changed_utc: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredStay:
    stay_id: str
    version: MewsVersion
    state: StayState


@dataclass(frozen=True)
class StoredRoom:
    room_id: str
    version: MewsVersion


def _by_mews_id(table: Table, *columns: str) -> Select[Any]:
    return select(*(table.c[name] for name in columns)).where(
        table.c.enterprise_id == bindparam("enterprise_id"),
        table.c.mews_id == bindparam("mews_id"),
    )


def _upsert(table: Table, constraint: str, fields: Sequence[str]) -> ReturningInsert[Any]:
    """INSERT ... ON CONFLICT (enterprise_id, mews_id) DO UPDATE, only when the incoming
    Mews version is newer (`MewsVersion.is_newer_than`, in SQL); returns our id, or no row
    when the stored one is as new or newer."""
    statement = insert(table).values(
        {name: bindparam(name, type_=table.c[name].type) for name in ("id", *fields)}
    )
    stored, incoming = table.c, statement.excluded
    newer = or_(
        stored.mews_updated_utc < incoming.mews_updated_utc,
        and_(
            stored.mews_updated_utc == incoming.mews_updated_utc,
            stored.mews_digest.is_distinct_from(incoming.mews_digest),
            or_(stored.mews_read_at.is_(None), stored.mews_read_at < incoming.mews_read_at),
        ),
    )
    return statement.on_conflict_do_update(
        constraint=constraint,
        set_={name: incoming[name] for name in fields},
        where=newer,
    ).returning(table.c.id)


_GUEST_FIELDS = (
    "enterprise_id",
    "mews_id",
    "mews_updated_utc",
    "mews_read_at",
    "mews_digest",
    "synced_at",
    "first_name",
    "last_name",
    "email",
    "phone",
    "language_code",
    "nationality_code",
    "birth_date",
    "classifications",
    "company_mews_id",
    "notes",
    "is_active",
    "merge_target_mews_id",
    "field_changed_utc",
)
_STAY_FIELDS = (
    "enterprise_id",
    "mews_id",
    "mews_updated_utc",
    "mews_read_at",
    "mews_digest",
    "synced_at",
    "number",
    "state",
    "mews_state",
    "scheduled_start_utc",
    "scheduled_end_utc",
    "actual_start_utc",
    "actual_end_utc",
    "cancelled_utc",
    "resource_mews_id",
    "resource_name",
    "owner_mews_id",
    "company_mews_id",
    "service_mews_id",
    "notes",
)
_ROOM_FIELDS = (
    "enterprise_id",
    "mews_id",
    "mews_updated_utc",
    "mews_read_at",
    "mews_digest",
    "synced_at",
    "name",
    "state",
    "category_name",
    "is_active",
)
_VERSION = ("mews_updated_utc", "mews_read_at", "mews_digest")
_SNAPSHOT_OF_GUEST = tuple(GuestSnapshot.__struct_fields__)
_STORED_GUEST = _by_mews_id(
    guests,
    "id",
    *_VERSION,
    *(n for n in _SNAPSHOT_OF_GUEST if n != "mews_updated_utc"),
    "field_changed_utc",
)
_STORED_STAY = _by_mews_id(stays, "id", *_VERSION, "state")
_UPSERT_GUEST = _upsert(guests, "guests_enterprise_mews_id_key", _GUEST_FIELDS)
_UPSERT_STAY = _upsert(stays, "stays_enterprise_mews_id_key", _STAY_FIELDS)
_STORED_ROOM = _by_mews_id(rooms, "id", *_VERSION)
_UPSERT_ROOM = _upsert(rooms, "rooms_enterprise_mews_id_key", _ROOM_FIELDS)


async def stored_guest(
    session: AsyncSession, enterprise_id: str, mews_id: str
) -> StoredGuest | None:
    found = await session.execute(
        _STORED_GUEST, {"enterprise_id": enterprise_id, "mews_id": mews_id}
    )
    row = found.first()
    if row is None:
        return None
    fields = {name: row._mapping[name] for name in _SNAPSHOT_OF_GUEST}
    fields["classifications"] = tuple(fields["classifications"] or ())
    return StoredGuest(
        row.id,
        _version(row),
        row.merge_target_mews_id,
        msgspec.convert(fields, GuestSnapshot, strict=False),
        dict(row.field_changed_utc or {}),
    )


async def stored_stay(session: AsyncSession, enterprise_id: str, mews_id: str) -> StoredStay | None:
    found = await session.execute(
        _STORED_STAY, {"enterprise_id": enterprise_id, "mews_id": mews_id}
    )
    row = found.first()
    return None if row is None else StoredStay(row.id, _version(row), _state(row.state))


async def stored_room(session: AsyncSession, enterprise_id: str, mews_id: str) -> StoredRoom | None:
    found = await session.execute(
        _STORED_ROOM, {"enterprise_id": enterprise_id, "mews_id": mews_id}
    )
    row = found.first()
    return None if row is None else StoredRoom(row.id, _version(row))


def _version(row: Any) -> MewsVersion:
    return MewsVersion(row.mews_updated_utc, row.mews_read_at, row.mews_digest)


async def upsert_guest(
    session: AsyncSession,
    *,
    guest_id: str,
    enterprise_id: str,
    guest: GuestSnapshot,
    version: MewsVersion,
    synced_at: datetime,
    field_changed_utc: dict[str, str] | None = None,
) -> str | None:
    """Insert or update by (enterprise, Mews id), last write wins (`MewsVersion`);
    returns our guest id, or None when the stored version is as new or newer."""
    values = {
        "id": guest_id,
        "enterprise_id": enterprise_id,
        "mews_id": guest.mews_id,
        "mews_updated_utc": guest.mews_updated_utc,
        "mews_read_at": version.read_at,
        "mews_digest": version.digest,
        "synced_at": synced_at,
        "first_name": guest.first_name,
        "last_name": guest.last_name,
        "email": guest.email,
        "phone": guest.phone,
        "language_code": guest.language_code,
        "nationality_code": guest.nationality_code,
        "birth_date": guest.birth_date,
        "classifications": list(guest.classifications),
        "company_mews_id": guest.company_mews_id,
        "notes": guest.notes,
        "is_active": guest.is_active,
        "merge_target_mews_id": guest.merge_target_mews_id,
        "field_changed_utc": field_changed_utc or {},
    }
    found: str | None = (await session.execute(_UPSERT_GUEST, values)).scalar_one_or_none()
    return found


async def upsert_stay(
    session: AsyncSession,
    *,
    stay_id: str,
    enterprise_id: str,
    stay: StaySnapshot,
    version: MewsVersion,
    synced_at: datetime,
) -> str | None:
    """Insert or update by (enterprise, Mews id), last write wins (`MewsVersion`);
    returns our stay id, or None when the stored version is as new or newer."""
    values = {
        "id": stay_id,
        "enterprise_id": enterprise_id,
        "mews_id": stay.mews_id,
        "mews_updated_utc": stay.mews_updated_utc,
        "mews_read_at": version.read_at,
        "mews_digest": version.digest,
        "synced_at": synced_at,
        "number": stay.number,
        "state": stay.state.value,
        "mews_state": stay.mews_state,
        "scheduled_start_utc": stay.scheduled_start_utc,
        "scheduled_end_utc": stay.scheduled_end_utc,
        "actual_start_utc": stay.actual_start_utc,
        "actual_end_utc": stay.actual_end_utc,
        "cancelled_utc": stay.cancelled_utc,
        "resource_mews_id": stay.resource_mews_id,
        "resource_name": stay.resource_name,
        "owner_mews_id": stay.owner_mews_id,
        "company_mews_id": stay.company_mews_id,
        "service_mews_id": stay.service_mews_id,
        "notes": msgspec.to_builtins(stay.notes),
    }
    found: str | None = (await session.execute(_UPSERT_STAY, values)).scalar_one_or_none()
    return found


async def upsert_room(
    session: AsyncSession,
    *,
    room_id: str,
    enterprise_id: str,
    room: RoomSnapshot,
    version: MewsVersion,
    synced_at: datetime,
) -> str | None:
    """Insert or update by (enterprise, Mews id), last write wins (`MewsVersion`);
    returns our room id, or None when the stored version is as new or newer."""
    values = {
        "id": room_id,
        "enterprise_id": enterprise_id,
        "mews_id": room.mews_id,
        "mews_updated_utc": room.mews_updated_utc,
        "mews_read_at": version.read_at,
        "mews_digest": version.digest,
        "synced_at": synced_at,
        "name": room.name,
        "state": room.state,
        "category_name": room.category_name,
        "is_active": room.is_active,
    }
    found: str | None = (await session.execute(_UPSERT_ROOM, values)).scalar_one_or_none()
    return found


async def replace_stay_guests(
    session: AsyncSession,
    *,
    stay_id: str,
    enterprise_id: str,
    customers: Sequence[tuple[str, Literal["owner", "companion"]]],
) -> None:
    """The customers on a stay, by Mews id, in order (owner first)."""
    await session.execute(stay_guests.delete().where(stay_guests.c.stay_id == stay_id))
    if customers:
        await session.execute(
            stay_guests.insert(),
            [
                {
                    "stay_id": stay_id,
                    "enterprise_id": enterprise_id,
                    "customer_mews_id": mews_id,
                    "role": role,
                    "position": position,
                }
                for position, (mews_id, role) in enumerate(customers)
            ],
        )


#: The stored columns a stay's snapshot is rebuilt from (the companions come from stay_guests).
_SNAPSHOT_OF_STAY = tuple(n for n in StaySnapshot.__struct_fields__ if n != "companion_mews_ids")


#: A stay as stored: its id, snapshot and version, and its customers (Mews id, role) in order.
StaySnapshotRow = tuple[str, StaySnapshot, MewsVersion, list[tuple[str, str]]]


async def stays_naming_customer(
    session: AsyncSession, enterprise_id: str, customer_mews_id: str
) -> list[StaySnapshotRow]:
    """The stays that name this customer (as owner or companion), each as its stored
    snapshot and version, with all its customers (Mews id, role) in order."""
    rows = (
        await session.execute(
            select(stays)
            .join(stay_guests, stay_guests.c.stay_id == stays.c.id)
            .where(
                stay_guests.c.enterprise_id == enterprise_id,
                stay_guests.c.customer_mews_id == customer_mews_id,
            )
        )
    ).all()
    return await _stored(session, rows)


async def stay_snapshot(
    session: AsyncSession, enterprise_id: str, stay_id: str
) -> StaySnapshotRow | None:
    """One stay of the property as stored (its snapshot, version and customers)."""
    rows = (
        await session.execute(
            select(stays).where(stays.c.enterprise_id == enterprise_id, stays.c.id == stay_id)
        )
    ).all()
    found = await _stored(session, rows)
    return found[0] if found else None


async def _stored(session: AsyncSession, rows: Sequence[Row[Any]]) -> list[StaySnapshotRow]:
    if not rows:
        return []
    customers: dict[str, list[tuple[str, str]]] = {row.id: [] for row in rows}
    on_stays = await session.execute(
        select(stay_guests.c.stay_id, stay_guests.c.customer_mews_id, stay_guests.c.role)
        .where(stay_guests.c.stay_id.in_(list(customers)))
        .order_by(stay_guests.c.stay_id, stay_guests.c.position)
    )
    for entry in on_stays:
        customers[entry.stay_id].append((entry.customer_mews_id, entry.role))
    found = []
    for row in rows:
        fields = {name: row._mapping[name] for name in _SNAPSHOT_OF_STAY if name in row._mapping}
        companions = tuple(m for m, role in customers[row.id] if role == "companion")
        snapshot = msgspec.convert({**fields, "companion_mews_ids": companions}, StaySnapshot)
        found.append((row.id, snapshot, _version(row), customers[row.id]))
    return found


async def guest_ids_by_mews_id(
    session: AsyncSession, enterprise_id: str, mews_ids: Sequence[str]
) -> dict[str, str]:
    if not mews_ids:
        return {}
    rows = await session.execute(
        select(guests.c.mews_id, guests.c.id).where(
            guests.c.enterprise_id == enterprise_id, guests.c.mews_id.in_(list(mews_ids))
        )
    )
    return {row.mews_id: row.id for row in rows}


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


_GRANT = (
    insert(vendor_bookings)
    .values(
        booking_id=bindparam("booking_id"),
        enterprise_id=bindparam("enterprise_id"),
        vendor_id=bindparam("vendor_id"),
        guest_id=bindparam("guest_id"),
        stay_id=bindparam("stay_id"),
    )
    .on_conflict_do_nothing(index_elements=[vendor_bookings.c.booking_id])
)


async def record_vendor_booking(
    session: AsyncSession,
    *,
    booking_id: str,
    enterprise_id: str,
    vendor_id: str,
    guest_id: str,
    stay_id: str | None,
) -> None:
    """The vendor has a booking with this guest (and stay). Insert-only: a booking's vendor,
    guest and stay never change, so a repeat or a later event of it adds nothing."""
    await session.execute(
        _GRANT,
        {
            "booking_id": booking_id,
            "enterprise_id": enterprise_id,
            "vendor_id": vendor_id,
            "guest_id": guest_id,
            "stay_id": stay_id,
        },
    )


def _vendor_booked(
    column: Any, enterprise_column: Any, vendor_id: str, which: Literal["guest_id", "stay_id"]
) -> ColumnElement[bool]:
    """The row (a guest or a stay, by its id `column`) is one the vendor has a booking with."""
    return exists().where(
        vendor_bookings.c.enterprise_id == enterprise_column,
        vendor_bookings.c.vendor_id == vendor_id,
        vendor_bookings.c[which] == cast(column, Text),
    )


def _guest_booked_by(vendor_id: str) -> ColumnElement[bool]:
    return _vendor_booked(guests.c.id, guests.c.enterprise_id, vendor_id, "guest_id")


def _stay_booked_by(vendor_id: str) -> ColumnElement[bool]:
    return _vendor_booked(stays.c.id, stays.c.enterprise_id, vendor_id, "stay_id")


# --------------------------------------------------------------------------- guest reads

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
        filters.append(_guest_booked_by(vendor_id))
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
_TIMELINE = (
    select(timeline)
    .where(
        timeline.c.enterprise_id == bindparam("enterprise_id"),
        timeline.c.guest_id == bindparam("guest_id"),
    )
    .order_by(timeline.c.occurred_at.desc(), timeline.c.event_id.desc())
    .limit(bindparam("limit", type_=Integer))
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
        statement = statement.where(_guest_booked_by(vendor_id))
    found = await session.execute(
        statement, {"enterprise_id": enterprise_id, "key": guest_id or mews_id}
    )
    row = found.first()
    return None if row is None else _guest_view(row)


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


# --------------------------------------------------------------------------- stay reads


def _state(value: str) -> StayState:
    try:
        return StayState(value)
    except ValueError:
        return StayState.UNKNOWN


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
        state=_state(row.state),
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
        statement = statement.where(_guest_booked_by(vendor_id))
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


async def mews_versions(
    session: AsyncSession, enterprise_id: str, entity: str, mews_ids: Sequence[str]
) -> dict[str, datetime]:
    """Mews id → the UpdatedUtc we hold, for the customers (guests) or reservations given."""
    table = guests if entity == "customer" else stays
    rows = await session.execute(
        select(table.c.mews_id, table.c.mews_updated_utc).where(
            table.c.enterprise_id == enterprise_id, table.c.mews_id.in_(list(mews_ids))
        )
    )
    return {row.mews_id: row.mews_updated_utc for row in rows}


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
        statement = statement.where(_stay_booked_by(vendor_id))
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
        statement = statement.where(_stay_booked_by(vendor_id))
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
        statement = statement.where(_stay_booked_by(vendor_id))
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


# --------------------------------------------------------------------------- properties

_PROPERTY_FIELDS = (
    "name",
    "short_name",
    "time_zone",
    "default_currency",
    "pricing",
    "default_language_code",
    "address_line1",
    "city",
    "postal_code",
    "country_code",
    "chain_name",
    "mews_updated_utc",
)


async def stored_property_version(
    session: AsyncSession, enterprise_id: str
) -> tuple[datetime | None, datetime | None, str | None] | None:
    """(UpdatedUtc, read at, digest) of the stored hotel, or None when there is none."""
    statement = select(
        properties.c.mews_updated_utc, properties.c.mews_read_at, properties.c.mews_digest
    ).where(properties.c.enterprise_id == enterprise_id)
    row = (await session.execute(statement)).first()
    return None if row is None else (row[0], row[1], row[2])


async def put_property(
    session: AsyncSession,
    *,
    prop: PropertySnapshot,
    read_at: datetime,
    digest: str,
    synced_at: datetime,
) -> None:
    """Insert or replace the hotel (the caller decided, under the entity's lock, that this
    version is the newer one)."""
    values: dict[str, Any] = {name: getattr(prop, name) for name in _PROPERTY_FIELDS}
    values |= {
        "currencies": list(prop.currencies),
        "mews_read_at": read_at,
        "mews_digest": digest,
        "synced_at": synced_at,
    }
    statement = insert(properties).values(enterprise_id=prop.enterprise_id, **values)
    await session.execute(
        statement.on_conflict_do_update(index_elements=["enterprise_id"], set_=values)
    )


async def property_time_zone(session: AsyncSession, enterprise_id: str) -> str | None:
    statement = select(properties.c.time_zone).where(properties.c.enterprise_id == enterprise_id)
    found: str | None = (await session.execute(statement)).scalar_one_or_none()
    return found


async def list_properties(
    session: AsyncSession, enterprise_ids: Sequence[str] | None
) -> list[PropertyView]:
    """The hotels of these enterprises (None: every one), by name."""
    statement = select(properties)
    if enterprise_ids is not None:
        statement = statement.where(properties.c.enterprise_id.in_(list(enterprise_ids)))
    statement = statement.order_by(properties.c.name, properties.c.enterprise_id)
    return [
        PropertyView(
            enterprise_id=row.enterprise_id,
            currencies=tuple(row.currencies),
            synced_at=row.synced_at,
            **{name: getattr(row, name) for name in _PROPERTY_FIELDS},
        )
        for row in await session.execute(statement)
    ]


async def database_answers(session: AsyncSession) -> bool:
    return (await session.execute(select(func.now()))).first() is not None
