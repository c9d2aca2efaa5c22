"""Request-reply for the gateway on `rpc.v1.guests.<method>` (core NATS, queue group
`guests`, so replicas share the calls). Decoding and error statuses are `platform.rpc.answer`'s;
the answers are the service's. No SQL here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from faststream.nats import NatsBroker, NatsMessage, NatsResponse

from attendandt.contracts.base import Payload, RpcMethod
from attendandt.contracts.rpc.guests import (
    ARRIVALS,
    DEPARTURES,
    GET_GUEST,
    GET_STAY,
    IN_HOUSE,
    MEWS_VERSIONS,
    SEARCH,
)
from attendandt.guests.service import GuestsService
from attendandt.guests.settings import SERVICE
from attendandt.platform.rpc import answer


def register_rpc(broker: NatsBroker, service: GuestsService, *, workers: int = 16) -> None:
    handlers: list[tuple[RpcMethod[Any, Any], Callable[[Any], Awaitable[Payload]]]] = [
        (SEARCH, service.search),
        (GET_GUEST, service.get_guest),
        (GET_STAY, service.get_stay),
        (MEWS_VERSIONS, service.mews_versions),
        (ARRIVALS, service.arrivals),
        (DEPARTURES, service.departures),
        (IN_HOUSE, service.in_house),
    ]
    for method, handler in handlers:
        _register(broker, method, handler, workers)


def _register(
    broker: NatsBroker,
    method: RpcMethod[Any, Any],
    handler: Callable[[Any], Awaitable[Payload]],
    workers: int,
) -> None:
    # max_workers > 1: calls are answered concurrently, not one after another per subject.
    @broker.subscriber(method.subject, queue=SERVICE, max_workers=workers)
    async def on_call(msg: NatsMessage) -> NatsResponse:
        body, headers = await answer(method, msg.raw_message.data, handler)
        return NatsResponse(body=body, headers=headers)
