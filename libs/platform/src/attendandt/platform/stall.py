"""A consumer that is alive but stuck: messages wait, and it takes none and settles none.

A task that ended is easy to see (`health.ConsumerWatch`). One that hangs is not: a handler
awaiting something that never comes, a pull loop whose subscription died with a reconnect.
The process looks fine while the stream fills up. The server knows better: each check asks
it for the durable's state, and the consumer has made progress when its delivered or
ack-floor sequence moved (a redelivery after a nak counts: the consumer is working on it).
Waiting messages (`num_pending` + `num_ack_pending`) with no progress for `stall_s` is a
stall. Idle with nothing waiting is not.

`stall_s` must exceed the longest honest pause: the longest nak back-off (30 s), an ack wait
(sync: 120 s). The default, 300 s, leaves room for both; `CONSUMER_STALL_S` sets it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from nats.js import JetStreamContext

from attendandt.platform import metrics

log = logging.getLogger(__name__)

#: How long messages may wait on a consumer that makes no progress before it counts as stuck.
STALL_S = 300.0


@dataclass
class _Backlog:
    js: JetStreamContext
    stream: str
    durable: str
    marks: tuple[int, int] | None = None
    progress_at: float = field(default_factory=time.monotonic)


class StallWatch:
    def __init__(self, stall_s: float = STALL_S, clock: Callable[[], float] = time.monotonic):
        self.stall_s = stall_s
        self._clock = clock
        self._backlogs: dict[str, _Backlog] = {}
        self.stalled: list[str] = []

    def watch(self, js: JetStreamContext, stream: str, durable: str) -> None:
        self._backlogs[durable] = _Backlog(js, stream, durable, progress_at=self._clock())

    async def check(self) -> list[str]:
        """Ask the server about every watched durable; the ones stuck now."""
        stalled = []
        for backlog in self._backlogs.values():
            if await self._stuck(backlog):
                stalled.append(backlog.durable)
        self.stalled = stalled
        return stalled

    async def _stuck(self, backlog: _Backlog) -> bool:
        now = self._clock()
        try:
            info = await backlog.js.consumer_info(backlog.stream, backlog.durable)
        except Exception:
            # NATS away or the consumer being re-created: no verdict. A NATS outage fails
            # readiness through the connection check, not this one.
            log.debug("consumer info unavailable", extra={"consumer": backlog.durable})
            return False
        marks = (info.delivered.consumer_seq or 0, info.ack_floor.consumer_seq or 0)
        waiting = (info.num_pending or 0) + (info.num_ack_pending or 0)
        labels = (backlog.stream, backlog.durable)
        metrics.CONSUMER_PENDING.labels(*labels).set(info.num_pending or 0)
        metrics.CONSUMER_ACK_PENDING.labels(*labels).set(info.num_ack_pending or 0)
        metrics.CONSUMER_REDELIVERED.labels(*labels).set(info.num_redelivered or 0)
        if marks != backlog.marks or waiting == 0:
            backlog.marks = marks
            backlog.progress_at = now
            return False
        return now - backlog.progress_at > self.stall_s
