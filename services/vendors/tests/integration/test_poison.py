"""No message stops a vendors consumer: a 900 KB poison on each of its command subjects
becomes a dead letter that fits, and the next real command is still handled."""

import asyncio

import httpx
import pytest
from nats.js import JetStreamContext
from vendors_testkit import Harness

from attendandt.contracts.base import encode
from attendandt.contracts.deadletter import DEAD_LETTER, DEAD_LETTER_MAX_DATA
from attendandt.contracts.examples import EXAMPLES
from attendandt.contracts.permissions import user
from attendandt.contracts.streams import DOMAIN_COMMANDS, ensure_streams
from attendandt.platform.health import ConsumerEnded
from attendandt.platform.settings import DatabaseSettings, NatsSettings, ObservabilitySettings
from attendandt.testing.poison import assert_poison_letter_fits, end_task, poison_then_real
from attendandt.vendors.app import VendorsApp, create_app
from attendandt.vendors.service import SERVICE
from attendandt.vendors.settings import VendorsSettings

COMMAND_CONSUMERS = [c for c in user(SERVICE).consumes if c.stream == DOMAIN_COMMANDS]
#: What becomes of the contract's example command after the poison: applied (no dead
#: letter), or refused by the service on its content (the example's charge does not exist).
AFTER_THE_POISON = {
    "vendors-upsert-vendor": None,
    "vendors-upsert-catalogue": None,
    "vendors-upsert-company": None,
    "vendors-record-charge-result": "rejected: charge c-1 is not known in this property",
    "vendors-record-charge-cancellation": "rejected: charge c-1 is not known in this property",
    "vendors-record-charge-in-mews": "rejected: charge c-1 is not known in this property",
    # No booking or charge of that guest: an empty receipt.
    "vendors-erase-guest": None,
}


def test_every_command_consumer_of_vendors_is_covered() -> None:
    assert {c.durable for c in COMMAND_CONSUMERS} == set(AFTER_THE_POISON)


@pytest.mark.parametrize("consumer", COMMAND_CONSUMERS, ids=lambda c: c.durable)
async def test_a_900_kb_poison_is_dead_lettered_and_the_next_command_handled(
    harness: Harness, consumer
) -> None:
    example = next(e for e in EXAMPLES if isinstance(e, consumer.subject.payload))
    survived = await poison_then_real(
        harness.js,
        stream=DOMAIN_COMMANDS.name,
        durable=consumer.durable,
        subject=consumer.subject.template,
        real=encode(example),
        letters_subject=DEAD_LETTER.format(service=SERVICE, consumer=consumer.durable),
    )
    assert_poison_letter_fits(survived.poison_letter, max_data=DEAD_LETTER_MAX_DATA)
    expected = AFTER_THE_POISON[consumer.durable]
    reason = survived.real_letter["reason"] if survived.real_letter is not None else None
    assert reason == expected
    assert harness.app.consumers.dead() == []


async def _started(
    nats_url: str, vendors_url: str, guard_interval_s: float
) -> tuple[VendorsApp, asyncio.Event, asyncio.Task[None]]:
    settings = VendorsSettings(
        nats=NatsSettings(url=nats_url),
        database=DatabaseSettings(url=vendors_url, schema="vendors"),
        observability=ObservabilitySettings(service="vendors"),
        health_port=0,
        expiry_interval_s=3600.0,
    )
    app = create_app(settings)
    app.consumers.interval_s = guard_interval_s
    stop = asyncio.Event()
    running = asyncio.create_task(app.run(stop))
    started = asyncio.create_task(app.started.wait())
    await asyncio.wait({running, started}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
    if running.done():
        running.result()
    return app, stop, running


async def _kill_consumer(app: VendorsApp, durable: str) -> None:
    """Cancel the consumer's task: it ends, as one that died would."""
    await end_task(app.consumers._tasks[durable])


async def test_a_killed_consumer_task_fails_readiness(
    nats_url: str, jetstream: JetStreamContext, vendors_url: str
) -> None:
    await ensure_streams(jetstream)
    # The guard looks once at start, then not for an hour: readiness alone is tested here.
    app, stop, running = await _started(nats_url, vendors_url, guard_interval_s=3600)
    try:
        assert app.health is not None
        url = f"http://127.0.0.1:{app.health.port}/readyz"
        async with httpx.AsyncClient() as client:
            assert (await client.get(url)).status_code == 200
            await _kill_consumer(app, "vendors-upsert-vendor")
            response = await client.get(url)
        assert response.status_code == 503
        assert response.json()["consumers"] is False
        assert app.consumers.dead() == ["vendors-upsert-vendor"]
    finally:
        stop.set()
        await asyncio.wait_for(running, 30)


async def test_a_killed_consumer_task_stops_the_process(
    nats_url: str, jetstream: JetStreamContext, vendors_url: str
) -> None:
    await ensure_streams(jetstream)
    app, stop, running = await _started(nats_url, vendors_url, guard_interval_s=0.05)
    await _kill_consumer(app, "vendors-record-charge-result")
    await asyncio.wait({running}, timeout=30)
    assert stop.is_set()
    with pytest.raises(ConsumerEnded, match="vendors-record-charge-result"):
        running.result()
