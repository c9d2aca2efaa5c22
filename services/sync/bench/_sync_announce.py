"""Announce changes as ingest does (shared by the sync benchmarks): through the same bounded,
retrying `publish_all`, so a benchmark's burst is published as a sweep's page is."""

from __future__ import annotations

from datetime import UTC, datetime

from nats.js import JetStreamContext

from attendandt.contracts.mews import MEWS_CHANGE, ChangeSource, MewsChange, MewsEntity
from attendandt.platform.messaging import publish_all


async def announce_all(
    js: JetStreamContext, enterprise_id: str, entity: MewsEntity, ids: list[str]
) -> None:
    now = datetime.now(UTC)
    changes = [
        MewsChange(
            enterprise_id=enterprise_id,
            entity=entity,
            mews_id=mews_id,
            source=ChangeSource.WEBSOCKET,
            observed_at=now,
            sighting=f"{now.isoformat()}:{i}",
        )
        for i, mews_id in enumerate(ids)
    ]
    await publish_all(
        js, MEWS_CHANGE, changes, msg_id=MewsChange.msg_id, parts=MewsChange.subject_parts
    )
