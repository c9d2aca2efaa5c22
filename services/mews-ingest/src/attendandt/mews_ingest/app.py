"""Composition root of mews-ingest: one socket, one sweep loop and one Mews client per
enterprise; one webhook endpoint; one publisher into MEWS_CHANGES.

Nothing is lost across gaps: every (re)connect of a socket, every failed sweep's retry, and
the periodic timer request a sweep from the checkpoint minus the overlap; a silence longer
than `silence_resync_s` (one across a restart too: the last contact is kept in KV) widens the
next sweep to the resync horizon. A checkpoint older than the horizon is swept from the
horizon and announced: the property needs a backfill.

Every request ingest makes to Mews draws from the property's shared budget in the `resync`
lane, which never takes more than `resync_budget_share` of it: a long resync leaves the rest
to sync and the publisher, so live changes keep flowing.

Where the work is done: `live` (socket frames and webhooks), `property_sweeps` (sweeps and
their retries), `resyncs` with `rpc` (on-demand resyncs), `alarm_watch` (silence alarms),
`enterprise` (a property, and its state kept across restarts).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import uvicorn
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from nats.js.kv import KeyValue

from attendandt.contracts.streams import (
    INGEST_CHECKPOINTS,
    INGEST_STATE,
    MEWS_RATE_LIMITS,
    ensure_streams,
)
from attendandt.mews import Credentials, MewsClient, bind_enterprises
from attendandt.mews_ingest.alarm_watch import AlarmWatch
from attendandt.mews_ingest.alarms import PropertyAlarm, SilenceProbe
from attendandt.mews_ingest.checkpoints import Checkpoints, LastContacts, StateBoard
from attendandt.mews_ingest.enterprise import Enterprise, flush_state, keep_contacts, resume
from attendandt.mews_ingest.gaps import GapGuard
from attendandt.mews_ingest.live import LiveIntake
from attendandt.mews_ingest.normalize import WebhookBatch
from attendandt.mews_ingest.property_sweeps import PropertySweeps
from attendandt.mews_ingest.publisher import ChangePublisher
from attendandt.mews_ingest.resyncs import ResyncJobs
from attendandt.mews_ingest.rpc import register_rpc
from attendandt.mews_ingest.settings import BUDGET_LANE, SERVICE, IngestSettings
from attendandt.mews_ingest.sweeps import Sweeper
from attendandt.mews_ingest.webhooks import WebhookHandlers, create_asgi_app
from attendandt.mews_ingest.websocket import EnterpriseSocket
from attendandt.platform.messaging import connect
from attendandt.platform.ratelimit import SharedTokenBucket

log = logging.getLogger(__name__)


class IngestApp:
    def __init__(
        self, settings: IngestSettings, *, budget_clock: Callable[[], float] = time.time
    ) -> None:
        self.settings = settings
        #: The wall clock of the shared Mews budget (a test drives its own).
        self.budget_clock = budget_clock
        self.enterprises: dict[str, Enterprise] = {}
        self.nc: NatsClient | None = None
        self.js: JetStreamContext | None = None
        self.publisher: ChangePublisher | None = None
        self.board: StateBoard | None = None
        self.contacts: LastContacts | None = None
        self.limits: KeyValue | None = None
        self.live: LiveIntake | None = None
        self.http: uvicorn.Server | None = None
        self.ready = asyncio.Event()
        #: Requests being answered, each in its own task: nats.py runs one subscription's
        #: callbacks one after another, so a sweep answered inline would hold up every
        #: other request (another property's resync, a cancel) until it ended.
        self._answering: set[asyncio.Task[None]] = set()

    async def run(self, stop: asyncio.Event) -> None:
        settings = self.settings
        self.nc = nc = await connect(settings.nats, SERVICE)
        self.js = js = nc.jetstream()
        await ensure_streams(js)
        checkpoints_kv = await js.key_value(INGEST_CHECKPOINTS.bucket)
        checkpoints = Checkpoints(checkpoints_kv)
        self.contacts = contacts = LastContacts(
            checkpoints_kv, every_s=settings.last_contact_write_s
        )
        self.board = board = StateBoard(await js.key_value(INGEST_STATE.bucket))
        self.limits = await js.key_value(MEWS_RATE_LIMITS.bucket)
        self.publisher = ChangePublisher(js)
        self.live = LiveIntake(js, self.publisher, board, self.enterprises, self.ready)
        sweeps = PropertySweeps(settings, board)
        tasks: list[asyncio.Task[None]] = []
        try:
            tasks.append(asyncio.create_task(self._serve_http(), name="http"))
            await self._bind_enterprises(checkpoints, stop)
            if stop.is_set():
                return
            resyncs = ResyncJobs(settings, board, self.enterprises, sweeps)
            await register_rpc(nc, resyncs, self._answering)
            for enterprise in self.enterprises.values():
                enterprise.sweep_requested.set()  # resume whatever a previous process left
                tasks.append(asyncio.create_task(sweeps.loop(enterprise, stop)))
                if enterprise.socket is not None:
                    tasks.append(asyncio.create_task(enterprise.socket.run(stop)))
            tasks.append(asyncio.create_task(flush_state(board, contacts, self.enterprises, stop)))
            alarms = AlarmWatch(settings.alarms, js, board, self.enterprises)
            tasks.append(asyncio.create_task(alarms.run(stop), name="alarms"))
            self.ready.set()
            await stop.wait()
        finally:
            if self.http is not None:
                self.http.should_exit = True
            jobs = [e.resync.task for e in self.enterprises.values() if e.resync is not None]
            for task in [*tasks, *self._answering, *(t for t in jobs if t is not None)]:
                task.cancel()
            for task in [*tasks, *self._answering, *(t for t in jobs if t is not None)]:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            with contextlib.suppress(Exception):
                await board.flush()
            with contextlib.suppress(Exception):
                await keep_contacts(contacts, self.enterprises.values(), force=True)
            for enterprise in self.enterprises.values():
                await enterprise.client.aclose()
            await nc.close()

    def _client(self, credentials: Credentials) -> MewsClient:
        mews = self.settings.mews
        assert self.limits is not None
        return MewsClient(
            credentials,
            environment=mews.base_url,
            client_name=mews.client_name,
            # One budget per AccessToken, shared with sync and the publisher; ingest's part
            # of it capped, so live changes keep flowing during a long resync.
            limiter=SharedTokenBucket.for_access_token(
                self.limits,
                credentials.access_token,
                lane=BUDGET_LANE,
                share=self.settings.resync_budget_share,
                clock=self.budget_clock,
            ),
            page_size=mews.page_size,
        )

    async def _bind_enterprises(self, checkpoints: Checkpoints, stop: asyncio.Event) -> None:
        """Each AccessToken → its enterprise; retried until Mews answers (or we stop)."""
        settings = self.settings
        assert self.publisher is not None
        clients = await bind_enterprises(settings.mews, self._client, stop)
        for enterprise_id, client in clients.items():
            sweeper = Sweeper(
                client,
                enterprise_id,
                self.publisher,
                checkpoints,
                window=timedelta(seconds=settings.sweep_window_s),
                overlap=timedelta(seconds=settings.sweep_overlap_s),
            )
            gap = GapGuard(timedelta(seconds=settings.silence_resync_s), settings.entities)
            alarms = settings.alarms
            probe = SilenceProbe(
                timedelta(seconds=alarms.silence_s),
                timedelta(seconds=alarms.probe_interval_s),
                timedelta(seconds=alarms.push_grace_s),
                last_live=datetime.now(UTC),
            )
            enterprise = Enterprise(
                enterprise_id, client, sweeper, gap, PropertyAlarm(enterprise_id), probe
            )
            enterprise.socket = self._socket(enterprise, client.credentials)
            assert self.contacts is not None
            assert self.board is not None
            await resume(enterprise, checkpoints, self.contacts, self.board, settings.entities)
            self.enterprises[enterprise_id] = enterprise
            log.info("ingesting enterprise %s", enterprise_id)

    def _socket(self, enterprise: Enterprise, credentials: Credentials) -> EnterpriseSocket:
        settings = self.settings
        live = self.live
        assert live is not None
        return EnterpriseSocket(
            settings.mews.ws_url,
            credentials,
            on_frame=lambda frame: live.on_frame(enterprise, frame),
            on_connected=lambda: live.on_connected(enterprise),
            on_disconnected=lambda: live.on_disconnected(enterprise),
            idle_s=settings.ws_idle_s,
            pong_timeout_s=settings.ws_pong_timeout_s,
            backoff_max_s=settings.ws_backoff_max_s,
        )

    async def _serve_http(self) -> None:
        handlers = WebhookHandlers(
            self.settings.webhook_secret, self.accept_webhook, self.reject_webhook, self.readiness
        )
        if self.settings.webhook_secret is None:
            log.warning("WEBHOOK_SECRET is not set: every webhook delivery is refused (401)")
        config = uvicorn.Config(
            create_asgi_app(handlers),
            host=self.settings.http_host,
            port=self.settings.http_port,
            log_level="warning",
            # The platform's (redacting) logging, and our access log instead of uvicorn's,
            # which would write the query string and with it the webhook secret.
            log_config=None,
            access_log=False,
            lifespan="off",
        )
        self.http = uvicorn.Server(config)
        await self.http.serve()

    async def readiness(self) -> dict[str, bool]:
        return {
            "nats": self.nc is not None and self.nc.is_connected,
            "mews": self.ready.is_set()
            and len(self.enterprises) == len(self.settings.mews.credentials),
        }

    async def accept_webhook(self, batch: WebhookBatch) -> None:
        assert self.live is not None
        await self.live.accept_webhook(batch)

    async def reject_webhook(self, body: bytes, reason: str) -> None:
        assert self.live is not None
        await self.live.reject_webhook(body, reason)
