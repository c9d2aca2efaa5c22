"""Building the hotels: every enterprise, then each one's data, step by step."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time

from attendandt.mews_sim import clock
from attendandt.mews_sim.seed import accounts, catalogue, doc_fixtures, enterprises, reservations
from attendandt.mews_sim.seed.config import SeedConfig
from attendandt.mews_sim.seed.context import HotelSeed
from attendandt.mews_sim.seed.ids import Ids
from attendandt.mews_sim.seed.rooms import add_rooms
from attendandt.mews_sim.seed.specs import GROSS_ENTERPRISE_ID, EnterpriseSpec, enterprise_specs
from attendandt.mews_sim.store import Store


def build(config: SeedConfig, now: datetime | None = None) -> Store:
    """The hotels as they stand at `now` (default: the anchor if set, else the clock)."""
    now = (now or config.anchor_time() or clock.now()).astimezone(UTC).replace(microsecond=0)
    store = Store()
    specs = enterprise_specs(config.enterprises)
    # The first (Gross) enterprise is the oldest: the documentation's enterprises/getAll
    # example pages from the second one as its cursor and expects the first.
    for index in range(len(specs)):
        enterprises.add_enterprise(store, specs[index], index)
    for index, spec in enumerate(specs):
        rng = random.Random(f"{config.random_seed}:{index}")  # noqa: S311 - deterministic test data, not security
        share = _share(config, index, len(specs))
        seed_enterprise(store, spec, rng, now, share)
    if config.doc_fixtures and specs[0].id == GROSS_ENTERPRISE_ID:
        doc_fixtures.add(store, datetime.combine(now.date(), time(0), tzinfo=UTC))
    enterprises.add_extra_integrations(store, specs, config.extra_tokens)
    return store


def _share(config: SeedConfig, index: int, count: int) -> dict[str, int]:
    def part(total: int) -> int:
        base, extra = divmod(total, count)
        return base + (1 if index < extra else 0)

    return {
        "rooms": max(part(config.rooms), 4),
        "customers": max(part(config.customers), 4),
        "reservations": part(config.reservations),
        "companies": max(part(config.companies), 1),
    }


def seed_enterprise(
    store: Store, spec: EnterpriseSpec, rng: random.Random, now: datetime, share: dict[str, int]
) -> catalogue.Catalogue:
    """One hotel's data. The steps draw from `rng` in turn: their order is the data's."""
    hotel = HotelSeed(store, spec, rng, Ids(rng), now)
    sold = catalogue.add_catalogue(hotel)
    rooms = add_rooms(hotel, sold.accommodation, share["rooms"])
    company_ids = accounts.add_companies(hotel, share["companies"])
    customers_by_age = accounts.add_customers(hotel, share["customers"], company_ids)
    reservations.add_reservations(hotel, share["reservations"], customers_by_age, rooms, sold)
    return sold
