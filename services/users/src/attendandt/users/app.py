"""The composition root: broker, engine, service, outbox relay and probes, and their lifecycle."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime

from faststream.nats import NatsBroker
from nats.js import JetStreamContext
from sqlalchemy import text

from attendandt.contracts.streams import ensure_streams
from attendandt.platform.db import create_engine
from attendandt.platform.health import ConsumerWatch, HealthServer
from attendandt.platform.messaging import broker_options, pull_inbox_prefix
from attendandt.platform.outbox import OutboxRelay
from attendandt.users.consumers import register_consumers
from attendandt.users.models import outbox
from attendandt.users.passwords import PasswordHashing
from attendandt.users.repository import UnitOfWork
from attendandt.users.rpc import register_rpc
from attendandt.users.service import UserService
from attendandt.users.settings import SERVICE, UsersSettings

log = logging.getLogger(__name__)


class UsersApp:
    def __init__(
        self, settings: UsersSettings, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.settings = settings
        self.engine = create_engine(settings.database, application_name=SERVICE)
        self.hashing = PasswordHashing(settings.hashing)
        # `clock`: tests drive token lifetimes and grace periods through it.
        self.service = UserService(
            UnitOfWork(self.engine),
            self.hashing,
            settings.lifetimes,
            **({"clock": clock} if clock is not None else {}),
        )
        self.broker = NatsBroker(
            settings.nats.servers,
            **broker_options(settings.nats),
            name=SERVICE,
            max_reconnect_attempts=-1,
            logger=None,  # our own logs say what matters; FastStream's repeat every message
        )
        self._js: JetStreamContext | None = None
        register_rpc(self.broker, self.service)
        register_consumers(
            self.broker,
            self.service,
            self._jetstream,
            inbox_prefix=pull_inbox_prefix(settings.nats),
        )
        self.health = HealthServer(self._ready, settings.health_host, settings.health_port)
        #: Set once every part runs (tests and probes wait for it).
        self.started = asyncio.Event()
        self.consumers = ConsumerWatch(stall_s=settings.nats.consumer_stall_s)

    def _jetstream(self) -> JetStreamContext:
        assert self._js is not None, "the broker is not connected yet"
        return self._js

    async def _ready(self) -> dict[str, bool]:
        nats_ok = self._js is not None and self.broker.connection.is_connected
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            database_ok = True
        except Exception:
            database_ok = False
        return {
            "nats": nats_ok,
            "database": database_ok,
            "started": self.started.is_set(),
            **self.consumers.readiness(),
        }

    async def run(self, stop: asyncio.Event) -> None:
        """Run until `stop` is set, then stop taking work and shut down in order."""
        relay_task: asyncio.Task[None] | None = None
        guard: asyncio.Task[None] | None = None
        try:
            connection = await self.broker.connect()
            self._js = connection.jetstream()
            for line in await ensure_streams(self._js):
                log.debug(line)
            await self.hashing.warm_up()
            await self.broker.start()  # the command stream exists now: consumers can bind
            self.consumers.watch_broker(self.broker, self._js)
            guard = asyncio.create_task(self.consumers.guard(stop), name="users-consumers")
            relay = OutboxRelay(self.engine, outbox, self._js)
            relay_task = asyncio.create_task(relay.run(stop), name="users-outbox-relay")
            await self.health.start()
            self.started.set()
            log.info("users service started")
            await stop.wait()
        finally:
            log.info("users service stopping")
            stop.set()
            if relay_task is not None:
                with contextlib.suppress(Exception):
                    await relay_task
            await self.broker.stop()
            await self.health.stop()
            await self.engine.dispose()
            if guard is not None:
                guard.cancel()
        self.consumers.raise_if_ended()


def create_app(settings: UsersSettings, *, clock: Callable[[], datetime] | None = None) -> UsersApp:
    return UsersApp(settings, clock=clock)
