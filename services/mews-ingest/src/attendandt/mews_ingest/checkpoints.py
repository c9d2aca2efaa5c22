"""Per-enterprise checkpoints and live state, in NATS KV (so a restarted or moved ingest
process resumes where the last one stopped, and the gateway can show sync status)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import msgspec
from nats.js.errors import KeyNotFoundError
from nats.js.kv import KeyValue

from attendandt.contracts.kv import IngestState, decode_value
from attendandt.contracts.mews import MewsEntity
from attendandt.contracts.streams import BackfillDone, backfill_done_key
from attendandt.platform.logging import redact_text


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


class LastContacts:
    """`<enterprise>.last_contact` → when ingest last heard from the property (a WebSocket
    event, a webhook, a whole sweep), next to the checkpoints: a silence that spans a
    restart is seen by the next process.

    Contacts come with every event; the entry is written at most once per `every_s` per
    property (and at once with `force`, on a clean shutdown), so a burst of events costs no
    KV write each. What is lost in a crash is at most `every_s` of contact: the next process
    sees a silence that much longer, never a shorter one.
    """

    SUFFIX = "last_contact"

    def __init__(
        self, kv: KeyValue, *, every_s: float = 10.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.kv = kv
        self.every_s = every_s
        self._clock = clock
        #: Per enterprise: the value last written and when (by `clock`).
        self._written: dict[str, tuple[datetime, float]] = {}

    @classmethod
    def key(cls, enterprise_id: str) -> str:
        # Not an entity's name, so never one of the checkpoints' keys.
        return f"{enterprise_id}.{cls.SUFFIX}"

    async def get(self, enterprise_id: str) -> datetime | None:
        try:
            entry = await self.kv.get(self.key(enterprise_id))
        except KeyNotFoundError:
            return None
        if not entry.value:
            return None
        return datetime.fromisoformat(entry.value.decode())

    async def keep(self, enterprise_id: str, at: datetime, *, force: bool = False) -> bool:
        """Write `at` if it is newer than the value written and that was written `every_s`
        ago or more (or `force`); True when written."""
        written = self._written.get(enterprise_id)
        now = self._clock()
        if written is not None:
            value, when = written
            if at <= value or (not force and now - when < self.every_s):
                return False
        await self.kv.put(self.key(enterprise_id), at.astimezone(UTC).isoformat().encode())
        self._written[enterprise_id] = (at, now)
        return True


class StateBoard:
    """Ingest's view of each enterprise (`IngestState`), for the gateway's sync status.

    Updated in memory on every event and written to KV by `flush()` (called about once a
    second), so a burst of WebSocket frames costs no KV write each.
    """

    def __init__(self, kv: KeyValue) -> None:
        self.kv = kv
        self._states: dict[str, IngestState] = {}
        self._dirty: set[str] = set()

    async def restore(self, enterprise_id: str) -> IngestState:
        """What a previous process announced and must not be forgotten by a restart (a
        backfill still needed, an alert raised, a token Mews refused); the rest of the state
        describes this process and starts afresh."""
        try:
            entry = await self.kv.get(enterprise_id)
            stored = decode_value(entry.value, IngestState)
        except (KeyNotFoundError, msgspec.DecodeError, msgspec.ValidationError):
            return self.get(enterprise_id)
        if stored.alert_reasons:
            self.update(
                enterprise_id,
                alert_reasons=stored.alert_reasons,
                alert_details=stored.alert_details,
                alert_raised_at=stored.alert_raised_at,
            )
        if stored.token_refused_since is not None:
            # Shown refused until a call with the token succeeds (the first sweep tells).
            self.update(
                enterprise_id,
                token_refused_since=stored.token_refused_since,
                token_refused_reason=stored.token_refused_reason,
            )
        if not stored.backfill_needed:
            return self.get(enterprise_id)
        return self.update(
            enterprise_id,
            backfill_needed=True,
            backfill_reason=stored.backfill_reason,
            backfill_since=stored.backfill_since,
        )

    def get(self, enterprise_id: str) -> IngestState:
        return self._states.setdefault(enterprise_id, IngestState(enterprise_id=enterprise_id))

    def update(self, enterprise_id: str, **fields: Any) -> IngestState:
        state = msgspec.structs.replace(
            self.get(enterprise_id), **fields, updated_at=datetime.now(UTC)
        )
        self._states[enterprise_id] = state
        self._dirty.add(enterprise_id)
        return state

    def token_refused(self, enterprise_id: str, reason: str) -> IngestState:
        """Mews refused the property's AccessToken (HTTP 401): shown as refused from the
        first refusal on, with what Mews said last (`reason`, secrets masked: never the
        token)."""
        since = self.get(enterprise_id).token_refused_since or datetime.now(UTC)
        return self.update(
            enterprise_id,
            token_refused_since=since,
            token_refused_reason=redact_text(reason)[:300],
        )

    def token_accepted(self, enterprise_id: str) -> None:
        """A call with the property's token succeeded: no longer refused."""
        if self.get(enterprise_id).token_refused_since is not None:
            self.update(enterprise_id, token_refused_since=None, token_refused_reason=None)

    def forget(self, enterprise_id: str) -> None:
        """`enterprise_id` is no property (a portfolio's own enterprise): no longer shown."""
        if self._states.pop(enterprise_id, None) is not None:
            self._dirty.add(enterprise_id)

    async def settle_backfills(self) -> list[str]:
        """Clear "backfill needed" where the backfill command has since covered the gap
        (`BackfillDone` from `backfill_since` or earlier); the enterprises cleared."""
        cleared = []
        for enterprise_id, state in list(self._states.items()):
            if not state.backfill_needed or state.backfill_since is None:
                continue
            try:
                entry = await self.kv.get(backfill_done_key(enterprise_id))
                done = msgspec.json.decode(entry.value or b"", type=BackfillDone)
            except (KeyNotFoundError, msgspec.DecodeError, msgspec.ValidationError):
                continue
            if done.since <= state.backfill_since:
                self.update(
                    enterprise_id, backfill_needed=False, backfill_reason=None, backfill_since=None
                )
                cleared.append(enterprise_id)
        return cleared

    async def flush(self) -> None:
        dirty, self._dirty = self._dirty, set()
        for enterprise_id in dirty:
            state = self._states.get(enterprise_id)
            if state is None:
                await self.kv.delete(enterprise_id)
            else:
                await self.kv.put(enterprise_id, msgspec.json.encode(state))
