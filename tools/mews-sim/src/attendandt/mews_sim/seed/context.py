"""One hotel being seeded: what every seeding step works on."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from attendandt.mews_sim import clock
from attendandt.mews_sim.seed.ids import Ids
from attendandt.mews_sim.seed.specs import GROSS_ENTERPRISE_ID, EnterpriseSpec
from attendandt.mews_sim.store import Store


@dataclass(frozen=True)
class HotelSeed:
    """The store the hotel goes into, what the hotel is, the moment it is built at, and the
    one random stream (`rng`, and `new_id` drawing from it) its steps take turns on: the
    steps run in a fixed order, so the same seed gives the same data."""

    store: Store
    spec: EnterpriseSpec
    rng: random.Random
    new_id: Ids
    now: datetime

    @property
    def ent(self) -> str:
        return self.spec.id

    @property
    def chain(self) -> str:
        return self.store.info[self.spec.id].chain_id

    @property
    def setup_time(self) -> str:
        """When the hotel's configuration was created in Mews."""
        return clock.fmt(self.now - timedelta(days=400))

    @property
    def is_gross(self) -> bool:
        return self.spec.id == GROSS_ENTERPRISE_ID
