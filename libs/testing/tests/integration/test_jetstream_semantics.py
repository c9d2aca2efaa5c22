"""The delivery semantics every service relies on, checked on the real nats-server."""

import asyncio

import pytest
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, StreamConfig
from nats.js.errors import FetchTimeoutError


async def _stream(js: JetStreamContext, unique: str) -> str:
    subject = f"t.{unique}.>"
    await js.add_stream(StreamConfig(name=f"T_{unique}", subjects=[subject]))
    return f"t.{unique}"


async def test_ack_removes_message_from_pending(jetstream: JetStreamContext, unique: str) -> None:
    prefix = await _stream(jetstream, unique)
    await jetstream.publish(f"{prefix}.a", b"one")
    sub = await jetstream.pull_subscribe(
        f"{prefix}.>", durable=f"c_{unique}", config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT)
    )
    [msg] = await sub.fetch(1, timeout=2)
    assert msg.data == b"one"
    await msg.ack_sync()
    info = await sub.consumer_info()
    assert info.num_ack_pending == 0
    assert info.num_pending == 0
    with pytest.raises((FetchTimeoutError, asyncio.TimeoutError)):
        await sub.fetch(1, timeout=0.3)


async def test_nak_redelivers_with_growing_delivery_count(
    jetstream: JetStreamContext, unique: str
) -> None:
    prefix = await _stream(jetstream, unique)
    await jetstream.publish(f"{prefix}.a", b"retry me")
    sub = await jetstream.pull_subscribe(f"{prefix}.>", durable=f"c_{unique}")
    [first] = await sub.fetch(1, timeout=2)
    assert first.metadata.num_delivered == 1
    await first.nak()
    [second] = await sub.fetch(1, timeout=2)
    assert second.data == b"retry me"
    assert second.metadata.num_delivered == 2
    assert second.metadata.sequence.stream == first.metadata.sequence.stream
    await second.ack_sync()


async def test_nats_msg_id_deduplicates_within_window(
    jetstream: JetStreamContext, unique: str
) -> None:
    prefix = await _stream(jetstream, unique)
    first = await jetstream.publish(f"{prefix}.a", b"x", headers={"Nats-Msg-Id": "change-1"})
    again = await jetstream.publish(f"{prefix}.a", b"x", headers={"Nats-Msg-Id": "change-1"})
    other = await jetstream.publish(f"{prefix}.a", b"y", headers={"Nats-Msg-Id": "change-2"})
    assert not first.duplicate
    assert again.duplicate
    assert again.seq == first.seq
    assert not other.duplicate
    info = await jetstream.stream_info(f"T_{unique}")
    assert info.state.messages == 2
