"""Stays as stored, rebuilt as the snapshots they were applied from (with their version and
customers), and our guest ids of a stay's customers: what a stay's event is announced from
when it is announced again, or asked for by a service whose copy lags."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from attendandt.contracts.snapshots import StaySnapshot
from attendandt.contracts.versioning import MewsVersion
from attendandt.guests.models import guests, stay_guests, stays
from attendandt.guests.version_repository import version_of

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
        found.append((row.id, snapshot, version_of(row), customers[row.id]))
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
