"""A property's sweeps: every entity from its checkpoint (or the resync horizon after a long
silence) to Mews's now, requested by the socket, a silence, the timer or a resync job, and
retried with a growing pause when one fails. A checkpoint older than the horizon is announced
as a backfill the property needs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from attendandt.contracts.mews import MewsEntity
from attendandt.mews import MewsError
from attendandt.mews_ingest.checkpoints import StateBoard
from attendandt.mews_ingest.enterprise import Enterprise
from attendandt.mews_ingest.settings import IngestSettings
from attendandt.mews_ingest.sweeps import Progress, SweepResult

log = logging.getLogger(__name__)


class PropertySweeps:
    def __init__(self, settings: IngestSettings, board: StateBoard) -> None:
        self.settings = settings
        self.board = board

    async def loop(self, enterprise: Enterprise, stop: asyncio.Event) -> None:
        retry_s = 1.0
        while not stop.is_set():
            requested = asyncio.ensure_future(enterprise.sweep_requested.wait())
            stopping = asyncio.ensure_future(stop.wait())
            await asyncio.wait(
                {requested, stopping},
                timeout=self.settings.sweep_interval_s,
                return_when=asyncio.FIRST_COMPLETED,
            )
            requested.cancel()
            stopping.cancel()
            if stop.is_set():
                return
            enterprise.sweep_requested.clear()
            enterprise.routine_yield.clear()
            try:
                await self.sweep(enterprise, cancelled=enterprise.routine_yield)
                retry_s = 1.0
                if enterprise.routine_yield.is_set():
                    log.info(
                        "sweep of %s yields to a resync; it goes on after it",
                        enterprise.enterprise_id,
                    )
                    enterprise.sweep_requested.set()
            except Exception as exc:
                log.warning(
                    "sweep of %s failed, retrying in %.0fs: %s",
                    enterprise.enterprise_id,
                    retry_s,
                    exc,
                    exc_info=not isinstance(exc, MewsError),
                )
                self.board.update(enterprise.enterprise_id, last_sweep_error=str(exc)[:300])
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), retry_s)
                retry_s = min(retry_s * 2, 60.0)
                enterprise.sweep_requested.set()

    async def sweep(
        self,
        enterprise: Enterprise,
        *,
        entities: Iterable[MewsEntity] | None = None,
        since: datetime | None = None,
        progress: Progress | None = None,
        cancelled: asyncio.Event | None = None,
    ) -> list[SweepResult]:
        """Sweep every (or the named) entity from its checkpoint (or `since`) to Mews's now;
        `cancelled` set stops it between two windows. Mews refusing the property's token
        (HTTP 401) is put on the board; a sweep that ends without a failure clears it."""
        try:
            results = await self._sweep(enterprise, entities, since, progress, cancelled)
        except MewsError as exc:
            if token_refused(exc):
                log.warning("Mews refuses the AccessToken of %s: %s", enterprise.enterprise_id, exc)
                self.board.token_refused(enterprise.enterprise_id, str(exc))
            raise
        self.board.token_accepted(enterprise.enterprise_id)
        return results

    async def _sweep(
        self,
        enterprise: Enterprise,
        entities: Iterable[MewsEntity] | None,
        since: datetime | None,
        progress: Progress | None,
        cancelled: asyncio.Event | None,
    ) -> list[SweepResult]:
        async with enterprise.sweep_lock:
            sweeper = enterprise.sweeper
            gap = enterprise.gap
            end = await sweeper.mews_now()
            horizon = end - timedelta(seconds=self.settings.resync_horizon_s)
            silent = gap.check(datetime.now(UTC))
            if silent is not None and since is None:
                log.warning(
                    "no news from %s for %s: sweeping from the resync horizon",
                    enterprise.enterprise_id,
                    silent,
                )
            results = []
            from_horizon = False
            for entity in entities or self.settings.entities:
                if cancelled is not None and cancelled.is_set():
                    break
                planned = await sweeper.start_for(entity, horizon)
                if planned.beyond_horizon is not None:
                    self._announce_backfill(enterprise, entity, planned.beyond_horizon, horizon)
                if since is not None:
                    start = since
                elif entity in gap.due:
                    start = horizon
                else:
                    start = planned.at
                result = await sweeper.sweep(entity, start, end, progress, cancelled)
                if not result.complete:
                    log.info(
                        "sweep of %s %s cancelled, reached %s",
                        enterprise.enterprise_id, entity, result.reached,
                    )  # fmt: skip
                    results.append(result)
                    break
                log.info(
                    "swept %s %s from %s to %s: %d changed, %d new",
                    enterprise.enterprise_id, entity, start.isoformat(), end.isoformat(),
                    result.seen, result.stored,
                )  # fmt: skip
                results.append(result)
                if start <= horizon:
                    gap.resynced(entity)
                    from_horizon = True
            now = datetime.now(UTC)
            gap.swept(now)
            if cancelled is not None and cancelled.is_set():
                return results  # not a sweep to `end`: the board keeps the last whole one
            self.board.update(
                enterprise.enterprise_id,
                last_sweep_at=now,
                last_sweep_changes=sum(r.stored for r in results),
                last_sweep_error=None,
                checkpoint_lag_s=(now - end).total_seconds(),
            )
            if from_horizon:
                self.board.update(enterprise.enterprise_id, last_full_resync_at=now)
            return results

    def _announce_backfill(
        self, enterprise: Enterprise, entity: MewsEntity, checkpoint: datetime, horizon: datetime
    ) -> None:
        """A checkpoint older than the horizon: the sweep starts at the horizon, and what
        changed between the checkpoint and the horizon may never have been seen. Said in the
        log and on the board (kept there across restarts), never passed over."""
        enterprise_id = enterprise.enterprise_id
        age = datetime.now(UTC) - checkpoint
        earlier = self.board.get(enterprise_id).backfill_since
        since = min(checkpoint, earlier) if earlier is not None else checkpoint
        reason = (
            f"the {entity} checkpoint was {_span(age.total_seconds())} old, beyond the resync "
            f"horizon ({_span(self.settings.resync_horizon_s)}): swept from "
            f"{horizon:%Y-%m-%d %H:%M} UTC, so "
            f"changes since {since:%Y-%m-%d %H:%M} UTC may have been skipped; run "
            f"`attendandt sync backfill --enterprise {enterprise_id} --since {since:%Y-%m-%d}`"
        )
        log.warning(
            "backfill needed for %s: %s",
            enterprise_id,
            reason,
            extra={"checkpoint_age_s": round(age.total_seconds())},
        )
        self.board.update(
            enterprise_id, backfill_needed=True, backfill_reason=reason, backfill_since=since
        )


def token_refused(exc: MewsError) -> bool:
    """Whether Mews refused the AccessToken the call carried: HTTP 401 ("Invalid
    AccessToken": a key rotated without us, a token revoked or forgotten by Mews)."""
    return exc.status == 401


def _span(seconds: float) -> str:
    if seconds >= 2 * 86400:
        return f"{seconds / 86400:.1f} days"
    if seconds >= 2 * 3600:
        return f"{seconds / 3600:.1f} hours"
    return f"{seconds / 60:.0f} minutes"
