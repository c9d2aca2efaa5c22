"""The composition root: broker, database, service, outbox relay and health probes, handed to
`platform.runtime` to run (streams ensured at start, subscribers drained and the outbox
flushed at stop)."""

from __future__ import annotations

import asyncio

from faststream.nats import NatsBroker
from sqlalchemy.ext.asyncio import AsyncEngine

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
from attendandt.platform.messaging import broker_options, pull_inbox_prefix
from attendandt.platform.runtime import Runtime
from attendandt.platform.runtime_app import RuntimeApp


class GuestsApp(RuntimeApp):
    """Stopped in `platform.runtime`'s order: subscribers first (a handler cut short rolls
    back, or committed without its ack and its redelivery is a no-op: inbox), then the
    outbox is flushed, then the one connection closes."""

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
        # One connection: subscribers, RPC and every JetStream publish (outbox, dead
        # letters, erasures); the runtime flushes the outbox before it closes it.
        self.runtime = Runtime(
            SERVICE,
            settings.nats,
            broker=self.broker,
            health_host=settings.health_host,
            health_port=settings.health_port,
            checks={"database": self.service.ready},
        )
        self.runtime.outbox(self.engine, outbox)
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
        if settings.retention_interval_s > 0:
            self.runtime.task("retention", self._retain)

    async def _retain(self, stop: asyncio.Event) -> None:
        await self.retention.run(stop, self.settings.retention_interval_s)


def create_app(settings: GuestsSettings, *, clock: Clock = utc_now) -> GuestsApp:
    return GuestsApp(settings, clock=clock)
