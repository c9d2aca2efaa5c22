"""The property's side of integrations (Integration Webhooks): connect a new property or a
portfolio, enable, disable, cancel, reinstate or delete an integration, regenerate its access
token, list them."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post

from attendandt.mews_sim import integrations, portfolios
from attendandt.mews_sim.control.common import Json, body_of, state_of
from attendandt.mews_sim.errors import invalid
from attendandt.mews_sim.seed.connected import MIN_ROOMS

DEFAULT_ROOMS = 6
DEFAULT_PROPERTIES = 3
MAX_PROPERTIES = 50
MAX_GRACE_S = 86400.0


@get("/integrations")
async def integration_list(request: Request[Any, Any, Any]) -> Json:
    store = state_of(request).store
    return {"integrations": [integrations.describe(store, i) for i in store.integrations.values()]}


@post("/integrations/connect", status_code=200)
async def integration_connect(request: Request[Any, Any, Any]) -> Json:
    """A new property (a small seeded hotel) connects: `IntegrationCreated` is sent."""
    p = await body_of(request)
    rooms = p.opt_int("rooms", low=MIN_ROOMS, high=200)
    is_enabled = p.opt_bool("is_enabled")
    return integrations.connect(
        state_of(request),
        name=p.opt_str("name", max_len=200) or None,
        rooms=DEFAULT_ROOMS if rooms is None else rooms,
        is_enabled=True if is_enabled is None else is_enabled,
    )


@post("/integrations/connect-portfolio", status_code=200)
async def integration_connect_portfolio(request: Request[Any, Any, Any]) -> Json:
    """A new portfolio (`properties` small seeded hotels in one chain) connects with one
    Portfolio Access Token: `IntegrationCreated` names the portfolio's own enterprise."""
    p = await body_of(request)
    properties = p.opt_int("properties", low=1, high=MAX_PROPERTIES)
    rooms = p.opt_int("rooms", low=MIN_ROOMS, high=200)
    is_enabled = p.opt_bool("is_enabled")
    return portfolios.connect_portfolio(
        state_of(request),
        name=p.opt_str("name", max_len=200) or None,
        properties=DEFAULT_PROPERTIES if properties is None else properties,
        rooms=DEFAULT_ROOMS if rooms is None else rooms,
        is_enabled=True if is_enabled is None else is_enabled,
    )


@post("/integrations/{integration_id:str}/portfolio/join", status_code=200)
async def integration_portfolio_join(request: Request[Any, Any, Any], integration_id: str) -> Json:
    """A new property (a small seeded hotel) joins the portfolio; Mews sends no webhook."""
    p = await body_of(request)
    rooms = p.opt_int("rooms", low=MIN_ROOMS, high=200)
    return portfolios.join_portfolio(
        state_of(request),
        integration_id,
        name=p.opt_str("name", max_len=200) or None,
        rooms=DEFAULT_ROOMS if rooms is None else rooms,
    )


@post("/integrations/{integration_id:str}/portfolio/leave", status_code=200)
async def integration_portfolio_leave(request: Request[Any, Any, Any], integration_id: str) -> Json:
    """`enterprise_id` leaves the portfolio; Mews sends no webhook."""
    p = await body_of(request)
    enterprise_id = p.opt_str("enterprise_id", max_len=100)
    if not enterprise_id:
        raise invalid("enterprise_id", "The property that leaves.")
    return portfolios.leave_portfolio(state_of(request), integration_id, enterprise_id.lower())


@post("/integrations/{integration_id:str}/{action:str}", status_code=200)
async def integration_action(
    request: Request[Any, Any, Any], integration_id: str, action: str
) -> Json:
    """`enable`, `disable`, `cancel`, `reinstate`, `delete`, or `rotate-api-key` (body:
    `old_token_grace_s`, default 0: the old token is refused at once)."""
    state = state_of(request)
    if action != "rotate-api-key":
        integration = integrations.act(state, integration_id, action)
        return integrations.describe(state.store, integration)
    p = await body_of(request)
    grace = p.body.get("old_token_grace_s", 0)
    if (
        isinstance(grace, bool)
        or not isinstance(grace, int | float)
        or not 0 <= grace <= MAX_GRACE_S
    ):
        raise invalid("old_token_grace_s", f"Seconds, 0 to {MAX_GRACE_S:g}.")
    token = integrations.rotate_api_key(state, integration_id, old_token_grace_s=float(grace))
    integration = integrations.find(state.store, integration_id)
    return {
        **integrations.describe(state.store, integration),
        "access_token": token.access_token,
        "client_token": token.client_token,
    }
