"""What every control route shares: reading the body, the simulator, finding entities."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request

from attendandt.mews_sim.errors import BadRequest, NotFound, invalid
from attendandt.mews_sim.params import Params
from attendandt.mews_sim.state import SimState
from attendandt.mews_sim.store import Entity

Json = dict[str, Any]


async def body_of(request: Request[Any, Any, Any]) -> Params:
    raw = await request.body()
    if not raw.strip():
        return Params({})
    try:
        data = msgspec.json.decode(raw)
    except (msgspec.DecodeError, RecursionError, ValueError):
        raise BadRequest("Invalid JSON.") from None
    if not isinstance(data, dict):
        raise BadRequest("Invalid JSON. The request body must be an object.")
    return Params(data)


def state_of(request: Request[Any, Any, Any]) -> SimState:
    state: SimState = request.app.state.sim
    return state


def enterprise_of(state: SimState, p: Params) -> str:
    wanted = p.opt_id("enterprise_id")
    if wanted is None:
        return next(iter(state.store.info))
    info = state.store.info.get(wanted)
    if info is None:
        raise invalid("enterprise_id", "Unknown enterprise.")
    if info.is_portfolio:
        raise invalid(
            "enterprise_id", "A portfolio's own enterprise has no hotel; name a property."
        )
    return wanted


def find(state: SimState, collection: str, entity_id: str) -> Entity:
    entity = getattr(state.store, collection).get(entity_id.lower())
    if entity is None:
        raise NotFound(f"No {collection[:-1]} {entity_id[:60]}.")
    return entity  # type: ignore[no-any-return]
