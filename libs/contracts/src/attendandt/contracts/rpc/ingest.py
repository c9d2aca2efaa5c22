"""Request-reply contracts of mews-ingest (`rpc.v1.ingest.<method>`).

`sweep` is answered for the caller in the `Attendandt-Caller` header (`contracts.caller`): an
enterprise the caller may not act for is "not found", and it needs `RESYNC`.
"""

from datetime import datetime

from attendandt.contracts.base import Payload, RpcMethod

#: The permission (in `Caller.permissions`) to sweep on demand; the gateway's table grants it.
RESYNC = "sync:resync"


class SweepRequest(Payload, frozen=True, kw_only=True):
    """Sweep one enterprise now: every entity (or those named) changed since `since`
    (default: each entity's checkpoint minus the overlap)."""

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


SWEEP = RpcMethod(service="ingest", method="sweep", request=SweepRequest, response=SweepResponse)

METHODS: tuple[RpcMethod[Payload, Payload], ...] = (SWEEP,)  # type: ignore[assignment]
