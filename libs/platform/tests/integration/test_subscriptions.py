"""`platform.subscriptions.consume` on a real server: how often an idle consumer asks the
server for messages, that a message reaching an idle consumer is still handled, that slots
shared by a process's subscriptions bound the messages it handles at once, and what a
fetch (`Puller`) takes."""

import asyncio
import contextlib

import msgspec
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import StreamConfig

from attendandt.contracts.base import encode
from attendandt.contracts.examples import EXAMPLES
from attendandt.contracts.mews import MewsChange
from attendandt.platform.consumer import IDLE_WAIT_S, ConsumerPolicy, Delivery
from attendandt.platform.subscriptions import Puller, Subscription, consume
from attendandt.testing.polling import eventually

CHANGE = next(e for e in EXAMPLES if isinstance(e, MewsChange))
#: How long the consumer is left idle while its pull requests are counted.
IDLE_S = 3.0


async def test_an_idle_consumer_asks_about_once_per_idle_wait_and_still_takes_a_new_message(
    jetstream: JetStreamContext, nats_client: NatsClient, unique: str
) -> None:
    stream, subject = f"IDLE_{unique}", f"idle.{unique}"
    await jetstream.add_stream(StreamConfig(name=stream, subjects=[subject]))
    policy = ConsumerPolicy(service="tests", consumer=f"idle-{unique}")
    handled: list[str] = []

    async def handle(delivery: Delivery[MewsChange]) -> None:
        handled.append(delivery.payload.mews_id)

    # Every pull request of the consumer passes through this subject (nats-py's fetch).
    requests: list[Msg] = []

    async def count(msg: Msg) -> None:
        requests.append(msg)

    watch = await nats_client.subscribe(
        f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{policy.consumer}", cb=count
    )
    stop = asyncio.Event()
    running = asyncio.create_task(
        consume(jetstream, Subscription(stream, subject, MewsChange, handle, policy), stop)
    )
    try:
        await jetstream.publish(subject, encode(msgspec.structs.replace(CHANGE, mews_id="a")))
        await eventually(lambda: handled == ["a"], timeout=30)
        requests.clear()
        await asyncio.sleep(IDLE_S)
        asked = len(requests)
        await jetstream.publish(subject, encode(msgspec.structs.replace(CHANGE, mews_id="b")))
        await eventually(lambda: handled == ["a", "b"], timeout=30)
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(running, 30)
        await watch.unsubscribe()
    # Once idle, a fetch is one request that waits (a first fetch also asks what is there);
    # polling every tenth of a second, as before, asked about sixty times in these three
    # seconds.
    assert asked <= IDLE_S / IDLE_WAIT_S + 3, asked
    assert asked >= 1  # it did ask: the count sees the consumer's requests


async def test_slots_shared_by_two_subscriptions_bound_the_messages_handled_at_once(
    jetstream: JetStreamContext, unique: str
) -> None:
    stream = f"SLOTS_{unique}"
    await jetstream.add_stream(StreamConfig(name=stream, subjects=[f"slots.{unique}.*"]))
    in_flight, most, handled = 0, 0, []
    release = asyncio.Event()

    async def handle(delivery: Delivery[MewsChange]) -> None:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        await release.wait()
        in_flight -= 1
        handled.append(delivery.payload.mews_id)

    slots = asyncio.Semaphore(2)
    stop = asyncio.Event()
    subscriptions = [
        Subscription(
            stream,
            f"slots.{unique}.{name}",
            MewsChange,
            handle,
            ConsumerPolicy(service="tests", consumer=f"slots-{name}-{unique}"),
        )
        for name in ("a", "b")
    ]
    for name in ("a", "b"):
        for i in range(10):
            change = msgspec.structs.replace(CHANGE, mews_id=f"{name}{i}")
            await jetstream.publish(f"slots.{unique}.{name}", encode(change))
    running = [asyncio.create_task(consume(jetstream, s, stop, slots=slots)) for s in subscriptions]
    try:
        # Both batches fetched and waiting: only two of their twenty handlers run.
        await eventually(lambda: most == 2, timeout=30)
        await asyncio.sleep(0.5)
        assert in_flight == 2
        release.set()
        await eventually(lambda: len(handled) == 20, timeout=30)
    finally:
        stop.set()
        release.set()
        await asyncio.wait_for(asyncio.gather(*running, return_exceptions=True), 30)
    assert most == 2


async def test_a_fetch_takes_what_is_waiting_at_once_and_else_the_first_to_come(
    jetstream: JetStreamContext, nats_client: NatsClient, unique: str
) -> None:
    stream, subject = f"PULL_{unique}", f"pull.{unique}"
    await jetstream.add_stream(StreamConfig(name=stream, subjects=[subject]))
    policy = ConsumerPolicy(service="tests", consumer=f"pull-{unique}")
    await jetstream.add_consumer(stream, config=policy.consumer_config(subject))
    for i in range(25):
        await jetstream.publish(subject, f"{i}".encode())
    pull = Puller(nats_client, stream, policy.consumer)
    await pull.start()
    try:
        loop = asyncio.get_running_loop()
        started = loop.time()
        batches = [await pull.fetch(10, 5.0) for _ in range(3)]
        assert [[m.data for m in b] for b in batches] == [
            [f"{i}".encode() for i in range(start, min(start + 10, 25))] for start in (0, 10, 20)
        ]
        assert loop.time() - started < 2.5  # none waited for its timeout
        for msg in (m for b in batches for m in b):
            await msg.ack()

        started = loop.time()
        assert await pull.fetch(10, 0.3) == []  # nothing came: after the timeout
        assert loop.time() - started >= 0.25

        async def publish_later() -> None:
            await asyncio.sleep(0.3)
            await jetstream.publish(subject, b"late")

        later = asyncio.create_task(publish_later())
        started = loop.time()
        [late] = await pull.fetch(10, 5.0)  # handed on when it comes, not at the timeout
        assert late.data == b"late"
        assert loop.time() - started < 2.5
        await late.ack()
        await later
    finally:
        await pull.stop()
