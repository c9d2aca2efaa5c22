"""The rate-limiter interface every Mews request goes through, and two in-process limiters.

Mews allows 200 requests per ``AccessToken`` in a sliding 30 s window and answers 429 (usually
with ``Retry-After``) beyond it. One limiter instance stands for one AccessToken. The client calls
``acquire`` before every request and ``on_rate_limited`` on every 429; implementations decide how
the budget is shared (this module: one process; a NATS-KV-backed bucket: every process).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Protocol, runtime_checkable


@runtime_checkable
class RateLimiter(Protocol):
    """What the Mews client needs from a limiter. Keep it small: other backends implement it."""

    async def acquire(self, *, write: bool = False) -> None:
        """Wait until one request may be sent. Waiting writes are served before waiting reads."""
        ...

    async def on_rate_limited(self, retry_after: float | None) -> None:
        """Mews answered 429: pause every holder until ``retry_after`` seconds from now, or for
        an exponential backoff when Mews gave no ``Retry-After``."""
        ...


class UnlimitedLimiter:
    """Never waits. For tests, simulators and tools that do their own pacing."""

    async def acquire(self, *, write: bool = False) -> None:
        return None

    async def on_rate_limited(self, retry_after: float | None) -> None:
        return None


# Float dust from continuous refill must not leave a waiter one femto-token short forever.
_EPSILON = 1e-9
#: The head waiter re-checks at least this often, so clock jumps and shared state are noticed.
MAX_SLEEP = 0.5


class _Waiter:
    __slots__ = ("write",)

    def __init__(self, write: bool) -> None:
        self.write = write


class WaitingLine:
    """The requests of one process waiting for a bucket's token: writes before reads, each in
    arrival order. Only the head asks the bucket; it asks again when told the bucket changed
    (`condition.notify_all`) and at least every `MAX_SLEEP` (clock jumps, a bucket shared with
    other processes). Both buckets, this module's and the one shared through NATS KV
    (`attendandt.platform.ratelimit`), queue their callers in such a line."""

    def __init__(self) -> None:
        self._writes: deque[_Waiter] = deque()
        self._reads: deque[_Waiter] = deque()
        self.condition = asyncio.Condition()

    @property
    def empty(self) -> bool:
        return not (self._writes or self._reads)

    @property
    def writes(self) -> int:
        """Writes waiting, the head included."""
        return len(self._writes)

    def _head(self) -> _Waiter | None:
        if self._writes:
            return self._writes[0]
        if self._reads:
            return self._reads[0]
        return None

    async def wait_turn(self, write: bool, take: Callable[[], Awaitable[float]]) -> None:
        """Queue one request and return once, at the head, `take()` took a token for it
        (answered 0 or less; otherwise the seconds to wait). Call holding `condition`."""
        me = _Waiter(write)
        queue = self._writes if write else self._reads
        queue.append(me)
        # A new write overtakes a read already sleeping at the head: wake it up.
        self.condition.notify_all()
        try:
            while True:
                if self._head() is not me:
                    await self.condition.wait()
                    continue
                wait = await take()
                if wait <= 0:
                    queue.popleft()
                    self.condition.notify_all()
                    return
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.condition.wait(), timeout=min(wait, MAX_SLEEP))
        except BaseException:
            if me in queue:
                queue.remove(me)
                self.condition.notify_all()
            raise


class LocalTokenBucket:
    """An in-process token bucket for one AccessToken, refilled continuously.

    ``requests`` per ``per`` seconds is a hard ceiling over any window of ``per`` seconds: the
    bucket holds at most ``burst`` tokens and refills at ``(requests - burst) / per`` tokens per
    second, so a full bucket spent at once plus everything refilled during the next ``per``
    seconds never exceeds ``requests``. That matters because Mews counts a sliding window, not
    a bucket: a bucket of capacity 200 refilling at 200/30 s could send 400 in 30 s.

    A 429 empties the bucket and pauses every waiter until ``Retry-After`` (or a jittered
    exponential backoff, growing with consecutive 429s that carry no ``Retry-After``).
    """

    def __init__(
        self,
        requests: int = 200,
        per: float = 30.0,
        *,
        burst: int = 20,
        backoff_initial: float = 1.0,
        backoff_max: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if requests < 1 or per <= 0:
            raise ValueError("requests must be >= 1 and per > 0")
        if not 1 <= burst <= requests:
            raise ValueError("burst must be between 1 and requests")
        self.capacity = float(burst)
        # With burst == requests there is nothing left to refill within the window; refill the
        # whole budget over the window then (at most 2x requests in a window, by choice).
        refill = requests - burst if burst < requests else requests
        self.rate = refill / per
        self._per = per
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self._clock = clock
        self._tokens = self.capacity
        self._updated = clock()
        self._paused_until = 0.0
        self._last_limited = float("-inf")
        self._consecutive_backoffs = 0
        self._line = WaitingLine()

    # -- state arithmetic (no waiting; unit-testable with a fake clock) --------------------------

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(self.capacity, self._tokens + elapsed * self.rate)
        self._updated = now

    def delay(self) -> float:
        """Seconds until one token may be taken (0 when one is available now)."""
        now = self._clock()
        self._refill(now)
        pause = self._paused_until - now
        missing = 1.0 - self._tokens
        refill_wait = missing / self.rate if missing > _EPSILON else 0.0
        return max(0.0, pause, refill_wait)

    def try_take(self) -> bool:
        """Take a token if one is available now and nobody is queued ahead."""
        if not self._line.empty:
            return False
        return self._take_if_ready()

    def _take_if_ready(self) -> bool:
        if self.delay() > 0:
            return False
        self._tokens = max(0.0, self._tokens - 1.0)
        return True

    @property
    def tokens(self) -> float:
        self._refill(self._clock())
        return self._tokens

    @property
    def paused_for(self) -> float:
        return max(0.0, self._paused_until - self._clock())

    def pause(self, retry_after: float | None) -> float:
        """Record a 429; returns the pause length chosen."""
        now = self._clock()
        if retry_after is not None and retry_after >= 0:
            length = retry_after
            self._consecutive_backoffs = 0
        else:
            if now - self._last_limited > self._per:
                self._consecutive_backoffs = 0
            step = self._backoff_initial * (2**self._consecutive_backoffs)
            length = min(self._backoff_max, step) * random.uniform(0.5, 1.0)  # noqa: S311
            self._consecutive_backoffs += 1
        self._last_limited = now
        self._paused_until = max(self._paused_until, now + length)
        self._refill(now)
        self._tokens = 0.0
        return length

    # -- the protocol ----------------------------------------------------------------------------

    async def acquire(self, *, write: bool = False) -> None:
        async with self._line.condition:
            if self.try_take():
                return
            await self._line.wait_turn(write, self._take_at_head)

    async def _take_at_head(self) -> float:
        wait = self.delay()
        if wait <= 0:
            self._tokens = max(0.0, self._tokens - 1.0)
        return wait

    async def on_rate_limited(self, retry_after: float | None) -> None:
        async with self._line.condition:
            self.pause(retry_after)
            self._line.condition.notify_all()


__all__ = ["LocalTokenBucket", "RateLimiter", "UnlimitedLimiter"]
