"""Fixtures of the gateway tests: stand-in domain services on real NATS, the gateway served
over real HTTP by uvicorn."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext

from attendandt.contracts.streams import ensure_streams
from attendandt.gateway.app import create_app

# The tests folder is not a package: make its helper module importable.
sys.path.insert(0, str(Path(__file__).parent))
# Some integration tests share helpers of another integration test module.
sys.path.insert(0, str(Path(__file__).parent / "integration"))

from gateway_testkit import FakeServices, Running, gateway_settings, serve


@pytest.fixture
async def services(nats_client: NatsClient) -> AsyncIterator[FakeServices]:
    fake = FakeServices(nats_client)
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def gateway(
    nats_url: str, jetstream: JetStreamContext, services: FakeServices
) -> AsyncIterator[Running]:
    await ensure_streams(jetstream)
    async with serve(create_app(gateway_settings(nats_url))) as running:
        yield running
