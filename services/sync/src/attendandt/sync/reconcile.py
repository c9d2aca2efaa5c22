"""Reconciliation: compare our state with Mews and repair the drift.

Walks Mews like a backfill (customers and reservations changed since a date), asks the
guests service which version of each it holds, and commands only what is missing there or
older than Mews. Repairs flow through the same commands as every change, so they are
applied under the same rules (last-write-wins, inbox, events).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from nats.aio.client import Client as NatsClient
from nats.js.kv import KeyValue

from attendandt.contracts.rpc.guests import MEWS_VERSIONS, MewsVersionsRequest
from attendandt.platform.rpc import call
from attendandt.sync.applier import Applier
from attendandt.sync.backfill import Backfill, E


@dataclass
class Drift:
    checked: int = 0
    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)


class Reconcile(Backfill):
    PROGRESS = "reconcile"

    def __init__(self, applier: Applier, kv: KeyValue, nc: NatsClient) -> None:
        super().__init__(applier, kv)
        self.nc = nc
        self.drift: dict[str, Drift] = {}
        applier.command_tag = f"repair-{uuid.uuid4().hex[:12]}"

    async def select(self, entity: str, page: Sequence[E]) -> Sequence[E]:
        held = await call(
            self.nc,
            MEWS_VERSIONS,
            MewsVersionsRequest(
                enterprise_id=self.applier.enterprise_id,
                entity=entity,  # type: ignore[arg-type]
                mews_ids=tuple(item.id for item in page),
            ),
            timeout=10,
        )
        drift = self.drift.setdefault(entity, Drift())
        drift.checked += len(page)
        chosen = []
        for item in page:
            ours = held.versions.get(item.id)
            if ours is None:
                drift.missing.append(item.id)
            elif item.updated_utc is not None and ours < item.updated_utc:
                drift.stale.append(item.id)
            else:
                continue
            chosen.append(item)
        return chosen
