"""The SQL of the Mews companies vendors knows (`mews_companies`).

Bound to the session of a unit of work (`unit_of_work.SqlUnitOfWork.companies`), so a
company's upsert and the refresh of the vendor linked to it commit together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from attendandt.platform.versioning import supersedes_clause
from attendandt.vendors.models import mews_companies


@dataclass(frozen=True)
class MewsCompanyRecord:
    enterprise_id: str
    mews_id: str
    name: str
    is_active: bool
    merge_target_mews_id: str | None
    iata: str | None
    mews_updated_utc: datetime
    mews_read_at: datetime | None
    mews_digest: str | None
    synced_at: datetime


def _like_prefix(text: str) -> str:
    """`text%` for LIKE, with LIKE's own wildcards in `text` taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%"


class CompanyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert(self, values: Mapping[str, Any]) -> MewsCompanyRecord | None:
        """Insert, or update when the incoming Mews version supersedes the stored one
        (`versioning.supersedes`, in SQL: a later UpdatedUtc, or the same one with other
        content read later; Mews stamps whole seconds). Returns the
        stored row, or None when the stored version is as new or newer (nothing changed)."""
        statement = insert(mews_companies).values(**values)
        incoming = statement.excluded
        fields = [name for name in values if name not in ("enterprise_id", "mews_id")]
        upsert = statement.on_conflict_do_update(
            index_elements=["enterprise_id", "mews_id"],
            set_={name: incoming[name] for name in fields},
            where=supersedes_clause(mews_companies.c, incoming),
        ).returning(mews_companies)
        row = (await self.session.execute(upsert)).first()
        return None if row is None else MewsCompanyRecord(**row._mapping)

    async def get(
        self, enterprise_id: str, mews_id: str, *, lock: bool = False
    ) -> MewsCompanyRecord | None:
        statement = select(mews_companies).where(
            mews_companies.c.enterprise_id == enterprise_id, mews_companies.c.mews_id == mews_id
        )
        if lock:
            statement = statement.with_for_update()
        row = (await self.session.execute(statement)).first()
        return None if row is None else MewsCompanyRecord(**row._mapping)

    async def search(
        self, enterprise_id: str, name_prefix: str | None, limit: int
    ) -> list[MewsCompanyRecord]:
        """One property's companies whose name starts with `name_prefix` (any case), active
        ones first, then by name."""
        c = mews_companies.c
        statement = select(mews_companies).where(c.enterprise_id == enterprise_id)
        if name_prefix:
            statement = statement.where(c.name.ilike(_like_prefix(name_prefix), escape="\\"))
        statement = statement.order_by(c.is_active.desc(), c.name, c.mews_id).limit(limit)
        return [MewsCompanyRecord(**row._mapping) for row in await self.session.execute(statement)]
