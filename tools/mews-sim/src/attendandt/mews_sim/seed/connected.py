"""A property that connects to the partner while the simulator runs (Integration Webhooks):
a small hotel seeded like the others, under a fresh random id and access token."""

from __future__ import annotations

import random
import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from attendandt.mews_sim.seed import enterprises
from attendandt.mews_sim.seed.builder import seed_enterprise
from attendandt.mews_sim.seed.specs import EnterpriseSpec, connected_spec
from attendandt.mews_sim.store import Store

#: Fewer rooms would leave a room category empty (each hotel has four).
MIN_ROOMS = 4


@dataclass(frozen=True)
class ConnectedProperty:
    spec: EnterpriseSpec
    #: The Accommodation service, the one the integration is connected to.
    service_id: str


@dataclass(frozen=True)
class PortfolioLink:
    """The portfolio a property joins instead of connecting on its own: its chain, and the
    integration (with the one token) that reaches it."""

    chain_id: str
    chain_name: str
    integration_id: str


def new_access_token() -> str:
    """A random token shaped like Mews's (32 and 31 upper-case hex digits)."""
    return f"{secrets.token_hex(16).upper()}-{secrets.token_hex(16).upper()[:31]}"


def add_connected_property(
    store: Store,
    *,
    name: str | None,
    rooms: int,
    now: datetime,
    portfolio: PortfolioLink | None = None,
) -> ConnectedProperty:
    index = len(store.info)
    enterprise_id = str(uuid.uuid4())
    spec = connected_spec(
        enterprise_id, name or f"Connected Hotel {index + 1} (SIM)", index, new_access_token()
    )
    if portfolio is not None:
        spec = replace(
            spec, chain_id=portfolio.chain_id, chain_name=portfolio.chain_name, access_tokens=()
        )
    enterprises.add_enterprise(
        store, spec, index, integration_id=portfolio.integration_id if portfolio else None
    )
    # Seeded from its random id rather than the seed: each connected property has ids of its
    # own, so services that keep data across simulator resets never meet one twice.
    rng = random.Random(enterprise_id)  # noqa: S311 - test data, not security
    share = {"rooms": max(rooms, MIN_ROOMS), "customers": 12, "reservations": 20, "companies": 1}
    sold = seed_enterprise(store, spec, rng, now.astimezone(UTC).replace(microsecond=0), share)
    return ConnectedProperty(spec, sold.accommodation)
