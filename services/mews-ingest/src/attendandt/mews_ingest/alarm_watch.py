"""The silence alarms at work: every `check_s`, each property is judged (alarms.py) on what
the probe found, how long its socket has been down and how fast dead letters grow; a raised
or cleared alert goes on the board and out as a SyncAlert."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from datetime import UTC, datetime

from nats.js import JetStreamContext

from attendandt.contracts.alerts import SYNC_ALERT
from attendandt.contracts.streams import DEAD_LETTERS
from attendandt.mews import MewsError
from attendandt.mews_ingest.alarms import (
    AlarmSettings,
    DeadLetterTrend,
    dead_letter_finding,
    socket_finding,
)
from attendandt.mews_ingest.checkpoints import StateBoard
from attendandt.mews_ingest.enterprise import Enterprise
from attendandt.mews_ingest.probe import latest_change
from attendandt.mews_ingest.property_sweeps import token_refused
from attendandt.platform.messaging import publish

log = logging.getLogger(__name__)


class AlarmWatch:
    def __init__(
        self,
        alarms: AlarmSettings,
        js: JetStreamContext,
        board: StateBoard,
        enterprises: Mapping[str, Enterprise],
    ) -> None:
        self.alarms = alarms
        self.js = js
        self.board = board
        self.enterprises = enterprises

    async def run(self, stop: asyncio.Event) -> None:
        """Judge every property at each check (alarms.py); a failed check is retried at the
        next one and changes no verdict."""
        alarms = self.alarms
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
        return int((await self.js.stream_info(DEAD_LETTERS.name)).state.messages)

    async def _judge(self, enterprise: Enterprise, dead_letter_growth: int) -> None:
        alarms = self.alarms
        enterprise_id = enterprise.enterprise_id
        probe = enterprise.probe
        now = datetime.now(UTC)
        window = probe.window(now)
        if window is not None:
            try:
                found = await latest_change(enterprise.client, *window)
            except MewsError as exc:
                log.info("silence probe of %s failed: %s", enterprise_id, exc)
                if token_refused(exc):
                    self.board.token_refused(enterprise_id, str(exc))
            else:
                probe.probed(now, found)
                self.board.token_accepted(enterprise_id)
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
