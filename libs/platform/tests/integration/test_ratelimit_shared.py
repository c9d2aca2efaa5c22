"""The shared Mews token bucket on a real nats-server: several holders of one key (standing
for several processes) never exceed the limit together, a 429 pauses all of them, and a
waiting write gets the next token before any read."""

import asyncio
import itertools
import time

import pytest
from nats.js import JetStreamContext
from nats.js.kv import KeyValue

from attendandt.contracts.streams import MEWS_RATE_LIMITS, ensure_streams
from attendandt.platform.ratelimit import SharedTokenBucket, bucket_key

TOKEN = "C66EF7B239D24632943D115EDE9CB810-EA00F8FD8294692C940F6B5A8F9453D"


class FakeClock:
    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
async def kv(jetstream: JetStreamContext) -> KeyValue:
    await ensure_streams(jetstream)
    return await jetstream.key_value(MEWS_RATE_LIMITS.bucket)


def holders(
    kv: KeyValue, count: int, clock: FakeClock, **options: object
) -> list[SharedTokenBucket]:
    return [
        SharedTokenBucket(kv, bucket_key(TOKEN), clock=clock, holder=f"p{i}", **options)  # type: ignore[arg-type]
        for i in range(count)
    ]


def max_in_window(times: list[float], window: float) -> int:
    """The most grants inside any half-open window of `window` seconds."""
    times = sorted(times)
    best, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_the_key_is_a_hash_and_the_token_is_never_stored(kv: KeyValue) -> None:
    bucket = SharedTokenBucket.for_access_token(kv, TOKEN)
    await bucket.acquire()
    keys = await kv.keys()
    assert keys == [bucket_key(TOKEN)]
    assert TOKEN not in keys[0]
    assert TOKEN[:8] not in keys[0]
    entry = await kv.get(keys[0])
    assert TOKEN.encode() not in (entry.value or b"")


async def test_three_holders_of_one_key_never_exceed_the_limit_together(kv: KeyValue) -> None:
    clock = FakeClock()
    requests, per, burst, margin = 20, 3.0, 5, 0.5
    buckets = holders(kv, 3, clock, requests=requests, per=per, burst=burst, margin=margin)
    granted: list[float] = []

    async def drain(bucket: SharedTokenBucket, write: bool) -> None:
        while await bucket.try_acquire(write=write):
            granted.append(clock.now)

    step, duration = 0.02, 4 * per
    while clock.now < 1_000_000.0 + duration:
        # All three ask at once, each as much as it can: revision conflicts are real.
        await asyncio.gather(*(drain(b, i == 0) for i, b in enumerate(buckets)))
        clock.advance(step)

    # Within the limit over every window of Mews's length and the margin...
    assert max_in_window(granted, per + margin) <= requests
    # ...the budget is used: the burst, then the smoothing's whole refill...
    rate = (requests - burst) / (per + margin)
    assert len(granted) >= 0.95 * (burst + rate * duration)
    # ...and paced evenly: the window itself never holds a steady load back (a refill faster
    # than the window holds ran into it once per window and stopped everyone for seconds).
    gaps = [later - earlier for earlier, later in itertools.pairwise(sorted(set(granted)))]
    assert max(gaps) <= 1 / rate + 2 * step


async def test_holders_acquiring_concurrently_stay_under_the_limit(kv: KeyValue) -> None:
    """The blocking path (local queues, sleeps, the real clock) with small limits."""
    requests, per, burst = 8, 1.0, 2
    buckets = [
        SharedTokenBucket(kv, bucket_key(TOKEN), requests=requests, per=per, burst=burst)
        for _ in range(3)
    ]
    granted: list[float] = []

    async def ask(bucket: SharedTokenBucket, write: bool) -> None:
        await bucket.acquire(write=write)
        granted.append(time.time())

    await asyncio.gather(*(ask(b, n % 4 == 0) for b in buckets for n in range(6)))
    assert len(granted) == 18
    # Checked against the bucket's own clock (wall time), a bound, not a speed.
    assert max_in_window(granted, per) <= requests


async def test_a_429_in_one_holder_pauses_every_holder(kv: KeyValue) -> None:
    clock = FakeClock()
    first, second, third = holders(kv, 3, clock, requests=200, per=30.0, burst=20)
    assert await second.try_acquire()

    assert await first.pause(7.0) == pytest.approx(7.0)
    clock.advance(6.9)
    assert not await second.try_acquire()
    assert not await third.try_acquire(write=True)
    clock.advance(0.2)
    # Over: the write that waited through the pause goes first, then reads again.
    assert not await second.try_acquire()
    assert await third.try_acquire(write=True)
    assert await second.try_acquire()


