"""The one lifecycle of a service process (`platform.runtime`), on real NATS and Postgres:
the order it stops in, the outbox flushed at stop, readiness following the connection."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import msgspec
import nats
import pytest
import sample_models
from nats.js import JetStreamContext
from nats.js.api import StreamConfig
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from attendandt.contracts.base import RpcMethod, encode
from attendandt.contracts.examples import EXAMPLES
from attendandt.contracts.mews import MewsChange
from attendandt.platform import outbox as outbox_module
from attendandt.platform.consumer import ConsumerPolicy, Delivery
from attendandt.platform.db import DatabaseSettings, create_engine, session_factory
from attendandt.platform.migrations import upgrade
from attendandt.platform.outbox import OutboxRelay
from attendandt.platform.rpc import RpcTimeout
from attendandt.platform.rpc import call as rpc_call
from attendandt.platform.runtime import Runtime
from attendandt.platform.settings import NatsSettings
from attendandt.platform.subscriptions import Subscription
from attendandt.testing.polling import eventually

MIGRATIONS = Path(__file__).parents[1] / "sample_migrations"
CHANGE = next(e for e in EXAMPLES if isinstance(e, MewsChange))

Events = list[tuple[str, bool]]


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    await upgrade(database_url, MIGRATIONS, "sample")
    engine = create_engine(DatabaseSettings(url=database_url, schema="sample"))
    yield engine
    await engine.dispose()


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> Events:
    """Every relay batch that published something, with whether the connection was closed
    by then. The relays do not LISTEN and poll once an hour: a row committed after their
    first pass is published by the flush at stop, or not at all."""
    recorded: Events = []
    relay_once = OutboxRelay.relay_once

    async def recording(relay: OutboxRelay) -> int:
        relayed = await relay_once(relay)
        if relayed:
            recorded.append(("outbox published", relay.js._nc.is_closed))
        return relayed

    async def no_listener(relay: OutboxRelay) -> None:
        return None

    monkeypatch.setattr(OutboxRelay, "relay_once", recording)
    monkeypatch.setattr(OutboxRelay, "_listen", no_listener)
    return recorded


async def _add(engine: AsyncEngine, subject: str, msg_id: str) -> None:
    async with session_factory(engine).begin() as session:
        await outbox_module.add(
            session, sample_models.outbox, subject=subject, payload=CHANGE, msg_id=msg_id
        )


async def _waiting(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(sample_models.outbox)) or 0)


async def _start(runtime: Runtime, stop: asyncio.Event) -> asyncio.Task[None]:
    running = asyncio.create_task(runtime.run(stop))
    started = asyncio.create_task(runtime.started.wait())
    await asyncio.wait({running, started}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
    if not started.done():
        started.cancel()
        await running  # raises what stopped it
    assert runtime.started.is_set()
    return running


async def test_a_plain_connection_stops_intake_then_tasks_then_writes_out_then_closes(
    engine: AsyncEngine, jetstream: JetStreamContext, unique: str, nats_url: str, events: Events
) -> None:
    subject = f"out.{unique}"
    await jetstream.add_stream(StreamConfig(name=f"OUT_{unique}", subjects=[f"{subject}.>"]))
    runtime = Runtime("sample", NatsSettings(url=nats_url), graceful_s=30)
    runtime.outbox(engine, sample_models.outbox, poll_interval=3600)

    async def consume(stop: asyncio.Event) -> None:
        await stop.wait()
        # The message in hand when intake stops is finished: its result is committed.
        await _add(engine, f"{subject}.late", "late-1")
        events.append(("intake stopped", runtime.nc.is_closed))

    async def background(stop: asyncio.Event) -> None:
        await stop.wait()
        events.append(("task stopped", runtime.nc.is_closed))

    async def write_out() -> None:
        events.append(("stop step", runtime.nc.is_closed))

    async def closer() -> None:
        events.append(("closer", runtime.nc.is_closed))

    runtime.consumer("sample-loop", consume)
    runtime.task("background", background)
    runtime.on_stop("state", write_out)
    runtime.on_close("probe", closer)
    stop = asyncio.Event()
    running = await _start(runtime, stop)
    assert await _waiting(engine) == 0

    stop.set()
    await asyncio.wait_for(running, 60)
    assert events == [
        ("intake stopped", False),
        ("task stopped", False),
        ("stop step", False),
        ("outbox published", False),
        ("closer", True),
    ]
    msg = await jetstream.get_last_msg(f"OUT_{unique}", f"{subject}.late")
    assert (msg.headers or {})["Nats-Msg-Id"] == "late-1"
    assert await _waiting(engine) == 0
    assert not runtime.started.is_set()


async def test_a_handler_in_flight_at_stop_finishes_and_its_outbox_row_is_published(
    engine: AsyncEngine, jetstream: JetStreamContext, unique: str, nats_url: str, events: Events
) -> None:
    subject = f"out.{unique}"
    await jetstream.add_stream(StreamConfig(name=f"OUT_{unique}", subjects=[f"{subject}.>"]))
    await jetstream.add_stream(StreamConfig(name=f"IN_{unique}", subjects=[f"in.{unique}"]))
    runtime = Runtime("sample", NatsSettings(url=nats_url))
    runtime.outbox(engine, sample_models.outbox, poll_interval=3600)
    entered, release = asyncio.Event(), asyncio.Event()
    handled: list[str] = []

    async def handle(delivery: Delivery[MewsChange]) -> None:
        entered.set()
        await release.wait()
        await _add(engine, f"{subject}.done", f"done-{delivery.payload.mews_id}")
        handled.append(delivery.payload.mews_id)
        events.append(("handler finished", runtime.nc.is_closed))

    policy = ConsumerPolicy(service="sample", consumer=f"in-{unique}")
    runtime.subscribe(Subscription(f"IN_{unique}", f"in.{unique}", MewsChange, handle, policy))
    stop = asyncio.Event()
    running = await _start(runtime, stop)
    try:
        await jetstream.publish(
            f"in.{unique}", encode(msgspec.structs.replace(CHANGE, mews_id="first"))
        )
        await asyncio.wait_for(entered.wait(), 30)

        stop.set()
        # Intake has stopped: a message published now waits for the next start.
        await jetstream.publish(
            f"in.{unique}", encode(msgspec.structs.replace(CHANGE, mews_id="second"))
        )
        await asyncio.sleep(0.5)
        assert not running.done()
    finally:
        stop.set()
        release.set()
        await asyncio.wait_for(running, 60)
    assert handled == ["first"]
    assert events == [("handler finished", False), ("outbox published", False)]
    msg = await jetstream.get_last_msg(f"OUT_{unique}", f"{subject}.done")
    assert (msg.headers or {})["Nats-Msg-Id"] == "done-first"
    assert runtime.nc.is_closed
    # The first was acked before the connection closed; the second waits, unacked.
    info = await jetstream.consumer_info(f"IN_{unique}", policy.consumer)
    assert (info.num_pending, info.num_ack_pending) == (1, 0)


async def test_a_call_in_flight_at_stop_is_answered_and_no_new_call_is_taken(
    engine: AsyncEngine, nats_url: str, unique: str
) -> None:
    method = RpcMethod(unique, "echo", MewsChange, MewsChange)
    runtime = Runtime("sample", NatsSettings(url=nats_url))
    entered, release = asyncio.Event(), asyncio.Event()

    async def echo(request: MewsChange) -> MewsChange:
        entered.set()
        await release.wait()
        return request

    runtime.answer(method, echo, for_caller=False)
    stop = asyncio.Event()
    running = await _start(runtime, stop)
    client = await nats.connect(nats_url)
    try:
        call = asyncio.create_task(rpc_call(client, method, CHANGE, timeout=30))
        await asyncio.wait_for(entered.wait(), 30)
        stop.set()
        await eventually(lambda: not runtime.rpc._subscriptions, what="the RPC intake to stop")
        with pytest.raises(RpcTimeout) as refused:
            await rpc_call(client, method, CHANGE, timeout=1)
        release.set()
        assert await call == CHANGE
        assert refused.value.no_responders
    finally:
        stop.set()
        release.set()
        await asyncio.wait_for(running, 60)
        await client.close()


async def test_readiness_fails_once_the_connection_is_closed(
    engine: AsyncEngine, jetstream: JetStreamContext, nats_url: str
) -> None:
    async def broken() -> bool:
        raise ConnectionError("the check's dependency is gone")

    runtime = Runtime(
        "sample",
        NatsSettings(url=nats_url),
        checks={"database": lambda: True, "cache": broken},
    )
    runtime.outbox(engine, sample_models.outbox)
    stop = asyncio.Event()
    running = await _start(runtime, stop)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{runtime.health.port}") as http:
            before = await http.get("/readyz")
            assert before.json() == {
                "status": "not ready",
                "nats": True,
                "database": True,
                "cache": False,
                "consumers": True,
            }
            runtime.checks.pop("cache")
            assert (await http.get("/readyz")).status_code == 200

            await runtime.nc.close()
            after = await http.get("/readyz")
        assert after.status_code == 503
        assert after.json()["nats"] is False
    finally:
        stop.set()
        await asyncio.wait_for(running, 60)  # a closed connection does not fail the stop


async def test_the_probes_answer_while_a_start_step_waits(nats_url: str) -> None:
    runtime = Runtime("sample", NatsSettings(url=nats_url))
    waiting, release = asyncio.Event(), asyncio.Event()

    async def bind(stop: asyncio.Event) -> None:
        waiting.set()
        await release.wait()

    runtime.on_start(bind)
    stop = asyncio.Event()
    running = asyncio.create_task(runtime.run(stop))
    try:
        await asyncio.wait_for(waiting.wait(), 30)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{runtime.health.port}") as http:
            assert (await http.get("/healthz")).status_code == 200
            starting = await http.get("/readyz")
            assert starting.status_code == 503
            assert starting.json()["started"] is False
            release.set()
            await asyncio.wait_for(runtime.started.wait(), 30)
            ready = await http.get("/readyz")
        assert ready.json() == {"status": "ready", "nats": True, "consumers": True}
    finally:
        stop.set()
        release.set()
        await asyncio.wait_for(running, 60)


class OwnProbes:
    """A service's own probe server, recording when it starts and stops."""

    def __init__(self, events: Events, runtime: list[Runtime]) -> None:
        self.events = events
        self.runtime = runtime

    @property
    def port(self) -> int:
        return 0

    async def start(self) -> None:
        self.events.append(("probes started", bool(self.runtime and self.runtime[0]._nc)))

    async def stop(self) -> None:
        self.events.append(("probes stopped", self.runtime[0].nc.is_closed))


async def test_a_service_s_own_probe_server_takes_the_health_server_s_place(
    nats_url: str,
) -> None:
    events: Events = []
    made: list[Runtime] = []
    probes = OwnProbes(events, made)
    runtime = Runtime("sample", NatsSettings(url=nats_url), health_server=probes)
    made.append(runtime)
    assert runtime.health is probes

    async def bind(stop: asyncio.Event) -> None:
        events.append(("start step", runtime.nc.is_closed))

    async def write_out() -> None:
        events.append(("stop step", runtime.nc.is_closed))

    runtime.on_start(bind)
    runtime.on_stop("state", write_out)
    stop = asyncio.Event()
    running = await _start(runtime, stop)
    stop.set()
    await asyncio.wait_for(running, 60)
    assert events == [
        ("probes started", False),  # before the connection
        ("start step", False),
        ("stop step", False),
        ("probes stopped", True),
    ]
