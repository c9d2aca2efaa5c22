"""One Mews budget per AccessToken, shared by every process through NATS KV.

Mews allows 200 requests per AccessToken in any sliding 30 s window, counted when a request
reaches Mews. Every process that calls Mews with a token (ingest, sync, publisher, tools,
replicas of each) takes its turn from the same shared state, stored in the
``mews_rate_limits`` KV bucket under a hash of the token (never the token itself). It
implements the Mews client's ``RateLimiter`` protocol structurally:

    kv = await js.key_value(MEWS_RATE_LIMITS.bucket)
    limiter = SharedTokenBucket(kv, bucket_key(access_token))
    async with MewsClient(credentials, limiter=limiter) as mews: ...

- **The model is Mews's own sliding window**: the state keeps the wall-clock time of every
  request let through in the last ``per + margin`` seconds, and a request goes only while
  fewer than ``requests`` are in it. The ``margin`` is there because Mews counts a request
  when it arrives, not when we let it go: requests delayed on their way (a connection being
  set up, a busy server) arrive closer together than they left, and the first burst of a
  fresh start is the one delayed most. Any spread of delays up to ``margin`` seconds keeps
  every 30 s window Mews sees within the limit.
- **Smoothing**: a small token bucket (``burst`` tokens, refilled at ``requests / per``)
  spreads the budget over the window, so a burst of 200 cannot take the whole window at
  once and leave later requests (a guest's check-in, a posted charge) waiting half a minute.
- **Lanes**: a holder may take its requests in a named lane with a ``share`` of the limit
  (e.g. ingest's resync sweeps, ``lane="resync", share=0.5``): the lane's own requests are
  logged too, and it never has more than ``share * requests`` in any window, whatever the
  other holders leave free. The rest of the budget stays for live traffic.
- **Shared state**: each change is a read-modify-write of one KV entry, written with
  ``update(..., last=revision)``; a concurrent writer makes it fail with a wrong revision and
  it is simply recomputed. Times in the state are wall-clock seconds (``time.time``), the one
  clock processes on different hosts share (keep them NTP-synced; a holder whose clock lags
  keeps requests in its window longer, it never takes more).
- **A 429 pauses every holder**: ``on_rate_limited`` writes ``paused_until`` (Retry-After, or a
  jittered exponential backoff growing with consecutive 429s without one, counted in the
  shared state) and empties the bucket; every process honours it on its next attempt.
- **Writes before reads**: a write that has to wait announces itself in the shared state
  (``writers``: holder id → expiry, refreshed while it waits, dropped when it takes its
  turn). While any other holder has a waiting writer, reads take nothing, so a waiting write
  always gets the next turn, whichever process it is in. A crashed holder's announcement
  expires after ``writer_ttl`` seconds. Inside one process, queued writes go before queued
  reads, and only the head of the queue talks to NATS.

If NATS is unreachable, ``acquire`` raises (the caller's request fails and is retried like any
other transient failure); it never falls back to an unshared budget.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import math
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import msgspec
from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from attendandt.mews.ratelimit import MAX_SLEEP, WaitingLine

log = logging.getLogger(__name__)

# Float dust from continuous refill must not leave a waiter one femto-token short forever.
_EPSILON = 1e-9
# A burst of revision conflicts: back off a little before reading again.
_CONFLICT_PAUSE = 0.005


def bucket_key(access_token: str) -> str:
    """The KV key of an AccessToken's bucket: a hash, so the token is never stored or logged."""
    digest = hashlib.sha256(access_token.encode()).hexdigest()[:40]
    return f"token.{digest}"


class BucketState(msgspec.Struct, kw_only=True):
    """The shared state of one bucket, as stored in KV (JSON)."""

    tokens: float
    #: Wall-clock second of the last refill.
    updated: float
    paused_until: float = 0.0
    last_limited: float = 0.0
    #: 429s in a row without Retry-After (drives the backoff of the next one).
    backoffs: int = 0
    #: Holder id → wall-clock expiry: that holder has a write waiting for a token.
    writers: dict[str, float] = msgspec.field(default_factory=dict)
    #: Wall-clock seconds of the requests let through in the last window.
    sent: list[float] = msgspec.field(default_factory=list)
    #: Lane → the times of that lane's own requests in the last window.
    lanes: dict[str, list[float]] = msgspec.field(default_factory=dict)


@dataclass(frozen=True)
class _Decision:
    #: Seconds to wait before trying again; 0 means the token was taken.
    wait: float
    #: The state to write back, or None when nothing changed.
    new_state: BucketState | None


