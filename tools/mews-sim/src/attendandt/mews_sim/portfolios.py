"""A portfolio connects: several properties reached with one Portfolio Access Token.

Mews gives a portfolio one integration on the portfolio's own enterprise; its token opens
every property in the portfolio (`TokenPair.scope`) and is one rate budget. The partner hears
of it in one `IntegrationCreated` naming the portfolio's enterprise; the integration is then
enabled, disabled, rotated... like any other (see `integrations`).
"""

from __future__ import annotations

from typing import Any

from attendandt.mews_sim import clock, integrations
from attendandt.mews_sim.seed.portfolio import add_portfolio
from attendandt.mews_sim.state import SimState

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
