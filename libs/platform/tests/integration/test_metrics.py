"""`/metrics` on the health port, and the outbox backlog it shows, on real Postgres."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sample_models
from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncEngine

from attendandt.contracts.examples import EXAMPLES
from attendandt.contracts.mews import MewsChange
from attendandt.platform import outbox as outbox_module
from attendandt.platform.db import DatabaseSettings, create_engine, session_factory
from attendandt.platform.health import HealthServer
from attendandt.platform.migrations import upgrade
from attendandt.platform.outbox import OutboxRelay
from attendandt.testing.metrics import scrape

MIGRATIONS = Path(__file__).parents[1] / "sample_migrations"
CHANGE = next(e for e in EXAMPLES if isinstance(e, MewsChange))
BACKLOG = "attendandt_outbox_backlog_messages"


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    await upgrade(database_url, MIGRATIONS, "sample")
    engine = create_engine(DatabaseSettings(url=database_url, schema="sample"))
    yield engine
    await engine.dispose()


async def test_the_outbox_backlog_is_scraped(
    engine: AsyncEngine, jetstream: JetStreamContext, unique: str
) -> None:
    async def ready() -> dict[str, bool]:
        return {"ok": True}

    health = HealthServer(ready)
    await health.start()
    try:
        relay = OutboxRelay(engine, sample_models.outbox, jetstream)
        waiting = await relay.measure()
        assert waiting == 0  # a fresh database
        assert (await scrape(health.port)).value(BACKLOG, outbox="sample") == waiting
        async with session_factory(engine).begin() as session:
            for i in range(2):
                await outbox_module.add(
                    session,
                    sample_models.outbox,
                    subject=f"out.{unique}",
                    payload=CHANGE,
                    msg_id=f"{unique}-{i}",
                )
        assert await relay.measure() == waiting + 2
        page = await scrape(health.port)
        assert page.value(BACKLOG, outbox="sample") == waiting + 2
        assert page.value("attendandt_outbox_oldest_age_seconds", outbox="sample") >= 0
    finally:
        await health.stop()
