"""An import waits while guests has many commands waiting (sync.backpressure): with nobody
applying them it stops publishing once the backlog reaches its bound, and goes on as they
are applied, never more than the bound and one chunk ahead; a backlog it cannot read does not
stop it."""

import asyncio
import logging
from typing import Any

import pytest
from nats.js import JetStreamContext

from attendandt.contracts.permissions import IMPORT_TARGETS, user
from attendandt.contracts.streams import DOMAIN_COMMANDS, SYNC_HEALTH, ensure_streams
from attendandt.mews import Credentials, MewsClient
from attendandt.platform.consumer import ConsumerPolicy
from attendandt.sync.applier import Applier
from attendandt.sync.backpressure import CHUNK, DownstreamBacklog
from attendandt.sync.initial_import import InitialImport

HIGH = 40


def _client(mews_sim: Any) -> MewsClient:
    token = mews_sim.gross.token
    return MewsClient(
        Credentials(client_token=token.client_token, access_token=token.access_token),
        environment=mews_sim.base_url,
    )


async def _guests_consumers(js: JetStreamContext) -> None:
    """guests' two command consumers, as guests creates them (nobody pulls yet)."""
    filters = {c.durable: c.filter for c in user("guests").consumes}
    for stream, durable in IMPORT_TARGETS:
        policy = ConsumerPolicy(service="guests", consumer=durable)
        await js.add_consumer(stream.name, policy.consumer_config(filters[durable]))


async def _apply_all(js: JetStreamContext, pace: DownstreamBacklog, seen: list[int]) -> None:
    """guests at work: take and ack every command, noting the backlog before each batch."""
    subscriptions = [await js.pull_subscribe_bind(d, stream=s.name) for s, d in IMPORT_TARGETS]
    while True:
        seen.append(await pace.backlog())
        for subscription in subscriptions:
            try:
                messages = await subscription.fetch(25, timeout=0.05)
            except TimeoutError:
                continue
            for message in messages:
                await message.ack()


async def test_an_import_waits_for_guests_and_stays_within_its_bound(
    mews_sim: Any, jetstream: JetStreamContext
) -> None:
    await ensure_streams(jetstream)
    mews_sim.control.rate_limit(enabled=False)
    await _guests_consumers(jetstream)
    kv = await jetstream.key_value(SYNC_HEALTH.bucket)
    pace = DownstreamBacklog(jetstream, high=HIGH, poll_s=0.01)
    async with _client(mews_sim) as mews:
        job = InitialImport(Applier(mews, mews_sim.gross.id, jetstream), kv, pace=pace)
        running = asyncio.create_task(job.run())
        # Nobody applies: the import publishes up to its bound, then waits.
        async with asyncio.timeout(60):
            while pace.waits == 0:
                await asyncio.sleep(0.01)
        held = await pace.backlog()
        assert HIGH <= held < HIGH + CHUNK
        assert not running.done()

        seen: list[int] = []
        applying = asyncio.create_task(_apply_all(jetstream, pace, seen))
        try:
            state = await asyncio.wait_for(running, 120)
        finally:
            applying.cancel()
    assert state.state == "done"
    assert state.reservations > HIGH + CHUNK  # more than one bound's worth went through
    assert max(seen) < HIGH + CHUNK
    info = await jetstream.stream_info(DOMAIN_COMMANDS.name)
    assert info.state.messages > 0  # rooms (not watched) are still there


async def test_a_backlog_that_cannot_be_read_does_not_stop_an_import(
    mews_sim: Any, jetstream: JetStreamContext, caplog: pytest.LogCaptureFixture
) -> None:
    await ensure_streams(jetstream)  # guests' consumers do not exist (guests not started yet)
    mews_sim.control.rate_limit(enabled=False)
    kv = await jetstream.key_value(SYNC_HEALTH.bucket)
    pace = DownstreamBacklog(jetstream, high=1)
    caplog.set_level(logging.WARNING, "attendandt.sync.backpressure")
    async with _client(mews_sim) as mews:
        job = InitialImport(Applier(mews, mews_sim.gross.id, jetstream), kv, pace=pace)
        state = await asyncio.wait_for(job.run(), 120)
    assert state.state == "done"
    assert pace.waits == 0
    warnings = [r for r in caplog.records if "importing unpaced" in r.getMessage()]
    assert len(warnings) == 1
