"""Fixtures for the publisher tests: its own role and schema, the simulator, the running app."""

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from nats.js import JetStreamContext

from attendandt.contracts.streams import ensure_streams
from attendandt.mews_publisher.app import PublisherApp, create_app

# The tests folder is not a package: make its helper module importable.
sys.path.insert(0, str(Path(__file__).parent))

from publisher_testkit import Hotel, hotel, migrate_as_publisher_role, running, settings_for


@pytest.fixture
async def publisher_url(database_url: str) -> str:
    """The test database with the publisher schema migrated, as the publisher role."""
    return await migrate_as_publisher_role(database_url)


@pytest.fixture
async def gross(mews_sim) -> Hotel:  # type: ignore[no-untyped-def]
    return await hotel(mews_sim)


@pytest.fixture
async def publisher(
    nats_url: str, jetstream: JetStreamContext, publisher_url: str, mews_sim
) -> AsyncIterator[PublisherApp]:  # type: ignore[no-untyped-def]
    """The publisher running in this process on real NATS, Postgres and the simulator."""
    await ensure_streams(jetstream)
    app = create_app(settings_for(nats_url, publisher_url, mews_sim))
    task, stop = await running(app)
    try:
        yield app
    finally:
        stop.set()
        await task
