"""Fixtures for the vendors tests: the service's own role and schema, and the running app."""

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext

from attendandt.platform.settings import DatabaseSettings, NatsSettings, ObservabilitySettings
from attendandt.vendors.app import create_app
from attendandt.vendors.settings import VendorsSettings

# The tests folder is not a package: make its helper module importable.
sys.path.insert(0, str(Path(__file__).parent))

from vendors_testkit import FakeClock, Harness, migrate_as_vendors_role


@pytest.fixture
async def vendors_url(database_url: str) -> str:
    """The test database with the vendors schema migrated, as the vendors role."""
    return await migrate_as_vendors_role(database_url)


@pytest.fixture
async def harness(
    nats_url: str,
    nats_client: NatsClient,
    jetstream: JetStreamContext,
    vendors_url: str,
    database_url: str,
) -> AsyncIterator[Harness]:
    """The vendors service running as its own role on real NATS and Postgres."""
    settings = VendorsSettings(
        nats=NatsSettings(url=nats_url),
        database=DatabaseSettings(url=vendors_url, schema="vendors"),
        observability=ObservabilitySettings(service="vendors"),
        health_port=0,
        expiry_interval_s=3600.0,  # tests call expire_overdue themselves
    )
    clock = FakeClock()
    app = create_app(settings, clock=clock)
    stop = asyncio.Event()
    running = asyncio.create_task(app.run(stop))
    started = asyncio.create_task(app.started.wait())
    await asyncio.wait({running, started}, return_when=asyncio.FIRST_COMPLETED)
    if running.done():
        started.cancel()
        running.result()  # raises what failed the start
    try:
        harness = Harness(
            app=app, nc=nats_client, js=jetstream, clock=clock, admin_url=database_url
        )
        # Offerings post to the hotel's catalogue: the property's is known from the start.
        await harness.catalogue()
        yield harness
    finally:
        stop.set()
        await running
