"""Publishing change notifications to MEWS_CHANGES, de-duplicated by Nats-Msg-Id."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from nats.js import JetStreamContext

from attendandt.contracts.mews import MEWS_CHANGE, MewsChange
from attendandt.platform.messaging import publish


class ChangePublisher:
    def __init__(self, js: JetStreamContext) -> None:
        self.js = js
        self.stored = 0
        self.duplicates = 0

    async def publish_all(self, changes: Sequence[MewsChange]) -> int:
        """Store every change (awaiting every ack); returns how many were new to the stream."""
        if not changes:
            return 0
        acks = await asyncio.gather(
            *(
                publish(
                    self.js,
                    MEWS_CHANGE,
                    change,
                    msg_id=change.msg_id(),
                    enterprise=change.enterprise_id,
                    entity=change.entity,
                )
                for change in changes
            )
        )
        new = sum(1 for ack in acks if not ack.duplicate)
        self.stored += new
        self.duplicates += len(acks) - new
        return new
