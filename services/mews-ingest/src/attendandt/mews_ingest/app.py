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
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import uvicorn
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.kv import KeyValue

from attendandt.contracts.alerts import SYNC_ALERT, SyncAlertReason
from attendandt.contracts.base import Payload, RpcMethod
from attendandt.contracts.caller import Caller
from attendandt.contracts.mews import MewsEntity
from attendandt.contracts.rpc.ingest import (
    CANCEL_RESYNC,
    RESYNC,
    START_RESYNC,
    SWEEP,
    CancelResyncRequest,
    ResyncJob,
    SweepRequest,
    SweepResponse,
    SweptEntity,
)
from attendandt.contracts.streams import (
    DEAD_LETTERS,
    INGEST_CHECKPOINTS,
    INGEST_STATE,
    MEWS_RATE_LIMITS,
    ensure_streams,
)
from attendandt.mews import (
    Credentials,
    MewsClient,
    MewsError,
    bind_enterprises,
)
from attendandt.mews_ingest.alarms import (
    DeadLetterTrend,
    Finding,
    PropertyAlarm,
    SilenceProbe,
    dead_letter_finding,
    socket_finding,
)
from attendandt.mews_ingest.checkpoints import Checkpoints, LastContacts, StateBoard
from attendandt.mews_ingest.gaps import GapGuard
from attendandt.mews_ingest.normalize import MalformedInput, WebhookBatch, changes_from_frame
from attendandt.mews_ingest.probe import latest_change
from attendandt.mews_ingest.publisher import ChangePublisher
from attendandt.mews_ingest.settings import BUDGET_LANE, IngestSettings
from attendandt.mews_ingest.sweeps import Progress, Sweeper, SweepProgress, SweepResult
from attendandt.mews_ingest.webhooks import KEPT_OF_OVERSIZED, WebhookHandlers, create_asgi_app
from attendandt.mews_ingest.websocket import EnterpriseSocket
from attendandt.platform.messaging import connect, dead_letter_raw, publish
from attendandt.platform.ratelimit import SharedTokenBucket
from attendandt.platform.rpc import Conflict, Forbidden, Invalid, NotFound, answer_for_caller
from attendandt.platform.telemetry import receive_span

log = logging.getLogger(__name__)
SERVICE = "mews-ingest"
#: The span attribute naming the property a WebSocket frame or webhook came from.
ENTERPRISE_ATTR = "mews.enterprise_id"


#: How long a cancel waits for the running window to end before answering `cancelling`
#: (within the gateway's request-reply timeout).
CANCEL_WAIT_S = 3.0


class NotBoundYet(Exception):
    """Ingest has not learnt its enterprises from Mews yet (it is starting)."""


@dataclass
class Resync:
    """One on-demand sweep of an enterprise (`sweep` or `start_resync`), cancellable between
    two windows."""

    job_id: str
    enterprise_id: str
    since: datetime | None
    oldest_allowed: datetime
    entities: tuple[MewsEntity, ...]
    cancel: asyncio.Event = field(default_factory=asyncio.Event)
    state: str = "running"
    progress: SweepProgress | None = None
    entities_done: list[str] = field(default_factory=list)
    changes_seen: int = 0
    results: list[SweepResult] = field(default_factory=list)
    failure: Exception | None = None
    task: asyncio.Task[None] | None = None
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    windows_done: int = 0

    def on_progress(self, progress: SweepProgress) -> None:
        if self.progress is not None and self.progress.entity != progress.entity:
            self.changes_seen += self.progress.changes
        self.progress = progress
        self.windows_done += 1

    def eta_s(self) -> float | None:
        """At the pace so far; the entities still to come are taken to have as many windows
        as the current one (their ranges differ only by their checkpoints)."""
        last = self.progress
        if last is None or self.state != "running":
            return None
        entities_after = len(self.entities) - 1 - self.entities.index(last.entity)
        remaining = (last.windows - last.window) + last.windows * max(entities_after, 0)
        elapsed = (datetime.now(UTC) - self.started_at).total_seconds()
        return round(elapsed / self.windows_done * remaining, 1)

    def snapshot(self) -> ResyncJob:
        last = self.progress
        return ResyncJob(
            job_id=self.job_id,
            enterprise_id=self.enterprise_id,
            state="cancelling" if self.state == "running" and self.cancel.is_set() else self.state,
            since=self.since,
            oldest_allowed=self.oldest_allowed,
            entities=tuple(e.value for e in self.entities),
            entities_done=tuple(self.entities_done),
            entity=last.entity.value if last is not None else None,
            window=last.window if last is not None else 0,
            windows=last.windows if last is not None else 0,
            reached=last.reached if last is not None else None,
            changes_seen=self.changes_seen + (last.changes if last is not None else 0),
            error=str(self.failure)[:300] if self.failure is not None else None,
            started_at=self.started_at,
            eta_s=self.eta_s(),
        )


