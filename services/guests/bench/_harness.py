"""What the guests benchmarks share: their own nats-server and Postgres in a temp dir, the
guests schema migrated as the service's role, and the service running in this process or as
a subprocess (`python -m attendandt.guests serve`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import nats
from nats.aio.client import Client as NatsClient

from attendandt.contracts.caller import Caller
from attendandt.contracts.rpc.guests import CONTACT_READ, SEARCH, SearchGuestsRequest
from attendandt.contracts.snapshots import UserRole
from attendandt.contracts.streams import ensure_streams
from attendandt.guests.app import GuestsApp, create_app
from attendandt.guests.migrations_set import MIGRATIONS
from attendandt.guests.settings import GuestsSettings
from attendandt.platform.migrations import upgrade
from attendandt.platform.provision import provision, role_url
from attendandt.platform.rpc import RpcTimeout, call
from attendandt.platform.settings import DatabaseSettings, NatsSettings, ObservabilitySettings
from attendandt.testing.processes import free_port, python_module, spawn, stop
from attendandt.testing.servers import start_nats, start_postgres

ENTERPRISE = "8a1f3b0e-1c2d-4e5f-9a8b-7c6d5e4f3a2b"

#: The guests service answers for a caller: a portfolio-wide admin sees every guest in full.
BENCH_CALLER = Caller(
    user_id="bench",
    role=UserRole.ADMIN,
    permissions=("guests:read", CONTACT_READ),
)


@dataclass
class Servers:
    nats_url: str
    admin_url: str
    #: The guests role's URL, schema migrated.
    service_url: str
    nc: NatsClient


@contextlib.asynccontextmanager
async def servers() -> AsyncIterator[Servers]:
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="guests-bench-") as tmp:
        root = Path(tmp)
        nats_server = start_nats(root / "nats")
        postgres = start_postgres(root / "postgres")
        try:
            admin = postgres.url
            await provision(admin, schema="guests", role="guests", password=None)
            url = role_url(admin, "guests")
            await upgrade(url, MIGRATIONS.script_location, MIGRATIONS.schema)
            nc = await nats.connect(nats_server.url)
            await ensure_streams(nc.jetstream())
            try:
                yield Servers(nats_server.url, admin, url, nc)
            finally:
                await nc.close()
        finally:
            postgres.stop()
            nats_server.stop()


@contextlib.asynccontextmanager
async def in_process(found: Servers, *, pool_size: int = 10) -> AsyncIterator[GuestsApp]:
    settings = GuestsSettings(
        nats=NatsSettings(url=found.nats_url),
        database=DatabaseSettings(url=found.service_url, schema="guests", pool_size=pool_size),
        observability=ObservabilitySettings(service="guests"),
        health_port=0,
    )
    app = create_app(settings)
    stop_app = asyncio.Event()
    task = asyncio.create_task(app.run(stop_app))
    await asyncio.wait_for(app.started.wait(), 30)
    try:
        yield app
    finally:
        stop_app.set()
        await task


@contextlib.asynccontextmanager
async def as_subprocess(found: Servers, *, pool_size: int = 10) -> AsyncIterator[None]:
    env = {
        **os.environ,
        "NATS_URL": found.nats_url,
        "DATABASE_URL": found.service_url,
        "DATABASE_POOL_SIZE": str(pool_size),
        "HEALTH_PORT": str(free_port()),
        "LOG_LEVEL": "WARNING",
    }
    process = spawn(python_module("attendandt.guests", "serve"), env=env, stdout=None)
    try:
        deadline = asyncio.get_running_loop().time() + 30
        while True:  # ready when it answers
            try:
                request = SearchGuestsRequest(enterprise_id="x")
                await call(found.nc, SEARCH, request, timeout=1, caller=BENCH_CALLER)
                break
            except RpcTimeout:
                if asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(0.1)
        yield
    finally:
        stop(process)
