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

from attendandt.sync.initial_import import ImportStatus, read_state


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


class EnterpriseHealth(msgspec.Struct, kw_only=True):
    enterprise_id: str
    consumer_lag: int = 0
    last_applied_at: datetime | None = None
    changes_applied: int = 0
    commands_published: int = 0
    mews_calls_total: int = 0
    mews_calls_per_minute: int = 0
    rate_limited_429s: int = 0
    dead_letters: int = 0
    updated_at: datetime | None = None
    #: The hotel as `configuration/get` names it; None until it was read once.
    property_name: str | None = None
    time_zone: str | None = None
    #: When the configuration, services and products were last read successfully.
    configuration_synced_at: datetime | None = None
    #: Why the last read failed (cleared by the next success).
    configuration_error: str | None = None
    #: The initial import: pending (not begun, or stopped and to be resumed), running, done,
    #: failed (retried); None while sync has not looked yet.
    import_state: ImportStatus | None = None
    import_windows_done: int = 0
    import_windows_total: int = 0
    import_reservations: int = 0
    import_started_at: datetime | None = None
    import_finished_at: datetime | None = None
    import_error: str | None = None


class HealthBoard:
    def __init__(self, kv: KeyValue, *, imports: bool = True) -> None:
        self.kv = kv
        #: Whether sync runs the initial import itself (else only a by-hand one shows).
        self.imports = imports
        self.states: dict[str, EnterpriseHealth] = {}

    def get(self, enterprise_id: str) -> EnterpriseHealth:
        return self.states.setdefault(enterprise_id, EnterpriseHealth(enterprise_id=enterprise_id))

    async def flush(self, lag: int, limiters: dict[str, CountingLimiter]) -> None:
        for enterprise_id, state in self.states.items():
            limiter = limiters.get(enterprise_id)
            state.consumer_lag = lag
            state.updated_at = datetime.now(UTC)
            if limiter is not None:
                state.mews_calls_total = limiter.total_calls
                state.mews_calls_per_minute = limiter.per_minute()
                state.rate_limited_429s = limiter.rate_limited
            await self._import_of(enterprise_id, state)
            await self.kv.put(enterprise_id, msgspec.json.encode(state))

    async def _import_of(self, enterprise_id: str, health: EnterpriseHealth) -> None:
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
