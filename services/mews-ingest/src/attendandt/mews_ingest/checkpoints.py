"""Per-enterprise checkpoints and live state, in NATS KV (so a restarted or moved ingest
process resumes where the last one stopped, and the gateway can show sync status)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
from nats.js.errors import KeyNotFoundError
from nats.js.kv import KeyValue

from attendandt.contracts.mews import MewsEntity
from attendandt.contracts.rpc.ingest import ResyncJob


class Checkpoints:
    """`<enterprise>.<entity>` → the UpdatedUtc before which every change is published."""

    def __init__(self, kv: KeyValue) -> None:
        self.kv = kv

    @staticmethod
    def key(enterprise_id: str, entity: MewsEntity) -> str:
        return f"{enterprise_id}.{entity}"

    async def get(self, enterprise_id: str, entity: MewsEntity) -> datetime | None:
        try:
            entry = await self.kv.get(self.key(enterprise_id, entity))
        except KeyNotFoundError:
            return None
        if not entry.value:
            return None
        return datetime.fromisoformat(entry.value.decode())

    async def advance(self, enterprise_id: str, entity: MewsEntity, to: datetime) -> bool:
        """Move forward only: a sweep of an older range never moves a checkpoint back."""
        current = await self.get(enterprise_id, entity)
        if current is not None and current >= to:
            return False
        await self.kv.put(self.key(enterprise_id, entity), to.astimezone(UTC).isoformat().encode())
        return True


class EnterpriseState(msgspec.Struct, kw_only=True):
    enterprise_id: str
    websocket: str = "disconnected"  # connecting | connected | disconnected | unsupported
    reconnects: int = 0
    last_event_at: datetime | None = None
    last_webhook_at: datetime | None = None
    last_sweep_at: datetime | None = None
    last_sweep_changes: int = 0
    last_sweep_error: str | None = None
    #: Seconds between now and the oldest checkpoint: how far behind sweeps could be.
    checkpoint_lag_s: float | None = None
    updated_at: datetime | None = None
    #: The on-demand resync running or last run, and how far it got.
    resync: ResyncJob | None = None


class StateBoard:
    """Ingest's view of each enterprise, for the gateway's sync status.

    Updated in memory on every event and written to KV by `flush()` (called about once a
    second), so a burst of WebSocket frames costs no KV write each.
    """

    def __init__(self, kv: KeyValue) -> None:
        self.kv = kv
        self._states: dict[str, EnterpriseState] = {}
        self._dirty: set[str] = set()

    def get(self, enterprise_id: str) -> EnterpriseState:
        return self._states.setdefault(enterprise_id, EnterpriseState(enterprise_id=enterprise_id))

    def update(self, enterprise_id: str, **fields: Any) -> EnterpriseState:
        state = msgspec.structs.replace(
            self.get(enterprise_id), **fields, updated_at=datetime.now(UTC)
        )
        self._states[enterprise_id] = state
        self._dirty.add(enterprise_id)
        return state

    async def flush(self) -> None:
        dirty, self._dirty = self._dirty, set()
        for enterprise_id in dirty:
            await self.kv.put(enterprise_id, msgspec.json.encode(self._states[enterprise_id]))
