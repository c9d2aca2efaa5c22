"""A consumer that is alive but stuck while messages wait fails readiness; busy or idle does not.

The server's own view of the durable decides (delivered / ack-floor sequences); the clock is
the test's, so no test waits out a stall.
"""

import asyncio

import pytest
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, StreamConfig

from attendandt.platform.health import ConsumerEnded, ConsumerWatch
from attendandt.platform.stall import StallWatch


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _stream_with_consumer(js: JetStreamContext, unique: str) -> tuple[str, str, str]:
    stream, subject, durable = f"S_{unique}", f"stall.{unique}", f"d_{unique}"
    await js.add_stream(StreamConfig(name=stream, subjects=[subject]))
    await js.add_consumer(
        stream,
        ConsumerConfig(durable_name=durable, ack_policy=AckPolicy.EXPLICIT, ack_wait=3600),
    )
    return stream, subject, durable


async def test_messages_waiting_on_a_consumer_that_takes_none_is_a_stall(
    jetstream: JetStreamContext, unique: str
) -> None:
    stream, subject, durable = await _stream_with_consumer(jetstream, unique)
    clock = Clock()
    watch = StallWatch(stall_s=60, clock=clock)
    watch.watch(jetstream, stream, durable)

    assert await watch.check() == []  # idle: nothing waits
    clock.now += 3600
    assert await watch.check() == []  # idle for an hour is no stall

    for n in range(3):
        await jetstream.publish(subject, str(n).encode())
    assert await watch.check() == []  # waiting, but not for long yet
    clock.now += 59
    assert await watch.check() == []
    clock.now += 2
    assert await watch.check() == [durable]


async def test_a_consumer_that_takes_and_settles_messages_is_not_stalled(
    jetstream: JetStreamContext, unique: str
) -> None:
    stream, subject, durable = await _stream_with_consumer(jetstream, unique)
    clock = Clock()
    watch = StallWatch(stall_s=60, clock=clock)
    watch.watch(jetstream, stream, durable)
    for n in range(5):
        await jetstream.publish(subject, str(n).encode())
    pull = await jetstream.pull_subscribe_bind(durable, stream)
    await watch.check()
    for _ in range(5):
        clock.now += 50  # each step under the bound, the whole run far over it
        (msg,) = await pull.fetch(1, timeout=5)
        await msg.ack_sync()
        assert await watch.check() == []

    # A message taken and never settled: delivered does not move again; it is a stall.
    await jetstream.publish(subject, b"held")
    (held,) = await pull.fetch(1, timeout=5)
    assert await watch.check() == []
    clock.now += 61
    assert await watch.check() == [durable]
    await held.ack_sync()
    assert await watch.check() == []  # it settled: progress again
    await pull.unsubscribe()


async def test_a_stuck_consumer_fails_readiness_and_the_guard_stops_the_process(
    jetstream: JetStreamContext, unique: str
) -> None:
    stream, subject, durable = await _stream_with_consumer(jetstream, unique)
    watch = ConsumerWatch(interval_s=0.01, stall_s=0.2)
    watch.stall_check_s = 0.05
    # The consumer loop runs (its task is alive) but never takes a message.
    loop = watch.watch(durable, asyncio.create_task(asyncio.Event().wait()), js=jetstream,
                       stream=stream)  # fmt: skip
    await jetstream.publish(subject, b"waits")
    assert watch.readiness() == {"consumers": True}

    stop = asyncio.Event()
    await asyncio.wait_for(watch.guard(stop), 30)

    assert stop.is_set()
    assert watch.readiness() == {"consumers": False}
    with pytest.raises(ConsumerEnded, match=f"{durable} \\(stuck\\)"):
        watch.raise_if_ended()
    loop.cancel()
