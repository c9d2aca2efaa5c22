"""The shared ack policy on the real server: ack, retry with backoff, dead letters."""

import asyncio
import hashlib

import msgspec
import nats
import pytest
from nats.js import JetStreamContext
from nats.js.api import StreamConfig

from attendandt.contracts.base import encode
from attendandt.contracts.deadletter import DEAD_LETTER_MAX_DATA, DeadLetter
from attendandt.contracts.examples import EXAMPLES
from attendandt.contracts.mews import MewsChange
from attendandt.contracts.streams import ensure_streams
from attendandt.platform.consumer import (
    ConsumerPolicy,
    Delivery,
    Outcome,
    Rejected,
    process,
    process_batch,
)

CHANGE = next(e for e in EXAMPLES if isinstance(e, MewsChange))


@pytest.fixture
async def queue(jetstream: JetStreamContext, unique: str):
    await ensure_streams(jetstream)
    subject = f"q.{unique}"
    await jetstream.add_stream(StreamConfig(name=f"Q_{unique}", subjects=[subject]))
    policy = ConsumerPolicy(service="tests", consumer=f"c_{unique}", max_deliver=3, backoff=(0.05,))
    sub = await jetstream.pull_subscribe(
        subject, durable=policy.consumer, config=policy.consumer_config(subject)
    )
    return subject, policy, sub


async def _last_letter(js: JetStreamContext, policy: ConsumerPolicy) -> DeadLetter:
    raw = await js.get_last_msg("DEAD_LETTERS", f"deadletter.v1.tests.{policy.consumer}")
    return msgspec.json.decode(raw.data, type=DeadLetter)


async def test_success_is_acked_with_the_payload_and_message_id(jetstream, queue) -> None:
    subject, policy, sub = queue
    await jetstream.publish(subject, encode(CHANGE), headers={"Nats-Msg-Id": "id-7"})
    seen: list[Delivery[MewsChange]] = []

    async def handler(delivery: Delivery[MewsChange]) -> None:
        seen.append(delivery)

    [msg] = await sub.fetch(1, timeout=5)
    assert await process(msg, MewsChange, handler, policy, jetstream) is Outcome.ACKED
    assert seen[0].payload == CHANGE
    assert seen[0].message_id == "id-7"
    assert (await sub.consumer_info()).num_ack_pending == 0


async def test_undecodable_message_becomes_a_dead_letter_with_the_reason(jetstream, queue) -> None:
    subject, policy, sub = queue
    await jetstream.publish(subject, b'{"enterprise_id": 42}')

    async def handler(delivery: Delivery[MewsChange]) -> None:
        raise AssertionError("must not be called")

    [msg] = await sub.fetch(1, timeout=5)
    assert await process(msg, MewsChange, handler, policy, jetstream) is Outcome.DEAD_LETTERED
    letter = await _last_letter(jetstream, policy)
    assert "cannot decode as mews.change/v1" in letter.reason
    assert letter.data == b'{"enterprise_id": 42}'


async def test_rejected_is_dead_lettered_at_once(jetstream, queue) -> None:
    subject, policy, sub = queue
    await jetstream.publish(subject, encode(CHANGE))

    async def handler(delivery: Delivery[MewsChange]) -> None:
        raise Rejected("reservation is gone in Mews")

    [msg] = await sub.fetch(1, timeout=5)
    assert await process(msg, MewsChange, handler, policy, jetstream) is Outcome.DEAD_LETTERED
    assert (await _last_letter(jetstream, policy)).reason == "rejected: reservation is gone in Mews"


async def test_transient_failure_is_retried_then_dead_lettered_after_max_deliver(
    jetstream, queue
) -> None:
    subject, policy, sub = queue
    await jetstream.publish(subject, encode(CHANGE))
    calls = 0

    async def handler(delivery: Delivery[MewsChange]) -> None:
        nonlocal calls
        calls += 1
        raise ConnectionError("database restarting")

    outcomes = []
    for _ in range(policy.max_deliver):
        [msg] = await sub.fetch(1, timeout=5)
        outcomes.append(await process(msg, MewsChange, handler, policy, jetstream))
    assert outcomes == [Outcome.RETRYING, Outcome.RETRYING, Outcome.DEAD_LETTERED]
    assert calls == 3
    letter = await _last_letter(jetstream, policy)
    assert letter.reason.startswith("failed 3 deliveries, last: ConnectionError")
    assert letter.delivery_count == 3
    info = await sub.consumer_info()
    assert info.num_pending == 0
    assert info.num_ack_pending == 0


#: The message that once stopped guest sync: close to NATS's 1 MiB limit, and not a payload.
POISON = b'{"enterprise_id": "' + b"x" * 900_000 + b'"'


