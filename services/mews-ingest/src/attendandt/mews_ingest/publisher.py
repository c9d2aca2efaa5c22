"""Publishing change notifications to MEWS_CHANGES, de-duplicated by Nats-Msg-Id."""

from __future__ import annotations

from collections.abc import Sequence

from nats.js import JetStreamContext

from attendandt.contracts.mews import MEWS_CHANGE, MewsChange
from attendandt.platform.messaging import publish_all


class ChangePublisher:
    def __init__(self, js: JetStreamContext) -> None:
        self.js = js
        self.stored = 0
        self.duplicates = 0

    async def publish_all(self, changes: Sequence[MewsChange]) -> int:
        """Store every change (awaiting every ack); returns how many were new to the stream."""
        if not changes:
            return 0
        acks = await publish_all(
            self.js, MEWS_CHANGE, changes, msg_id=MewsChange.msg_id, parts=MewsChange.subject_parts
        )
        new = sum(1 for ack in acks if not ack.duplicate)
        self.stored += new
        self.duplicates += len(acks) - new
        return new
