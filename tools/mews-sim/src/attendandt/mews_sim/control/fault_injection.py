"""Injected faults on the Connector API: errors, latency, lost responses."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from litestar import Request, get, post

from attendandt.mews_sim.control.common import Json, body_of, state_of
from attendandt.mews_sim.errors import invalid
from attendandt.mews_sim.faults import ErrorFault, LatencyFault, LostResponseFault


@get("/faults")
async def faults(request: Request[Any, Any, Any]) -> Json:
    return state_of(request).faults.describe()


#: Refusals a test may inject, with the message Mews would give.
INJECTABLE_REFUSALS = {
    401: "The operation is not permitted for this integration.",
    403: "The operation is not allowed by the property's settings.",
}


@post("/faults/errors", status_code=200)
async def fault_errors(request: Request[Any, Any, Any]) -> Json:
    p = await body_of(request)
    # A server error, or a 429 without Retry-After (Mews may leave it out): a test that must
    # meet a rate limit gets one for sure, whatever the timing. A 401 or 403 is how Mews
    # refuses an operation the integration was not granted (a Restricted one) or a rule of
    # the property forbids.
    status = p.opt_int("status", low=401, high=599) or 500
    if status not in INJECTABLE_REFUSALS and status != 429 and status < 500:
        raise invalid("status", "An injected error is 401, 403, 429 or 5xx.")
    fault = ErrorFault(
        status=status,
        remaining=p.opt_int("count", low=1, high=1_000_000) or 1,
        path=p.opt_str("path", max_len=200),
        message=p.opt_str("message", max_len=500)
        or INJECTABLE_REFUSALS.get(status, "Injected server error."),
    )
    state_of(request).faults.errors.append(fault)
    return asdict(fault)


@post("/faults/latency", status_code=200)
async def fault_latency(request: Request[Any, Any, Any]) -> Json:
    p = await body_of(request)
    seconds = p.body.get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not 0 < seconds <= 600:
        raise invalid("seconds")
    fault = LatencyFault(float(seconds), p.opt_int("count", low=1), p.opt_str("path", max_len=200))
    state_of(request).faults.latency.append(fault)
    return asdict(fault)


@post("/faults/lost-response", status_code=200)
async def fault_lost(request: Request[Any, Any, Any]) -> Json:
    p = await body_of(request)
    mode = p.opt_enum("mode", frozenset({"hold", "drop"})) or "hold"
    hold = p.body.get("hold_s", 30.0)
    if isinstance(hold, bool) or not isinstance(hold, int | float) or not 0 <= hold <= 3600:
        raise invalid("hold_s")
    fault = LostResponseFault(
        remaining=p.opt_int("count", low=1) or 1,
        path=p.opt_str("path", max_len=200),
        mode="drop" if mode == "drop" else "hold",
        hold_s=float(hold),
    )
    state_of(request).faults.lost.append(fault)
    return asdict(fault)


@post("/faults/clear", status_code=200)
async def faults_clear(request: Request[Any, Any, Any]) -> Json:
    state = state_of(request)
    state.faults.clear()
    state.webhooks.faults.fail_next = 0
    state.webhooks.faults.target_down = False
    return {}