async def test_a_900_kb_malformed_message_becomes_a_dead_letter_that_fits(jetstream, queue) -> None:
    subject, policy, sub = queue
    await jetstream.publish(subject, POISON)

    async def handler(delivery: Delivery[MewsChange]) -> None:
        raise AssertionError("must not be called")

    [msg] = await sub.fetch(1, timeout=5)
    assert await process(msg, MewsChange, handler, policy, jetstream) is Outcome.DEAD_LETTERED
    letter = await _last_letter(jetstream, policy)
    assert "cannot decode as mews.change/v1" in letter.reason
    assert letter.truncated
    assert letter.data == POISON[:DEAD_LETTER_MAX_DATA]
    assert letter.size == len(POISON)
    assert letter.sha256 == hashlib.sha256(POISON).hexdigest()
    assert (await sub.consumer_info()).num_ack_pending == 0


async def test_a_dead_letter_that_cannot_be_stored_naks_the_message_instead_of_raising(
    jetstream, queue, nats_url
) -> None:
    subject, policy, sub = queue
    await jetstream.publish(subject, b"not json")
    # A closed connection: publishing the dead letter fails, every time, without timing.
    closed = await nats.connect(nats_url)
    await closed.close()

    async def handler(delivery: Delivery[MewsChange]) -> None:
        raise AssertionError("must not be called")

    [msg] = await sub.fetch(1, timeout=5)
    assert await process(msg, MewsChange, handler, policy, closed.jetstream()) is (Outcome.RETRYING)
    # It comes back (after the back-off), and once the letter can be stored it is.
    [again] = await sub.fetch(1, timeout=5)
    assert again.metadata.num_delivered == 2
    assert await process(again, MewsChange, handler, policy, jetstream) is Outcome.DEAD_LETTERED
    assert (await _last_letter(jetstream, policy)).data == b"not json"


async def eventually_no_ack_pending(sub) -> None:
    """A batch's acks are sent, not awaited: the server counts them a moment later."""
    for _ in range(100):
        if (await sub.consumer_info()).num_ack_pending == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("acks never reached the server")


async def test_a_batch_is_applied_at_once_and_acked_each(jetstream, queue) -> None:
    subject, policy, sub = queue
    for name in ("a", "b", "c"):
        await jetstream.publish(subject, encode(msgspec.structs.replace(CHANGE, mews_id=name)))
    batches: list[list[str]] = []

    async def apply_all(deliveries: list[Delivery[MewsChange]]) -> None:
        batches.append([d.payload.mews_id for d in deliveries])

    async def handler(delivery: Delivery[MewsChange]) -> None:
        raise AssertionError("one by one only when the batch fails")

    msgs = await sub.fetch(3, timeout=5)
    outcomes = await process_batch(
        msgs, MewsChange, apply_all=apply_all, handler=handler, policy=policy, js=jetstream
    )
    assert outcomes == [Outcome.ACKED] * 3
    assert batches == [["a", "b", "c"]]
    await eventually_no_ack_pending(sub)


async def test_a_failed_batch_applies_its_messages_one_by_one_so_only_the_bad_one_is_dead(
    jetstream, queue
) -> None:
    subject, policy, sub = queue
    await jetstream.publish(subject, b"not json")
    for name in ("a", "poison", "c"):
        await jetstream.publish(subject, encode(msgspec.structs.replace(CHANGE, mews_id=name)))
    batches: list[list[str]] = []
    one_by_one: list[str] = []

    async def apply_all(deliveries: list[Delivery[MewsChange]]) -> None:
        batches.append([d.payload.mews_id for d in deliveries])
        raise Rejected("poison in the batch")  # all or nothing: nothing of it stays

    async def handler(delivery: Delivery[MewsChange]) -> None:
        if delivery.payload.mews_id == "poison":
            raise Rejected("poison")
        one_by_one.append(delivery.payload.mews_id)

    msgs = await sub.fetch(4, timeout=5)
    outcomes = await process_batch(
        msgs, MewsChange, apply_all=apply_all, handler=handler, policy=policy, js=jetstream
    )
    # The undecodable one is settled first, on its own; the batch never sees it.
    assert outcomes == [
        Outcome.DEAD_LETTERED, Outcome.ACKED, Outcome.DEAD_LETTERED, Outcome.ACKED
    ]  # fmt: skip
    assert batches == [["a", "poison", "c"]]
    assert sorted(one_by_one) == ["a", "c"]
    assert "rejected: poison" in (await _last_letter(jetstream, policy)).reason
    await eventually_no_ack_pending(sub)
