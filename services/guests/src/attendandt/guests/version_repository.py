"""Last write wins on Mews data, as stored: the version of a stored row (`version_of`; the rule
that compares versions is `attendandt.contracts.versioning`), the lock a command takes on its
entity before it reads the stored version, and the versions we hold (what sync's
reconciliation compares with Mews)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from attendandt.contracts.versioning import MewsVersion
from attendandt.guests.models import guests, stays

# The statements on the command path are built once: constructing a statement costs more
# CPU than executing it, and commands are the hot path.
_LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")


async def lock_mews_entity(
    session: AsyncSession, kind: str, enterprise_id: str, mews_id: str
) -> None:
    """Serialise the commands about one Mews entity until this transaction ends, so the
    version read next is the one the upsert replaces (a missing row has nothing to lock)."""
    await session.execute(_LOCK, {"key": lock_key(kind, enterprise_id, mews_id)})


def lock_key(kind: str, enterprise_id: str, mews_id: str) -> str:
    """The name of one Mews entity's lock (hashed to the advisory lock's number)."""
    return f"{kind}:{enterprise_id}:{mews_id}"


def version_of(row: Any) -> MewsVersion:
    """The version of a stored row (its `mews_updated_utc`, `mews_read_at`, `mews_digest`)."""
    return MewsVersion(row.mews_updated_utc, row.mews_read_at, row.mews_digest)


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
