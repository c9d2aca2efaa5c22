"""Effect-once consumption and after-commit publishing, on real NATS and Postgres."""

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import msgspec
import pytest
import sample_models
from nats.js import JetStreamContext
from nats.js.api import StreamConfig
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from attendandt.contracts.examples import EXAMPLES
from attendandt.contracts.mews import MewsChange
from attendandt.platform import outbox as outbox_module
from attendandt.platform.db import DatabaseSettings, create_engine, session_factory, snapshot
from attendandt.platform.inbox import claim
from attendandt.platform.messaging import NotStored, publish_stored
from attendandt.platform.migrations import upgrade
from attendandt.platform.outbox import OutboxRelay
from attendandt.platform.telemetry import setup_telemetry, tracer

MIGRATIONS = Path(__file__).parents[1] / "sample_migrations"
CHANGE = next(e for e in EXAMPLES if isinstance(e, MewsChange))


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    await upgrade(database_url, MIGRATIONS, "sample")
    engine = create_engine(DatabaseSettings(url=database_url, schema="sample"))
    yield engine
    await engine.dispose()


async def _count(engine: AsyncEngine, name: str) -> int:
    async with engine.connect() as conn:
        value = await conn.scalar(
            select(sample_models.counters.c.value).where(sample_models.counters.c.name == name)
        )
    return int(value or 0)


async def test_inbox_applies_an_effect_once_over_three_deliveries(
    engine: AsyncEngine, jetstream: JetStreamContext, unique: str
) -> None:
    await jetstream.add_stream(StreamConfig(name=f"IN_{unique}", subjects=[f"in.{unique}"]))
    await jetstream.publish(f"in.{unique}", b"add one", headers={"Nats-Msg-Id": "m-1"})
    sub = await jetstream.pull_subscribe(f"in.{unique}", durable=f"c_{unique}")
    sessions = session_factory(engine)
    counters = sample_models.counters
    deliveries = 0
    while True:
        [msg] = await sub.fetch(1, timeout=5)
        deliveries += 1
        async with sessions.begin() as session:
            if await claim(session, sample_models.inbox, consumer="counter", message_id="m-1"):
                await session.execute(
                    insert(counters)
                    .values(name="hits", value=1)
                    .on_conflict_do_update(
                        index_elements=[counters.c.name], set_={"value": counters.c.value + 1}
                    )
                )
        if deliveries < 3:
            await msg.nak()  # as if the ack was lost: JetStream delivers it again
        else:
            await msg.ack_sync()
            break
    assert msg.metadata.num_delivered == 3
    assert await _count(engine, "hits") == 1


async def test_outbox_publishes_committed_rows_and_nothing_from_rolled_back(
    engine: AsyncEngine, jetstream: JetStreamContext, unique: str
) -> None:
    subject = f"out.{unique}"
    await jetstream.add_stream(StreamConfig(name=f"OUT_{unique}", subjects=[f"{subject}.>"]))
    sessions = session_factory(engine)
    async with sessions.begin() as session:
        await outbox_module.add(
            session,
            sample_models.outbox,
            subject=f"{subject}.kept",
            payload=CHANGE,
            msg_id="kept-1",
        )

    async def add_then_abandon() -> None:
        async with sessions.begin() as session:
            await outbox_module.add(
                session,
                sample_models.outbox,
                subject=f"{subject}.lost",
                payload=CHANGE,
                msg_id="lost-1",
            )
            raise RuntimeError("abandon the transaction")

    with pytest.raises(RuntimeError, match="abandon"):
        await add_then_abandon()

    relay = OutboxRelay(engine, sample_models.outbox, jetstream)
    assert await relay.relay_once() == 1
    assert await relay.relay_once() == 0
    info = await jetstream.stream_info(f"OUT_{unique}")
    assert info.state.messages == 1
    msg = await jetstream.get_last_msg(f"OUT_{unique}", f"{subject}.kept")
    assert msg.data == outbox_module.encode(CHANGE)
    assert msg.headers is not None
    assert msg.headers["Nats-Msg-Id"] == "kept-1"
    assert msg.headers["Attendandt-Schema"] == "mews.change/v1"


async def test_the_relays_publish_continues_the_trace_that_wrote_the_row(
    engine: AsyncEngine, jetstream: JetStreamContext, unique: str
) -> None:
    spans = InMemorySpanExporter()
    setup_telemetry("platform-tests").add_span_processor(SimpleSpanProcessor(spans))
    subject = f"out.{unique}"
    await jetstream.add_stream(StreamConfig(name=f"OUT_{unique}", subjects=[f"{subject}.>"]))
    with tracer().start_as_current_span("a command applied") as work:
        async with session_factory(engine).begin() as session:
            await outbox_module.add(
                session, sample_models.outbox, subject=f"{subject}.x", payload=CHANGE, msg_id="t-1"
            )
    relay = OutboxRelay(engine, sample_models.outbox, jetstream)
    assert await relay.relay_once() == 1  # outside any span, as the relay's own task is
    msg = await jetstream.get_last_msg(f"OUT_{unique}", f"{subject}.x")
    [published] = [s for s in spans.get_finished_spans() if s.kind == SpanKind.PRODUCER]
    assert published.parent is not None
    assert published.parent.span_id == work.get_span_context().span_id
    trace_id, span_id = (msg.headers or {})["traceparent"].split("-")[1:3]
    assert int(trace_id, 16) == work.get_span_context().trace_id
    assert int(span_id, 16) == published.context.span_id


