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

Run by `platform.runtime` on a plain NATS connection, in its one order. The HTTP edge
(`webhooks.WebhookServer`: webhooks, `/healthz`, `/readyz`, `/metrics` on `HTTP_PORT`)
answers the probes in place of the runtime's HealthServer, so ingest keeps its one port: it
listens first, before NATS and Mews answer (a delivery then is a 503, sent again), and stops
last. Start steps: open the state (KV buckets, publisher), bind every AccessToken to its
enterprise (retried until Mews answers, or the stop), subscribe the resync requests.
Intake (consumer loops, stopped first): each property's socket, the webhook deliveries (then
refused, those in hand finished) and the resync requests (unsubscribed; the answers in
flight and the resync jobs cancelled). Background tasks: each property's sweep loop, the
state writer and the alarm watch. Then, still connected, the board and the last contacts
are written to KV (`on_stop`): what intake and the sweeps last saw outlives the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from nats.js.kv import KeyValue

from attendandt.contracts.kv import IntegrationProperty
from attendandt.contracts.streams import INGEST_CHECKPOINTS, INGEST_STATE, MEWS_RATE_LIMITS
from attendandt.mews import Credentials, MewsClient, bind_enterprises, properties_of
from attendandt.mews_ingest.alarm_watch import AlarmWatch
from attendandt.mews_ingest.alarms import PropertyAlarm, SilenceProbe
from attendandt.mews_ingest.checkpoints import Checkpoints, LastContacts, StateBoard
from attendandt.mews_ingest.enterprise import Enterprise, flush_state, keep_contacts, resume
from attendandt.mews_ingest.gaps import GapGuard
from attendandt.mews_ingest.live import LiveIntake, NotBoundYet
from attendandt.mews_ingest.normalize import IntegrationNotice, WebhookBatch
from attendandt.mews_ingest.onboarded import OnboardedProperties
from attendandt.mews_ingest.onboarding import Onboarding
from attendandt.mews_ingest.property_sweeps import PropertySweeps
from attendandt.mews_ingest.publisher import ChangePublisher
from attendandt.mews_ingest.resyncs import ResyncJobs
from attendandt.mews_ingest.rpc import register_rpc
from attendandt.mews_ingest.settings import BUDGET_LANE, SERVICE, IngestSettings
from attendandt.mews_ingest.sweeps import Sweeper
from attendandt.mews_ingest.webhooks import WebhookHandlers, WebhookServer, create_asgi_app
from attendandt.mews_ingest.websocket import EnterpriseSocket
from attendandt.platform.integrations import IntegrationDirectory, IntegrationFollower, TokenSeal
from attendandt.platform.ratelimit import SharedTokenBucket
from attendandt.platform.runtime import Runtime
from attendandt.platform.runtime_app import RuntimeApp

log = logging.getLogger(__name__)


