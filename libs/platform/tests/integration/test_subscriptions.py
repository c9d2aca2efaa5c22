"""`platform.subscriptions.consume` on a real server: how often an idle consumer asks the
server for messages, and that a message reaching an idle consumer is still handled."""

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
from attendandt.platform.subscriptions import Subscription, consume
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
    # A fetch is at most two requests (a quick one, then one that waits); polling every
    # tenth of a second, as before, asked about sixty times in these three seconds.
    assert asked <= 2 * (IDLE_S / IDLE_WAIT_S + 1), asked
    assert asked >= 1  # it did ask: the count sees the consumer's requests
