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
- **Smoothing**: a small token bucket (``burst`` tokens, refilled at
  ``(requests - burst) / (per + margin)``) spreads the budget over the window, so a burst of
  200 cannot take the whole window at once and leave later requests (a guest's check-in, a
  posted charge) waiting half a minute. Its refill is what the window holds beside a full
  bucket, so a steady load is paced evenly and never stalls on the window itself.
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
- **Fair share**: a Portfolio Access Token opens several properties with one budget; each
  property's holders say which it is (``party``, its enterprise id) and the budget is shared
  max-min fairly between the parties that are waiting, whichever processes they are in. The
  state logs each party's requests in the window (``parties``) and the parties with a read
  waiting (``claims``: party → expiry, like ``writers``). A read that has to wait claims its
  party's turn; a read that could go waits instead while another party with a live claim has
  had fewer requests in the window (the least served goes first). A party alone may use the
  whole budget; writes keep their priority (they are logged in their party's requests, never
  held back). A read held by its own lane's cap claims nothing (it could not use the turn).

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
    #: Party (a property's enterprise id) → the times of its requests in the last window.
    parties: dict[str, list[float]] = msgspec.field(default_factory=dict)
    #: Party → wall-clock expiry: that party has a read waiting for its turn.
    claims: dict[str, float] = msgspec.field(default_factory=dict)


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
        party: str | None = None,
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
        # Refilled no faster than the window holds: any `window` seconds then let through at
        # most `burst + rate * window` = `requests`, so the smoothing alone keeps within the
        # window and a steady load never meets it (which stalled every request for seconds
        # once per window). With no smoothing (`burst` = `requests`), the window alone rules.
        self.rate = (requests - burst) / self.window if burst < requests else requests / per
        self.lane = lane
        #: The most requests of this holder's lane in any window (None: no lane).
        self.lane_limit = max(1, math.floor(share * requests)) if lane is not None else None
        #: The party (a property of a Portfolio Access Token) this holder's requests are for;
        #: None: no fair share, the holder neither claims turns nor yields them.
        self.party = party
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.writer_ttl = writer_ttl
        self.holder = holder or uuid.uuid4().hex[:16]
        self._clock = clock
        self._sleep = sleep
        self._line = WaitingLine()
        #: Reads in this holder's line (or entering it), the head included.
        self._reads = 0
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
        parties = {p: [t for t in times if t > since] for p, times in state.parties.items()}
        return msgspec.structs.replace(
            state,
            tokens=min(self.capacity, state.tokens + elapsed * self.rate),
            # Never backwards: a holder whose clock lags must not refill the same span twice.
            updated=max(state.updated, now),
            writers={h: t for h, t in state.writers.items() if t > now},
            sent=[t for t in state.sent if t > since],
            lanes={lane: times for lane, times in lanes.items() if times},
            parties={p: times for p, times in parties.items() if times},
            claims={p: t for p, t in state.claims.items() if t > now},
        )

    def _window_wait(self, times: list[float], limit: int, now: float) -> float:
        """Seconds until fewer than ``limit`` of ``times`` are in the window (0: now)."""
        if len(times) < limit:
            return 0.0
        # The request that has to leave the window for one more to fit.
        leaving = sorted(times)[len(times) - limit]
        return leaving + self.window - now

    def decide(
        self,
        state: BucketState,
        now: float,
        *,
        write: bool,
        more_writes: bool = False,
        more_reads: bool = False,
    ) -> _Decision:
        """Take one token from ``state`` at ``now`` if this request may go; else how long to
        wait. ``more_writes`` / ``more_reads``: this holder has further writes / reads queued
        behind this one."""
        state = self.refilled(state, now)
        writers = dict(state.writers)
        announce = write and writers.get(self.holder, 0.0) < now + self.writer_ttl / 2
        if announce:
            writers[self.holder] = now + self.writer_ttl
        lane = state.lanes.get(self.lane, []) if self.lane is not None else []
        lane_wait = (
            self._window_wait(lane, self.lane_limit, now) if self.lane_limit is not None else 0.0
        )
        # The party whose turn this request may claim: a read's, unless its own lane is full
        # (it could not use the turn, and others would be held back for nothing).
        party = self.party if not write and lane_wait <= _EPSILON else None
        claimed = None
        if party is not None and state.claims.get(party, 0.0) < now + self.writer_ttl / 2:
            claimed = {**state.claims, party: now + self.writer_ttl}

        def waiting(seconds: float) -> _Decision:
            changes: dict[str, object] = {}
            if announce:
                changes["writers"] = writers
            if claimed is not None:
                changes["claims"] = claimed
            changed = msgspec.structs.replace(state, **changes) if changes else None
            return _Decision(max(seconds, _EPSILON), changed)

        if state.paused_until > now:
            return waiting(state.paused_until - now)
        if not write and any(holder != self.holder for holder in writers):
            return waiting(MAX_SLEEP)
        missing = 1.0 - state.tokens
        wait = max(
            missing / self.rate if missing > _EPSILON else 0.0,
            self._window_wait(state.sent, self.requests, now),
            lane_wait,
        )
        if wait > _EPSILON:
            return waiting(wait)
        if party is not None and self._yields(state, party):
            # Another party, less served, is waiting: it takes this turn. Ask again about one
            # turn later (it may be done by then).
            return waiting(min(MAX_SLEEP, 1.0 / self.rate))
        return self._taken(
            state,
            now,
            write=write,
            more_writes=more_writes,
            more_reads=more_reads,
            claiming=party is not None,
        )

    def _taken(
        self,
        state: BucketState,
        now: float,
        *,
        write: bool,
        more_writes: bool,
        more_reads: bool,
        claiming: bool,
    ) -> _Decision:
        """``state`` (refilled) with one token taken at ``now`` and the request logged."""
        writers = dict(state.writers)
        if write and more_writes:
            writers[self.holder] = now + self.writer_ttl
        else:
            # A read here means no write of ours is queued: any mark of ours is stale.
            writers.pop(self.holder, None)
        # Milliseconds are plenty and keep the entry small; rounded up, so never early.
        stamp = math.ceil(now * 1000) / 1000
        lanes, parties, claims = state.lanes, state.parties, state.claims
        lane = lanes.get(self.lane, []) if self.lane is not None else []
        if self.lane is not None:
            lanes = {**lanes, self.lane: [*lane, stamp]}
        if self.party is not None:
            parties = {**parties, self.party: [*parties.get(self.party, []), stamp]}
        if claiming and self.party is not None:
            claims = dict(claims)
            lane_full = self.lane_limit is not None and len(lane) + 1 >= self.lane_limit
            if more_reads and not lane_full:
                claims[self.party] = now + self.writer_ttl  # our next read waits already
            else:
                claims.pop(self.party, None)
        taken = msgspec.structs.replace(
            state,
            tokens=max(0.0, state.tokens - 1.0),
            writers=writers,
            sent=[*state.sent, stamp],
            lanes=lanes,
            parties=parties,
            claims=claims,
        )
        return _Decision(0.0, taken)

    @staticmethod
    def _yields(state: BucketState, party: str) -> bool:
        """Whether a read of ``party`` leaves this turn to another party that claimed one and
        has had fewer requests in the window (max-min fairness between waiting parties)."""
        served = len(state.parties.get(party, []))
        return any(
            other != party and len(state.parties.get(other, [])) < served for other in state.claims
        )

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
        waiting (for ``writer_ttl``), so reads elsewhere leave the next token to it; a read of
        a party likewise claims its party's turn."""
        decision = await self._change(lambda s, now: self.decide(s, now, write=write))
        return decision.wait <= 0

    async def acquire(self, *, write: bool = False) -> None:
        reads = 0 if write else 1
        self._reads += reads
        try:
            async with self._line.condition:
                await self._line.wait_turn(write, functools.partial(self._take_at_head, write))
        finally:
            self._reads -= reads

    async def _take_at_head(self, write: bool) -> float:
        decision = await self._change(
            functools.partial(
                self.decide,
                write=write,
                more_writes=write and self._line.writes > 1,
                more_reads=not write and self._reads > 1,
            )
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
