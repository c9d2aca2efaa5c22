"""Silence alarms: whether a property's link with Mews looks broken, and the `sync.alert`
each change of verdict publishes.

Three reasons, each judged afresh at every check (so an alarm clears by itself):
- `silence`: no live change (WebSocket event or webhook) for longer than `silence_s`, while
  Mews reports a change made after the last live one, and that change is `push_grace_s`
  old with nothing live since: the live channels missed it. A quiet hotel is not an alarm.
  Sweeps are the safety net, not a live channel: a property that lives on sweeps alone is
  red. Asking Mews is the probe (probe.py): only once the channels are quiet past
  `silence_s`, at most once per `probe_interval_s`, and not again once it found something
  until a live change arrives. (Mews keeps an entity's latest UpdatedUtc only: a record
  changed again and again always looks brand new, so the probe asks "anything since the
  last live change?", and the found change's age is measured from then on.)
- `websocket_down`: the socket has been down (or never up) for longer than `socket_down_s`.
- `dead_letters`: dead letters grew by `dead_letters` or more within `dead_letters_window_s`.
  Letters are counted per consumer, not per property: the reason shows on every property.

The silence is measured from the last live change this process saw, or from its start: a
restart gives the channels `silence_s` to show they work.
"""

from __future__ import annotations

import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from attendandt.contracts.alerts import SyncAlert, SyncAlertReason


@dataclass(frozen=True)
class AlarmSettings:
    #: How often every property is judged.
    check_s: float = 30.0
    #: Live channels quiet this long while Mews reports older changes → `silence`.
    silence_s: float = 1800.0
    #: While quiet, Mews is probed at most this often.
    probe_interval_s: float = 300.0
    #: How long a change Mews reports may take to come by a live channel.
    push_grace_s: float = 60.0
    #: The WebSocket down this long → `websocket_down`.
    socket_down_s: float = 600.0
    #: Dead letters growing by this many within `dead_letters_window_s` → `dead_letters`.
    dead_letters: int = 1
    dead_letters_window_s: float = 900.0


@dataclass(frozen=True)
class Finding:
    reason: SyncAlertReason
    detail: str


class DeadLetterTrend:
    """The dead-letter count over the last window, from one sample per check."""

    def __init__(self, window_s: float) -> None:
        self.window = timedelta(seconds=window_s)
        self._samples: deque[tuple[datetime, int]] = deque()

    def growth(self, now: datetime, count: int) -> int:
        """How much the count grew within the window, this sample included. The oldest
        sample kept is the last one at or before the window's start, so growth spread
        over the whole window is seen."""
        self._samples.append((now, count))
        start = now - self.window
        while len(self._samples) > 1 and self._samples[1][0] <= start:
            self._samples.popleft()
        # A purge (dead letters deleted by the ops command) is no growth.
        return max(0, count - min(c for _, c in self._samples))


@dataclass
class SilenceProbe:
    """Whether Mews has changes the live channels did not bring, asked sparingly."""

    silence: timedelta
    interval: timedelta
    grace: timedelta
    #: The last live change, or this process's start.
    last_live: datetime
    #: When Mews was last asked, and the start of the window it was asked about.
    probed_at: datetime | None = None
    #: A change the probe found, made at or after `last_live`: kept until a live change.
    found: datetime | None = None

    def heard(self, at: datetime) -> None:
        if at > self.last_live:
            self.last_live = at
            self.found = None
            self.probed_at = None

    def window(self, now: datetime) -> tuple[datetime, datetime] | None:
        """The UpdatedUtc range to probe now, or None (live recently, found already, or
        probed recently). Starts after the last live change's second: UpdatedUtc has whole
        seconds, and a change in that second may be the one that was pushed."""
        start = self.last_live.replace(microsecond=0) + timedelta(seconds=1)
        if self.found is not None or now - self.last_live <= self.silence or now <= start:
            return None
        if self.probed_at is not None and now - self.probed_at < self.interval:
            return None
        return start, now

    def probed(self, now: datetime, found: datetime | None) -> None:
        self.probed_at = now
        if found is not None:
            self.found = found

    def finding(self, now: datetime) -> Finding | None:
        if self.found is None or now - self.last_live <= self.silence:
            return None
        if now - self.found <= self.grace:
            return None
        return Finding(
            "silence",
            f"no WebSocket event or webhook since {self.last_live:%Y-%m-%d %H:%M:%S} UTC, "
            f"while Mews reports a change at {self.found:%Y-%m-%d %H:%M:%S} UTC",
        )


def socket_finding(down_since: datetime | None, now: datetime, bound_s: float) -> Finding | None:
    if down_since is None or (now - down_since).total_seconds() <= bound_s:
        return None
    return Finding(
        "websocket_down",
        f"the Mews WebSocket has been down since {down_since:%Y-%m-%d %H:%M:%S} UTC",
    )


def dead_letter_finding(growth: int, settings: AlarmSettings) -> Finding | None:
    if growth < settings.dead_letters:
        return None
    minutes = settings.dead_letters_window_s / 60
    return Finding(
        "dead_letters",
        f"{growth} new dead letters in the last {minutes:g} minutes (any property): "
        "`attendandt dlq list`",
    )


@dataclass
class PropertyAlarm:
    """One property's alert: what is in force, and the event each change publishes."""

    enterprise_id: str
    raised_at: datetime | None = None
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def reasons(self) -> tuple[SyncAlertReason, ...]:
        return tuple(f.reason for f in self.findings)

    def judge(self, findings: list[Finding], now: datetime) -> SyncAlert | None:
        """The new verdict; the event to publish when it differs from the last one."""
        before = self.reasons
        self.findings = tuple(findings)
        if self.reasons == before:
            return None
        if not findings:
            raised_at = self.raised_at or now
            self.raised_at = None
            return self._event("cleared", raised_at, now)
        if self.raised_at is None:
            self.raised_at = now
        return self._event("raised", self.raised_at, now)

    def _event(self, state: str, raised_at: datetime, now: datetime) -> SyncAlert:
        return SyncAlert(
            event_id=uuid.uuid4().hex,
            enterprise_id=self.enterprise_id,
            occurred_at=now.astimezone(UTC),
            event="alert",
            state="cleared" if state == "cleared" else "raised",
            reasons=self.reasons,
            details=tuple(f.detail for f in self.findings),
            raised_at=raised_at,
        )