class IngestApp(RuntimeApp):
    def __init__(
        self, settings: IngestSettings, *, budget_clock: Callable[[], float] = time.time
    ) -> None:
        self.settings = settings
        #: The wall clock of the shared Mews budget (a test drives its own).
        self.budget_clock = budget_clock
        self.enterprises: dict[str, Enterprise] = {}
        self.publisher: ChangePublisher | None = None
        self.board: StateBoard | None = None
        self.checkpoints: Checkpoints | None = None
        self.contacts: LastContacts | None = None
        self.limits: KeyValue | None = None
        self.live: LiveIntake | None = None
        self.sweeps: PropertySweeps | None = None
        if settings.webhook_secret is None:
            log.warning("WEBHOOK_SECRET is not set: every webhook delivery is refused (401)")
        #: The enterprises of MEWS_ACCESS_TOKENS; the onboarded ones are `onboarded`'s.
        self.env_bound: set[str] = set()
        self.onboarding: Onboarding | None = None
        self.onboarded: OnboardedProperties | None = None
        handlers = WebhookHandlers(
            settings.webhook_secret,
            self.accept_webhook,
            self.reject_webhook,
            self.readiness,
            self.onboard_webhook,
        )
        self.http = WebhookServer(create_asgi_app(handlers), settings.http_host, settings.http_port)
        # A sweep in hand at stop goes on for up to `graceful_s`, then is cancelled: the
        # window it was in has not moved its checkpoint, so the next process sweeps it again.
        self.runtime = Runtime(
            SERVICE,
            settings.nats,
            health_server=self.http,
            checks={"mews": self._bound},
            graceful_s=5.0,
        )
        self.runtime.on_start(self._open_state)
        self.runtime.on_start(self._bind_enterprises)
        self.runtime.on_start(self._serve_requests)
        self.runtime.on_stop("state board", self._flush_board)
        self.runtime.on_stop("last contacts", self._keep_contacts)
        self.runtime.on_close("mews clients", self._close_clients)

    @property
    def ready(self) -> asyncio.Event:
        """Set once every AccessToken is bound and every part runs."""
        return self.runtime.started

    @property
    def nc(self) -> NatsClient:
        return self.runtime.nc

    @property
    def js(self) -> JetStreamContext:
        return self.runtime.jetstream()

    def _bound(self) -> bool:
        """Every token of MEWS_ACCESS_TOKENS bound (onboarded properties come and go)."""
        return self.ready.is_set() and len(self.env_bound) == len(self.settings.mews.credentials)

    async def _open_state(self, stop: asyncio.Event) -> None:
        """The KV buckets ingest keeps its state in, the publisher and the live intake."""
        settings = self.settings
        js = self.runtime.jetstream()
        checkpoints_kv = await js.key_value(INGEST_CHECKPOINTS.bucket)
        self.checkpoints = Checkpoints(checkpoints_kv)
        self.contacts = LastContacts(checkpoints_kv, every_s=settings.last_contact_write_s)
        self.board = board = StateBoard(await js.key_value(INGEST_STATE.bucket))
        self.limits = await js.key_value(MEWS_RATE_LIMITS.bucket)
        self.publisher = ChangePublisher(js)
        self.live = LiveIntake(js, self.publisher, board, self.enterprises, self.ready)
        self.sweeps = PropertySweeps(settings, board)
        self.directory = IntegrationDirectory(js, TokenSeal.of(settings.mews.token_key))
        self.onboarding = Onboarding(self.directory)
        self.runtime.consumer("webhooks", self.live.take_webhooks)

    async def _serve_requests(self, stop: asyncio.Event) -> None:
        """The resync requests (intake), then per property its socket (intake) and sweep
        loop, the state writer and the alarm watch (background)."""
        if stop.is_set():
            return
        runtime = self.runtime
        board, contacts, sweeps = self.board, self.contacts, self.sweeps
        assert board is not None
        assert contacts is not None
        assert sweeps is not None
        resyncs = ResyncJobs(self.settings, board, self.enterprises, sweeps)
        register_rpc(runtime, resyncs)
        runtime.consumer("resync jobs", self._end_resyncs)
        for enterprise_id, enterprise in self.enterprises.items():
            enterprise.sweep_requested.set()  # resume whatever a previous process left
            runtime.task(f"sweeps-{enterprise_id}", functools.partial(sweeps.loop, enterprise))
            if enterprise.socket is not None:
                runtime.consumer(f"websocket-{enterprise_id}", enterprise.socket.run)
        if self.settings.mews.token_key is not None:
            runtime.task("onboarded properties", self._run_onboarded)
        runtime.task("state", functools.partial(flush_state, board, contacts, self.enterprises))
        alarms = AlarmWatch(self.settings.alarms, runtime.jetstream(), board, self.enterprises)
        runtime.task("alarms", alarms.run)

    async def _run_onboarded(self, stop: asyncio.Event) -> None:
        """The properties of MEWS_INTEGRATIONS, followed until the stop; then stopped."""
        assert self.sweeps is not None
        assert self.board is not None
        sweeps = self.sweeps

        def loops(
            enterprise: Enterprise,
        ) -> list[Callable[[asyncio.Event], Coroutine[Any, Any, None]]]:
            socket = [enterprise.socket.run] if enterprise.socket is not None else []
            return [functools.partial(sweeps.loop, enterprise), *socket]

        self.onboarded = onboarded = OnboardedProperties(
            self.directory,
            self.settings.mews.client_token,
            self.enterprises,
            self._open_property,
            loops,
            bind_token=self._bind_token,
            board=self.board,
            env_bound=self.env_bound,
        )
        members = asyncio.create_task(
            onboarded.follow_members(stop, self.settings.portfolio_check_s),
            name="portfolio members",
        )
        try:
            await IntegrationFollower(self.directory, onboarded.on_change).run(stop)
        finally:
            members.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await members
            await onboarded.stop_all()

    async def onboard_webhook(self, notice: IntegrationNotice) -> None:
        if self.onboarding is None:
            raise NotBoundYet("not connected to NATS yet")
        await self.onboarding.apply(notice)

    async def _end_resyncs(self, stop: asyncio.Event) -> None:
        """Until intake stops; then the resync jobs are cancelled (a resync is asked for
        again; its checkpoints hold)."""
        await stop.wait()
        jobs = [e.resync.task for e in self.enterprises.values() if e.resync is not None]
        cancelled = [task for task in jobs if task is not None]
        for task in cancelled:
            task.cancel()
        for task in cancelled:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _flush_board(self) -> None:
        if self.board is not None:
            await self.board.flush()

    async def _keep_contacts(self) -> None:
        if self.contacts is not None:
            await keep_contacts(self.contacts, self.enterprises.values(), force=True)

    async def _close_clients(self) -> None:
        for enterprise in self.enterprises.values():
            await enterprise.client.aclose()

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
                party=credentials.portfolio_property,
                clock=self.budget_clock,
            ),
            page_size=mews.page_size,
        )

    async def _bind_enterprises(self, stop: asyncio.Event) -> None:
        """Each AccessToken → its enterprise; retried until Mews answers (or we stop)."""
        clients = await bind_enterprises(self.settings.mews, self._client, stop)
        for enterprise_id, client in clients.items():
            self.enterprises[enterprise_id] = await self._enterprise(enterprise_id, client)
            self.env_bound.add(enterprise_id)
            log.info("ingesting enterprise %s", enterprise_id)

    async def _bind_token(
        self, credentials: Credentials
    ) -> tuple[bool, tuple[IntegrationProperty, ...]]:
        """Whether an onboarded token is a portfolio's, and the properties it opens."""
        client = self._client(credentials)
        try:
            own, members = await properties_of(client)
        finally:
            await client.aclose()
        return bool(own.is_portfolio), tuple(
            IntegrationProperty(enterprise_id=m.id, chain_id=m.chain_id) for m in members
        )

    async def _open_property(self, enterprise_id: str, credentials: Credentials) -> Enterprise:
        return await self._enterprise(enterprise_id, self._client(credentials))

    async def _enterprise(self, enterprise_id: str, client: MewsClient) -> Enterprise:
        """A property's parts around its client, its state resumed from KV."""
        settings = self.settings
        checkpoints, contacts, board = self.checkpoints, self.contacts, self.board
        assert checkpoints is not None
        assert contacts is not None
        assert board is not None
        assert self.publisher is not None
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
        # Mews's socket events name no enterprise: a portfolio token's socket would carry its
        # every property's, which only its webhooks (they name theirs) and sweeps tell apart.
        if client.credentials.scope is None:
            enterprise.socket = self._socket(enterprise, client.credentials)
        else:
            board.update(enterprise_id, websocket="webhooks_only")
        await resume(enterprise, checkpoints, contacts, board, settings.entities)
        return enterprise

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

    async def accept_webhook(self, batch: WebhookBatch) -> None:
        if self.live is None:  # the edge listens before NATS answers
            raise NotBoundYet("not connected to NATS yet")
        await self.live.accept_webhook(batch)

    async def reject_webhook(self, body: bytes, reason: str) -> None:
        if self.live is None:
            raise NotBoundYet("not connected to NATS yet: no dead letter")
        await self.live.reject_webhook(body, reason)
