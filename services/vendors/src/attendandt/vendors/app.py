"""The composition root: broker, database, service, outbox relay, expiry sweep, probes."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from faststream.nats import NatsBroker
from nats.js import JetStreamContext

from attendandt.contracts.streams import ensure_streams
from attendandt.platform.db import create_engine, session_factory
from attendandt.platform.health import ConsumerWatch, HealthServer
from attendandt.platform.messaging import broker_options, pull_inbox_prefix
from attendandt.platform.outbox import OutboxRelay
from attendandt.vendors.companies import MewsCompanies
from attendandt.vendors.consumers import register_consumers
from attendandt.vendors.erasure import GuestErasure
from attendandt.vendors.models import outbox
from attendandt.vendors.reconciliation import ChargesInMews
from attendandt.vendors.repository import Database
from attendandt.vendors.rpc import register_rpc
from attendandt.vendors.service import Clock, VendorsService, utc_now
from attendandt.vendors.settings import VendorsSettings
from attendandt.vendors.stay_owner import guests_over_nats

log = logging.getLogger(__name__)


class VendorsApp:
    def __init__(self, settings: VendorsSettings, *, clock: Clock = utc_now) -> None:
        self.settings = settings
        self.clock = clock
        self.engine = create_engine(settings.database, application_name="vendors")
        self.db = Database(session_factory(self.engine))
        self.service = VendorsService(
            self.db, clock=clock, stay_owner=guests_over_nats(lambda: self.broker.connection)
        )
        self.broker = NatsBroker(
            settings.nats.servers,
            **broker_options(settings.nats),
            name="vendors",
            max_reconnect_attempts=-1,
            logger=None,  # our own logs say what matters; FastStream's repeat every message
            graceful_timeout=10.0,
        )
        self._js: JetStreamContext | None = None
        self.companies = MewsCompanies(self.service)
        self.erasure = GuestErasure(self.service.db, self.service.clock)
        self.charges_in_mews = ChargesInMews(self.service)
        register_consumers(
            self.broker,
            self.jetstream,
            service=self.service,
            companies=self.companies,
            charges=self.charges_in_mews,
            erasure=self.erasure,
            inbox_prefix=pull_inbox_prefix(settings.nats),
        )
        register_rpc(self.broker, self.service, self.companies, self.charges_in_mews)
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
        }

    async def _expire_periodically(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                expired = await self.service.expire_overdue(self.clock())
                if expired:
                    log.info("expired overdue bookings", extra={"count": expired})
            except Exception:
                log.exception("expiring overdue bookings failed; trying again later")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.settings.expiry_interval_s)

    async def run(self, stop: asyncio.Event) -> None:
        """Serve until `stop` is set, then stop taking work, relay what is committed, close."""
        connection = await self.broker.connect()
        self._js = connection.jetstream()
        for line in await ensure_streams(self._js):
            log.debug(line)
        await self.broker.start()
        self.consumers.watch_broker(self.broker, self._js)
        self.health = HealthServer(
            self._readiness, host=self.settings.health_host, port=self.settings.health_port
        )
        await self.health.start()
        relay = OutboxRelay(self.engine, outbox, self._js)
        relay_stop = asyncio.Event()
        tasks = [
            asyncio.create_task(relay.run(relay_stop), name="vendors-outbox-relay"),
            asyncio.create_task(self._expire_periodically(stop), name="vendors-expiry"),
            asyncio.create_task(self.consumers.guard(stop), name="vendors-consumers"),
        ]
        self.started.set()
        log.info("vendors serving", extra={"health_port": self.health.port})
        try:
            await stop.wait()
        finally:
            # Subscribers first (in-flight messages finish), then the relay publishes what
            # they committed, then the connection closes.
            for subscriber in self.broker.subscribers:
                await subscriber.stop()
            relay_stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
            with contextlib.suppress(Exception):
                while await relay.relay_once():
                    pass
            await self.broker.stop()
            await self.health.stop()
            await self.engine.dispose()
            self.started.clear()
            log.info("vendors stopped")
        self.consumers.raise_if_ended()


def create_app(settings: VendorsSettings, *, clock: Clock = utc_now) -> VendorsApp:
    return VendorsApp(settings, clock=clock)
