"""The composition root: database, service, consumers, RPC, outbox relay, expiry sweep and
probes, handed to `platform.runtime` to run."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from attendandt.platform.db import create_engine, session_factory
from attendandt.platform.runtime import Runtime
from attendandt.platform.runtime_app import RuntimeApp
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
from attendandt.vendors.unit_of_work import SqlUnitOfWork

log = logging.getLogger(__name__)


class VendorsApp(RuntimeApp):
    def __init__(self, settings: VendorsSettings, *, clock: Clock = utc_now) -> None:
        self.settings = settings
        self.clock = clock
        self.engine = create_engine(settings.database, application_name="vendors")
        sessions = session_factory(self.engine)
        self.db = Database(sessions)
        self.service = VendorsService(
            lambda: SqlUnitOfWork(sessions),
            clock=clock,
            stay_owner=guests_over_nats(lambda: self.runtime.nc),
        )
        self.runtime = Runtime(
            "vendors",
            settings.nats,
            health_host=settings.health_host,
            health_port=settings.health_port,
            checks={"database": self.db.ping},
            messages_in_flight=settings.database.pool_size,
        )
        self.runtime.outbox(self.engine, outbox)
        self.runtime.task("expiry", self._expire_periodically)
        self.companies = MewsCompanies(self.service)
        self.erasure = GuestErasure(self.service.units, self.service.clock)
        self.charges_in_mews = ChargesInMews(self.service)
        register_consumers(
            self.runtime,
            service=self.service,
            companies=self.companies,
            charges=self.charges_in_mews,
            erasure=self.erasure,
        )
        register_rpc(self.runtime, self.service, self.companies, self.charges_in_mews)

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


def create_app(settings: VendorsSettings, *, clock: Clock = utc_now) -> VendorsApp:
    return VendorsApp(settings, clock=clock)
