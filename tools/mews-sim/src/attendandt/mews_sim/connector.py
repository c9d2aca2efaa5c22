"""The Connector API pipeline: route, faults, JSON, auth, rate limit, operation, answer."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

import msgspec

from attendandt.mews_sim import integrations
from attendandt.mews_sim.counters import UNKNOWN, token_hint
from attendandt.mews_sim.endpoints import OPERATIONS, Ctx
from attendandt.mews_sim.errors import (
    ApiError,
    BadRequest,
    InjectedFault,
    NotFound,
    TooManyRequests,
    Unauthorized,
)
from attendandt.mews_sim.params import Params
from attendandt.mews_sim.state import SimState
from attendandt.mews_sim.store import TokenPair

PREFIX = "/api/connector/v1/"
log = logging.getLogger("attendandt.mews_sim.connector")


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    drop_connection: bool = False


def error_body(message: str, request_id: str) -> bytes:
    return msgspec.json.encode({"Message": message, "RequestId": request_id})


def authenticate(state: SimState, body: dict[str, Any]) -> TokenPair:
    client_token = body.get("ClientToken")
    access_token = body.get("AccessToken")
    if not isinstance(client_token, str) or not client_token:
        raise Unauthorized("Invalid ClientToken.")
    if not isinstance(access_token, str) or not access_token:
        raise Unauthorized(integrations.INVALID_TOKEN)
    token = state.store.tokens.get(access_token)
    if token is None:
        raise Unauthorized(integrations.INVALID_TOKEN)
    if token.client_token != client_token:
        raise Unauthorized("Invalid ClientToken.")
    refused = integrations.refusal(state.store, token)
    if refused is not None:
        raise Unauthorized(refused)
    return token


def _decode(raw_body: bytes) -> dict[str, Any] | str:
    """The body, or why it is refused (raised later, in the pipeline's order)."""
    try:
        body = msgspec.json.decode(raw_body)
    except (msgspec.DecodeError, RecursionError, ValueError):
        return "Invalid JSON."
    if not isinstance(body, dict):
        return "Invalid JSON. The request body must be an object."
    return body


def _count_caller(state: SimState, body: dict[str, Any] | str) -> str:
    """Count the request for the enterprise and token it carries, before anything can refuse
    it, so that a property whose integration is switched off is seen calling (or not)."""
    access_token = body.get("AccessToken") if isinstance(body, dict) else None
    token = state.store.tokens.get(access_token) if isinstance(access_token, str) else None
    enterprise_id = token.enterprise_id if token is not None else UNKNOWN
    state.counters.requests_by_enterprise[enterprise_id] += 1
    state.counters.requests_by_token_hint[token_hint(access_token)] += 1
    for target in _targets(token, body):
        state.counters.requests_by_scope[target] += 1
    return enterprise_id


def _targets(token: TokenPair | None, body: dict[str, Any] | str) -> list[str]:
    """The enterprises a request aims at, read leniently (the operation validates later)."""
    if token is None:
        return [UNKNOWN]
    if not token.is_portfolio or not isinstance(body, dict):
        return [token.enterprise_id]
    one, many = body.get("EnterpriseId"), body.get("EnterpriseIds")
    named = ([one] if isinstance(one, str) else []) + (many if isinstance(many, list) else [])
    known = {*token.scope, token.enterprise_id}
    # Ids outside the scope (refused later) count as unknown: made-up ids cannot grow the
    # counter without bound.
    targets = [n.lower() if isinstance(n, str) and n.lower() in known else UNKNOWN for n in named]
    return list(dict.fromkeys(targets)) or [token.enterprise_id]


async def _run(state: SimState, path: str, raw_body: bytes) -> bytes:
    """Everything up to the encoded answer; every refusal raises an ApiError."""
    counters = state.counters
    body = _decode(raw_body)
    enterprise_id = _count_caller(state, body)
    operation = OPERATIONS.get(path)
    if operation is None:
        counters.requests_by_path["(unknown)"] += 1
        raise NotFound(f"The operation '{path[:100]}' does not exist.")
    counters.requests_by_path[path] += 1
    delay = state.faults.delay_for(path)
    if delay > 0:
        await asyncio.sleep(delay)
    injected = state.faults.take_error(path)
    if injected is not None:
        counters.faults_injected += 1
        raise InjectedFault(injected.status, injected.message)
    if isinstance(body, str):
        raise BadRequest(body)
    try:
        token = authenticate(state, body)
    except Unauthorized:
        counters.unauthorized_by_enterprise[enterprise_id] += 1
        raise
    counters.requests_by_token[token.label] += 1
    wait = state.limiter.check(token.access_token)
    if wait is not None:
        counters.rate_limited += 1
        headers = (
            {"Retry-After": state.limiter.retry_after_header(wait)}
            if state.limiter.config.retry_after
            else {}
        )
        raise TooManyRequests("Too many requests. Please try again later.", headers=headers)
    client = body.get("Client")
    if not isinstance(client, str) or not client.strip():
        raise BadRequest("Invalid Client.")
    result = operation(Ctx(state.store, token), Params(body))
    payload = msgspec.json.encode(result)
    if path == "orders/add":
        counters.orders_created += 1
    elif path == "orderItems/cancel":
        counters.order_items_canceled += len({i.lower() for i in body["OrderItemIds"]})
    elif path == "customers/update":
        counters.customers_updated += 1
    return payload


async def handle(state: SimState, raw_path: str, raw_body: bytes, request_id: str) -> Answer:
    path = raw_path[len(PREFIX) :] if raw_path.startswith(PREFIX) else raw_path
    counters = state.counters
    try:
        payload = await _run(state, path, raw_body)
    except ApiError as error:
        counters.responses_by_status[error.status] += 1
        return Answer(error.status, error_body(error.message, request_id), dict(error.headers))
    except Exception:
        # A bug, not a client error: log it without the request body (it holds tokens).
        log.exception("unexpected failure in %s", path[:100])
        counters.responses_by_status[500] += 1
        return Answer(500, error_body("Internal server error.", request_id))
    counters.responses_by_status[200] += 1
    lost = state.faults.take_lost(path)
    if lost is not None:
        # The write above is committed; the client just never learns the outcome.
        counters.faults_injected += 1
        if lost.mode == "drop":
            return Answer(200, payload, drop_connection=True)
        await asyncio.sleep(lost.hold_s)
    return Answer(200, payload)
