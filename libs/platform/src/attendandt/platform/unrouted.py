"""Commands nobody consumes: dead-lettered with the reason instead of waiting forever.

DOMAIN_COMMANDS takes every `cmd.v1.>` subject, but only the subjects `contracts.commands`
defines have a consumer. A command on any other (`cmd.v1.nobody.verb`, a misspelt verb) would
sit in the work queue for good. A work-queue stream allows no second consumer overlapping the
services' filters, so this sweeper reads the stream's per-subject counts instead: a message on
an unknown subject that is older than `after_s` (a newer release may define its subject) is
stored as a dead letter, then deleted from the stream. A known subject whose service is down
keeps waiting: that service takes it when it is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from attendandt.contracts.commands import COMMANDS
from attendandt.contracts.streams import DOMAIN_COMMANDS
from attendandt.platform.messaging import dead_letter_raw

log = logging.getLogger(__name__)

#: The dead letters' consumer name (`deadletter.v1.<service>.unrouted-commands`).
CONSUMER = "unrouted-commands"


class UnroutedCommandSweeper:
    def __init__(
        self,
        js: JetStreamContext,
        *,
        service: str,
        after_s: float,
        interval_s: float,
        known: Iterable[str] | None = None,
    ) -> None:
        self.js = js
        self.service = service
        self.after = timedelta(seconds=after_s)
        self.interval_s = interval_s
        self.known = frozenset(
            known if known is not None else (subject.template for subject in COMMANDS)
        )

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.sweep_once()
            except Exception:
                log.warning("sweeping unrouted commands failed; trying again", exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval_s)

    async def sweep_once(self) -> int:
        """Dead-letter every unrouted command old enough; how many it did."""
        info = await self.js.stream_info(DOMAIN_COMMANDS.name, subjects_filter="cmd.v1.>")
        subjects = info.state.subjects or {}
        swept = 0
        for subject in sorted(set(subjects) - self.known):
            swept += await self._sweep_subject(subject, info.state.first_seq)
        return swept

    async def _sweep_subject(self, subject: str, first_seq: int) -> int:
        swept = 0
        seq = max(first_seq, 1)
        cutoff = datetime.now(UTC) - self.after
        while True:
            try:
                msg = await self.js.get_msg(DOMAIN_COMMANDS.name, seq, subject=subject, next=True)
            except NotFoundError:
                return swept
            assert msg.seq is not None
            if msg.time is not None and msg.time > cutoff:
                return swept  # the rest on this subject are younger still
            await dead_letter_raw(
                self.js,
                service=self.service,
                consumer=CONSUMER,
                subject=subject,
                data=msg.data or b"",
                headers={k: str(v) for k, v in (msg.headers or {}).items()},
                reason=(
                    f"no service consumes {subject}: not a command subject of the contracts "
                    f"(waited {self.after.total_seconds():g} s)"
                ),
                stream=DOMAIN_COMMANDS.name,
                stream_sequence=msg.seq,
            )
            # Stored first, deleted then: a failure in between repeats a dead letter, which
            # its message id (stream and sequence) de-duplicates.
            with contextlib.suppress(NotFoundError):
                await self.js.delete_msg(DOMAIN_COMMANDS.name, msg.seq)
            swept += 1
            seq = msg.seq + 1