@dataclass
class Enterprise:
    enterprise_id: str
    client: MewsClient
    sweeper: Sweeper
    gap: GapGuard
    alarm: PropertyAlarm
    probe: SilenceProbe
    sweep_requested: asyncio.Event = field(default_factory=asyncio.Event)
    sweep_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    socket: EnterpriseSocket | None = None
    #: The on-demand resync running or last run (one at a time per enterprise).
    resync: Resync | None = None


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
        self.http: uvicorn.Server | None = None
        self.ready = asyncio.Event()
        #: Requests being answered, each in its own task: nats.py runs one subscription's
        #: callbacks one after another, so a sweep answered inline would hold up every
        #: other request (another property's resync, a cancel) until it ended.
        self._answering: set[asyncio.Task[None]] = set()

    # -- lifecycle ---------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        settings = self.settings
        self.nc = nc = await connect(settings.nats, SERVICE)
        self.js = js = nc.jetstream()
        await ensure_streams(js)
        checkpoints_kv = await js.key_value(INGEST_CHECKPOINTS.bucket)
        checkpoints = Checkpoints(checkpoints_kv)
        self.contacts = LastContacts(checkpoints_kv, every_s=settings.last_contact_write_s)
        self.board = StateBoard(await js.key_value(INGEST_STATE.bucket))
        self.limits = await js.key_value(MEWS_RATE_LIMITS.bucket)
        self.publisher = ChangePublisher(js)
        tasks: list[asyncio.Task[None]] = []
        try:
            tasks.append(asyncio.create_task(self._serve_http(), name="http"))
            await self._bind_enterprises(checkpoints, stop)
            if stop.is_set():
                return
            await self._answer(SWEEP, self._sweep_now)
            await self._answer(START_RESYNC, self._start_resync)
            await self._answer(CANCEL_RESYNC, self._cancel_resync)
            for enterprise in self.enterprises.values():
                enterprise.sweep_requested.set()  # resume whatever a previous process left
                tasks.append(asyncio.create_task(self._sweep_loop(enterprise, stop)))
                if enterprise.socket is not None:
                    tasks.append(asyncio.create_task(enterprise.socket.run(stop)))
            tasks.append(asyncio.create_task(self._flush_state(stop)))
            tasks.append(asyncio.create_task(self._watch_alarms(stop), name="alarms"))
            self.ready.set()
            await stop.wait()
        finally:
            if self.http is not None:
                self.http.should_exit = True
            resyncs = [e.resync.task for e in self.enterprises.values() if e.resync is not None]
            for task in [*tasks, *self._answering, *(t for t in resyncs if t is not None)]:
                task.cancel()
            for task in [*tasks, *self._answering, *(t for t in resyncs if t is not None)]:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            if self.board is not None:
                with contextlib.suppress(Exception):
                    await self.board.flush()
            with contextlib.suppress(Exception):
                await self._keep_contacts(force=True)
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
            await self._resume(enterprise, checkpoints)
            self.enterprises[enterprise_id] = enterprise
            log.info("ingesting enterprise %s", enterprise_id)

    async def _resume(self, enterprise: Enterprise, checkpoints: Checkpoints) -> None:
        """Pick up what a previous process knew: the last contact (else the oldest
        checkpoint: a sweep's end is a contact too) and a backfill it announced."""
        assert self.contacts is not None
        assert self.board is not None
        enterprise_id = enterprise.enterprise_id
        contact = await self.contacts.get(enterprise_id)
        if contact is None:
            found = [await checkpoints.get(enterprise_id, e) for e in self.settings.entities]
            contact = min((c for c in found if c is not None), default=None)
        silent = enterprise.gap.resume(contact, datetime.now(UTC))
        if silent is not None:
            log.warning(
                "no news from %s for %s (across a restart): the first sweep starts at the "
                "resync horizon",
                enterprise_id,
                silent,
            )
        restored = await self.board.restore(enterprise_id)
        if restored.alert_reasons:
            # Raised by a previous process: this one clears it when it sees no reason.
            enterprise.alarm.raised_at = restored.alert_raised_at
            enterprise.alarm.findings = tuple(
                Finding(cast(SyncAlertReason, reason), detail)
                for reason, detail in zip(
                    restored.alert_reasons, restored.alert_details, strict=False
                )
            )
        if enterprise.socket is not None:
            self.board.update(enterprise_id, websocket_down_since=datetime.now(UTC))

    def _socket(self, enterprise: Enterprise, credentials: Credentials) -> EnterpriseSocket:
        settings = self.settings
        return EnterpriseSocket(
            settings.mews.ws_url,
            credentials,
            on_frame=lambda frame: self._on_frame(enterprise, frame),
            on_connected=lambda: self._on_connected(enterprise),
            on_disconnected=lambda: self._on_disconnected(enterprise),
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

    async def _flush_state(self, stop: asyncio.Event) -> None:
        assert self.board is not None
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 1.0)
            try:
                for enterprise_id in await self.board.settle_backfills():
                    log.info("backfill done: %s no longer needs one", enterprise_id)
                await self.board.flush()
                await self._keep_contacts()
            except Exception:
                log.warning("cannot write ingest state", exc_info=True)

    async def _keep_contacts(self, *, force: bool = False) -> None:
        """Persist each property's last contact (at a bounded rate unless `force`)."""
        assert self.contacts is not None
        for enterprise in self.enterprises.values():
            contact = enterprise.gap.persistable()
            if contact is not None:
                await self.contacts.keep(enterprise.enterprise_id, contact, force=force)

    def _heard(self, enterprise: Enterprise, now: datetime, *, live: bool = False) -> None:
        if live:
            enterprise.probe.heard(now)
            assert self.board is not None
            self.board.update(enterprise.enterprise_id, last_live_at=now)
        silent = enterprise.gap.heard(now)
        if silent is not None:
            log.warning(
                "news from %s after a silence of %s: sweeping from the resync horizon",
                enterprise.enterprise_id,
                silent,
            )
            enterprise.sweep_requested.set()

    # -- silence alarms ----------------------------------------------------------------------

    async def _watch_alarms(self, stop: asyncio.Event) -> None:
        """Judge every property at each check (alarms.py); a failed check is retried at the
        next one and changes no verdict."""
        alarms = self.settings.alarms
        trend = DeadLetterTrend(alarms.dead_letters_window_s)
        while not stop.is_set():
            try:
                growth = trend.growth(datetime.now(UTC), await self._dead_letter_count())
                for enterprise in self.enterprises.values():
                    await self._judge(enterprise, growth)
            except Exception as exc:
                log.warning("alarm check failed: %s", type(exc).__name__, exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), alarms.check_s)

    async def _dead_letter_count(self) -> int:
        assert self.js is not None
        return int((await self.js.stream_info(DEAD_LETTERS.name)).state.messages)

    async def _judge(self, enterprise: Enterprise, dead_letter_growth: int) -> None:
        assert self.board is not None
        assert self.js is not None
        alarms = self.settings.alarms
        enterprise_id = enterprise.enterprise_id
        probe = enterprise.probe
        now = datetime.now(UTC)
        window = probe.window(now)
        if window is not None:
            try:
                found = await latest_change(enterprise.client, *window)
            except MewsError as exc:
                log.info("silence probe of %s failed: %s", enterprise_id, exc)
            else:
                probe.probed(now, found)
        state = self.board.get(enterprise_id)
        findings = [
            finding
            for finding in (
                probe.finding(now),
                socket_finding(state.websocket_down_since, now, alarms.socket_down_s)
                if enterprise.socket is not None
                else None,
                dead_letter_finding(dead_letter_growth, alarms),
            )
            if finding is not None
        ]
        event = enterprise.alarm.judge(findings, now)
        if event is None:
            return
        self.board.update(
            enterprise_id,
            alert_reasons=enterprise.alarm.reasons,
            alert_details=event.details,
            alert_raised_at=enterprise.alarm.raised_at,
        )
        log.warning(
            "sync alert %s for %s: %s",
            event.state,
            enterprise_id,
            "; ".join(event.details) or "no reason left",
            extra={"reasons": list(event.reasons)},
        )
        await publish(
            self.js,
            SYNC_ALERT,
            event,
            msg_id=event.event_id,
            enterprise=enterprise_id,
            event="alert",
        )

    # -- WebSocket ---------------------------------------------------------------------------

    async def _on_connected(self, enterprise: Enterprise) -> None:
        assert self.board is not None
        state = self.board.get(enterprise.enterprise_id)
        self.board.update(
            enterprise.enterprise_id,
            websocket="connected",
            reconnects=state.reconnects + 1,
            websocket_down_since=None,
        )
        enterprise.sweep_requested.set()  # the socket has no replay: catch up what we missed

    async def _on_disconnected(self, enterprise: Enterprise) -> None:
        assert self.board is not None
        state = self.board.get(enterprise.enterprise_id)
        self.board.update(
            enterprise.enterprise_id,
            websocket="disconnected",
            websocket_down_since=state.websocket_down_since or datetime.now(UTC),
        )

    async def _on_frame(self, enterprise: Enterprise, frame: str | bytes) -> None:
        with receive_span("receive mews websocket", {ENTERPRISE_ATTR: enterprise.enterprise_id}):
            await self._take_frame(enterprise, frame)

    async def _take_frame(self, enterprise: Enterprise, frame: str | bytes) -> None:
        assert self.publisher is not None
        assert self.board is not None
        now = datetime.now(UTC)
        try:
            changes = changes_from_frame(frame, enterprise.enterprise_id, now)
        except MalformedInput as exc:
            # A frame may be up to the socket's 16 MiB: its letter keeps a prefix, so it fits
            # in one NATS message. A letter that cannot be stored does not end the socket.
            data = frame.encode(errors="replace") if isinstance(frame, str) else frame
            log.warning("websocket frame refused: %s", exc)
            try:
                await self._dead_letter(
                    f"websocket.{enterprise.enterprise_id}", data[:KEPT_OF_OVERSIZED], str(exc)
                )
            except Exception as failed:
                log.warning("websocket dead letter not stored: %s", type(failed).__name__)
            return
        await self.publisher.publish_all(changes)
        self._heard(enterprise, now, live=True)
        self.board.update(enterprise.enterprise_id, last_event_at=now)

    # -- webhooks ----------------------------------------------------------------------------

    async def accept_webhook(self, batch: WebhookBatch) -> None:
        with receive_span("receive mews webhook", {ENTERPRISE_ATTR: batch.enterprise_id}):
            await self._take_webhook(batch)

    async def _take_webhook(self, batch: WebhookBatch) -> None:
        if not self.ready.is_set():
            # Just started: the edge listens before Mews has said which enterprise each
            # token is for, so this delivery is neither known to be ours nor foreign. Not
            # taken (a 503): Mews sends it again, to a process that knows.
            raise NotBoundYet("the AccessTokens are not bound to their enterprises yet")
        assert self.publisher is not None
        assert self.board is not None
        enterprise = self.enterprises.get(batch.enterprise_id)
        if enterprise is None:
            # Not a property we hold a token for: keep it for inspection, do not make Mews retry.
            await self._dead_letter(
                "webhook", b"", f"webhook for unknown enterprise {batch.enterprise_id}"
            )
            return
        await self.publisher.publish_all(batch.changes)
        now = datetime.now(UTC)
        self._heard(enterprise, now, live=True)
        self.board.update(batch.enterprise_id, last_webhook_at=now)

    async def reject_webhook(self, body: bytes, reason: str) -> None:
        await self._dead_letter("webhook", body, reason)

    async def _dead_letter(self, subject: str, data: bytes, reason: str) -> None:
        assert self.js is not None
        await dead_letter_raw(
            self.js, service=SERVICE, consumer="edge", subject=subject, data=data, reason=reason
        )

    # -- sweeps ------------------------------------------------------------------------------

    async def _sweep_loop(self, enterprise: Enterprise, stop: asyncio.Event) -> None:
        retry_s = 1.0
        while not stop.is_set():
            requested = asyncio.ensure_future(enterprise.sweep_requested.wait())
            stopping = asyncio.ensure_future(stop.wait())
            await asyncio.wait(
                {requested, stopping},
                timeout=self.settings.sweep_interval_s,
                return_when=asyncio.FIRST_COMPLETED,
            )
            requested.cancel()
            stopping.cancel()
            if stop.is_set():
                return
            enterprise.sweep_requested.clear()
            try:
                await self.sweep(enterprise)
                retry_s = 1.0
            except Exception as exc:
                log.warning(
                    "sweep of %s failed, retrying in %.0fs: %s",
                    enterprise.enterprise_id,
                    retry_s,
                    exc,
                    exc_info=not isinstance(exc, MewsError),
                )
                assert self.board is not None
                self.board.update(enterprise.enterprise_id, last_sweep_error=str(exc)[:300])
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), retry_s)
                retry_s = min(retry_s * 2, 60.0)
                enterprise.sweep_requested.set()

    async def sweep(
        self,
        enterprise: Enterprise,
        *,
        entities: Iterable[MewsEntity] | None = None,
        since: datetime | None = None,
        progress: Progress | None = None,
        cancelled: asyncio.Event | None = None,
    ) -> list[SweepResult]:
        """Sweep every (or the named) entity from its checkpoint (or `since`) to Mews's now;
        `cancelled` set stops it between two windows."""
        async with enterprise.sweep_lock:
            sweeper = enterprise.sweeper
            gap = enterprise.gap
            end = await sweeper.mews_now()
            horizon = end - timedelta(seconds=self.settings.resync_horizon_s)
            silent = gap.check(datetime.now(UTC))
            if silent is not None and since is None:
                log.warning(
                    "no news from %s for %s: sweeping from the resync horizon",
                    enterprise.enterprise_id,
                    silent,
                )
            results = []
            from_horizon = False
            for entity in entities or self.settings.entities:
                if cancelled is not None and cancelled.is_set():
                    break
                planned = await sweeper.start_for(entity, horizon)
                if planned.beyond_horizon is not None:
                    self._announce_backfill(enterprise, entity, planned.beyond_horizon, horizon)
                if since is not None:
                    start = since
                elif entity in gap.due:
                    start = horizon
                else:
                    start = planned.at
                result = await sweeper.sweep(entity, start, end, progress, cancelled)
                if not result.complete:
                    log.info(
                        "sweep of %s %s cancelled, reached %s",
                        enterprise.enterprise_id, entity, result.reached,
                    )  # fmt: skip
                    results.append(result)
                    break
                log.info(
                    "swept %s %s from %s to %s: %d changed, %d new",
                    enterprise.enterprise_id, entity, start.isoformat(), end.isoformat(),
                    result.seen, result.stored,
                )  # fmt: skip
                results.append(result)
                if start <= horizon:
                    gap.resynced(entity)
                    from_horizon = True
            now = datetime.now(UTC)
            gap.swept(now)
            if cancelled is not None and cancelled.is_set():
                return results  # not a sweep to `end`: the board keeps the last whole one
            assert self.board is not None
            self.board.update(
                enterprise.enterprise_id,
                last_sweep_at=now,
                last_sweep_changes=sum(r.stored for r in results),
                last_sweep_error=None,
                checkpoint_lag_s=(now - end).total_seconds(),
            )
            if from_horizon:
                self.board.update(enterprise.enterprise_id, last_full_resync_at=now)
            return results

    def _announce_backfill(
        self, enterprise: Enterprise, entity: MewsEntity, checkpoint: datetime, horizon: datetime
    ) -> None:
        """A checkpoint older than the horizon: the sweep starts at the horizon, and what
        changed between the checkpoint and the horizon may never have been seen. Said in the
        log and on the board (kept there across restarts), never passed over."""
        assert self.board is not None
        enterprise_id = enterprise.enterprise_id
        age = datetime.now(UTC) - checkpoint
        earlier = self.board.get(enterprise_id).backfill_since
        since = min(checkpoint, earlier) if earlier is not None else checkpoint
        reason = (
            f"the {entity} checkpoint was {_span(age.total_seconds())} old, beyond the resync "
            f"horizon ({_span(self.settings.resync_horizon_s)}): swept from "
            f"{horizon:%Y-%m-%d %H:%M} UTC, so "
            f"changes since {since:%Y-%m-%d %H:%M} UTC may have been skipped; run "
            f"`attendandt sync backfill --enterprise {enterprise_id} --since {since:%Y-%m-%d}`"
        )
        log.warning(
            "backfill needed for %s: %s",
            enterprise_id,
            reason,
            extra={"checkpoint_age_s": round(age.total_seconds())},
        )
        self.board.update(
            enterprise_id, backfill_needed=True, backfill_reason=reason, backfill_since=since
        )

    # -- on-demand sweeps (request-reply) ----------------------------------------------------

    async def _answer(
        self,
        method: RpcMethod[Any, Any],
        handler: Callable[[Any, Caller], Awaitable[Payload]],
    ) -> None:
        assert self.nc is not None
        nc = self.nc

        async def reply(msg: Msg) -> None:
            body, headers = await answer_for_caller(method, msg.data, msg.headers, handler)
            if msg.reply:
                await nc.publish(msg.reply, body, headers=headers)

        async def on_request(msg: Msg) -> None:
            task = asyncio.create_task(reply(msg), name=f"answer {method.method}")
            self._answering.add(task)
            task.add_done_callback(self._answering.discard)

        await nc.subscribe(method.subject, queue=SERVICE, cb=on_request)

    def _enterprise_for(self, enterprise_id: str, caller: Caller) -> Enterprise:
        enterprise = self.enterprises.get(enterprise_id)
        # Another property is "not found", like one not ingested: no existence oracle.
        if enterprise is None or not caller.may_act_for(enterprise_id):
            raise NotFound(f"enterprise {enterprise_id} is not one of the properties ingested here")
        if not caller.can(RESYNC):
            raise Forbidden(f"role {caller.role.value} may not resync")
        return enterprise

    def oldest_allowed(self) -> datetime:
        """How far back an on-demand sweep may go: the resync horizon (the same one a long
        silence falls back to). Beyond it a sweep would walk thousands of windows on the
        property's rate budget; older history is `attendandt sync backfill`'s job."""
        return datetime.now(UTC) - timedelta(seconds=self.settings.resync_horizon_s)

    def _begin(self, enterprise: Enterprise, request: SweepRequest) -> Resync:
        """Check a sweep request and start it as the enterprise's resync job."""
        known = {e.value for e in MewsEntity}
        unknown = [e for e in request.entities if e not in known]
        if unknown:
            raise Invalid(f"unknown entities {unknown}: use some of {sorted(known)}")
        oldest = self.oldest_allowed()
        since = request.since
        if since is not None:
            if since.tzinfo is None:
                since = since.replace(tzinfo=UTC)  # Mews times are UTC
            if since < oldest:
                days = self.settings.resync_horizon_s / 86400
                raise Invalid(
                    f"since {since.isoformat()} is older than the resync horizon ({days:g} days): "
                    f"the oldest allowed is {oldest.replace(microsecond=0).isoformat()}; for "
                    f"older history use `attendandt sync backfill --enterprise "
                    f"{enterprise.enterprise_id} --since YYYY-MM-DD`"
                )
            if since > datetime.now(UTC):
                raise Invalid(f"since {since.isoformat()} is in the future")
        running = enterprise.resync
        if running is not None and running.state == "running":
            raise Conflict(
                f"resync {running.job_id} of {enterprise.enterprise_id} is running; "
                "cancel it first or wait for it to end"
            )
        entities = tuple(MewsEntity(e) for e in request.entities) or self.settings.entities
        job = Resync(uuid.uuid4().hex, enterprise.enterprise_id, since, oldest, entities)
        enterprise.resync = job
        self._show(job)
        job.task = asyncio.create_task(
            self._run_resync(enterprise, job), name=f"resync {job.job_id}"
        )
        return job

    def _show(self, job: Resync) -> None:
        """The job on the status board (`GET /sync/{enterprise}` shows it)."""
        if self.board is not None:
            self.board.update(job.enterprise_id, resync=job.snapshot())

    async def _run_resync(self, enterprise: Enterprise, job: Resync) -> None:
        def progress(step: SweepProgress) -> None:
            job.on_progress(step)
            self._show(job)

        try:
            job.results = await self.sweep(
                enterprise,
                entities=job.entities,
                since=job.since,
                progress=progress,
                cancelled=job.cancel,
            )
        except Exception as exc:
            job.failure = exc
            job.state = "failed"
            self._show(job)
            log.warning("resync %s of %s failed: %s", job.job_id, job.enterprise_id, exc)
            return
        job.entities_done = [r.entity.value for r in job.results if r.complete]
        complete = len(job.entities_done) == len(job.entities)
        job.state = "done" if complete else "cancelled"
        self._show(job)
        log.info(
            "resync %s of %s %s", job.job_id, job.enterprise_id, job.state,
            extra={"entities_done": job.entities_done},
        )  # fmt: skip

    async def _sweep_now(self, request: SweepRequest, caller: Caller) -> SweepResponse:
        """`sweep`: the resync job, answered when it ends (cancelled: as far as it got)."""
        job = self._begin(self._enterprise_for(request.enterprise_id, caller), request)
        assert job.task is not None
        await asyncio.shield(job.task)  # a caller giving up does not end the sweep
        if job.failure is not None:
            raise job.failure
        return SweepResponse(
            enterprise_id=request.enterprise_id,
            entities=tuple(
                SweptEntity(entity=r.entity, start=r.start, end=r.end, seen=r.seen, stored=r.stored)
                for r in job.results
            ),
        )

    async def _start_resync(self, request: SweepRequest, caller: Caller) -> ResyncJob:
        """`start_resync`: checked, started, answered at once with the job."""
        return self._begin(self._enterprise_for(request.enterprise_id, caller), request).snapshot()

    async def _cancel_resync(self, request: CancelResyncRequest, caller: Caller) -> ResyncJob:
        """`cancel_resync`: stops the running job between two windows and says how far it
        got (`cancelling` if its current window outlasted CANCEL_WAIT_S)."""
        enterprise = self._enterprise_for(request.enterprise_id, caller)
        job = enterprise.resync
        if job is None or job.state != "running" or job.task is None:
            raise NotFound(f"no resync of {request.enterprise_id} is running")
        job.cancel.set()
        await asyncio.wait({job.task}, timeout=CANCEL_WAIT_S)
        return job.snapshot()


def _span(seconds: float) -> str:
    if seconds >= 2 * 86400:
        return f"{seconds / 86400:.1f} days"
    if seconds >= 2 * 3600:
        return f"{seconds / 3600:.1f} hours"
    return f"{seconds / 60:.0f} minutes"
