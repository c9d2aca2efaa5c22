"""The command path's writes of guests, stays and rooms: the version stored of each (what a
command compares with under the entity's lock) and the upserts that apply a newer one, last
write wins (`attendandt.contracts.versioning`, checked again in SQL); and the customers on a
stay.

Writes take the caller's session (the service owns the transaction, so the inbox row, the
effect and the outbox row commit together).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import msgspec
from sqlalchemy import Select, Table, bindparam, select
from sqlalchemy.dialects.postgresql import insert
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
    return select(*(table.c[name] for name in columns)).where(
        table.c.enterprise_id == bindparam("enterprise_id"),
        table.c.mews_id == bindparam("mews_id"),
    )


def _upsert(table: Table, constraint: str, fields: Sequence[str]) -> ReturningInsert[Any]:
    """INSERT ... ON CONFLICT (enterprise_id, mews_id) DO UPDATE, only when the incoming
    Mews version supersedes the stored one (`versioning.supersedes`, in SQL: a writer that
    skipped the entity's lock still never replaces a newer row); returns our id, or no row
    when the stored one is as new or newer."""
    statement = insert(table).values(
        {name: bindparam(name, type_=table.c[name].type) for name in ("id", *fields)}
    )
    incoming = statement.excluded
    return statement.on_conflict_do_update(
        constraint=constraint,
        set_={name: incoming[name] for name in fields},
        where=supersedes_clause(table.c, incoming),
    ).returning(table.c.id)


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
    return None if row is None else StoredStay(row.id, version_of(row), stay_state(row.state))


async def stored_room(session: AsyncSession, enterprise_id: str, mews_id: str) -> StoredRoom | None:
    found = await session.execute(
        _STORED_ROOM, {"enterprise_id": enterprise_id, "mews_id": mews_id}
    )
    row = found.first()
    return None if row is None else StoredRoom(row.id, version_of(row))


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
    """Insert or update by (enterprise, Mews id), last write wins (`supersedes`);
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
    """Insert or update by (enterprise, Mews id), last write wins (`supersedes`);
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
