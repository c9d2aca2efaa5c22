"""The simulator itself: health, what it holds, reset, the clock, counters, rate limit."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, get, post

from attendandt.mews_sim import clock, seed
from attendandt.mews_sim.control.common import Json, body_of, state_of
from attendandt.mews_sim.errors import invalid
from attendandt.mews_sim.limits import RateLimitConfig
from attendandt.mews_sim.state import SimState


def info(state: SimState) -> Json:
    enterprises = []
    for enterprise in state.store.info.values():
        tokens = [
            {
                "label": i.label,
                "name": i.name,
                "client_token": i.client_token,
                "access_token": i.access_token,
            }
            for i in state.store.tokens.values()
            # A rotated-out token is gone from the listing (a handle's first token works).
            if i.enterprise_id == enterprise.id and i.expires_at is None
        ]
        short_name = state.store.enterprises.items[enterprise.id]["ShortName"]
        enterprises.append(
            {
                "id": enterprise.id,
                "name": enterprise.name,
                "short_name": short_name,
                "local_date": clock.now()
                .astimezone(ZoneInfo(enterprise.time_zone))
                .date()
                .isoformat(),
                "chain_id": enterprise.chain_id,
                "pricing": enterprise.pricing,
                "currency": enterprise.currency,
                "time_zone": enterprise.time_zone,
                "integration_id": enterprise.integration_id,
                "integration_state": state.store.integrations[enterprise.integration_id].state,
                "is_portfolio": enterprise.is_portfolio,
                "tokens": tokens,
            }
        )
    return {
        "enterprises": enterprises,
        "seed": asdict(state.seed_config),
        "rate_limit": asdict(state.limiter.config),
        "webhooks": state.webhooks.describe(),
        "now_utc": clock.now_str(),
        "clock": clock.describe(),
    }


@get("/health")
async def health() -> Json:
    return {"ok": True}


@get("/info")
async def get_info(request: Request[Any, Any, Any]) -> Json:
    return info(state_of(request))


@post("/reset", status_code=200)
async def reset(request: Request[Any, Any, Any]) -> Json:
    state = state_of(request)
    p = await body_of(request)
    seed_text = p.opt_str("seed", max_len=500)
    config = None
    if seed_text:
        try:
            config = seed.parse_seed(seed_text, state.seed_config)
        except ValueError as exc:
            raise invalid("seed", str(exc)) from None
    at = p.opt_datetime("now_utc")
    await state.reset(
        config, now=clock.parse(at) if at else None, frozen=p.opt_bool("frozen") or False
    )
    return info(state)


@get("/clock")
async def clock_get() -> Json:
    return clock.describe()


@post("/clock", status_code=200)
async def clock_set(request: Request[Any, Any, Any]) -> Json:
    """Move the clock on (to `now_utc`, or by `advance_s`), ticking or `frozen`; never back:
    the hotel's data would then lie in the future (reset with `now_utc` for that)."""
    p = await body_of(request)
    at = p.opt_datetime("now_utc")
    advance = p.body.get("advance_s")
    if advance is not None and (
        isinstance(advance, bool) or not isinstance(advance, int | float) or advance < 0
    ):
        raise invalid("advance_s")
    current = clock.now()
    target = clock.parse(at) if at else current + timedelta(seconds=float(advance or 0))
    if target < current:
        raise invalid("now_utc", "The clock only moves forward; reset to go back.")
    frozen = p.opt_bool("frozen")
    clock.set_now(target, frozen=clock.is_frozen() if frozen is None else frozen)
    return clock.describe()


@get("/counters")
async def counters(request: Request[Any, Any, Any]) -> Json:
    return state_of(request).counters.to_json()


@post("/counters/reset", status_code=200)
async def counters_reset(request: Request[Any, Any, Any]) -> Json:
    state_of(request).counters.reset()
    return {}


@post("/rate-limit", status_code=200)
async def rate_limit(request: Request[Any, Any, Any]) -> Json:
    state = state_of(request)
    p = await body_of(request)
    current = state.limiter.config
    window = p.body.get("window_s", current.window_s)
    if isinstance(window, bool) or not isinstance(window, int | float) or window <= 0:
        raise invalid("window_s")
    config = RateLimitConfig(
        enabled=p.opt_bool("enabled") if p.has("enabled") else current.enabled,  # type: ignore[arg-type]
        limit=p.opt_int("limit", low=1, high=1_000_000) or current.limit,
        window_s=float(window),
        retry_after=p.opt_bool("retry_after") if p.has("retry_after") else current.retry_after,  # type: ignore[arg-type]
    )
    state.limiter.reset(config)
    return asdict(config)
