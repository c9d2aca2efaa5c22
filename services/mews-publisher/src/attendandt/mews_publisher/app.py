"""The composition root: broker, database, Mews clients per enterprise, outbox relay, probes."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging

from faststream.nats import NatsBroker
from nats.js import JetStreamContext

from attendandt.contracts.streams import MEWS_RATE_LIMITS, ensure_streams
from attendandt.mews_publisher.cancellation import CancellationService
from attendandt.mews_publisher.charges import ChargePosting
from attendandt.mews_publisher.consumers import register_consumers
from attendandt.mews_publisher.customer_updates import CustomerUpdates
from attendandt.mews_publisher.enterprises import Enterprises
from attendandt.mews_publisher.models import outbox
from attendandt.mews_publisher.repository import Database
from attendandt.mews_publisher.service import SERVICE, Clock, utc_now
from attendandt.mews_publisher.settings import PublisherSettings
from attendandt.mews_publisher.stay_notes import StayNoteService
from attendandt.platform.db import create_engine, session_factory
from attendandt.platform.health import ConsumerWatch, HealthServer
from attendandt.platform.messaging import broker_options, pull_inbox_prefix
from attendandt.platform.outbox import OutboxRelay

log = logging.getLogger(__name__)


class PublisherApp:
    def __init__(self, settings: PublisherSettings, *, clock: Clock = utc_now) -> None:
        self.settings = settings
        database = dataclasses.replace(settings.database, pool_size=settings.pool_size())
        self.engine = create_engine(database, application_name=SERVICE)
        self.db = Database(self.engine, session_factory(self.engine))
        self.enterprises = Enterprises(settings)
        self.charges = ChargePosting(
            self.db, self.enterprises, settle_s=settings.settle_s, clock=clock
        )
        self.customers = CustomerUpdates(
            self.db, self.enterprises, settle_s=settings.settle_s, clock=clock
        )
        self.cancellations = CancellationService(
            self.db,
            self.enterprises,
            settle_s=settings.settle_s,
            order_items_cancel=settings.order_items_cancel,
            clock=clock,
        )
        self.notes = StayNoteService(
            self.db, self.enterprises, settle_s=settings.settle_s, clock=clock
        )
        self.broker = NatsBroker(
            settings.nats.servers,
            **broker_options(settings.nats),
            name=SERVICE,
            max_reconnect_attempts=-1,
            logger=None,  # our own logs say what matters; FastStream's repeat every message
            graceful_timeout=10.0,
        )
        self._js: JetStreamContext | None = None
        register_consumers(
            self.broker,
            self.enterprises,
            self.jetstream,
            charges=self.charges,
            customers=self.customers,
            cancellations=self.cancellations,
            notes=self.notes,
            ack_wait_s=settings.ack_wait_s,
            max_deliver=settings.max_deliver,
            workers=settings.workers,
            edit_workers=settings.edit_workers,
            inbox_prefix=pull_inbox_prefix(settings.nats),
        )
        self.health: HealthServer | None = None
        #: Set once every subscriber listens (tests wait for it).
        self.started = asyncio.Event()
        self.consumers = ConsumerWatch(stall_s=settings.nats.consumer_stall_s)

    def jetstream(self) -> JetStreamContext:
        if self._js is None:
            raise RuntimeError("the broker is not connected yet")
        return self._js

    async def _readiness(self) -> dict[str, bool]:
        connection = self.broker.connection if self._js is not None else None
        return {
            "nats": connection is not None and connection.is_connected,
            "database": await self.db.ping(),
            **self.consumers.readiness(),
            "mews": self.enterprises.healthy(),
        }

    async def run(self, stop: asyncio.Event) -> None:
        """Serve until `stop` is set, then finish in-flight writes, relay results, close."""
        connection = await self.broker.connect()
        self._js = js = connection.jetstream()
        for line in await ensure_streams(js):
            log.debug(line)
        self.enterprises.kv = await js.key_value(MEWS_RATE_LIMITS.bucket)
        await self.enterprises.bind_once()
        await self.broker.start()
        self.consumers.watch_broker(self.broker, self._js)
        self.health = HealthServer(
            self._readiness, host=self.settings.health_host, port=self.settings.health_port
        )
        await self.health.start()
        relay = OutboxRelay(self.engine, outbox, js)
        relay_stop = asyncio.Event()
        tasks = [
            asyncio.create_task(relay.run(relay_stop), name="publisher-outbox-relay"),
            asyncio.create_task(self.enterprises.bind(stop), name="publisher-bind"),
            asyncio.create_task(self.consumers.guard(stop), name="publisher-consumers"),
        ]
        self.started.set()
        log.info("mews-publisher serving", extra={"health_port": self.health.port})
        try:
            await stop.wait()
        finally:
            # Subscribers first (in-flight writes finish and record their outcome), then the
            # relay publishes what they committed, then connections close.
            for subscriber in self.broker.subscribers:
                await subscriber.stop()
            relay_stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
            with contextlib.suppress(Exception):
                while await relay.relay_once():
                    pass
            await self.broker.stop()
            await self.health.stop()
            await self.customers.customer_reads.aclose()
            await self.enterprises.aclose()
            await self.engine.dispose()
            self.started.clear()
            log.info("mews-publisher stopped")
        self.consumers.raise_if_ended()


def create_app(settings: PublisherSettings, *, clock: Clock = utc_now) -> PublisherApp:
    return PublisherApp(settings, clock=clock)
