"""Composition root of sync: one Mews client and applier per enterprise, one consumer, and
per enterprise the initial import until it is done."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from nats.aio.client import Client as NatsClient
from nats.errors import Error as NatsError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.kv import KeyValue

from attendandt.contracts.streams import MEWS_CHANGES, MEWS_RATE_LIMITS, SYNC_HEALTH, ensure_streams
from attendandt.mews import Credentials, MewsClient, MewsError, bind_enterprises
from attendandt.platform.health import ConsumerWatch, HealthServer
from attendandt.platform.messaging import connect
from attendandt.platform.ratelimit import SharedTokenBucket
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


class SyncApp:
    def __init__(self, settings: SyncSettings) -> None:
        self.settings = settings
        self.nc: NatsClient | None = None
        self.appliers: dict[str, Applier] = {}
        self.limiters: dict[str, CountingLimiter] = {}
        self.ready = asyncio.Event()
        self.health_server: HealthServer | None = None
        self.consumers = ConsumerWatch(stall_s=settings.nats.consumer_stall_s)
        self.limits: KeyValue | None = None

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

    async def run(self, stop: asyncio.Event) -> None:
        settings = self.settings
        self.nc = nc = await connect(settings.nats, "sync")
        js = nc.jetstream()
        await ensure_streams(js)
        progress = await js.key_value(SYNC_HEALTH.bucket)
        board = HealthBoard(progress, imports=settings.initial_import)
        self.limits = await js.key_value(MEWS_RATE_LIMITS.bucket)
        self.health_server = HealthServer(self.readiness, host="0.0.0.0", port=settings.health_port)  # noqa: S104
        await self.health_server.start()
        clients = await bind_enterprises(settings.mews, self._client, stop)
        try:
            for enterprise_id, client in clients.items():
                self.appliers[enterprise_id] = Applier(
                    client, enterprise_id, js, room_types_refresh_s=settings.hotel_refresh_s
                )
                assert isinstance(client.limiter, CountingLimiter)
                self.limiters[enterprise_id] = client.limiter
                board.get(enterprise_id)
                log.info("syncing enterprise %s", enterprise_id)
            consumer = ChangeConsumer(
                js,
                self.appliers.get,
                board,
                window_s=settings.coalesce_window_s,
                batch_max=settings.batch_max,
                max_deliver=settings.max_deliver,
            )
            hotels = [
                HotelRefresher(
                    client,
                    enterprise_id,
                    js,
                    board.get(enterprise_id),
                    interval_s=settings.hotel_refresh_s,
                )
                for enterprise_id, client in clients.items()
            ]
            tasks = [
                *(asyncio.create_task(hotel.run(stop)) for hotel in hotels),
                *(
                    asyncio.create_task(applier.bills.run(stop, settings.bills_refresh_s))
                    for applier in self.appliers.values()
                ),
                self.consumers.watch(
                    DURABLE,
                    asyncio.create_task(consumer.run(stop)),
                    js=js,
                    stream=MEWS_CHANGES.name,
                ),
                asyncio.create_task(self._report(board, stop)),
                asyncio.create_task(self.consumers.guard(stop)),
                asyncio.create_task(
                    UnroutedCommandSweeper(
                        js,
                        service=SERVICE,
                        after_s=settings.unrouted_after_s,
                        interval_s=settings.unrouted_interval_s,
                    ).run(stop)
                ),
            ]
            if settings.charges_interval_s > 0:
                tasks += [
                    asyncio.create_task(
                        ChargesSchedule(
                            client,
                            enterprise_id,
                            js,
                            nc,
                            progress,
                            interval_s=settings.charges_interval_s,
                            recent_days=settings.charges_recent_days,
                            report_every_s=settings.charges_report_every_s,
                            report_days=settings.charges_report_days,
                        ).run(stop),
                        name=f"charges-reconcile-{enterprise_id}",
                    )
                    for enterprise_id, client in clients.items()
                ]
            if settings.initial_import:
                tasks += [
                    asyncio.create_task(
                        self._initial_import(
                            InitialImport(
                                applier,
                                progress,
                                pace=DownstreamBacklog(js, high=settings.import_backlog_max),
                            ),
                            stop,
                        ),
                        name=f"initial-import-{enterprise_id}",
                    )
                    for enterprise_id, applier in self.appliers.items()
                ]
            self.ready.set()
            await stop.wait()
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        finally:
            for client in clients.values():
                await client.aclose()
            await self.health_server.stop()
            await nc.close()
        self.consumers.raise_if_ended()

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

    async def readiness(self) -> dict[str, bool]:
        return {
            "nats": self.nc is not None and self.nc.is_connected,
            "mews": self.ready.is_set(),
            **self.consumers.readiness(),
        }

    async def _report(self, board: HealthBoard, stop: asyncio.Event) -> None:
        assert self.nc is not None
        js = self.nc.jetstream()
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.settings.health_interval_s)
            try:
                info = await js.consumer_info(MEWS_CHANGES.name, DURABLE)
                await board.flush(info.num_pending, self.limiters)
            except Exception:
                log.warning("cannot report sync health", exc_info=True)
