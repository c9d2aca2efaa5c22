"""Live changes: the frames of each property's WebSocket and the General Webhooks'
deliveries, published into MEWS_CHANGES, each one news from its property (it ends a silence;
the probe and the board hear of it). What cannot be taken is dead-lettered with the reason."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from nats.js import JetStreamContext

from attendandt.mews_ingest.checkpoints import StateBoard
from attendandt.mews_ingest.enterprise import Enterprise
from attendandt.mews_ingest.normalize import MalformedInput, WebhookBatch, changes_from_frame
from attendandt.mews_ingest.publisher import ChangePublisher
from attendandt.mews_ingest.settings import SERVICE
from attendandt.mews_ingest.webhooks import KEPT_OF_OVERSIZED
from attendandt.platform.messaging import dead_letter_raw
from attendandt.platform.telemetry import receive_span

log = logging.getLogger(__name__)
#: The span attribute naming the property a WebSocket frame or webhook came from.
ENTERPRISE_ATTR = "mews.enterprise_id"


class NotBoundYet(Exception):
    """Ingest has not learnt its enterprises from Mews yet (it is starting)."""


class Stopping(Exception):
    """Ingest is stopping: it takes no more deliveries (Mews sends them again)."""


class LiveIntake:
    def __init__(
        self,
        js: JetStreamContext,
        publisher: ChangePublisher,
        board: StateBoard,
        enterprises: Mapping[str, Enterprise],
        ready: asyncio.Event,
    ) -> None:
        self.js = js
        self.publisher = publisher
        self.board = board
        self.enterprises = enterprises
        #: Set once every AccessToken is bound to its enterprise.
        self.ready = ready
        #: Set at intake stop: deliveries are refused from then on.
        self.closed = False
        self._taking: set[asyncio.Task[Any]] = set()

    def heard(self, enterprise: Enterprise, now: datetime, *, live: bool = False) -> None:
        if live:
            enterprise.probe.heard(now)
            self.board.update(enterprise.enterprise_id, last_live_at=now)
        silent = enterprise.gap.heard(now)
        if silent is not None:
            log.warning(
                "news from %s after a silence of %s: sweeping from the resync horizon",
                enterprise.enterprise_id,
                silent,
            )
            enterprise.sweep_requested.set()

    # -- WebSocket ---------------------------------------------------------------------------

    async def on_connected(self, enterprise: Enterprise) -> None:
        state = self.board.get(enterprise.enterprise_id)
        self.board.update(
            enterprise.enterprise_id,
            websocket="connected",
            reconnects=state.reconnects + 1,
            websocket_down_since=None,
        )
        enterprise.sweep_requested.set()  # the socket has no replay: catch up what we missed

    async def on_disconnected(self, enterprise: Enterprise) -> None:
        state = self.board.get(enterprise.enterprise_id)
        self.board.update(
            enterprise.enterprise_id,
            websocket="disconnected",
            websocket_down_since=state.websocket_down_since or datetime.now(UTC),
        )

    async def on_frame(self, enterprise: Enterprise, frame: str | bytes) -> None:
        with receive_span("receive mews websocket", {ENTERPRISE_ATTR: enterprise.enterprise_id}):
            await self._take_frame(enterprise, frame)

    async def _take_frame(self, enterprise: Enterprise, frame: str | bytes) -> None:
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
        self.heard(enterprise, now, live=True)
        self.board.update(enterprise.enterprise_id, last_event_at=now)

    # -- webhooks ----------------------------------------------------------------------------

    async def take_webhooks(self, stop: asyncio.Event) -> None:
        """Webhook intake, as a consumer loop: deliveries are taken until `stop`; then new
        ones are refused (503: Mews sends them again) and those in hand are finished. The
        edge itself listens on: it answers the probes until the process is done."""
        await stop.wait()
        self.closed = True
        if self._taking:
            await asyncio.wait(set(self._taking))

    async def accept_webhook(self, batch: WebhookBatch) -> None:
        if self.closed:
            raise Stopping("ingest is stopping: the delivery is not taken")
        task = asyncio.current_task()
        assert task is not None  # a request is handled in a task of its own
        self._taking.add(task)
        try:
            with receive_span("receive mews webhook", {ENTERPRISE_ATTR: batch.enterprise_id}):
                await self._take_webhook(batch)
        finally:
            self._taking.discard(task)

    async def _take_webhook(self, batch: WebhookBatch) -> None:
        if not self.ready.is_set():
            # Just started: the edge listens before Mews has said which enterprise each
            # token is for, so this delivery is neither known to be ours nor foreign. Not
            # taken (a 503): Mews sends it again, to a process that knows.
            raise NotBoundYet("the AccessTokens are not bound to their enterprises yet")
        enterprise = self.enterprises.get(batch.enterprise_id)
        if enterprise is None:
            # Not a property we hold a token for: keep it for inspection, do not make Mews retry.
            await self._dead_letter(
                "webhook", b"", f"webhook for unknown enterprise {batch.enterprise_id}"
            )
            return
        await self.publisher.publish_all(batch.changes)
        now = datetime.now(UTC)
        self.heard(enterprise, now, live=True)
        self.board.update(batch.enterprise_id, last_webhook_at=now)

    async def reject_webhook(self, body: bytes, reason: str) -> None:
        await self._dead_letter("webhook", body, reason)

    async def _dead_letter(self, subject: str, data: bytes, reason: str) -> None:
        await dead_letter_raw(
            self.js, service=SERVICE, consumer="edge", subject=subject, data=data, reason=reason
        )