class SharedTokenBucket:
    """Mews's sliding window for one AccessToken, shared through NATS KV (see the module
    docstring)."""

    def __init__(
        self,
        kv: KeyValue,
        key: str,
        requests: int = 200,
        per: float = 30.0,
        *,
        burst: int = 20,
        margin: float = 2.0,
        lane: str | None = None,
        share: float = 1.0,
        backoff_initial: float = 1.0,
        backoff_max: float = 60.0,
        writer_ttl: float = 5.0,
        holder: str | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if requests < 1 or per <= 0:
            raise ValueError("requests must be >= 1 and per > 0")
        if not 1 <= burst <= requests:
            raise ValueError("burst must be between 1 and requests")
        if margin < 0:
            raise ValueError("margin must be >= 0")
        if not 0 < share <= 1:
            raise ValueError("share must be in (0, 1]")
        if writer_ttl <= MAX_SLEEP:
            raise ValueError(f"writer_ttl must exceed {MAX_SLEEP}s (the re-check interval)")
        self.kv = kv
        self.key = key
        self.requests = requests
        self.per = per
        #: How long a request counts against the budget: Mews's window and the margin.
        self.window = per + margin
        self.capacity = float(burst)
        self.rate = requests / per
        self.lane = lane
        #: The most requests of this holder's lane in any window (None: no lane).
        self.lane_limit = max(1, math.floor(share * requests)) if lane is not None else None
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.writer_ttl = writer_ttl
        self.holder = holder or uuid.uuid4().hex[:16]
        self._clock = clock
        self._sleep = sleep
        self._line = WaitingLine()
        #: Revision conflicts met and retried (another holder changed the state first).
        self.conflicts = 0

    @classmethod
    def for_access_token(
        cls, kv: KeyValue, access_token: str, **options: object
    ) -> SharedTokenBucket:
        return cls(kv, bucket_key(access_token), **options)  # type: ignore[arg-type]

    # -- state arithmetic (pure; unit-testable with any clock) -----------------------------------

    def fresh_state(self, now: float) -> BucketState:
        return BucketState(tokens=self.capacity, updated=now)

    def refilled(self, state: BucketState, now: float) -> BucketState:
        """``state`` at ``now``: tokens refilled, expired marks and requests dropped."""
        elapsed = max(0.0, now - state.updated)
        since = now - self.window
        lanes = {lane: [t for t in times if t > since] for lane, times in state.lanes.items()}
        return msgspec.structs.replace(
            state,
            tokens=min(self.capacity, state.tokens + elapsed * self.rate),
            # Never backwards: a holder whose clock lags must not refill the same span twice.
            updated=max(state.updated, now),
            writers={h: t for h, t in state.writers.items() if t > now},
            sent=[t for t in state.sent if t > since],
            lanes={lane: times for lane, times in lanes.items() if times},
        )

    def _window_wait(self, times: list[float], limit: int, now: float) -> float:
        """Seconds until fewer than ``limit`` of ``times`` are in the window (0: now)."""
        if len(times) < limit:
            return 0.0
        # The request that has to leave the window for one more to fit.
        leaving = sorted(times)[len(times) - limit]
        return leaving + self.window - now

    def decide(
        self, state: BucketState, now: float, *, write: bool, more_writes: bool = False
    ) -> _Decision:
        """Take one token from ``state`` at ``now`` if this request may go; else how long to
        wait. ``more_writes``: this holder has further writes queued behind this one."""
        state = self.refilled(state, now)
        writers = dict(state.writers)
        announce = write and writers.get(self.holder, 0.0) < now + self.writer_ttl / 2
        if announce:
            writers[self.holder] = now + self.writer_ttl

        def waiting(seconds: float) -> _Decision:
            changed = msgspec.structs.replace(state, writers=writers) if announce else None
            return _Decision(max(seconds, _EPSILON), changed)

        if state.paused_until > now:
            return waiting(state.paused_until - now)
        if not write and any(holder != self.holder for holder in writers):
            return waiting(MAX_SLEEP)
        missing = 1.0 - state.tokens
        wait = max(
            missing / self.rate if missing > _EPSILON else 0.0,
            self._window_wait(state.sent, self.requests, now),
        )
        lane = state.lanes.get(self.lane, []) if self.lane is not None else []
        if self.lane_limit is not None:
            wait = max(wait, self._window_wait(lane, self.lane_limit, now))
        if wait > _EPSILON:
            return waiting(wait)
        if write and more_writes:
            writers[self.holder] = now + self.writer_ttl
        else:
            # A read here means no write of ours is queued: any mark of ours is stale.
            writers.pop(self.holder, None)
        # Milliseconds are plenty and keep the entry small; rounded up, so never early.
        stamp = math.ceil(now * 1000) / 1000
        lanes = state.lanes
        if self.lane is not None:
            lanes = {**lanes, self.lane: [*lane, stamp]}
        taken = msgspec.structs.replace(
            state,
            tokens=max(0.0, state.tokens - 1.0),
            writers=writers,
            sent=[*state.sent, stamp],
            lanes=lanes,
        )
        return _Decision(0.0, taken)

    def paused(self, state: BucketState, now: float, retry_after: float | None) -> BucketState:
        """``state`` after a 429 seen at ``now``."""
        state = self.refilled(state, now)
        backoffs = state.backoffs
        if retry_after is not None and retry_after >= 0:
            length = retry_after
            backoffs = 0
        else:
            if now - state.last_limited > self.per:
                backoffs = 0
            step = self.backoff_initial * (2**backoffs)
            length = min(self.backoff_max, step) * random.uniform(0.5, 1.0)  # noqa: S311
            backoffs += 1
        return msgspec.structs.replace(
            state,
            tokens=0.0,
            paused_until=max(state.paused_until, now + length),
            last_limited=now,
            backoffs=backoffs,
        )

    # -- shared state ----------------------------------------------------------------------------

    async def load(self) -> tuple[BucketState, int]:
        """The current state and its revision (created full when the key does not exist)."""
        while True:
            try:
                entry = await self.kv.get(self.key)
            except KeyNotFoundError:
                state = self.fresh_state(self._clock())
                try:
                    revision = await self.kv.create(self.key, msgspec.json.encode(state))
                except KeyWrongLastSequenceError:
                    continue  # another holder created it first: read theirs
                return state, revision
            revision = entry.revision or 0
            try:
                return msgspec.json.decode(entry.value or b"", type=BucketState), revision
            except (msgspec.DecodeError, msgspec.ValidationError):
                log.warning("rate-limit state %s unreadable; starting it afresh", self.key)
                return self.fresh_state(self._clock()), revision

    async def _change(self, compute: Callable[[BucketState, float], _Decision]) -> _Decision:
        """Read, compute, write back if changed; recompute on a revision conflict."""
        while True:
            state, revision = await self.load()
            decision = compute(state, self._clock())
            if decision.new_state is None:
                return decision
            try:
                await self.kv.update(
                    self.key, msgspec.json.encode(decision.new_state), last=revision
                )
            except KeyWrongLastSequenceError:
                self.conflicts += 1
                await self._sleep(random.uniform(0, _CONFLICT_PAUSE))  # noqa: S311
                continue
            return decision

    async def state(self) -> BucketState:
        """The state as of now (refilled), for probes and tests."""
        state, _ = await self.load()
        return self.refilled(state, self._clock())

    # -- the RateLimiter protocol ----------------------------------------------------------------

    async def try_acquire(self, *, write: bool = False) -> bool:
        """One attempt, no waiting. A write that finds no token still announces itself as
        waiting (for ``writer_ttl``), so reads elsewhere leave the next token to it."""
        decision = await self._change(lambda s, now: self.decide(s, now, write=write))
        return decision.wait <= 0

    async def acquire(self, *, write: bool = False) -> None:
        async with self._line.condition:
            await self._line.wait_turn(write, functools.partial(self._take_at_head, write))

    async def _take_at_head(self, write: bool) -> float:
        decision = await self._change(
            functools.partial(self.decide, write=write, more_writes=write and self._line.writes > 1)
        )
        return decision.wait

    async def on_rate_limited(self, retry_after: float | None) -> None:
        await self.pause(retry_after)

    async def pause(self, retry_after: float | None) -> float:
        """Record a 429 for every holder; returns the seconds paused from now."""
        decision = await self._change(
            lambda s, now: _Decision(0.0, self.paused(s, now, retry_after))
        )
        assert decision.new_state is not None
        paused_for = decision.new_state.paused_until - self._clock()
        log.warning(
            "Mews rate limit hit: every holder of %s pauses %.1fs", self.key[:14], paused_for
        )
        return paused_for


__all__ = ["BucketState", "SharedTokenBucket", "bucket_key"]
