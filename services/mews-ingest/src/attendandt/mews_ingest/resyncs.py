"""On-demand resyncs of a property, for the request-reply methods (`rpc.py`): `sweep`
(answered when it ends), `start_resync` (answered at once with the job) and `cancel_resync`;
one job at a time per property, only for a caller that may act for it and resync, never
further back than the resync horizon. The running job is on the status board."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from attendandt.contracts.caller import Caller
from attendandt.contracts.mews import MewsEntity
from attendandt.contracts.rpc.ingest import (
    RESYNC,
    CancelResyncRequest,
    ResyncJob,
    SweepRequest,
    SweepResponse,
    SweptEntity,
)
from attendandt.mews_ingest.checkpoints import StateBoard
from attendandt.mews_ingest.enterprise import Enterprise
from attendandt.mews_ingest.property_sweeps import PropertySweeps
from attendandt.mews_ingest.resync_job import Resync
from attendandt.mews_ingest.settings import IngestSettings
from attendandt.mews_ingest.sweeps import SweepProgress
from attendandt.platform.rpc import Conflict, Forbidden, Invalid, NotFound

log = logging.getLogger(__name__)

#: How long a cancel waits for the running window to end before answering `cancelling`
#: (within the gateway's request-reply timeout).
CANCEL_WAIT_S = 3.0


class ResyncJobs:
    def __init__(
        self,
        settings: IngestSettings,
        board: StateBoard,
        enterprises: Mapping[str, Enterprise],
        sweeps: PropertySweeps,
    ) -> None:
        self.settings = settings
        self.board = board
        self.enterprises = enterprises
        self.sweeps = sweeps

    def _enterprise_for(self, enterprise_id: str, caller: Caller) -> Enterprise:
        enterprise = self.enterprises.get(enterprise_id)
        # Another property is "not found", like one not ingested: no existence oracle.
        if enterprise is None or not caller.may_act_for(enterprise_id):
            raise NotFound(f"enterprise {enterprise_id} is not one of the properties ingested here")
        if not caller.can(RESYNC):
            raise Forbidden(f"role {caller.role.value} may not resync")
        return enterprise

    def oldest_allowed(self) -> datetime:
        """How far back an on-demand sweep may go: the resync horizon (the same one a long
        silence falls back to). Beyond it a sweep would walk thousands of windows on the
        property's rate budget; older history is `attendandt sync backfill`'s job."""
        return datetime.now(UTC) - timedelta(seconds=self.settings.resync_horizon_s)

    def _begin(self, enterprise: Enterprise, request: SweepRequest) -> Resync:
        """Check a sweep request and start it as the enterprise's resync job."""
        known = {e.value for e in MewsEntity}
        unknown = [e for e in request.entities if e not in known]
        if unknown:
            raise Invalid(f"unknown entities {unknown}: use some of {sorted(known)}")
        oldest = self.oldest_allowed()
        since = request.since
        if since is not None:
            if since.tzinfo is None:
                since = since.replace(tzinfo=UTC)  # Mews times are UTC
            if since < oldest:
                days = self.settings.resync_horizon_s / 86400
                raise Invalid(
                    f"since {since.isoformat()} is older than the resync horizon ({days:g} days): "
                    f"the oldest allowed is {oldest.replace(microsecond=0).isoformat()}; for "
                    f"older history use `attendandt sync backfill --enterprise "
                    f"{enterprise.enterprise_id} --since YYYY-MM-DD`"
                )
            if since > datetime.now(UTC):
                raise Invalid(f"since {since.isoformat()} is in the future")
        running = enterprise.resync
        if running is not None and running.state == "running":
            raise Conflict(
                f"resync {running.job_id} of {enterprise.enterprise_id} is running; "
                "cancel it first or wait for it to end"
            )
        entities = tuple(MewsEntity(e) for e in request.entities) or self.settings.entities
        job = Resync(uuid.uuid4().hex, enterprise.enterprise_id, since, oldest, entities)
        enterprise.resync = job
        enterprise.routine_yield.set()  # a routine pass under way steps aside at a window's end
        self._show(job)
        job.task = asyncio.create_task(
            self._run_resync(enterprise, job), name=f"resync {job.job_id}"
        )
        return job

    def _show(self, job: Resync) -> None:
        """The job on the status board (`GET /sync/{enterprise}` shows it)."""
        self.board.update(job.enterprise_id, resync=job.snapshot())

    async def _run_resync(self, enterprise: Enterprise, job: Resync) -> None:
        def progress(step: SweepProgress) -> None:
            job.on_progress(step)
            self._show(job)

        try:
            job.results = await self.sweeps.sweep(
                enterprise,
                entities=job.entities,
                since=job.since,
                progress=progress,
                cancelled=job.cancel,
            )
        except Exception as exc:
            job.failure = exc
            job.state = "failed"
            self._show(job)
            log.warning("resync %s of %s failed: %s", job.job_id, job.enterprise_id, exc)
            return
        job.entities_done = [r.entity.value for r in job.results if r.complete]
        complete = len(job.entities_done) == len(job.entities)
        job.state = "done" if complete else "cancelled"
        self._show(job)
        log.info(
            "resync %s of %s %s", job.job_id, job.enterprise_id, job.state,
            extra={"entities_done": job.entities_done},
        )  # fmt: skip

    async def sweep_now(self, request: SweepRequest, caller: Caller) -> SweepResponse:
        """`sweep`: the resync job, answered when it ends (cancelled: as far as it got)."""
        job = self._begin(self._enterprise_for(request.enterprise_id, caller), request)
        assert job.task is not None
        await asyncio.shield(job.task)  # a caller giving up does not end the sweep
        if job.failure is not None:
            raise job.failure
        return SweepResponse(
            enterprise_id=request.enterprise_id,
            entities=tuple(
                SweptEntity(entity=r.entity, start=r.start, end=r.end, seen=r.seen, stored=r.stored)
                for r in job.results
            ),
        )

    async def start_resync(self, request: SweepRequest, caller: Caller) -> ResyncJob:
        """`start_resync`: checked, started, answered at once with the job."""
        return self._begin(self._enterprise_for(request.enterprise_id, caller), request).snapshot()

    async def cancel_resync(self, request: CancelResyncRequest, caller: Caller) -> ResyncJob:
        """`cancel_resync`: stops the running job between two windows and says how far it
        got (`cancelling` if its current window outlasted CANCEL_WAIT_S)."""
        enterprise = self._enterprise_for(request.enterprise_id, caller)
        job = enterprise.resync
        if job is None or job.state != "running" or job.task is None:
            raise NotFound(f"no resync of {request.enterprise_id} is running")
        job.cancel.set()
        await asyncio.wait({job.task}, timeout=CANCEL_WAIT_S)
        return job.snapshot()
