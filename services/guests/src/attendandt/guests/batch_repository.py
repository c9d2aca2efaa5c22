"""The command path's writes of guests and stays for a batch of commands: each step one
statement for the whole batch (locks, stored versions, the last-write-wins upsert, the guests
with open edits, the customers named on stays, the stays' customers and their guest ids),
where applying one command at a time takes a round trip per step per command.

Same rules as the one-by-one writes (`upsert_repository`): the locks are the same advisory
locks (`version_repository.lock_mews_entity`'s keys), taken in one order so two batches
cannot deadlock; the upsert is the same statement with its `supersedes` guard.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import bindparam, func, select, text, tuple_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Text

from attendandt.guests.edits import OPEN_STATES
from attendandt.guests.models import guest_edits, guests, stay_guests, stay_note_writes, stays
from attendandt.guests.upsert_repository import (
    GUEST_ROW,
    STAY_ROW,
    UPSERT_GUESTS,
    UPSERT_STAYS,
    GuestPut,
    StayPut,
    StoredGuest,
    StoredStay,
    columns_of,
    guest_columns,
    stored_guest_of,
    stored_stay_of,
)
from attendandt.guests.version_repository import lock_key

#: (enterprise, Mews id): a customer.
Key = tuple[str, str]

_LOCK_ALL = text(
    "SELECT count(pg_advisory_xact_lock(hashtextextended(key, 0))) "
    "FROM (SELECT key FROM unnest(:keys) AS key ORDER BY key) AS ordered"
).bindparams(bindparam("keys", type_=ARRAY(Text)))


def _among(enterprise: Any, mews_id: Any) -> Any:
    """`(enterprise, mews_id)` is one of the keys bound as two arrays (`_keys`)."""
    keys = select(
        func.unnest(bindparam("enterprises", type_=ARRAY(Text))),
        func.unnest(bindparam("mews_ids", type_=ARRAY(Text))),
    )
    return tuple_(enterprise, mews_id).in_(keys)


def _keys(keys: Sequence[Key]) -> dict[str, list[str]]:
    distinct = list(set(keys))
    return {"enterprises": [e for e, _ in distinct], "mews_ids": [m for _, m in distinct]}


_STORED_GUESTS = GUEST_ROW.where(_among(guests.c.enterprise_id, guests.c.mews_id))
_STORED_STAYS = STAY_ROW.where(_among(stays.c.enterprise_id, stays.c.mews_id))
_GUEST_IDS = select(guests.c.enterprise_id, guests.c.mews_id, guests.c.id).where(
    _among(guests.c.enterprise_id, guests.c.mews_id)
)
_ON_STAYS = (
    select(stay_guests.c.enterprise_id, stay_guests.c.customer_mews_id)
    .where(_among(stay_guests.c.enterprise_id, stay_guests.c.customer_mews_id))
    .distinct()
)


async def lock_entities(session: AsyncSession, kind: str, keys: Sequence[Key]) -> None:
    """Hold the lock of each Mews entity of `kind` ("customer", "reservation") until this
    transaction ends (taken in key order)."""
    await session.execute(_LOCK_ALL, {"keys": sorted({lock_key(kind, e, m) for e, m in keys})})


async def stored_guests(session: AsyncSession, keys: Sequence[Key]) -> dict[Key, StoredGuest]:
    """The stored version of each of these customers we hold."""
    if not keys:
        return {}
    rows = await session.execute(_STORED_GUESTS, _keys(keys))
    return {(row.enterprise_id, row.mews_id): stored_guest_of(row) for row in rows}


async def upsert_guests(session: AsyncSession, puts: Sequence[GuestPut]) -> dict[Key, str]:
    """Store each version unless the stored one is as new or newer; the customers stored,
    with our guest ids. At most one version per customer (a row cannot change twice in one
    statement)."""
    if not puts:
        return {}
    rows = await session.execute(UPSERT_GUESTS, {"columns": guest_columns(puts)})
    return {(enterprise_id, mews_id): guest_id for guest_id, enterprise_id, mews_id in rows}


async def guests_with_open_edits(session: AsyncSession, guest_ids: Sequence[str]) -> set[str]:
    """Which of these guests have a staff edit still saving or in conflict."""
    if not guest_ids:
        return set()
    rows = await session.execute(
        select(guest_edits.c.guest_id)
        .where(guest_edits.c.guest_id.in_(list(guest_ids)), guest_edits.c.state.in_(OPEN_STATES))
        .distinct()
    )
    return set(rows.scalars())


async def customers_on_stays(session: AsyncSession, keys: Sequence[Key]) -> set[Key]:
    """Which of these customers a stay names (as owner or companion)."""
    if not keys:
        return set()
    rows = await session.execute(_ON_STAYS, _keys(keys))
    return {(row.enterprise_id, row.customer_mews_id) for row in rows}


async def stored_stays(session: AsyncSession, keys: Sequence[Key]) -> dict[Key, StoredStay]:
    """The stored version of each of these reservations we hold."""
    if not keys:
        return {}
    rows = await session.execute(_STORED_STAYS, _keys(keys))
    return {(row.enterprise_id, row.mews_id): stored_stay_of(row) for row in rows}


async def upsert_stays(session: AsyncSession, puts: Sequence[StayPut]) -> dict[Key, str]:
    """`upsert_guests` for stays."""
    if not puts:
        return {}
    rows = await session.execute(UPSERT_STAYS, columns_of(stays, [p.values() for p in puts]))
    return {(row.enterprise_id, row.mews_id): row.id for row in rows}


async def stays_with_note_writes(session: AsyncSession, stay_ids: Sequence[str]) -> set[str]:
    """Which of these stays have a note written here (only their new versions can be our
    notes' echo)."""
    if not stay_ids:
        return set()
    rows = await session.execute(
        select(stay_note_writes.c.stay_id)
        .where(stay_note_writes.c.stay_id.in_(list(stay_ids)))
        .distinct()
    )
    return set(rows.scalars())


async def replace_customers(
    session: AsyncSession, customers: Mapping[str, tuple[str, Sequence[tuple[str, str]]]]
) -> None:
    """Each stay's customers (stay id → its enterprise and (Mews id, role) in order)."""
    if not customers:
        return
    await session.execute(stay_guests.delete().where(stay_guests.c.stay_id.in_(list(customers))))
    rows = [
        {"stay_id": stay_id, "enterprise_id": enterprise, "customer_mews_id": mews_id,
         "role": role, "position": position}
        for stay_id, (enterprise, on_stay) in customers.items()
        for position, (mews_id, role) in enumerate(on_stay)
    ]  # fmt: skip
    if rows:
        await session.execute(stay_guests.insert(), rows)


async def guest_ids(session: AsyncSession, keys: Sequence[Key]) -> dict[Key, str]:
    """Our guest id of each of these customers we know as guests."""
    if not keys:
        return {}
    rows = await session.execute(_GUEST_IDS, _keys(keys))
    return {(row.enterprise_id, row.mews_id): row.id for row in rows}
