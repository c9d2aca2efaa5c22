"""Announce changes as ingest would (shared by the sync benchmarks)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from nats.js import JetStreamContext

from attendandt.contracts.mews import MEWS_CHANGE, ChangeSource, MewsChange, MewsEntity
from attendandt.platform.messaging import publish


async def announce_all(
    js: JetStreamContext, enterprise_id: str, entity: MewsEntity, ids: list[str]
) -> None:
    now = datetime.now(UTC)
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        await asyncio.gather(
            *(
                publish(
                    js,
                    MEWS_CHANGE,
                    change,
                    msg_id=change.msg_id(),
                    enterprise=enterprise_id,
                    entity=entity,
                )
                for change in (
                    MewsChange(
                        enterprise_id=enterprise_id,
                        entity=entity,
                        mews_id=mews_id,
                        source=ChangeSource.WEBSOCKET,
                        observed_at=now,
                        sighting=f"{now.isoformat()}:{start + i}",
                    )
                    for i, mews_id in enumerate(chunk)
                )
            )
        )
