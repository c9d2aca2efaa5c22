"""What every service's app is known by (to tests, benchmarks and `__main__`), taken from
the `Runtime` that runs it (`platform.runtime`)."""

from __future__ import annotations

import asyncio

from nats.js import JetStreamContext

from attendandt.platform.health import ConsumerWatch, ProbeServer
from attendandt.platform.runtime import Runtime


class RuntimeApp:
    runtime: Runtime

    @property
    def started(self) -> asyncio.Event:
        """Set once every part runs (tests and probes wait for it)."""
        return self.runtime.started

    @property
    def health(self) -> ProbeServer:
        return self.runtime.health

    @property
    def consumers(self) -> ConsumerWatch:
        return self.runtime.consumers

    async def readiness(self) -> dict[str, bool]:
        """What `/readyz` answers (`Runtime.readiness`)."""
        return await self.runtime.readiness()

    def jetstream(self) -> JetStreamContext:
        """The process's JetStream context, once connected (RuntimeError before)."""
        return self.runtime.jetstream()

    async def run(self, stop: asyncio.Event) -> None:
        """Serve until `stop` is set, then stop in the one order of `platform.runtime`."""
        await self.runtime.run(stop)
