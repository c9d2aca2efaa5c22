"""No message stops sync: a 900 KB body that is no change notification, on every change
subject, becomes a stored dead letter that fits, while the next real change is applied; and
a consumer loop that ended makes the process not ready and ends it."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import httpx
import msgspec
import pytest
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from sync_support import announce, stored_commands, sync_settings, wait_for

from attendandt.contracts.deadletter import DEAD_LETTER, DEAD_LETTER_MAX_DATA, DeadLetter
from attendandt.contracts.mews import MEWS_CHANGE, MewsEntity
from attendandt.contracts.streams import DEAD_LETTERS, SYNC_HEALTH, ensure_streams
from attendandt.platform.health import ConsumerEnded
from attendandt.platform.unrouted import CONSUMER as UNROUTED
from attendandt.sync.app import SyncApp
from attendandt.sync.consumer import DURABLE, SERVICE, ChangeConsumer
from attendandt.sync.health import HealthBoard
from attendandt.testing.poison import end_task

#: Close to NATS's 1 MiB payload limit; its dead letter, body base64-encoded, would not fit.
POISON = b'{"entity": "' + b"\xff" * 900_000 + b'"}'


async def _letters(js: JetStreamContext) -> list[DeadLetter]:
    subject = DEAD_LETTER.format(service=SERVICE, consumer=DURABLE)
    info = await js.stream_info(DEAD_LETTERS.name, subjects_filter=subject)
    if not info.state.subjects:
        return []
    letters = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        try:
            raw = await js.get_msg(DEAD_LETTERS.name, seq)
        except Exception:
            continue
        if raw.subject == subject:
            letters.append(msgspec.json.decode(raw.data or b"", type=DeadLetter))
    return letters


@pytest.mark.parametrize("entity", list(MewsEntity))
async def test_a_900_kb_poison_change_is_dead_lettered_and_the_next_change_applied(
    entity: MewsEntity, mews_sim: Any, jetstream: JetStreamContext, start_sync: Any
) -> None:
    await ensure_streams(jetstream)
    mews_sim.reset("default")
    enterprise = mews_sim.gross.id
    subject = MEWS_CHANGE.format(enterprise=enterprise, entity=entity.value)
    await start_sync(coalesce_window_s=0.05)

    await jetstream.publish(subject, POISON)
    [customer] = await asyncio.to_thread(mews_sim.control.touch, "customers", 1, enterprise)
    await announce(jetstream, enterprise, MewsEntity.CUSTOMER, [customer])

    async def guest_commanded() -> bool:
        guests, _ = await stored_commands(jetstream)
        return any(g.guest.mews_id == customer for g in guests)

    await wait_for(guest_commanded, what="the real change after the poison to be applied")

    async def poison_letter() -> DeadLetter | None:
        found = [x for x in await _letters(jetstream) if x.subject == subject]
        return found[0] if found else None

    letter = await wait_for(poison_letter, what="the poison's dead letter")
    assert letter.reason.startswith("cannot decode as mews.change/v1")
    assert letter.truncated
    assert letter.size == len(POISON)
    assert letter.sha256 == hashlib.sha256(POISON).hexdigest()
    assert letter.data == POISON[:DEAD_LETTER_MAX_DATA]
    info = await jetstream.consumer_info("MEWS_CHANGES", DURABLE)
    assert info.num_ack_pending == 0
    assert info.num_pending == 0


async def _start(app: SyncApp) -> tuple[asyncio.Event, asyncio.Task[None]]:
    stop = asyncio.Event()
    running = asyncio.create_task(app.run(stop))
    await wait_for(lambda: app.ready.is_set() or running.done(), what="sync to start")
    if running.done():
        running.result()
    return stop, running


async def test_a_consumer_loop_that_ended_fails_readiness(
    mews_sim: Any, nats_url: str, jetstream: JetStreamContext
) -> None:
    await ensure_streams(jetstream)
    app = SyncApp(sync_settings(mews_sim, nats_url))
    app.consumers.interval_s = 3600  # only readiness here: the process must not stop first
    stop, running = await _start(app)
    try:
        assert app.health_server is not None
        url = f"http://127.0.0.1:{app.health_server.port}/readyz"
        async with httpx.AsyncClient() as client:
            assert (await client.get(url)).status_code == 200
            # The consumer's loop ends (as an escaped exception would end it).
            await end_task(app.consumers._tasks[DURABLE])
            response = await client.get(url)
        assert response.status_code == 503
        assert response.json()["consumers"] is False
        assert not running.done()
    finally:
        stop.set()
        await asyncio.wait({running}, timeout=30)


async def test_a_consumer_loop_that_ended_ends_the_process(
    mews_sim: Any, nats_url: str, jetstream: JetStreamContext
) -> None:
    await ensure_streams(jetstream)
    app = SyncApp(sync_settings(mews_sim, nats_url))
    stop, running = await _start(app)
    await end_task(app.consumers._tasks[DURABLE])
    # The process stops on its own, so that its supervisor starts it again: once the guard
    # has looked, within the longest its three stopping stages may take.
    bound = app.consumers.interval_s + 3 * app.runtime.graceful_s + 10
    await asyncio.wait({running}, timeout=bound)
    assert running.done()
    assert stop.is_set()
    with pytest.raises(ConsumerEnded, match=DURABLE):
        running.result()


async def test_a_command_for_a_service_that_does_not_exist_becomes_a_dead_letter(
    jetstream: JetStreamContext, start_sync: Any
) -> None:
    await ensure_streams(jetstream)
    await start_sync(unrouted_after_s=0.0, unrouted_interval_s=0.1)
    await jetstream.publish("cmd.v1.nobody.verb", b'{"verb": "anything"}')
    subject = DEAD_LETTER.format(service=SERVICE, consumer=UNROUTED)

    async def letter() -> DeadLetter | None:
        try:
            raw = await jetstream.get_last_msg(DEAD_LETTERS.name, subject)
        except NotFoundError:
            return None
        return msgspec.json.decode(raw.data or b"", type=DeadLetter)

    found = await wait_for(letter, what="the unrouted command's dead letter")
    assert found.subject == "cmd.v1.nobody.verb"
    assert "no service consumes cmd.v1.nobody.verb" in found.reason
    # Gone from the work queue (sync's own hotel commands wait there for their consumers).
    info = await jetstream.stream_info("DOMAIN_COMMANDS", subjects_filter="cmd.v1.nobody.verb")
    assert not info.state.subjects


async def test_a_pass_that_raises_does_not_end_the_consumer_loop(
    jetstream: JetStreamContext,
) -> None:
    await ensure_streams(jetstream)
    calls = 0

    def appliers(enterprise_id: str) -> None:
        # The first pass fails with what no handler expects; later ones find no token.
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("a bug in a pass")

    board = HealthBoard(await jetstream.key_value(SYNC_HEALTH.bucket))
    consumer = ChangeConsumer(jetstream, appliers, board, window_s=0.0, batch_max=10, max_deliver=8)
    stop = asyncio.Event()
    loop = asyncio.create_task(consumer.run(stop))
    try:
        enterprise = "8a1f3b0e-1c2d-4e5f-9a8b-7c6d5e4f3a2b"
        await announce(jetstream, enterprise, MewsEntity.CUSTOMER, ["c-1"])

        async def dead_lettered() -> list[DeadLetter]:
            return [x for x in await _letters(jetstream) if "no Mews AccessToken" in x.reason]

        [letter] = await wait_for(dead_lettered, what="the change after the failed pass")
        assert letter.delivery_count == 2  # the failed pass nak'd it; it came back
        assert calls == 2
        assert not loop.done()
    finally:
        stop.set()
        await asyncio.wait_for(loop, 30)
