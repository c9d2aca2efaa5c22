"""Request-reply between the gateway and the domain services over core NATS.

Server side (`rpc_server.RpcServer`, which `Runtime.answer` uses):

    body, headers = await answer(GET_GUEST, msg.data, service.get_guest)

decodes the request (bad input → 400), runs the use case, and maps the service layer's
exceptions to statuses (NotFound 404, Invalid 422, Conflict 409, Forbidden 403; anything
else 500, logged, without internals in the reply). `answer_for_caller` does the same for a
call made on behalf of a user, with the caller from its header. Client side, `call()`
returns the typed response or raises RpcFailure carrying the status, or RpcTimeout when
nobody answered.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import msgspec
from nats.aio.client import Client as NatsClient
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeoutError

from attendandt.contracts.base import Payload, RpcError, RpcMethod, decode, encode
from attendandt.contracts.caller import CALLER_HEADER, Caller, decode_caller, encode_caller
from attendandt.platform.messaging import message_headers
from attendandt.platform.telemetry import producer_span

log = logging.getLogger(__name__)

STATUS_HEADER = "Attendandt-Rpc-Status"

Req = TypeVar("Req", bound=Payload)
Resp = TypeVar("Resp", bound=Payload)


class ServiceError(Exception):
    status = 500
    title = "Internal error"


class NotFound(ServiceError):
    status = 404
    title = "Not found"


class Invalid(ServiceError):
    status = 422
    title = "Invalid request"


class Conflict(ServiceError):
    status = 409
    title = "Conflict"


class Forbidden(ServiceError):
    status = 403
    title = "Forbidden"


class RpcFailure(Exception):
    def __init__(self, error: RpcError) -> None:
        super().__init__(f"{error.status} {error.title}: {error.detail or ''}")
        self.error = error


class RpcTimeout(Exception):
    """Nobody answered in time (service slow or absent)."""

    def __init__(self, subject: str, *, no_responders: bool) -> None:
        reason = "no service is listening" if no_responders else "no answer in time"
        super().__init__(f"{subject}: {reason}")
        self.no_responders = no_responders


async def answer(
    method: RpcMethod[Req, Resp],
    data: bytes,
    handler: Callable[[Req], Awaitable[Resp]],
) -> tuple[bytes, dict[str, str]]:
    """Run one call; returns the reply body and headers (status 200 or the error's)."""
    try:
        request = decode(data, method.request)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        return _error(RpcError(status=400, title="Bad request", detail=str(exc)))
    try:
        response = await handler(request)
    except ServiceError as exc:
        return _error(RpcError(status=exc.status, title=exc.title, detail=str(exc) or None))
    except Exception:
        log.exception("rpc %s failed", method.subject)
        return _error(RpcError(status=500, title="Internal error", detail=None))
    return encode(response), {STATUS_HEADER: "200"}


async def answer_for_caller(
    method: RpcMethod[Req, Resp],
    data: bytes,
    headers: dict[str, str] | None,
    handler: Callable[[Req, Caller], Awaitable[Resp]],
) -> tuple[bytes, dict[str, str]]:
    """Like `answer`, for a call made on behalf of a user: the caller comes from the
    `Attendandt-Caller` header the gateway set, never from the body; a call without a
    valid one is refused (401) before the use case runs."""
    raw = (headers or {}).get(CALLER_HEADER)
    if raw is None:
        return _error(RpcError(status=401, title="No caller", detail="the call names no caller"))
    try:
        caller = decode_caller(raw)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return _error(RpcError(status=401, title="No caller", detail="the caller is not valid"))

    async def with_caller(request: Req) -> Resp:
        return await handler(request, caller)

    return await answer(method, data, with_caller)


def _error(error: RpcError) -> tuple[bytes, dict[str, str]]:
    return encode(error), {STATUS_HEADER: str(error.status)}


async def call(
    nc: NatsClient,
    method: RpcMethod[Req, Resp],
    request: Req,
    *,
    timeout: float = 2.0,
    correlation_id: str | None = None,
    caller: Caller | None = None,
) -> Resp:
    headers = message_headers(request, msg_id=None, correlation_id=correlation_id)
    if caller is not None:
        headers[CALLER_HEADER] = encode_caller(caller)
    with producer_span(method.subject):
        try:
            reply = await nc.request(
                method.subject, encode(request), timeout=timeout, headers=headers
            )
        except NoRespondersError as exc:
            raise RpcTimeout(method.subject, no_responders=True) from exc
        except NatsTimeoutError as exc:
            raise RpcTimeout(method.subject, no_responders=False) from exc
    status = (reply.headers or {}).get(STATUS_HEADER, "200")
    if status != "200":
        raise RpcFailure(decode(reply.data, RpcError))
    return decode(reply.data, method.response)
