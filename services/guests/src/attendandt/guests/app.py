"""The composition root: broker, database, service, outbox relay and health probes, and their
lifecycle (streams ensured at start, subscribers drained and the relay finished at stop)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from faststream.nats import NatsBroker
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncEngine

from attendandt.contracts.streams import ensure_streams
from attendandt.guests.consumers import register_consumers
from attendandt.guests.erasure import Erasures
from attendandt.guests.erasure_consumers import register_erasure_consumers
from attendandt.guests.erasure_rpc import register_erasure_rpc
from attendandt.guests.models import outbox
from attendandt.guests.retention import Retention
from attendandt.guests.rpc import register_rpc
from attendandt.guests.service import Clock, GuestsService, utc_now
from attendandt.guests.settings import SERVICE, GuestsSettings
from attendandt.platform.db import create_engine, session_factory
from attendandt.platform.health import ConsumerWatch, HealthServer
from attendandt.platform.messaging import broker_options, connect, pull_inbox_prefix
from attendandt.platform.outbox import OutboxRelay

log = logging.getLogger(__name__)


class GuestsApp:
    def __init__(self, settings: GuestsSettings, *, clock: Clock = utc_now) -> None:
        self.settings = settings
        self.engine: AsyncEngine = create_engine(settings.database, application_name=SERVICE)
        # The clock says which hotel day is today (the day lists differ for past, today and
        # future days); tests hold it still.
        self.service = GuestsService(session_factory(self.engine), clock=clock)
        self.broker = NatsBroker(
            settings.nats.servers,
            **broker_options(settings.nats),
            name=SERVICE,
            max_reconnect_attempts=-1,
            # FastStream logs every message at INFO; our own logs say what matters.
            logger=None,
        )
        self._js: JetStreamContext | None = None
        self.erasures = Erasures(session_factory(self.engine), self.jetstream, clock=clock)
        register_consumers(
            self.broker,
            self.service,
            self.jetstream,
            on_deleted_in_mews=self.erasures.erase_deleted_in_mews,
            batch_size=settings.command_batch,
            inbox_prefix=pull_inbox_prefix(settings.nats),
        )
        register_erasure_consumers(
            self.broker,
            self.erasures,
            self.jetstream,
            inbox_prefix=pull_inbox_prefix(settings.nats),
        )
        register_rpc(
            self.broker, self.service, workers=settings.rpc_workers, audit=self.erasures.log_access
        )
        self.retention = Retention(
            session_factory(self.engine),
            self.erasures,
            clock=clock,
            default_months=settings.retention_months,
            months_by_property=settings.retention_months_by_property,
        )
        register_erasure_rpc(self.broker, self.erasures, self.retention)
        self.health = HealthServer(self._readiness, settings.health_host, settings.health_port)
        self.relay: OutboxRelay | None = None
        self.consumers = ConsumerWatch(stall_s=settings.nats.consumer_stall_s)
        #: Set once subscribers, relay and probes run (tests and benchmarks wait on it).
        self.started = asyncio.Event()

    def jetstream(self) -> JetStreamContext:
        if self._js is None:
            raise RuntimeError("the broker is not connected yet")
        return self._js

    def _nats_connected(self) -> bool:
        try:
            return bool(self.broker.connection.is_connected)
        except Exception:  # not connected yet, or already closed
            return False

    async def _readiness(self) -> dict[str, bool]:
        nats_ok = self._js is not None and self._nats_connected()
        try:
            database_ok = await self.service.ready()
        except Exception:
            log.warning("database readiness check failed", exc_info=True)
            database_ok = False
        return {"nats": nats_ok, "database": database_ok, **self.consumers.readiness()}

    async def run(self, stop: asyncio.Event) -> None:
        """Serve until `stop` is set, then stop taking work and finish what was taken."""
        relay_task: asyncio.Task[None] | None = None
        retention_task: asyncio.Task[None] | None = None
        guard: asyncio.Task[None] | None = None
        relay_stop = asyncio.Event()
        # JetStream publishing (outbox, dead letters) has a connection of its own, so the
        # relay can flush after the broker's connection has drained and closed.
        publisher: NatsClient | None = None
        try:
            publisher = await connect(self.settings.nats, f"{SERVICE}-publisher")
            self._js = publisher.jetstream()
            for line in await ensure_streams(self._js):
                log.debug(line)
            await self.broker.start()
            self.consumers.watch_broker(self.broker, self._js)
            guard = asyncio.create_task(self.consumers.guard(stop), name="guests-consumers")
            self.relay = OutboxRelay(self.engine, outbox, self._js)
            relay_task = asyncio.create_task(self.relay.run(relay_stop))
            if self.settings.retention_interval_s > 0:
                retention_task = asyncio.create_task(
                    self.retention.run(relay_stop, self.settings.retention_interval_s),
                    name="guests-retention",
                )
            await self.health.start()
            self.started.set()
            log.info("guests service running", extra={"health_port": self.health.port})
            await stop.wait()
        finally:
            # Subscribers first: a handler cut short rolls back, or committed without its
            # ack and its redelivery is a no-op (inbox). Then the relay publishes whatever
            # was committed, then the connections close.
            with contextlib.suppress(Exception):
                await self.broker.stop()
            relay_stop.set()
            if retention_task is not None:
                await retention_task
            if relay_task is not None:
                await relay_task
            if self.relay is not None:
                try:
                    await self.relay.relay_once()
                except Exception:
                    log.warning("outbox not flushed at stop; the next start relays it")
            if publisher is not None:
                await publisher.close()
            await self.health.stop()
            await self.engine.dispose()
            if guard is not None:
                guard.cancel()
        self.consumers.raise_if_ended()


def create_app(settings: GuestsSettings, *, clock: Clock = utc_now) -> GuestsApp:
    return GuestsApp(settings, clock=clock)
