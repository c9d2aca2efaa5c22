"""Staff actions on accounts: add, update and delete customers; edit companies."""

from __future__ import annotations

from typing import Any

from litestar import Request, post

from attendandt.mews_sim import hotel, shapes
from attendandt.mews_sim.control.common import Json, body_of, enterprise_of, find, state_of
from attendandt.mews_sim.endpoints.customers import read_customer_values


@post("/customers", status_code=200)
async def customer_add(request: Request[Any, Any, Any]) -> Json:
    state = state_of(request)
    p = await body_of(request)
    chain = state.store.info[enterprise_of(state, p)].chain_id
    values = read_customer_values(state.store, chain, p, update=False)
    return hotel.add_customer(
        state.store, chain, values, overwrite_existing=False, creator=shapes.STAFF_PROFILE_ID
    )


@post("/customers/{customer_id:str}/update", status_code=200)
async def customer_update(request: Request[Any, Any, Any], customer_id: str) -> Json:
    state = state_of(request)
    customer = find(state, "customers", customer_id)
    p = await body_of(request)
    chain = state.store.customers.owner[customer["Id"]]
    values = read_customer_values(state.store, chain, p, update=True)
    return hotel.update_customer(state.store, customer, values, updater=shapes.STAFF_PROFILE_ID)


@post("/customers/{customer_id:str}/delete", status_code=200)
async def customer_delete(request: Request[Any, Any, Any], customer_id: str) -> Json:
    """Hotel staff delete a customer profile in Mews: it stays, no longer active (its
    `UpdatedUtc` is when, which `DeletedUtc` filters by), and the usual change follows."""
    state = state_of(request)
    customer = find(state, "customers", customer_id)
    customer["IsActive"] = False
    customer["ActivityState"] = "Deleted"
    hotel.touch(customer)
    hotel.customer_changed(state.store, customer)
    return customer


@post("/companies/{company_id:str}/update", status_code=200)
async def company_update(request: Request[Any, Any, Any], company_id: str) -> Json:
    """A staff edit of a company in Mews: a new UpdatedUtc and no event (Mews sends none
    for companies; sweeps find the change)."""
    state = state_of(request)
    company = find(state, "companies", company_id)
    p = await body_of(request)
    name = p.opt_str("Name", max_len=255)
    if name:
        company["Name"] = name
    active = p.opt_bool("IsActive")
    if active is not None:
        company["IsActive"] = active
    hotel.touch(company)
    return company
