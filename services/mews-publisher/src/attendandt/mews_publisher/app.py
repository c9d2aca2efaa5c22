"""The composition root: consumers, database, Mews clients per enterprise, outbox relay and
probes, handed to `platform.runtime` to run."""

from __future__ import annotations

import asyncio
import dataclasses

from attendandt.contracts.streams import MEWS_RATE_LIMITS
from attendandt.mews_publisher.cancellation import CancellationService
from attendandt.mews_publisher.charges import ChargePosting
from attendandt.mews_publisher.consumers import register_consumers
from attendandt.mews_publisher.customer_updates import CustomerUpdates
from attendandt.mews_publisher.enterprises import Enterprises
from attendandt.mews_publisher.models import outbox
from attendandt.mews_publisher.onboarded import OnboardedLinks
from attendandt.mews_publisher.repository import Database
from attendandt.mews_publisher.service import SERVICE, Clock, utc_now
from attendandt.mews_publisher.settings import PublisherSettings
from attendandt.mews_publisher.stay_notes import StayNoteService
from attendandt.mews_publisher.unit_of_work import sql_units
from attendandt.platform.db import create_engine, session_factory
from attendandt.platform.integrations import IntegrationDirectory, TokenSeal
from attendandt.platform.runtime import Runtime
from attendandt.platform.runtime_app import RuntimeApp
from attendandt.platform.settings import SettingsError


class PublisherApp(RuntimeApp):
    def __init__(self, settings: PublisherSettings, *, clock: Clock = utc_now) -> None:
        self.settings = settings
        database = dataclasses.replace(settings.database, pool_size=settings.pool_size())
        self.engine = create_engine(database, application_name=SERVICE)
        self.db = Database(self.engine, session_factory(self.engine))
        self.enterprises = Enterprises(settings)
        #: The properties onboarded through Integration Webhooks (with a token key only).
        self.onboarded: OnboardedLinks | None = None
        units = sql_units(self.db.sessions)
        self.charges = ChargePosting(
            units, self.db, self.enterprises, settle_s=settings.settle_s, clock=clock
        )
        self.customers = CustomerUpdates(
            units, self.db, self.enterprises, settle_s=settings.settle_s, clock=clock
        )
        self.cancellations = CancellationService(
            units,
            self.db,
            self.enterprises,
            settle_s=settings.settle_s,
            order_items_cancel=settings.order_items_cancel,
            clock=clock,
        )
        self.notes = StayNoteService(
            units, self.db, self.enterprises, settle_s=settings.settle_s, clock=clock
        )
        self.runtime = Runtime(
            SERVICE,
            settings.nats,
            health_host=settings.health_host,
            health_port=settings.health_port,
            checks={"database": self.db.ping, "mews": self.enterprises.healthy},
        )
        self.runtime.on_start(self._bind_enterprises)
        self.runtime.outbox(self.engine, outbox)
        self.runtime.task("bind", self.enterprises.bind)
        self.runtime.on_close("customer reads", self.customers.customer_reads.aclose)
        self.runtime.on_close("mews clients", self.enterprises.aclose)
        register_consumers(
            self.runtime,
            self.enterprises,
            charges=self.charges,
            customers=self.customers,
            cancellations=self.cancellations,
            notes=self.notes,
            ack_wait_s=settings.ack_wait_s,
            max_deliver=settings.max_deliver,
            workers=settings.workers,
            edit_workers=settings.edit_workers,
        )

    async def _bind_enterprises(self, _stop: asyncio.Event) -> None:
        """Before any subscriber starts: the shared Mews budget, and each AccessToken's
        enterprise (the rest are bound by the `bind` task); with a token key, the onboarded
        properties are followed by a task of their own (readiness does not wait for them)."""
        self.enterprises.kv = await self.jetstream().key_value(MEWS_RATE_LIMITS.bucket)
        await self.enterprises.bind_once()
        settings = self.settings
        if settings.token_key:
            self.onboarded = OnboardedLinks(
                self.enterprises,
                IntegrationDirectory(self.jetstream(), TokenSeal.of(settings.token_key)),
                self._client_token(),
                every_s=settings.integrations_poll_s,
            )
            self.runtime.task("onboarded", self.onboarded.run)

    def _client_token(self) -> str:
        """The one ClientToken of this partner application (every property's)."""
        token = self.settings.client_token or next(
            (c.client_token for c in self.settings.credentials), ""
        )
        if not token:
            raise SettingsError("MEWS_CLIENT_TOKEN is not set: onboarded properties need it")
        return token


def create_app(settings: PublisherSettings, *, clock: Clock = utc_now) -> PublisherApp:
    return PublisherApp(settings, clock=clock)
