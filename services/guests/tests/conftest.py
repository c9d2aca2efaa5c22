"""Fixtures: the guests schema migrated as the service's own role, the service over it, and
the whole app on a real nats-server. Helpers live in guests_support.py."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncEngine

# The tests folder is not a package: make its helper module importable by the tests.
sys.path.insert(0, str(Path(__file__).parent))

from guests_support import Clock, Running, provision_and_migrate, settings_for

from attendandt.contracts.streams import ensure_streams
from attendandt.guests.app import create_app
from attendandt.guests.service import GuestsService
from attendandt.platform.db import create_engine, session_factory
from attendandt.platform.settings import DatabaseSettings


@pytest.fixture
async def guests_url(database_url: str) -> str:
    """The test database with the guests schema migrated, as the service's own role."""
    return await provision_and_migrate(database_url)


@pytest.fixture
async def engine(guests_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(DatabaseSettings(url=guests_url, schema="guests"))
    yield engine
    await engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(engine: AsyncEngine, clock: Clock) -> GuestsService:
    return GuestsService(session_factory(engine), clock=clock)


@pytest.fixture
async def running(
    nats_url: str, nats_client: NatsClient, jetstream: JetStreamContext, guests_url: str
) -> AsyncIterator[Running]:
    await ensure_streams(jetstream)
    app = create_app(settings_for(nats_url, guests_url))
    stop = asyncio.Event()
    task = asyncio.create_task(app.run(stop))
    started = asyncio.create_task(app.started.wait())
    done, _ = await asyncio.wait({task, started}, timeout=20, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        task.result()  # raises the start-up failure
    assert started in done, "the app did not start"
    try:
        yield Running(app=app, js=jetstream, nc=nats_client)
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 20)
