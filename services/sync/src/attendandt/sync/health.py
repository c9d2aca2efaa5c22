"""What sync reports per enterprise (NATS KV `sync_health`), for the gateway's status page:
consumer lag, last applied change, Mews calls per minute, 429s, dead letters, whether the
hotel's configuration is known (its name and time zone, when it was last read, the last
failure to read it), and how far the property's initial import is (copied from its own
entry, `import.<enterprise>`, which the import keeps whether sync or `attendandt sync
backfill --initial` runs it)."""

from __future__ import annotations

import time
from collections import deque
from datetime import UTC, datetime

import msgspec
from nats.js.kv import KeyValue

from attendandt.contracts.kv import SyncHealth
from attendandt.sync.initial_import import read_state


class CountingLimiter:
    """Wraps the Mews rate limiter of one AccessToken to count calls and 429s."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.calls: deque[float] = deque()
        self.total_calls = 0
        self.rate_limited = 0

    async def acquire(self, *, write: bool = False) -> None:
        await self.inner.acquire(write=write)  # type: ignore[attr-defined]
        now = time.monotonic()
        self.calls.append(now)
        self.total_calls += 1
        while self.calls and self.calls[0] < now - 60:
            self.calls.popleft()

    async def on_rate_limited(self, retry_after: float | None) -> None:
        self.rate_limited += 1
        await self.inner.on_rate_limited(retry_after)  # type: ignore[attr-defined]

    def per_minute(self) -> int:
        now = time.monotonic()
        return sum(1 for t in self.calls if t >= now - 60)


class HealthBoard:
    def __init__(self, kv: KeyValue, *, imports: bool = True) -> None:
        self.kv = kv
        #: Whether sync runs the initial import itself (else only a by-hand one shows).
        self.imports = imports
        self.states: dict[str, SyncHealth] = {}

    def get(self, enterprise_id: str) -> SyncHealth:
        return self.states.setdefault(enterprise_id, SyncHealth(enterprise_id=enterprise_id))

    async def flush(self, lag: int, limiters: dict[str, CountingLimiter]) -> None:
        # A copy: a property started meanwhile (`onboarded`) adds its entry during the awaits.
        for enterprise_id, state in list(self.states.items()):
            limiter = limiters.get(enterprise_id)
            state.consumer_lag = lag
            state.updated_at = datetime.now(UTC)
            if limiter is not None:
                state.mews_calls_total = limiter.total_calls
                state.mews_calls_per_minute = limiter.per_minute()
                state.rate_limited_429s = limiter.rate_limited
            await self._import_of(enterprise_id, state)
            await self.kv.put(enterprise_id, msgspec.json.encode(state))

    async def _import_of(self, enterprise_id: str, health: SyncHealth) -> None:
        imported = await read_state(self.kv, enterprise_id)
        if imported is None:
            health.import_state = "pending" if self.imports else None
            return
        health.import_state = imported.state
        health.import_windows_done = imported.windows_done
        health.import_windows_total = imported.windows_total
        health.import_reservations = imported.reservations
        health.import_started_at = imported.started_at
        health.import_finished_at = imported.finished_at
        health.import_error = imported.error
