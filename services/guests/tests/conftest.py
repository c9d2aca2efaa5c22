"""Fixtures: the guests schema migrated as the service's own role, the service over it, and
the whole app on a real nats-server. Helpers live in guests_support.py."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncEngine

# The tests folder is not a package: make its helper module importable by the tests.
sys.path.insert(0, str(Path(__file__).parent))

from guests_support import Clock, Running, provision_and_migrate, run_app

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
    async with run_app(nats_url, nats_client, jetstream, guests_url) as app:
        yield app
