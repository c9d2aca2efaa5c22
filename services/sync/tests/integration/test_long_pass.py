"""A pass that takes longer than the consumer's ack wait keeps its changes: the server does not
hand them to another sync process meanwhile (they are reported in progress), and once the
pass is over they are settled. Real nats-server; the Mews side is a stand-in applier."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from nats.js import JetStreamContext
from sync_support import announce, wait_for

from attendandt.contracts.mews import MewsEntity
from attendandt.contracts.streams import MEWS_CHANGES, SYNC_HEALTH, ensure_streams
from attendandt.sync.applier import PassResult
from attendandt.sync.consumer import DURABLE, ChangeConsumer, consumer_config
from attendandt.sync.health import HealthBoard

ENTERPRISE = "8a1f3b0e-1c2d-4e5f-9a8b-7c6d5e4f3a2b"
ACK_WAIT_S = 1.0


class StandIn:
    """An applier that takes `seconds` per pass and applies every id it is given."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.passes: list[list[str]] = []
        self.finished = asyncio.Event()

    async def apply(self, entity: MewsEntity, ids: Sequence[str]) -> PassResult:
        self.passes.append(list(ids))
        await asyncio.sleep(self.seconds)
        self.finished.set()
        return PassResult(applied=set(ids))


async def test_a_pass_longer_than_the_ack_wait_keeps_its_changes(
    jetstream: JetStreamContext,
) -> None:
    await ensure_streams(jetstream)
    board = HealthBoard(await jetstream.key_value(SYNC_HEALTH.bucket))
    slow, other = StandIn(seconds=5 * ACK_WAIT_S), StandIn(seconds=0.0)

    def consumer(applier: StandIn) -> ChangeConsumer:
        return ChangeConsumer(
            jetstream,
            lambda _enterprise: applier,  # type: ignore[arg-type,return-value]
            board,
            window_s=0.0,
            batch_max=10,
            max_deliver=8,
            ack_wait_s=ACK_WAIT_S,
        )

    stop = asyncio.Event()
    first = asyncio.create_task(consumer(slow).run(stop))
    second: asyncio.Task[None] | None = None
    try:
        await announce(jetstream, ENTERPRISE, MewsEntity.CUSTOMER, ["c-1"])
        await wait_for(lambda: slow.passes, what="the slow pass to begin")
        # A second sync process pulls from the same consumer while the first one works.
        second = asyncio.create_task(consumer(other).run(stop))
        await asyncio.wait_for(slow.finished.wait(), 30)

        async def settled() -> bool:
            info = await jetstream.consumer_info(MEWS_CHANGES.name, DURABLE)
            return info.num_ack_pending == 0 and info.num_pending == 0

        await wait_for(settled, what="the change to be settled")
        assert slow.passes == [["c-1"]]
        assert other.passes == [], "the change was handed to another process mid-pass"
        info = await jetstream.consumer_info(MEWS_CHANGES.name, DURABLE)
        assert info.num_redelivered == 0
        assert info.config.ack_wait == ACK_WAIT_S
    finally:
        stop.set()
        for task in (first, second):
            if task is not None:
                await asyncio.wait_for(task, 30)


def test_a_dead_process_s_changes_come_back_within_half_a_minute() -> None:
    assert consumer_config(1000).ack_wait == 30


async def test_a_consumer_an_earlier_release_made_gets_the_short_ack_wait(
    jetstream: JetStreamContext,
) -> None:
    await ensure_streams(jetstream)
    await jetstream.add_consumer(MEWS_CHANGES.name, config=consumer_config(10, ack_wait_s=120))
    board = HealthBoard(await jetstream.key_value(SYNC_HEALTH.bucket))
    applier = StandIn(seconds=0.0)
    stop = asyncio.Event()
    loop = asyncio.create_task(
        ChangeConsumer(
            jetstream,
            lambda _enterprise: applier,  # type: ignore[arg-type,return-value]
            board,
            window_s=0.0,
            batch_max=10,
            max_deliver=8,
        ).run(stop)
    )
    try:
        await announce(jetstream, ENTERPRISE, MewsEntity.CUSTOMER, ["c-2"])
        await wait_for(lambda: applier.passes, what="the change to be applied")
        info = await jetstream.consumer_info(MEWS_CHANGES.name, DURABLE)
        assert info.config.ack_wait == 30
    finally:
        stop.set()
        await asyncio.wait_for(loop, 30)
