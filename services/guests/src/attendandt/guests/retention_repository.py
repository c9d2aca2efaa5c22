"""SQL of the retention sweep: the guests whose last stay ended before a cutoff, and the
report of each sweep."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Text, and_, cast, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from attendandt.guests.models import guests, stay_guests, stays
from attendandt.guests.privacy_models import erasure_requests, retention_runs


@dataclass(frozen=True)
class RetentionRun:
    run_id: str
    enterprise_id: str
    ran_at: datetime
    months: int
    cutoff: datetime
    request_ids: tuple[str, ...]


async def enterprises_with_guests(session: AsyncSession) -> list[str]:
    rows = await session.execute(select(guests.c.enterprise_id).distinct())
    return sorted(row.enterprise_id for row in rows)


async def guests_past(
    session: AsyncSession, enterprise_id: str, cutoff: datetime, limit: int
) -> list[str]:
    """Guests of the property, not yet asked to be erased, who have stays and whose every
    stay ended (checked out, else was due to end) before `cutoff`. A stay with no end known
    keeps its guests: nothing says it is over."""
    ended = func.coalesce(stays.c.actual_end_utc, stays.c.scheduled_end_utc)
    asked = exists().where(
        erasure_requests.c.enterprise_id == guests.c.enterprise_id,
        erasure_requests.c.guest_id == guests.c.id,
    )
    statement = (
        select(guests.c.id)
        .join(
            stay_guests,
            and_(
                stay_guests.c.enterprise_id == guests.c.enterprise_id,
                stay_guests.c.customer_mews_id == guests.c.mews_id,
            ),
        )
        .join(stays, stays.c.id == stay_guests.c.stay_id)
        .where(guests.c.enterprise_id == enterprise_id, ~asked)
        .group_by(guests.c.id)
        .having(and_(func.max(ended) < cutoff, func.bool_and(ended.is_not(None))))
        .order_by(guests.c.id)
        .limit(limit)
    )
    return [str(row.id) for row in await session.execute(statement)]


async def add_run(session: AsyncSession, run: RetentionRun) -> None:
    await session.execute(
        retention_runs.insert().values(
            run_id=run.run_id,
            enterprise_id=run.enterprise_id,
            ran_at=run.ran_at,
            months=run.months,
            cutoff=run.cutoff,
            request_ids=list(run.request_ids),
        )
    )


async def list_runs(
    session: AsyncSession, enterprise_ids: list[str] | None, limit: int, offset: int
) -> list[RetentionRun]:
    statement = select(retention_runs).order_by(
        retention_runs.c.ran_at.desc(), cast(retention_runs.c.run_id, Text)
    )
    if enterprise_ids is not None:
        statement = statement.where(retention_runs.c.enterprise_id.in_(enterprise_ids))
    rows = await session.execute(statement.limit(limit).offset(offset))
    return [
        RetentionRun(
            run_id=str(row.run_id),
            enterprise_id=row.enterprise_id,
            ran_at=row.ran_at,
            months=row.months,
            cutoff=row.cutoff,
            request_ids=tuple(row.request_ids),
        )
        for row in rows
    ]
