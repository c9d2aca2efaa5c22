"""The composition root: database, service, consumers, RPC, outbox relay and probes, handed
to `platform.runtime` to run (streams ensured at start, subscribers drained and the outbox
flushed at stop)."""

from __future__ import annotations

import asyncio
import gc

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
        # One connection: subscribers, RPC and every JetStream publish (outbox, dead
        # letters, erasures); the runtime flushes the outbox before it closes it.
        self.runtime = Runtime(
            SERVICE,
            settings.nats,
            health_host=settings.health_host,
            health_port=settings.health_port,
            checks={"database": self.service.ready},
            messages_in_flight=settings.database.pool_size,
        )
        self.runtime.on_start(_freeze_what_start_made)
        self.runtime.outbox(self.engine, outbox)
        self.erasures = Erasures(session_factory(self.engine), self.jetstream, clock=clock)
        register_consumers(
            self.runtime,
            self.service,
            on_deleted_in_mews=self.erasures.erase_deleted_in_mews,
            batch_size=settings.command_batch,
            apply_batch=settings.apply_batch,
        )
        register_erasure_consumers(self.runtime, self.erasures)
        register_rpc(
            self.runtime, self.service, workers=settings.rpc_workers, audit=self.erasures.log_access
        )
        self.retention = Retention(
            session_factory(self.engine),
            self.erasures,
            clock=clock,
            default_months=settings.retention_months,
            months_by_property=settings.retention_months_by_property,
        )
        register_erasure_rpc(self.runtime, self.erasures, self.retention)
        if settings.retention_interval_s > 0:
            self.runtime.task("retention", self._retain)

    async def _retain(self, stop: asyncio.Event) -> None:
        await self.retention.run(stop, self.settings.retention_interval_s)


#: Whether this process froze its objects already (the first app started does it).
_frozen = False


#: Allocations between two young collections (Python's default is 700): a batch of five
#: hundred commands holds tens of thousands of objects while it is applied, which the
#: default had the collector walk again and again, a twentieth of the process's time.
_YOUNG_COLLECTION_EVERY = 10_000


async def _freeze_what_start_made(stop: asyncio.Event) -> None:
    """Move what the process holds once started (modules, tables, compiled statements: a
    hundred thousand objects) out of the collector's way: at thousands of commands a second
    a full collection walked them all, tens of milliseconds each time. Collected first, so
    no garbage is kept; once per process. And the young objects are collected less often
    (`_YOUNG_COLLECTION_EVERY`)."""
    global _frozen  # noqa: PLW0603 (once per process, whichever app starts first)
    if not _frozen:
        _frozen = True
        gc.collect()
        gc.freeze()
        _, older, oldest = gc.get_threshold()
        gc.set_threshold(_YOUNG_COLLECTION_EVERY, older, oldest)


def create_app(settings: GuestsSettings, *, clock: Clock = utc_now) -> GuestsApp:
    return GuestsApp(settings, clock=clock)