async def test_relay_restarted_between_publish_and_delete_sends_nothing_twice(
    engine: AsyncEngine, jetstream: JetStreamContext, unique: str
) -> None:
    subject = f"out.{unique}"
    await jetstream.add_stream(StreamConfig(name=f"OUT_{unique}", subjects=[f"{subject}.>"]))
    sessions = session_factory(engine)
    async with sessions.begin() as session:
        for i in range(25):
            await outbox_module.add(
                session,
                sample_models.outbox,
                subject=f"{subject}.n",
                payload=CHANGE,
                msg_id=f"row-{i}",
            )

    async def crash(_: list[int]) -> None:
        raise ConnectionError("relay died after JetStream stored the batch")

    crashing = OutboxRelay(
        engine, sample_models.outbox, jetstream, batch_size=10, after_publish=crash
    )
    with pytest.raises(ConnectionError):
        await crashing.relay_once()  # 10 published, none deleted

    restarted = OutboxRelay(engine, sample_models.outbox, jetstream, batch_size=10)
    while await restarted.relay_once():
        pass
    info = await jetstream.stream_info(f"OUT_{unique}")
    assert info.state.messages == 25
    async with engine.connect() as conn:
        assert await conn.scalar(text("select count(*) from sample.outbox")) == 0


async def test_running_relay_is_woken_by_commit(
    engine: AsyncEngine, jetstream: JetStreamContext, unique: str
) -> None:
    subject = f"out.{unique}"
    await jetstream.add_stream(StreamConfig(name=f"OUT_{unique}", subjects=[f"{subject}.>"]))
    # A poll interval far longer than the test: only the NOTIFY can deliver in time.
    relay = OutboxRelay(engine, sample_models.outbox, jetstream, poll_interval=60)
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        await asyncio.sleep(0.2)  # let it LISTEN and go idle
        async with session_factory(engine).begin() as session:
            await outbox_module.add(
                session, sample_models.outbox, subject=f"{subject}.n", payload=CHANGE, msg_id="w-1"
            )
        for _ in range(100):
            if relay.published:
                break
            await asyncio.sleep(0.05)
        assert relay.published == 1
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)


async def test_publish_stored_waits_for_every_ack_and_says_when_one_is_refused(
    jetstream: JetStreamContext, unique: str
) -> None:
    subject = f"stored.{unique}"
    await jetstream.add_stream(StreamConfig(name=f"STORED_{unique}", subjects=[f"{subject}.>"]))
    batch = [(f"{subject}.{i}", b"{}", {"Nats-Msg-Id": f"{unique}-{i}"}) for i in range(300)]
    await publish_stored(jetstream, batch)
    info = await jetstream.stream_info(f"STORED_{unique}")
    assert info.state.messages == 300
    await publish_stored(jetstream, batch)  # sent again: each id is a repeat, stored once
    assert (await jetstream.stream_info(f"STORED_{unique}")).state.messages == 300

    nowhere = [*batch[:2], (f"nostream.{unique}", b"{}", {})]
    with pytest.raises(NotStored, match="1 refused"):
        await publish_stored(jetstream, nowhere)


async def test_a_snapshot_reads_one_state_across_statements(engine: AsyncEngine) -> None:
    """A reply built from two reads does not mix states from before and after a commit."""
    sessions = session_factory(engine)
    counters = sample_models.counters
    async with sessions.begin() as session:
        await session.execute(
            insert(counters).values(name="snap", value=1).on_conflict_do_nothing()
        )
    first_read = select(counters.c.value).where(counters.c.name == "snap")
    async with snapshot(sessions) as reader:
        assert await reader.scalar(first_read) == 1
        async with sessions.begin() as writer:
            await writer.execute(counters.update().where(counters.c.name == "snap").values(value=2))
        assert await reader.scalar(first_read) == 1
        with pytest.raises(DBAPIError, match="read-only"):
            await reader.execute(counters.update().values(value=3))
    async with sessions() as plain:
        assert await plain.scalar(first_read) == 2


async def test_queued_rows_are_stored_as_given_in_their_order(engine: AsyncEngine) -> None:
    """`add_rows` (one statement with the relay's notification): each payload is stored byte
    for byte, escapes, text or not, with its headers, in order."""
    tricky = msgspec.structs.replace(CHANGE, mews_id='c "1" \\ é \u2028 \n {x}')
    rows = [
        outbox_module.outbox_row(f"out.{i}", payload, msg_id=f"m-{i}", correlation_id="c")
        for i, payload in enumerate([CHANGE, tricky, CHANGE])
    ]
    binary = ("out.binary", b"\xff\xfe not text", '{"Nats-Msg-Id": "b-1"}')
    sessions = session_factory(engine)
    for batch in (rows, [binary]):
        async with sessions.begin() as session:
            await outbox_module.add_rows(session, sample_models.outbox, batch)
    async with engine.connect() as conn:
        stored = (
            await conn.execute(
                text("select subject, payload, headers from sample.outbox order by id")
            )
        ).all()
    assert [(s, bytes(p), h) for s, p, h in stored] == [
        (subject, payload, json.loads(headers)) for subject, payload, headers in [*rows, binary]
    ]
    assert stored[1].payload == outbox_module.encode(tricky)
