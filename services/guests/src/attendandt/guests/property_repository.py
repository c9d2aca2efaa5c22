"""The hotel (a Mews enterprise's configuration) as stored: its version, its time zone, the
hotels a caller acts for; and the readiness probe's query."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from attendandt.contracts.rpc.guests import PropertyView
from attendandt.contracts.snapshots import PropertySnapshot
from attendandt.contracts.versioning import MewsVersion
from attendandt.guests.models import properties
from attendandt.guests.version_repository import version_of

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


async def stored_property_version(session: AsyncSession, enterprise_id: str) -> MewsVersion | None:
    """The version of the stored hotel, or None when there is none."""
    statement = select(
        properties.c.mews_updated_utc, properties.c.mews_read_at, properties.c.mews_digest
    ).where(properties.c.enterprise_id == enterprise_id)
    row = (await session.execute(statement)).first()
    return None if row is None else version_of(row)


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
