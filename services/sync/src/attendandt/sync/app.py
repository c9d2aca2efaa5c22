"""Composition root of sync: one Mews client and applier per enterprise, one consumer, and
per enterprise the initial import until it is done; run by `platform.runtime`."""

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
from attendandt.platform.ratelimit import SharedTokenBucket
from attendandt.platform.runtime import Runtime
from attendandt.platform.runtime_app import RuntimeApp
from attendandt.platform.unrouted import UnroutedCommandSweeper
from attendandt.sync.applier import Applier
from attendandt.sync.backpressure import DownstreamBacklog
from attendandt.sync.charges_schedule import ChargesSchedule
from attendandt.sync.consumer import DURABLE, SERVICE, ChangeConsumer
from attendandt.sync.health import CountingLimiter, HealthBoard
from attendandt.sync.hotel import HotelRefresher
from attendandt.sync.initial_import import InitialImport
from attendandt.sync.settings import SyncSettings

log = logging.getLogger(__name__)


class SyncApp(RuntimeApp):
    def __init__(self, settings: SyncSettings) -> None:
        self.settings = settings
        self.appliers: dict[str, Applier] = {}
        self.limiters: dict[str, CountingLimiter] = {}
        self.clients: dict[str, MewsClient] = {}
        self.limits: KeyValue | None = None
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
        shared = SharedTokenBucket.for_access_token(self.limits, credentials.access_token)
        return MewsClient(
            credentials,
            environment=mews.base_url,
            client_name=mews.client_name,
            limiter=CountingLimiter(shared),
            page_size=mews.page_size,
        )

    async def _start(self, stop: asyncio.Event) -> None:
        """Bind every enterprise (retried until Mews answers, or `stop`), then hand the
        consumer and the tasks of each enterprise to the runtime."""
        settings = self.settings
        runtime = self.runtime
        js = runtime.jetstream()
        progress = await js.key_value(SYNC_HEALTH.bucket)
        board = HealthBoard(progress, imports=settings.initial_import)
        self.limits = await js.key_value(MEWS_RATE_LIMITS.bucket)
        self.clients = clients = await bind_enterprises(settings.mews, self._client, stop)
        for enterprise_id, client in clients.items():
            applier = Applier(
                client, enterprise_id, js, room_types_refresh_s=settings.hotel_refresh_s
            )
            self.appliers[enterprise_id] = applier
            assert isinstance(client.limiter, CountingLimiter)
            self.limiters[enterprise_id] = client.limiter
            board.get(enterprise_id)
            log.info("syncing enterprise %s", enterprise_id)
            hotel = HotelRefresher(
                client,
                enterprise_id,
                js,
                board.get(enterprise_id),
                interval_s=settings.hotel_refresh_s,
            )
            runtime.task(f"hotel-{enterprise_id}", hotel.run)
            runtime.task(
                f"bills-{enterprise_id}",
                functools.partial(applier.bills.run, interval_s=settings.bills_refresh_s),
            )
            if settings.charges_interval_s > 0:
                charges = ChargesSchedule(
                    client,
                    enterprise_id,
                    js,
                    runtime.nc,
                    progress,
                    interval_s=settings.charges_interval_s,
                    recent_days=settings.charges_recent_days,
                    report_every_s=settings.charges_report_every_s,
                    report_days=settings.charges_report_days,
                )
                runtime.task(f"charges-reconcile-{enterprise_id}", charges.run)
            if settings.initial_import:
                pace = DownstreamBacklog(js, high=settings.import_backlog_max)
                job = InitialImport(applier, progress, pace=pace)
                runtime.task(
                    f"initial-import-{enterprise_id}", functools.partial(self._initial_import, job)
                )
        consumer = ChangeConsumer(
            js,
            self.appliers.get,
            board,
            window_s=settings.coalesce_window_s,
            batch_max=settings.batch_max,
            max_deliver=settings.max_deliver,
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

    async def _close_clients(self) -> None:
        for client in self.clients.values():
            await client.aclose()

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
