"""Retention: a guest whose last stay ended more than N months ago (per property; 36 unless
configured) is erased on a schedule, exactly as a staff request would (source `retention`),
and each sweep that erased anyone leaves a report (when, the limit, the request ids).

The sweep is idempotent: a guest already asked for is never asked again, so a sweep cut
short is finished by the next one. Each of its steps is its own unit of work: the guests
due are read in bites, each erasure is recorded with its commands by `erasure_writes`, and
the report is written at the end (a sweep cut short leaves none; the next one reports what
it erases).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from attendandt.contracts.caller import Caller
from attendandt.contracts.rpc.privacy import (
    AUDIT_READ,
    RetentionRun,
    RetentionRunPage,
    RetentionRunsRequest,
)
from attendandt.guests import retention_repository as rr
from attendandt.guests.erasure import Erasures
from attendandt.guests.unit_of_work import SqlUnitOfWork, UnitOfWork
from attendandt.platform.rpc import Forbidden

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

DEFAULT_MONTHS = 36
#: Guests asked for per query: a first sweep over years of history goes in bites.
BATCH = 200


def months_before(moment: datetime, months: int) -> datetime:
    """`moment` moved back by whole months (the 31st becomes the month's last day)."""
    index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    next_first = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=moment.tzinfo)
    last_day = (next_first - datetime(year, month, 1, tzinfo=moment.tzinfo)).days
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


class Retention:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        erasures: Erasures,
        *,
        clock: Clock,
        default_months: int = DEFAULT_MONTHS,
        months_by_property: Mapping[str, int] | None = None,
        units: Callable[[], UnitOfWork] | None = None,
    ) -> None:
        self._units = units or (lambda: SqlUnitOfWork(sessions))
        self._erasures = erasures
        self._clock = clock
        self._default = default_months
        self._by_property = dict(months_by_property or {})

    def months_for(self, enterprise_id: str) -> int:
        return self._by_property.get(enterprise_id, self._default)

    async def sweep(self) -> list[rr.RetentionRun]:
        """Erase every guest past its property's limit; the reports of properties where
        anyone was."""
        now = self._clock()
        async with self._units() as uow:
            enterprises = await uow.retention.enterprises_with_guests()
        runs = []
        for enterprise_id in enterprises:
            run = await self._sweep_property(enterprise_id, now)
            if run is not None:
                runs.append(run)
        return runs

    async def _sweep_property(self, enterprise_id: str, now: datetime) -> rr.RetentionRun | None:
        months = self.months_for(enterprise_id)
        cutoff = months_before(now, months)
        reason = f"last stay ended before {cutoff.date().isoformat()} (kept {months} months)"
        request_ids: list[str] = []
        while True:
            async with self._units() as uow:
                due = await uow.retention.guests_past(enterprise_id, cutoff, BATCH)
            if not due:
                break
            progressed = False
            for guest_id in due:
                view = await self._erasures.start(
                    enterprise_id,
                    guest_id,
                    source="retention",
                    requested_by="retention",
                    reason=reason,
                )
                if view is not None and view.created:
                    request_ids.append(view.request_id)
                    progressed = True
            if len(due) < BATCH or not progressed:
                break
        if not request_ids:
            return None
        run = rr.RetentionRun(
            run_id=str(uuid.uuid4()),
            enterprise_id=enterprise_id,
            ran_at=now,
            months=months,
            cutoff=cutoff,
            request_ids=tuple(request_ids),
        )
        async with self._units() as uow:
            await uow.retention.add_run(run)
            await uow.commit()
        log.info(
            "retention erased guests",
            extra={"enterprise_id": enterprise_id, "count": len(request_ids), "months": months},
        )
        return run

    async def runs(self, request: RetentionRunsRequest, caller: Caller) -> RetentionRunPage:
        """The reports of the caller's properties' sweeps, newest first (admins)."""
        if not caller.can(AUDIT_READ):
            raise Forbidden("the retention reports need audit:read")
        enterprises = caller.visible_enterprises(request.enterprise_id)
        if enterprises == ():
            return RetentionRunPage()
        async with self._units() as uow:
            rows = await uow.retention.list_runs(
                None if enterprises is None else list(enterprises),
                limit=request.limit + 1,
                offset=request.offset,
            )
        items = tuple(
            RetentionRun(
                run_id=row.run_id,
                enterprise_id=row.enterprise_id,
                ran_at=row.ran_at,
                months=row.months,
                cutoff=row.cutoff,
                erased=len(row.request_ids),
                request_ids=row.request_ids,
            )
            for row in rows[: request.limit]
        )
        more = len(rows) > request.limit
        return RetentionRunPage(
            items=items, next_offset=request.offset + request.limit if more else None
        )

    async def run(self, stop: asyncio.Event, interval_s: float) -> None:
        """Sweep now and every `interval_s` until `stop`; a failed sweep is retried next time."""
        while not stop.is_set():
            try:
                await self.sweep()
            except Exception:
                log.exception("retention sweep failed; the next one tries again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval_s)
