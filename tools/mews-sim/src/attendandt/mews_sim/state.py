"""Everything one running simulator holds, and resetting it to a seed."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from attendandt.mews_sim import seed
from attendandt.mews_sim.counters import Counters
from attendandt.mews_sim.faults import Faults
from attendandt.mews_sim.limits import RateLimitConfig, RateLimiter
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
        self.store = seed.build(self.seed_config)
        self.ws = WsHub(self.counters)
        self.webhooks = WebhookDispatcher(self.store, self.counters, replace(settings.webhooks))
        self._attach()

    def _attach(self) -> None:
        self.store.listeners = [self.ws.on_change, self.webhooks.on_change]
        self.webhooks.store = self.store

    async def reset(self, seed_config: seed.SeedConfig | None = None) -> None:
        """A fresh store from the seed; faults, counters and the rate-limit state cleared;
        webhook settings kept, queued deliveries dropped. Open sockets stay connected."""
        if seed_config is not None:
            self.seed_config = seed_config
        await self.webhooks.reset()
        self.store = seed.build(self.seed_config)
        self._attach()
        self.ws.pending.clear()
        self.faults.clear()
        self.counters.reset()
        self.limiter.reset(replace(self.settings.rate_limit))
