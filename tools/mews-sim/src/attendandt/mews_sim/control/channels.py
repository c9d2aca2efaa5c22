"""The push channels: open WebSockets, and webhook delivery settings and failures."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from litestar import Request, get, post

from attendandt.mews_sim.control.common import Json, body_of, state_of
from attendandt.mews_sim.errors import invalid


@get("/ws")
async def ws_info(request: Request[Any, Any, Any]) -> Json:
    return {"connections": len(state_of(request).ws.connections)}


@post("/ws/drop", status_code=200)
async def ws_drop(request: Request[Any, Any, Any]) -> Json:
    p = await body_of(request)
    code = p.opt_int("code", low=1000, high=4999) or 1011
    return {"closed": state_of(request).ws.drop_all(code)}


@get("/webhooks")
async def webhooks(request: Request[Any, Any, Any]) -> Json:
    state = state_of(request)
    return {**state.webhooks.describe(), "recent": list(state.webhooks.recent)}


@post("/webhooks/config", status_code=200)
async def webhooks_config(request: Request[Any, Any, Any]) -> Json:
    state = state_of(request)
    p = await body_of(request)
    config = state.webhooks.config
    changes: dict[str, Any] = {}
    for name in ("url", "secret", "secret_param"):
        if name in p.body:
            changes[name] = p.opt_str(name, max_len=2000)
    for name in ("timeout_s", "retry_delay_s", "batch_delay_s"):
        if name in p.body:
            value = p.body[name]
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not 0 <= value <= 3600
            ):
                raise invalid(name)
            changes[name] = float(value)
    for name in ("max_attempts", "max_events"):
        if name in p.body:
            changes[name] = p.opt_int(name, low=1, high=100000)
    state.webhooks.config = replace(config, **changes)
    # Keep the setting across resets: a test suite configures its receiver once.
    state.settings.webhooks = state.webhooks.config
    return state.webhooks.describe()


@post("/webhooks/fail", status_code=200)
async def webhooks_fail(request: Request[Any, Any, Any]) -> Json:
    p = await body_of(request)
    state = state_of(request)
    state.webhooks.faults.fail_next = p.opt_int("count", low=0, high=1_000_000) or 0
    return state.webhooks.describe()


@post("/webhooks/down", status_code=200)
async def webhooks_down(request: Request[Any, Any, Any]) -> Json:
    p = await body_of(request)
    state = state_of(request)
    state.webhooks.faults.target_down = p.opt_bool("down") is not False
    return state.webhooks.describe()
