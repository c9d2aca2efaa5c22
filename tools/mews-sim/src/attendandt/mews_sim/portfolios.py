"""A portfolio connects: several properties reached with one Portfolio Access Token.

Mews gives a portfolio one integration on the portfolio's own enterprise; its token opens
every property in the portfolio (`TokenPair.scope`) and is one rate budget. The partner hears
of it in one `IntegrationCreated` naming the portfolio's enterprise; the integration is then
enabled, disabled, rotated... like any other (see `integrations`).

A property may join a portfolio later, or leave it (`join_portfolio`, `leave_portfolio`):
Mews tells the partner nothing; its token opens the new set at once (`enterprises/getAll`
lists it, a joined property's `LinkedUtc` the moment it joined), and a property that left is
refused (403) and no longer in its webhooks or sockets.
"""

from __future__ import annotations

from typing import Any

from attendandt.mews_sim import clock, integrations
from attendandt.mews_sim.errors import NotFound, invalid
from attendandt.mews_sim.seed.connected import PortfolioLink, add_connected_property
from attendandt.mews_sim.seed.portfolio import add_portfolio
from attendandt.mews_sim.state import SimState
from attendandt.mews_sim.store import EnterpriseInfo

Json = dict[str, Any]


def connect_portfolio(
    state: SimState, *, name: str | None, properties: int, rooms: int, is_enabled: bool
) -> Json:
    store = state.store
    portfolio = add_portfolio(store, name=name, properties=properties, rooms=rooms, now=clock.now())
    integration = store.integrations[portfolio.integration_id]
    # A portfolio's integration is not tied to one service: Service is left out (optional).
    token = integrations.announce_created(
        state, integration, portfolio.spec, service=None, is_enabled=is_enabled
    )
    return {
        **integrations.created_answer(store, integration, portfolio.spec, token),
        "chain_id": portfolio.chain_id,
        "enterprise_ids": [p.spec.id for p in portfolio.properties],
        "service_ids": {p.spec.id: p.service_id for p in portfolio.properties},
    }


def join_portfolio(state: SimState, integration_id: str, *, name: str | None, rooms: int) -> Json:
    """A new property (a small seeded hotel, in the portfolio's chain) joins the portfolio of
    `integration_id`: every token of it opens the property from now on."""
    store = state.store
    integration = integrations.find(store, integration_id)
    portfolio = _portfolio_info(state, integration.enterprise_id)
    chain_name = store.enterprises.items[portfolio.id].get("ChainName") or portfolio.name
    link = PortfolioLink(portfolio.chain_id, chain_name, integration.id)
    member = add_connected_property(store, name=name, rooms=rooms, now=clock.now(), portfolio=link)
    store.enterprises.items[member.spec.id]["LinkedUtc"] = clock.now_str()
    _set_scope(state, integration.id, (*_scope(state, integration.id), member.spec.id))
    return {
        "enterprise_id": member.spec.id,
        "enterprise_name": member.spec.name,
        "service_id": member.service_id,
        "enterprise_ids": list(_scope(state, integration.id)),
    }


def leave_portfolio(state: SimState, integration_id: str, enterprise_id: str) -> Json:
    """`enterprise_id` leaves the portfolio of `integration_id`: its tokens no longer open it,
    and its changes reach the partner no more (no webhook names the portfolio's integration)."""
    store = state.store
    integration = integrations.find(store, integration_id)
    _portfolio_info(state, integration.enterprise_id)
    scope = _scope(state, integration.id)
    if enterprise_id not in scope:
        raise invalid("enterprise_id", "Not a property of this portfolio.")
    _set_scope(state, integration.id, tuple(e for e in scope if e != enterprise_id))
    # Its General Webhooks go to an integration the partner does not have.
    store.info[enterprise_id].integration_id = ""
    return {"enterprise_ids": list(_scope(state, integration.id))}


def _portfolio_info(state: SimState, enterprise_id: str) -> EnterpriseInfo:
    info = state.store.info.get(enterprise_id)
    if info is None or not info.is_portfolio:
        raise NotFound("Not a portfolio's integration.")
    return info


def _scope(state: SimState, integration_id: str) -> tuple[str, ...]:
    [token] = state.store.live_tokens(integration_id)
    return token.scope


def _set_scope(state: SimState, integration_id: str, scope: tuple[str, ...]) -> None:
    """Every token of the integration (one rotated out but still in its grace too) and every
    socket open with one now open `scope`."""
    for token in state.store.tokens.values():
        if token.integration_id == integration_id:
            token.scope = scope
    for connection in state.ws.connections.values():
        if connection.integration_id == integration_id:
            connection.enterprise_ids = scope
