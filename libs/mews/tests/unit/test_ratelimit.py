"""Token bucket arithmetic (fake clock), priorities and pauses. No timing assertions."""

from __future__ import annotations

import asyncio
from collections import deque

import pytest

from attendandt.mews.ratelimit import LocalTokenBucket, RateLimiter, UnlimitedLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def test_both_limiters_satisfy_the_protocol() -> None:
    assert isinstance(UnlimitedLimiter(), RateLimiter)
    assert isinstance(LocalTokenBucket(), RateLimiter)


def test_burst_then_continuous_refill() -> None:
    clock = FakeClock()
    bucket = LocalTokenBucket(requests=10, per=10.0, burst=2, clock=clock)
    assert bucket.try_take()
    assert bucket.try_take()
    assert not bucket.try_take()
    # (10 - 2) tokens per 10 s = 0.8/s -> one token after 1.25 s
    assert bucket.delay() == pytest.approx(1.25)
    clock.advance(0.625)
    assert bucket.delay() == pytest.approx(0.625)
    clock.advance(0.625)
    assert bucket.try_take()
    clock.advance(3600)
    assert bucket.tokens == pytest.approx(2.0)  # never above the burst


@pytest.mark.parametrize(
    ("requests", "per", "burst"), [(200, 30.0, 20), (200, 30.0, 199), (5, 1.0, 1)]
)
def test_greedy_caller_never_exceeds_requests_in_any_window(
    requests: int, per: float, burst: int
) -> None:
    clock = FakeClock()
    bucket = LocalTokenBucket(requests=requests, per=per, burst=burst, clock=clock)
    sent: deque[float] = deque()
    total = 0
    end = clock.now + per * 5
    while clock.now < end:
        wait = bucket.delay()
        if wait > 0:
            clock.advance(wait)
            continue
        assert bucket.try_take()
        sent.append(clock.now)
        total += 1
        while sent and sent[0] <= clock.now - per:
            sent.popleft()
        assert len(sent) <= requests
    # ...and it does use the budget: the burst plus everything refilled meanwhile.
    assert total >= burst + bucket.rate * per * 5 - 1


def test_default_is_200_per_30_seconds() -> None:
    bucket = LocalTokenBucket(clock=FakeClock())
    assert bucket.capacity + bucket.rate * 30 == pytest.approx(200)


def test_invalid_configuration_is_rejected() -> None:
    with pytest.raises(ValueError, match="burst"):
        LocalTokenBucket(requests=10, burst=11)
    with pytest.raises(ValueError, match="requests"):
        LocalTokenBucket(requests=0)


def test_retry_after_pauses_and_empties_the_bucket() -> None:
    clock = FakeClock()
    bucket = LocalTokenBucket(requests=10, per=10.0, burst=5, clock=clock)
    assert bucket.pause(7.0) == 7.0
    assert bucket.tokens == 0.0
    assert bucket.delay() == pytest.approx(7.0)
    clock.advance(7.0)
    # paused time also refilled nothing beyond the rate: 7 s * 0.5/s = 3.5 tokens
    assert bucket.delay() == 0.0
    assert bucket.tokens == pytest.approx(3.5)


def test_missing_retry_after_backs_off_exponentially_with_jitter() -> None:
    clock = FakeClock()
    bucket = LocalTokenBucket(backoff_initial=1.0, backoff_max=10.0, clock=clock)
    lengths = []
    for _ in range(6):
        lengths.append(bucket.pause(None))
        clock.advance(0.1)
    for n, length in enumerate(lengths):
        ceiling = min(10.0, 2.0**n)
        assert ceiling / 2 <= length <= ceiling
    # a Retry-After resets the streak
    bucket.pause(2.0)
    clock.advance(0.1)
    assert bucket.pause(None) <= 1.0


def test_backoff_streak_resets_after_a_quiet_window() -> None:
    clock = FakeClock()
    bucket = LocalTokenBucket(per=30.0, backoff_initial=1.0, clock=clock)
    for _ in range(4):
        bucket.pause(None)
    clock.advance(31.0)
    assert bucket.pause(None) <= 1.0


async def test_writes_are_served_before_waiting_reads() -> None:
    clock = FakeClock()
    bucket = LocalTokenBucket(requests=1000, per=10.0, burst=10, clock=clock)
    for _ in range(10):
        assert bucket.try_take()  # empty now; the fake clock stands still until we move it
    order: list[str] = []

    async def take(label: str, write: bool) -> None:
        await bucket.acquire(write=write)
        order.append(label)

    reads = [asyncio.create_task(take(f"read{i}", False)) for i in range(3)]
    for _ in range(5):
        await asyncio.sleep(0)
    write = asyncio.create_task(take("write", True))
    for _ in range(5):
        await asyncio.sleep(0)
    assert order == []
    clock.advance(10.0)  # enough tokens for everyone: order is decided by the queues alone
    await asyncio.wait_for(asyncio.gather(*reads, write), timeout=5)
    assert order == ["write", "read0", "read1", "read2"]


async def test_cancelled_waiter_leaves_the_queue() -> None:
    clock = FakeClock()
    bucket = LocalTokenBucket(requests=1000, per=10.0, burst=1, clock=clock)
    assert bucket.try_take()
    waiting = asyncio.create_task(bucket.acquire(write=True))
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    clock.advance(10.0)
    assert bucket.try_take()  # nobody is queued ahead any more


async def test_on_rate_limited_holds_back_waiters_until_the_pause_ends() -> None:
    clock = FakeClock()
    bucket = LocalTokenBucket(requests=100, per=10.0, burst=10, clock=clock)
    await bucket.on_rate_limited(30.0)
    task = asyncio.create_task(bucket.acquire())
    await asyncio.sleep(0.05)
    assert not task.done()
    assert bucket.paused_for == pytest.approx(30.0)
    clock.advance(30.0)
    await asyncio.wait_for(task, timeout=5)


async def test_unlimited_never_waits() -> None:
    limiter = UnlimitedLimiter()
    await limiter.on_rate_limited(100.0)
    await asyncio.wait_for(asyncio.gather(*(limiter.acquire() for _ in range(1000))), timeout=5)
