"""Everything one running simulator holds, and resetting it to a seed."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from attendandt.mews_sim import clock, seed
from attendandt.mews_sim.counters import Counters
from attendandt.mews_sim.faults import Faults
from attendandt.mews_sim.limits import RateLimitConfig, RateLimiter
from attendandt.mews_sim.store import Store
from attendandt.mews_sim.webhooks import WebhookConfig, WebhookDispatcher
from attendandt.mews_sim.ws import WsHub


@dataclass
class Settings:
    seed: seed.SeedConfig = field(default_factory=seed.SeedConfig)
    rate_limit: RateLimitConfig = field(default_factory=RateLimitConfig)
    webhooks: WebhookConfig = field(default_factory=WebhookConfig)


class SimState:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.seed_config = settings.seed
        self.counters = Counters()
        self.faults = Faults()
        self.limiter = RateLimiter(replace(settings.rate_limit))
        self.store = self._build(None, frozen=False)
        self.ws = WsHub(self.counters)
        self.webhooks = WebhookDispatcher(self.store, self.counters, replace(settings.webhooks))
        self._attach()

    def _attach(self) -> None:
        self.store.listeners = [self.ws.on_change, self.webhooks.on_change]
        self.webhooks.store = self.store

    def _build(self, now: datetime | None, *, frozen: bool) -> Store:
        """The clock set (to `now`, else the seed's anchor, else real time), then the hotel
        built as it stands at that moment."""
        clock.set_now(now or self.seed_config.anchor_time(), frozen=frozen)
        return seed.build(self.seed_config, clock.now())

    async def reset(
        self,
        seed_config: seed.SeedConfig | None = None,
        *,
        now: datetime | None = None,
        frozen: bool = False,
    ) -> None:
        """A fresh store from the seed, built at `now` (the clock is set there and keeps
        ticking unless `frozen`; without it the seed's anchor or real time); faults,
        counters and the rate-limit state cleared; webhook settings kept, queued deliveries
        dropped. Open sockets stay connected."""
        if seed_config is not None:
            self.seed_config = seed_config
        await self.webhooks.reset()
        self.store = self._build(now, frozen=frozen)
        self._attach()
        self.ws.pending.clear()
        self.faults.clear()
        self.counters.reset()
        self.limiter.reset(replace(self.settings.rate_limit))