async def test_a_429_without_retry_after_backs_off_exponentially_across_holders(
    kv: KeyValue,
) -> None:
    clock = FakeClock()
    first, second = holders(kv, 2, clock, backoff_initial=2.0)
    pause_one = await first.pause(None)
    assert 1.0 <= pause_one <= 2.0  # initial x jitter in [0.5, 1]
    clock.advance(pause_one)
    # The other process's 429 right after is the second in a row: the backoff doubles.
    pause_two = await second.pause(None)
    assert 2.0 <= pause_two <= 4.0
    state = await first.state()
    assert state.backoffs == 2
    # A Retry-After resets the streak.
    clock.advance(pause_two)
    assert await second.pause(3.0) == pytest.approx(3.0)
    assert (await first.state()).backoffs == 0


async def test_a_waiting_write_in_one_holder_goes_before_reads_in_another(kv: KeyValue) -> None:
    clock = FakeClock()
    reader, writer = holders(kv, 2, clock, requests=20, per=10.0, burst=2)  # 1.8 tokens/s
    assert await reader.try_acquire()
    assert await reader.try_acquire()  # empty now

    assert not await writer.try_acquire(write=True)  # waits, and says so
    clock.advance(2.0)  # full again (2 tokens)
    assert not await reader.try_acquire(), "a read took a token a waiting write needs"
    assert await writer.try_acquire(write=True)
    # The write is served and its mark gone: reads go again.
    assert await reader.try_acquire()
    assert not await reader.try_acquire()  # empty


async def test_a_crashed_writers_mark_expires(kv: KeyValue) -> None:
    clock = FakeClock()
    reader, writer = holders(kv, 2, clock, requests=20, per=10.0, burst=2, writer_ttl=5.0)
    await reader.try_acquire()
    await reader.try_acquire()
    assert not await writer.try_acquire(write=True)  # then the writer's process dies
    clock.advance(2.0)
    assert not await reader.try_acquire()
    clock.advance(3.1)
    assert await reader.try_acquire()


async def test_blocking_writes_overtake_reads_that_waited_first(kv: KeyValue) -> None:
    requests, per, burst = 3, 1.0, 1  # 2 tokens/s
    reads_bucket = SharedTokenBucket(kv, bucket_key(TOKEN), requests=requests, per=per, burst=burst)
    writes_bucket = SharedTokenBucket(
        kv, bucket_key(TOKEN), requests=requests, per=per, burst=burst
    )
    await reads_bucket.acquire()  # empty
    order: list[str] = []

    async def ask(bucket: SharedTokenBucket, kind: str) -> None:
        await bucket.acquire(write=kind == "write")
        order.append(kind)

    reads = [asyncio.create_task(ask(reads_bucket, "read")) for _ in range(3)]
    await asyncio.sleep(0.05)  # the reads are queued and waiting for the first refill
    writes = [asyncio.create_task(ask(writes_bucket, "write")) for _ in range(3)]
    await asyncio.gather(*reads, *writes)
    assert order == ["write"] * 3 + ["read"] * 3


async def test_a_request_counts_for_the_whole_window_and_the_margin(kv: KeyValue) -> None:
    """A sliding window, not a refilling bucket: five requests at once keep the next one out
    until the first has left Mews's window and the margin (a bucket would refill sooner)."""
    clock = FakeClock()
    [bucket] = holders(kv, 1, clock, requests=5, per=3.0, burst=5, margin=1.0)
    for _ in range(5):
        assert await bucket.try_acquire()
    clock.advance(3.9)
    assert not await bucket.try_acquire()
    clock.advance(0.1)
    assert await bucket.try_acquire()
    assert len((await bucket.state()).sent) == 1


async def test_a_lane_never_takes_more_than_its_share_and_the_rest_stays_free(
    kv: KeyValue,
) -> None:
    clock = FakeClock()
    options = {"requests": 20, "per": 3.0, "burst": 20, "margin": 0.5}
    [live] = holders(kv, 1, clock, **options)
    resync = SharedTokenBucket(
        kv, bucket_key(TOKEN), clock=clock, holder="resync", lane="resync", share=0.5, **options
    )
    taken = 0
    while await resync.try_acquire():
        taken += 1
    assert taken == 10  # its share, though the budget has room for twice as many
    for _ in range(10):
        assert await live.try_acquire()  # the rest is there for live requests
    assert not await live.try_acquire()
    state = await live.state()
    assert len(state.sent) == 20
    assert len(state.lanes["resync"]) == 10

    clock.advance(3.5)  # the window and its margin have passed: a fresh share
    taken = 0
    while await resync.try_acquire():
        taken += 1
    assert taken == 10
    assert await live.try_acquire()


async def test_a_lane_waits_for_the_shared_window_too(kv: KeyValue) -> None:
    clock = FakeClock()
    options = {"requests": 20, "per": 3.0, "burst": 20, "margin": 0.5}
    [live] = holders(kv, 1, clock, **options)
    resync = SharedTokenBucket(
        kv, bucket_key(TOKEN), clock=clock, holder="resync", lane="resync", share=0.5, **options
    )
    for _ in range(15):
        assert await live.try_acquire()
    taken = 0
    while await resync.try_acquire():
        taken += 1
    assert taken == 5  # what the others left, below its share
