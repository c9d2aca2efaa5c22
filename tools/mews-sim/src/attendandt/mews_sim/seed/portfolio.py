"""A portfolio that connects while the simulator runs (Portfolio Access Token): small hotels
seeded as connected properties, all in one new chain, plus the portfolio's own enterprise
(`IsPortfolio`, no hotel data) that holds the one integration and its one token."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from attendandt.mews_sim.seed import enterprises
from attendandt.mews_sim.seed.connected import (
    ConnectedProperty,
    PortfolioLink,
    add_connected_property,
    new_access_token,
)
from attendandt.mews_sim.seed.specs import EnterpriseSpec, connected_spec
from attendandt.mews_sim.store import Store


@dataclass(frozen=True)
class SeededPortfolio:
    spec: EnterpriseSpec
    integration_id: str
    chain_id: str
    properties: tuple[ConnectedProperty, ...]


def add_portfolio(
    store: Store, *, name: str | None, properties: int, rooms: int, now: datetime
) -> SeededPortfolio:
    index = len(store.info)
    chain_id = str(uuid.uuid4())
    name = name or f"Connected Portfolio {index + 1} (SIM)"
    spec = replace(
        connected_spec(str(uuid.uuid4()), name, index, new_access_token()),
        chain_id=chain_id,
        is_portfolio=True,
    )
    enterprises.add_enterprise(store, spec, index)
    integration_id = store.info[spec.id].integration_id
    link = PortfolioLink(chain_id, name, integration_id)
    members = tuple(
        add_connected_property(store, name=None, rooms=rooms, now=now, portfolio=link)
        for _ in range(properties)
    )
    [token] = store.live_tokens(integration_id)
    token.scope = tuple(member.spec.id for member in members)
    return SeededPortfolio(spec, integration_id, chain_id, members)
