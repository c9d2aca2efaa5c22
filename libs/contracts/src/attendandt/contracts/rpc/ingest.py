"""Request-reply contracts of mews-ingest (`rpc.v1.ingest.<method>`).

Every method is answered for the caller in the `Attendandt-Caller` header
(`contracts.caller`): an enterprise the caller may not act for is "not found", like one
ingest does not hold a token for, and each needs `RESYNC`.

`sweep` runs a sweep and answers when it is over. `start_resync` checks the request (a known
property, `since` within the resync horizon) and answers at once with the job it started;
`cancel_resync` stops that job between two windows and answers how far it got.
"""

from datetime import datetime

from attendandt.contracts.base import Payload, RpcMethod

#: The permission (in `Caller.permissions`) to sweep on demand; the gateway's table grants it.
RESYNC = "sync:resync"


class SweepRequest(Payload, frozen=True, kw_only=True):
    """Sweep one enterprise now: every entity (or those named) changed since `since`
    (default: each entity's checkpoint minus the overlap). A `since` older than the resync
    horizon is refused (422)."""

    SCHEMA = "ingest.sweep_request"
    enterprise_id: str
    entities: tuple[str, ...] = ()
    since: datetime | None = None


class SweptEntity(Payload, frozen=True, kw_only=True):
    SCHEMA = "ingest.swept_entity"
    entity: str
    start: datetime
    end: datetime
    seen: int
    stored: int


class SweepResponse(Payload, frozen=True, kw_only=True):
    SCHEMA = "ingest.sweep_response"
    enterprise_id: str
    entities: tuple[SweptEntity, ...]


class ResyncJob(Payload, frozen=True, kw_only=True):
    """One on-demand resync and how far it got. `state`: `running`, `done`, `cancelled`,
    `failed`. `entity`/`window`/`windows`: the entity being swept and its last finished
    window (1-based) of how many; `reached`: every change of `entity` before it is stored."""

    SCHEMA = "ingest.resync_job"
    job_id: str
    enterprise_id: str
    state: str
    since: datetime | None = None
    #: The oldest `since` this resync could have asked for (now minus the horizon).
    oldest_allowed: datetime
    entities: tuple[str, ...] = ()
    entities_done: tuple[str, ...] = ()
    entity: str | None = None
    window: int = 0
    windows: int = 0
    reached: datetime | None = None
    changes_seen: int = 0
    error: str | None = None
    started_at: datetime | None = None
    #: Seconds left at the pace so far (windows of the entities still to sweep included).
    eta_s: float | None = None


class CancelResyncRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "ingest.cancel_resync_request"
    enterprise_id: str


SWEEP = RpcMethod(service="ingest", method="sweep", request=SweepRequest, response=SweepResponse)
START_RESYNC = RpcMethod(
    service="ingest", method="start_resync", request=SweepRequest, response=ResyncJob
)
CANCEL_RESYNC = RpcMethod(
    service="ingest", method="cancel_resync", request=CancelResyncRequest, response=ResyncJob
)

METHODS: tuple[RpcMethod[Payload, Payload], ...] = (SWEEP, START_RESYNC, CANCEL_RESYNC)  # type: ignore[assignment]
