"""Backpressure for an import: it waits while guests has many of its commands waiting.

An import publishes tens of thousands of commands as fast as Mews hands it pages, far faster
than guests applies them. Live changes' commands share guests' consumers (DOMAIN_COMMANDS is
a work queue: one consumer per subject), so without a bound a reservation changed at the front
desk would queue behind the whole import, for minutes. The import instead publishes in chunks
and, before each, waits until every watched consumer has fewer than `high` commands pending or
unacknowledged: guests stays busy (the import is no slower), and a live command waits behind
at most `high` + one chunk.

The figure comes from the server (`consumer_info`: sync's NATS user may read these consumers'
info and nothing else of theirs). When it cannot be read (the consumer does not exist yet, the
server does not answer), the import goes on unpaced and says so once: a missing figure must
not stop an import.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from nats.errors import Error as NatsError
from nats.js import JetStreamContext

from attendandt.contracts.permissions.service_users import IMPORT_TARGETS

log = logging.getLogger(__name__)

#: Waited for before each chunk of an import's commands (`Applier` publishing with `pace`).
Pace = Callable[[], Awaitable[None]]

#: (stream, durable) of the consumers an import's commands go to.
GUESTS_BACKLOG = tuple((stream.name, durable) for stream, durable in IMPORT_TARGETS)
#: Commands published between two looks at the backlog.
CHUNK = 200


class DownstreamBacklog:
    """A `Pace`: returns once every watched consumer's backlog is under `high`."""

    def __init__(
        self,
        js: JetStreamContext,
        *,
        high: int,
        consumers: Sequence[tuple[str, str]] = GUESTS_BACKLOG,
        poll_s: float = 0.1,
    ) -> None:
        self.js = js
        self.high = high
        self.consumers = tuple(consumers)
        self.poll_s = poll_s
        #: Looks that found the backlog too long (each one a `poll_s` pause), for figures.
        self.waits = 0
        self._warned = False

    async def backlog(self) -> int:
        """The longest backlog (pending + unacknowledged) among the watched consumers."""
        longest = 0
        for stream, durable in self.consumers:
            info = await self.js.consumer_info(stream, durable)
            longest = max(longest, (info.num_pending or 0) + (info.num_ack_pending or 0))
        return longest

    async def __call__(self) -> None:
        while True:
            try:
                backlog = await self.backlog()
            except (NatsError, TimeoutError) as exc:
                if not self._warned:
                    self._warned = True
                    watched = ", ".join(durable for _, durable in self.consumers)
                    reason = type(exc).__name__
                    log.warning("cannot read the backlog of %s (%s): importing unpaced",
                                watched, reason)  # fmt: skip
                return
            if backlog < self.high:
                return
            self.waits += 1
            await asyncio.sleep(self.poll_s)
