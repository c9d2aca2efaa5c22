"""`sync.alert`: a property's link with Mews looks broken, or no longer does.

Published by mews-ingest on `attendandt.v1.<enterprise>.sync.alert` (stream
ATTENDANDT_EVENTS, like every public event): once with `state` `raised` when the first
reason appears, again when the reasons change while raised, and once with `state` `cleared`
when none is left. An alert clears by itself: nobody acknowledges it.

Reasons:
- `silence`: Mews reports changes (a probe of `reservations/getAll` and `customers/getAll`
  by UpdatedUtc) made more than the silence bound ago that no live channel (WebSocket or
  webhook) has brought since. Sweeps still catch them up, late.
- `websocket_down`: the WebSocket has been down for longer than its bound.
- `dead_letters`: dead letters grew by at least the threshold within the window. Dead
  letters are counted per consumer, not per property, so this reason shows on every
  property ingested.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from attendandt.contracts.base import Subject
from attendandt.contracts.events import DomainEvent

SyncAlertReason = Literal["silence", "websocket_down", "dead_letters"]
SyncAlertState = Literal["raised", "cleared"]


class SyncAlert(DomainEvent, frozen=True, kw_only=True):
    """A property's alert raised, changed or cleared. `reasons` are the ones in force
    (empty when cleared); `details` says in words what each one saw, in the same order;
    `raised_at` is when this alert was first raised (kept while its reasons change)."""

    SCHEMA = "sync.alert"
    state: SyncAlertState
    reasons: tuple[SyncAlertReason, ...] = ()
    details: tuple[str, ...] = ()
    raised_at: datetime


SYNC_ALERT = Subject(
    "attendandt.v1.{enterprise}.sync.{event}",
    SyncAlert,
    allowed=(("event", ("alert",)),),
)
