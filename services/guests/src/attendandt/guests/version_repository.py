"""Last write wins on Mews data: a version of a Mews entity (`MewsVersion`), the lock a
command takes on its entity before it reads the stored version, and the versions we hold (what
sync's reconciliation compares with Mews)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from attendandt.guests.models import guests, stays

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


def version_of(row: Any) -> MewsVersion:
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
