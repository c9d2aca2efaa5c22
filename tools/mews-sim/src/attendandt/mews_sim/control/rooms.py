"""Staff actions on rooms: housekeeping states."""

from __future__ import annotations

from typing import Any

from litestar import Request, post

from attendandt.mews_sim import hotel
from attendandt.mews_sim.control.common import Json, body_of, find, state_of
from attendandt.mews_sim.errors import invalid


@post("/resources/{resource_id:str}/state", status_code=200)
async def resource_state(request: Request[Any, Any, Any], resource_id: str) -> Json:
    state = state_of(request)
    resource = find(state, "resources", resource_id)
    p = await body_of(request)
    new_state = p.opt_enum("state", hotel.RESOURCE_STATES)
    if new_state is None:
        raise invalid("state", "The value is required.")
    hotel.set_resource_state(state.store, resource, new_state)
    return resource
