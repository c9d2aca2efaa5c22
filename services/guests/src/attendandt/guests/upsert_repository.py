"""The command path's writes of guests, stays and rooms: the version stored of each (what a
command compares with under the entity's lock) and the upserts that apply a newer one, last
write wins (`attendandt.contracts.versioning`, checked again in SQL); and the customers on a
stay.

Writes take the caller's session (the service owns the transaction, so the inbox row, the
effect and the outbox row commit together).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import msgspec
from sqlalchemy import Select, Table, Text, bindparam, cast, func, literal_column, select
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert

from attendandt.contracts.snapshots import GuestSnapshot, RoomSnapshot, StaySnapshot, StayState
from attendandt.contracts.versioning import MewsVersion
from attendandt.guests.models import guests, rooms, stay_guests, stays
from attendandt.guests.version_repository import version_of
from attendandt.platform.versioning import supersedes_clause


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
    return _by_mews_id_of(select(*(table.c[name] for name in columns)), table)


def _by_mews_id_of(query: Select[Any], table: Table) -> Select[Any]:
    return query.where(
        table.c.enterprise_id == bindparam("enterprise_id"),
        table.c.mews_id == bindparam("mews_id"),
    )


def _upsert(table: Table, constraint: str, fields: Sequence[str]) -> ReturningInsert[Any]:
    """INSERT ... ON CONFLICT (enterprise_id, mews_id) DO UPDATE, only when the incoming
    Mews version supersedes the stored one (`versioning.supersedes`, in SQL: a writer that
    skipped the entity's lock still never replaces a newer row); returns our id, or no row
    when the stored one is as new or newer (with the row's key, for a batch of them)."""
    statement = insert(table).values(
        {name: bindparam(name, type_=table.c[name].type) for name in ("id", *fields)}
    )
    incoming = statement.excluded
    return statement.on_conflict_do_update(
        constraint=constraint,
        set_={name: incoming[name] for name in fields},
        where=supersedes_clause(table.c, incoming),
    ).returning(table.c.id, table.c.enterprise_id, table.c.mews_id)


def _upsert_all(table: Table, constraint: str, fields: Sequence[str]) -> ReturningInsert[Any]:
    """`_upsert` of many rows in one statement, each column bound as one array
    (`columns_of`): the same conflict target, guard and returned columns. A row may appear
    once only (Postgres cannot change one row twice in a statement)."""
    names = ("id", *fields)
    rows = select(*(_unnest(table.c[name]).label(name) for name in names))
    statement = insert(table).from_select(names, rows)
    incoming = statement.excluded
    return statement.on_conflict_do_update(
        constraint=constraint,
        set_={name: incoming[name] for name in fields},
        where=supersedes_clause(table.c, incoming),
    ).returning(table.c.id, table.c.enterprise_id, table.c.mews_id)


def _upsert_columns(table: Table, constraint: str, fields: Sequence[str]) -> ReturningInsert[Any]:
    """`_upsert_all` with its columns bound as one JSON object (`:columns`, each column's
    values as an array, as `guest_columns` writes them) instead of an array parameter each:
    binding thousands of array elements cost the driver a type check each, five times what
    Postgres spends reading the document (parsed once: a materialised CTE), and a JSON
    object per row would have Postgres read each column's name again for every row. The
    same conflict target, guard and returned columns."""
    names = ("id", *fields)
    document = (
        select(cast(bindparam("columns", type_=Text), JSONB).label("columns"))
        .cte("document")
        .prefix_with("MATERIALIZED")
    )
    rows = select(*(_element(table.c[name], document.c.columns) for name in names))
    statement = insert(table).from_select(names, rows.select_from(document))
    incoming = statement.excluded
    return statement.on_conflict_do_update(
        constraint=constraint,
        set_={name: incoming[name] for name in fields},
        where=supersedes_clause(table.c, incoming),
    ).returning(table.c.id, table.c.enterprise_id, table.c.mews_id)


def _element(column: Any, document: Any) -> Any:
    """A column's values from its array in the document (`_upsert_columns`), in their
    order: JSON documents as they are, the rest from their text (an array as its literal)."""
    values = document.op("->")(literal_column(f"'{column.name}'"))
    if isinstance(column.type, JSONB):
        return func.jsonb_array_elements(values).label(column.name)
    return cast(func.jsonb_array_elements_text(values), column.type).label(column.name)


def _unnest(column: Any) -> Any:
    """A column's values from its array: JSON documents and arrays go as text (an array of
    arrays would flatten) and are cast back; ids as text, cast to uuid."""
    kind = column.type
    if isinstance(kind, (JSONB, ARRAY, UUID)):
        return cast(func.unnest(bindparam(column.name, type_=ARRAY(Text))), kind)
    return func.unnest(bindparam(column.name, type_=ARRAY(kind)))


def columns_of(table: Table, rows: Sequence[dict[str, Any]]) -> dict[str, list[Any]]:
    """Rows (column → value, as the one-row upserts bind them) as one array per column, for
    `_upsert_all`'s statements."""
    columns: dict[str, list[Any]] = {name: [] for name in rows[0]} if rows else {}
    for row in rows:
        for name, value in row.items():
            columns[name].append(_as_element(table.c[name].type, value))
    return columns


def _as_element(kind: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(kind, JSONB):
        return json.dumps(value)
    if isinstance(kind, ARRAY):
        return _array_literal(value)
    return value


def _array_literal(values: Sequence[str]) -> str:
    """A Postgres text[] literal: every element quoted, its quotes and backslashes escaped."""
    quoted = ('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
    return "{" + ",".join(quoted) + "}"


# The statements on the command path are built once: constructing a statement costs more
# CPU than executing it, and commands are the hot path.
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
#: A guest's stored version and values (`stored_guest_of`), with its key.
GUEST_ROW = select(
    *(
        guests.c[name]
        for name in (
            "id",
            "enterprise_id",
            *_VERSION,
            *(n for n in _SNAPSHOT_OF_GUEST if n != "mews_updated_utc"),
            "field_changed_utc",
        )
    )
)
_STORED_GUEST = _by_mews_id_of(GUEST_ROW, guests)
#: A stay's stored version and state (`stored_stay_of`), with its key.
STAY_ROW = select(*(stays.c[n] for n in ("id", "enterprise_id", "mews_id", *_VERSION, "state")))
_STORED_STAY = _by_mews_id_of(STAY_ROW, stays)
UPSERT_GUEST = _upsert(guests, "guests_enterprise_mews_id_key", _GUEST_FIELDS)
UPSERT_STAY = _upsert(stays, "stays_enterprise_mews_id_key", _STAY_FIELDS)
UPSERT_GUESTS = _upsert_columns(guests, "guests_enterprise_mews_id_key", _GUEST_FIELDS)
UPSERT_STAYS = _upsert_all(stays, "stays_enterprise_mews_id_key", _STAY_FIELDS)
_STORED_ROOM = _by_mews_id(rooms, "id", *_VERSION)
_UPSERT_ROOM = _upsert(rooms, "rooms_enterprise_mews_id_key", _ROOM_FIELDS)


async def stored_guest(
    session: AsyncSession, enterprise_id: str, mews_id: str
) -> StoredGuest | None:
    found = await session.execute(
        _STORED_GUEST, {"enterprise_id": enterprise_id, "mews_id": mews_id}
    )
    row = found.first()
    return None if row is None else stored_guest_of(row)


def stored_guest_of(row: Any) -> StoredGuest:
    """A guests row (the columns `_STORED_GUEST` reads) as the version a command compares."""
    fields = {name: row._mapping[name] for name in _SNAPSHOT_OF_GUEST}
    fields["classifications"] = tuple(fields["classifications"] or ())
    return StoredGuest(
        row.id,
        version_of(row),
        row.merge_target_mews_id,
        msgspec.convert(fields, GuestSnapshot, strict=False),
        dict(row.field_changed_utc or {}),
    )


async def stored_stay(session: AsyncSession, enterprise_id: str, mews_id: str) -> StoredStay | None:
    found = await session.execute(
        _STORED_STAY, {"enterprise_id": enterprise_id, "mews_id": mews_id}
    )
    row = found.first()
    return None if row is None else stored_stay_of(row)


def stored_stay_of(row: Any) -> StoredStay:
    return StoredStay(row.id, version_of(row), stay_state(row.state))


async def stored_room(session: AsyncSession, enterprise_id: str, mews_id: str) -> StoredRoom | None:
    found = await session.execute(
        _STORED_ROOM, {"enterprise_id": enterprise_id, "mews_id": mews_id}
    )
    row = found.first()
    return None if row is None else StoredRoom(row.id, version_of(row))


@dataclass(frozen=True)
class GuestPut:
    """A version of a guest to store (last write wins)."""

    guest_id: str
    enterprise_id: str
    guest: GuestSnapshot
    version: MewsVersion
    synced_at: datetime
    field_changed_utc: dict[str, str] = field(default_factory=dict)

    def values(self) -> dict[str, Any]:
        """The row's columns, as the upsert binds them."""
        guest, version = self.guest, self.version
        return {
            "id": self.guest_id,
            "enterprise_id": self.enterprise_id,
            "mews_id": guest.mews_id,
            "mews_updated_utc": guest.mews_updated_utc,
            "mews_read_at": version.read_at,
            "mews_digest": version.digest,
            "synced_at": self.synced_at,
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
            "field_changed_utc": self.field_changed_utc,
        }


def guest_columns(puts: Sequence[GuestPut]) -> str:
    """The rows of `puts` as `UPSERT_GUESTS` binds them (`:columns`): each column of
    `GuestPut.values` with its values in the rows' order; times in UTC (as the driver binds
    a time: one without an offset counts as this process's local time), the
    classifications as an array literal."""
    snapshots = [put.guest for put in puts]
    versions = [put.version for put in puts]
    return _JSON.encode(
        {
            "id": [put.guest_id for put in puts],
            "enterprise_id": [put.enterprise_id for put in puts],
            "mews_id": [g.mews_id for g in snapshots],
            "mews_updated_utc": [_utc(g.mews_updated_utc) for g in snapshots],
            "mews_read_at": [None if v.read_at is None else _utc(v.read_at) for v in versions],
            "mews_digest": [v.digest for v in versions],
            "synced_at": [_utc(put.synced_at) for put in puts],
            "first_name": [g.first_name for g in snapshots],
            "last_name": [g.last_name for g in snapshots],
            "email": [g.email for g in snapshots],
            "phone": [g.phone for g in snapshots],
            "language_code": [g.language_code for g in snapshots],
            "nationality_code": [g.nationality_code for g in snapshots],
            "birth_date": [g.birth_date for g in snapshots],
            "classifications": [_array_literal(g.classifications) for g in snapshots],
            "company_mews_id": [g.company_mews_id for g in snapshots],
            "notes": [g.notes for g in snapshots],
            "is_active": [g.is_active for g in snapshots],
            "merge_target_mews_id": [g.merge_target_mews_id for g in snapshots],
            "field_changed_utc": [put.field_changed_utc for put in puts],
        }
    ).decode()


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC)


_JSON = msgspec.json.Encoder()


async def upsert_guest(session: AsyncSession, put: GuestPut) -> str | None:
    """Insert or update by (enterprise, Mews id), last write wins (`supersedes`);
    returns our guest id, or None when the stored version is as new or newer."""
    found = await session.execute(UPSERT_GUEST, put.values())
    return found.scalar_one_or_none()  # type: ignore[no-any-return]


@dataclass(frozen=True)
class StayPut:
    """A version of a stay to store (last write wins)."""

    stay_id: str
    enterprise_id: str
    stay: StaySnapshot
    version: MewsVersion
    synced_at: datetime

    def values(self) -> dict[str, Any]:
        """The row's columns, as the upsert binds them."""
        stay, version = self.stay, self.version
        return {
            "id": self.stay_id,
            "enterprise_id": self.enterprise_id,
            "mews_id": stay.mews_id,
            "mews_updated_utc": stay.mews_updated_utc,
            "mews_read_at": version.read_at,
            "mews_digest": version.digest,
            "synced_at": self.synced_at,
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


async def upsert_stay(session: AsyncSession, put: StayPut) -> str | None:
    """Insert or update by (enterprise, Mews id), last write wins (`supersedes`);
    returns our stay id, or None when the stored version is as new or newer."""
    found = await session.execute(UPSERT_STAY, put.values())
    return found.scalar_one_or_none()  # type: ignore[no-any-return]


async def upsert_room(
    session: AsyncSession,
    *,
    room_id: str,
    enterprise_id: str,
    room: RoomSnapshot,
    version: MewsVersion,
    synced_at: datetime,
) -> str | None:
    """Insert or update by (enterprise, Mews id), last write wins (`supersedes`);
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


def stay_state(value: str) -> StayState:
    """A stored state as a `StayState`; one we do not know is UNKNOWN."""
    try:
        return StayState(value)
    except ValueError:
        return StayState.UNKNOWN
