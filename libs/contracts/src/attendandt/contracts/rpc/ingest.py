"""Request-reply contracts of mews-ingest (`rpc.v1.ingest.<method>`)."""

from datetime import datetime

from attendandt.contracts.base import Payload, RpcMethod


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
