"""A deterministic, realistic hotel data set of configurable size.

The hotels are built as they stand at the simulator's clock reading (`now`): the same
`SeedConfig` and the same `now` give the same data, as every id and value comes from a
`random.Random` seeded from the config. Stays run from 90 days before the hotel's local
today to 180 days after it (see `stays`), so every state exists: processed and canceled
stays in the past, guests in house, guests checked out or still due out today, confirmed,
optional, inquired and requested stays ahead. Nothing is stamped after `now`.

`build` puts the hotels together (`builder`); each hotel is seeded in steps, one module each:
its enterprise and tokens (`enterprises`, from `specs`), what it sells (`catalogue`), its
rooms (`rooms`), companies and customers (`accounts`), stays as reservations with companions
and notes (`reservations`, planned in `stays`) and guests' open bills (`charges`); then the
documentation examples' own entities (`doc_fixtures`). A property that connects while the
simulator runs is a small hotel seeded the same way under random ids (`connected`).
"""

from attendandt.mews_sim.seed.builder import build
from attendandt.mews_sim.seed.config import PRESETS, SeedConfig, parse_anchor, parse_seed
from attendandt.mews_sim.seed.enterprises import DEMO_CLIENT_TOKENS, DEMO_INTEGRATION_NAMES
from attendandt.mews_sim.seed.specs import (
    GROSS_ACCESS_TOKENS,
    GROSS_ENTERPRISE_ID,
    GROSS_HOTEL_NAME,
    NET_ACCESS_TOKENS,
    NET_ENTERPRISE_ID,
    NET_HOTEL_NAME,
    EnterpriseSpec,
    RoomCategorySpec,
    enterprise_specs,
)

__all__ = [
    "DEMO_CLIENT_TOKENS",
    "DEMO_INTEGRATION_NAMES",
    "GROSS_ACCESS_TOKENS",
    "GROSS_ENTERPRISE_ID",
    "GROSS_HOTEL_NAME",
    "NET_ACCESS_TOKENS",
    "NET_ENTERPRISE_ID",
    "NET_HOTEL_NAME",
    "PRESETS",
    "EnterpriseSpec",
    "RoomCategorySpec",
    "SeedConfig",
    "build",
    "enterprise_specs",
    "parse_anchor",
    "parse_seed",
]
