"""Sync status per enterprise (from the KV buckets mews-ingest and sync keep) and the
on-demand resync: a job mews-ingest checks and starts (`start_resync`, answered at once:
202 with its id) and cancels (`cancel_resync`). The checks (a property it ingests, `since`
within the resync horizon, one resync at a time) are ingest's, which knows its properties and
its horizon: its refusals come back as problems.

A property's staff see and resync their own property only: another one answers 404 (the
status is read from KV by the gateway itself, so the check is here); the sweep call carries
the caller and mews-ingest checks it again. Dead-letter counts are per consumer, not per
property: every status shows the platform's."""

from __future__ import annotations

import logging
from typing import Annotated, Any, TypeVar

import msgspec
from litestar import Request, Router, delete, get, post
from litestar.params import JSONBody, PathParameter
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED
from nats.js import JetStreamContext
from nats.js.errors import BucketNotFoundError, KeyNotFoundError, NoKeysError, NotFoundError

from attendandt.contracts.kv import (
    IngestState,
    PropertyPhase,
    SyncHealth,
    is_enterprise_key,
    property_phase,
)
from attendandt.contracts.reconciliation import ChargeReconcileReport, charges_report_key
from attendandt.contracts.rpc import ingest as ingest_rpc
from attendandt.contracts.streams import DEAD_LETTERS, INGEST_STATE, SYNC_HEALTH
from attendandt.gateway.permissions import Permission
from attendandt.gateway.routes.common import (
    BackendDep,
    caller,
    enterprise_for,
    needs,
    principal_of,
)
from attendandt.gateway.schemas.sync import (
    DeadLetterCounts,
    IngestStatus,
    ResyncAccepted,
    ResyncBody,
    SyncHealthStatus,
    SyncOverview,
    SyncStatus,
)

log = logging.getLogger(__name__)

T = TypeVar("T", bound=msgspec.Struct)
IdPath = Annotated[str, PathParameter(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_\-]+$")]
Req = Request[Any, Any, Any]

P = Permission


async def _entry(js: JetStreamContext, bucket: str, key: str, kind: type[T]) -> T | None:
    try:
        kv = await js.key_value(bucket)
        entry = await kv.get(key)
    except (BucketNotFoundError, KeyNotFoundError, NotFoundError):
        return None
    if not entry.value:
        return None
    try:
        return msgspec.json.decode(entry.value, type=kind)
    except msgspec.MsgspecError:
        log.warning("unreadable %s entry for %s", bucket, key)
        return None


async def _keys(js: JetStreamContext, bucket: str) -> set[str]:
    """The enterprises with an entry: keys with a dot are progress entries beside them
    (`backfill.<enterprise>.<entity>`, `import.<enterprise>`), not enterprises."""
    try:
        kv = await js.key_value(bucket)
        return {key for key in await kv.keys() if is_enterprise_key(key)}
    except (BucketNotFoundError, NoKeysError, NotFoundError):
        return set()


async def _dead_letters(js: JetStreamContext) -> DeadLetterCounts:
    try:
        info = await js.stream_info(DEAD_LETTERS.name, subjects_filter=DEAD_LETTERS.subjects[0])
    except NotFoundError:
        return DeadLetterCounts(total=0, by_subject={})
    subjects = {str(k): int(v) for k, v in (info.state.subjects or {}).items()}
    return DeadLetterCounts(total=int(info.state.messages), by_subject=subjects)


async def _reports(
    js: JetStreamContext, enterprise_id: str
) -> tuple[IngestState | None, SyncHealth | None]:
    """What ingest and sync report on the property (None: no entry, or an unreadable one)."""
    ingest = await _entry(js, INGEST_STATE.bucket, enterprise_id, IngestState)
    health = await _entry(js, SYNC_HEALTH.bucket, enterprise_id, SyncHealth)
    return ingest, health


async def property_phase_of(
    js: JetStreamContext, enterprise_id: str
) -> tuple[PropertyPhase, str | None]:
    """The property's phase and its Mews integration's state (None: not onboarded through
    Integration Webhooks), from the same KV entries as its sync status. The caller has
    checked that the property is the caller's."""
    ingest, health = await _reports(js, enterprise_id)
    return property_phase(ingest, health), None if ingest is None else ingest.integration_state


async def _status(js: JetStreamContext, enterprise_id: str, dead: DeadLetterCounts) -> SyncStatus:
    ingest, health = await _reports(js, enterprise_id)
    return SyncStatus(
        enterprise_id=enterprise_id,
        phase=property_phase(ingest, health),
        alarm="red" if ingest is not None and ingest.alert_reasons else "green",
        ingest=None if ingest is None else IngestStatus.of(ingest),
        sync=None if health is None else SyncHealthStatus.of(health),
        dead_letters=dead,
        charges_report=await _entry(
            js, SYNC_HEALTH.bucket, charges_report_key(enterprise_id), ChargeReconcileReport
        ),
    )


@get("/sync", **needs(P.SYNC_READ))
async def sync_overview(request: Req, backend: BackendDep) -> SyncOverview:
    """Every enterprise ingest or sync reports on (a property's staff: their own)."""
    principal = principal_of(request)
    js = backend.js
    enterprises = await _keys(js, INGEST_STATE.bucket) | await _keys(js, SYNC_HEALTH.bucket)
    if principal.enterprise_id is not None:
        enterprises &= {principal.enterprise_id}
    dead = await _dead_letters(js)
    return SyncOverview(enterprises=[await _status(js, e, dead) for e in sorted(enterprises)])


@get("/sync/{enterprise_id:str}", **needs(P.SYNC_READ))
async def sync_status(request: Req, enterprise_id: IdPath, backend: BackendDep) -> SyncStatus:
    enterprise = enterprise_for(principal_of(request), enterprise_id)
    js = backend.js
    return await _status(js, enterprise, await _dead_letters(js))


@post("/sync/{enterprise_id:str}/resync", status_code=HTTP_202_ACCEPTED, **needs(P.SYNC_RESYNC))
async def resync(
    *,
    request: Req,
    enterprise_id: IdPath,
    backend: BackendDep,
    data: JSONBody[ResyncBody | None] = None,
) -> ResyncAccepted:
    """Ask mews-ingest to resync the enterprise; answered once the job has started."""
    enterprise = enterprise_for(principal_of(request), enterprise_id)
    body = data or ResyncBody()
    sweep = ingest_rpc.SweepRequest(
        enterprise_id=enterprise, entities=tuple(body.entities), since=body.since
    )
    job = await backend.call(ingest_rpc.START_RESYNC, sweep, caller=caller(request))
    return ResyncAccepted(
        enterprise_id=enterprise, job_id=job.job_id, oldest_allowed=job.oldest_allowed
    )


@delete("/sync/{enterprise_id:str}/resync", status_code=HTTP_200_OK, **needs(P.SYNC_RESYNC))
async def cancel_resync(
    request: Req, enterprise_id: IdPath, backend: BackendDep
) -> ingest_rpc.ResyncJob:
    """Cancel the running resync: it stops between two windows; the answer says how far."""
    enterprise = enterprise_for(principal_of(request), enterprise_id)
    return await backend.call(
        ingest_rpc.CANCEL_RESYNC,
        ingest_rpc.CancelResyncRequest(enterprise_id=enterprise),
        caller=caller(request),
    )


sync_router = Router(
    path="/", route_handlers=[sync_overview, sync_status, resync, cancel_resync], tags=["sync"]
)
