"""Bursts of changes: many entities touched at once, each with its events."""

from __future__ import annotations

from typing import Any

from litestar import Request, post

from attendandt.mews_sim import hotel
from attendandt.mews_sim.control.common import Json, body_of, enterprise_of, state_of

TOUCHABLE = {"reservations": "reservation", "customers": "customer", "resources": "resource"}


@post("/bulk/touch", status_code=200)
async def bulk_touch(request: Request[Any, Any, Any]) -> Json:
    """Change N entities at once (a burst): each gets a new UpdatedUtc and its events."""
    state = state_of(request)
    store = state.store
    p = await body_of(request)
    entity = p.opt_enum("entity", frozenset(TOUCHABLE)) or "reservations"
    count = p.opt_int("count", low=1, high=1_000_000) or 1
    enterprise_id = enterprise_of(state, p)
    owner = store.info[enterprise_id].chain_id if entity == "customers" else enterprise_id
    collection = getattr(store, entity)
    touched: list[str] = []
    for item in collection.of([owner]):
        if len(touched) >= count:
            break
        hotel.touch(item)
        if entity == "customers":
            hotel.customer_changed(store, item)
        elif entity == "reservations":
            hotel.reservation_changed(store, item)
        else:
            hotel.resource_changed(store, item)
        touched.append(item["Id"])
    return {"ids": touched}
