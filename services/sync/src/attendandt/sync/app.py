"""Composition root of sync: one Mews client and applier per enterprise, one consumer, and
per enterprise the initial import until it is done; run by `platform.runtime`. The
enterprises of MEWS_ACCESS_TOKENS are bound at start; with MEWS_TOKEN_KEY, those onboarded
through Integration Webhooks are started, re-keyed and stopped while running
(`sync.onboarded`)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging

from nats.aio.client import Client as NatsClient
from nats.errors import Error as NatsError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.kv import KeyValue

from attendandt.contracts.streams import MEWS_CHANGES, MEWS_RATE_LIMITS, SYNC_HEALTH
from attendandt.mews import Credentials, MewsClient, MewsError, bind_enterprises
from attendandt.platform.health import ProbeServer
from attendandt.platform.integrations import IntegrationDirectory, TokenSeal
from attendandt.platform.ratelimit import SharedTokenBucket
from attendandt.platform.runtime import Loop, Runtime
from attendandt.platform.runtime_app import RuntimeApp
from attendandt.platform.settings import SettingsError
from attendandt.platform.unrouted import UnroutedCommandSweeper
from attendandt.sync.applier import Applier
from attendandt.sync.backpressure import DownstreamBacklog
from attendandt.sync.charges_schedule import ChargesSchedule
from attendandt.sync.consumer import DURABLE, SERVICE, ChangeConsumer
from attendandt.sync.health import CountingLimiter, HealthBoard
from attendandt.sync.hotel import HotelRefresher
from attendandt.sync.initial_import import InitialImport
from attendandt.sync.onboarded import OnboardedProperties
from attendandt.sync.settings import SyncSettings

log = logging.getLogger(__name__)


class SyncApp(RuntimeApp):
    def __init__(self, settings: SyncSettings) -> None:
        self.settings = settings
        self.appliers: dict[str, Applier] = {}
        self.limiters: dict[str, CountingLimiter] = {}
        self.clients: dict[str, MewsClient] = {}
        self.limits: KeyValue | None = None
        self.progress: KeyValue | None = None
        self.board: HealthBoard | None = None
        #: The properties onboarded through Integration Webhooks (with a token key only).
        self.onboarded: OnboardedProperties | None = None
        # A plain connection (`platform.runtime` says why). A pass over Mews in hand at stop
        # gets `graceful_s` to finish, then is cancelled: what it left unsettled comes back.
        self.runtime = Runtime(
            SERVICE,
            settings.nats,
            health_host="0.0.0.0",  # noqa: S104 - probes come from outside the container
            health_port=settings.health_port,
            checks={"mews": self._bound},
            graceful_s=5.0,
        )
        self.runtime.on_start(self._start)
        self.runtime.on_close("mews clients", self._close_clients)
        self.runtime.on_close("onboarded properties", self._close_onboarded)

    @property
    def ready(self) -> asyncio.Event:
        """Set once every enterprise is bound and every part runs."""
        return self.runtime.started

    def _bound(self) -> bool:
        """Every enterprise bound (the start is done only then)."""
        return self.ready.is_set()

    @property
    def health_server(self) -> ProbeServer:
        return self.runtime.health

    @property
    def nc(self) -> NatsClient:
        return self.runtime.nc

    def _client(self, credentials: Credentials) -> MewsClient:
        mews = self.settings.mews
        assert self.limits is not None
        # One budget per AccessToken, shared with ingest and the publisher; counted for health.
        shared = SharedTokenBucket.for_access_token(
            self.limits, credentials.access_token, party=credentials.portfolio_property
        )
        return MewsClient(
            credentials,
            environment=mews.base_url,
            client_name=mews.client_name,
            limiter=CountingLimiter(shared),
            page_size=mews.page_size,
        )

    async def _start(self, stop: asyncio.Event) -> None:
        """Bind every enterprise (retried until Mews answers, or `stop`), then hand the
        consumer and the tasks of each enterprise to the runtime; with a token key, the
        onboarded properties are followed too (started in the background: readiness does
        not wait for them)."""
        settings = self.settings
        runtime = self.runtime
        js = runtime.jetstream()
        self.progress = progress = await js.key_value(SYNC_HEALTH.bucket)
        self.board = board = HealthBoard(progress, imports=settings.initial_import)
        self.limits = await js.key_value(MEWS_RATE_LIMITS.bucket)
        self.clients = clients = await bind_enterprises(settings.mews, self._client, stop)
        for enterprise_id, client in clients.items():
            for name, loop in self.open_property(enterprise_id, client):
                runtime.task(name, loop)
        if settings.mews.token_key:
            self.onboarded = OnboardedProperties(
                IntegrationDirectory(js, TokenSeal.of(settings.mews.token_key)),
                self._client_token(),
                self,
                self._client,
                env_tokens={e: c.credentials.access_token for e, c in clients.items()},
                every_s=settings.integrations_poll_s,
            )
            runtime.task("onboarded", self.onboarded.run)
        consumer = ChangeConsumer(
            js,
            self.appliers.get,
            board,
            window_s=settings.coalesce_window_s,
            batch_max=settings.batch_max,
            max_deliver=settings.max_deliver,
            waiting=self.onboarded.waits_for if self.onboarded is not None else None,
            wait_s=settings.onboarded_wait_s,
        )
        runtime.consumer(DURABLE, consumer.run, stream=MEWS_CHANGES.name)
        runtime.task("health-report", lambda stop: self._report(board, stop))
        sweeper = UnroutedCommandSweeper(
            js,
            service=SERVICE,
            after_s=settings.unrouted_after_s,
            interval_s=settings.unrouted_interval_s,
        )
        runtime.task("unrouted", sweeper.run)

    def _client_token(self) -> str:
        """The one ClientToken of this partner application (every property's)."""
        mews = self.settings.mews
        token = mews.client_token or next((c.client_token for c in mews.credentials), "")
        if not token:
            raise SettingsError("MEWS_CLIENT_TOKEN is not set: onboarded properties need it")
        return token

    def open_property(self, enterprise_id: str, client: MewsClient) -> list[tuple[str, Loop]]:
        """Register the enterprise's applier, limiter and health entry, and return what runs
        for it (named): the hotel refresher, the bills, the charges reconciliation and the
        initial import until it is done."""
        settings = self.settings
        js = self.runtime.jetstream()
        board, progress = self.board, self.progress
        assert board is not None
        assert progress is not None
        applier = Applier(client, enterprise_id, js, room_types_refresh_s=settings.hotel_refresh_s)
        self.appliers[enterprise_id] = applier
        assert isinstance(client.limiter, CountingLimiter)
        self.limiters[enterprise_id] = client.limiter
        log.info("syncing enterprise %s", enterprise_id)
        hotel = HotelRefresher(
            client,
            enterprise_id,
            js,
            board.get(enterprise_id),
            interval_s=settings.hotel_refresh_s,
        )
        loops: list[tuple[str, Loop]] = [
            (f"hotel-{enterprise_id}", hotel.run),
            (
                f"bills-{enterprise_id}",
                functools.partial(applier.bills.run, interval_s=settings.bills_refresh_s),
            ),
        ]
        if settings.charges_interval_s > 0:
            charges = ChargesSchedule(
                client,
                enterprise_id,
                js,
                self.runtime.nc,
                progress,
                interval_s=settings.charges_interval_s,
                recent_days=settings.charges_recent_days,
                report_every_s=settings.charges_report_every_s,
                report_days=settings.charges_report_days,
            )
            loops.append((f"charges-reconcile-{enterprise_id}", charges.run))
        if settings.initial_import:
            pace = DownstreamBacklog(js, high=settings.import_backlog_max)
            job = InitialImport(applier, progress, pace=pace)
            loops.append(
                (f"initial-import-{enterprise_id}", functools.partial(self._initial_import, job))
            )
        return loops

    def rekeyed(self, enterprise_id: str, client: MewsClient) -> None:
        """The property calls with another token (and that token's limiter): its counts go
        on from the old limiter's."""
        fresh = client.limiter
        assert isinstance(fresh, CountingLimiter)
        old = self.limiters.get(enterprise_id)
        if old is not None and old is not fresh:
            fresh.calls.extendleft(reversed(old.calls))
            fresh.total_calls += old.total_calls
            fresh.rate_limited += old.rate_limited
        self.limiters[enterprise_id] = fresh

    def close_property(self, enterprise_id: str) -> None:
        """The enterprise is not synced here any more: out of every lookup (its health
        entry and data stay)."""
        self.appliers.pop(enterprise_id, None)
        self.limiters.pop(enterprise_id, None)

    async def _close_clients(self) -> None:
        for client in self.clients.values():
            await client.aclose()

    async def _close_onboarded(self) -> None:
        if self.onboarded is not None:
            await self.onboarded.aclose()

    async def _initial_import(self, job: InitialImport, stop: asyncio.Event) -> None:
        """Run the property's initial import unless it is done (a restart does not import
        again); a failed one is tried again with a growing pause. Changes are applied
        meanwhile: the import does not hold them up."""
        delay = self.settings.import_retry_s
        while not stop.is_set():
            try:
                state = await job.run(stop=stop)
            except (MewsError, OSError, TimeoutError, NatsTimeoutError, NatsError) as exc:
                log.warning(
                    "initial import of %s failed (%s); trying again in %.0f s",
                    job.enterprise_id,
                    exc,
                    delay,
                )
            except Exception:
                log.exception("ALERT initial import of %s failed", job.enterprise_id)
            else:
                if state.state == "done":
                    log.info(
                        "initial import of %s: %d rooms, %d reservations",
                        job.enterprise_id,
                        state.rooms,
                        state.reservations,
                    )
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            delay = min(delay * 2, 600.0)

    async def _report(self, board: HealthBoard, stop: asyncio.Event) -> None:
        js = self.runtime.jetstream()
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.settings.health_interval_s)
            try:
                info = await js.consumer_info(MEWS_CHANGES.name, DURABLE)
                await board.flush(info.num_pending, self.limiters)
            except Exception:
                log.warning("cannot report sync health", exc_info=True)
