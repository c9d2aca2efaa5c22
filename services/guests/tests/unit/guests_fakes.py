"""An in-memory `UnitOfWork` for the guests use cases written against one: what Postgres would
hold (`FakeStore`) as plain dicts, changed only on commit.

It behaves as the Postgres one does where the use cases rely on it: the inbox refuses a
message id a consumer claimed before, a stay is replaced only when `supersedes` says so (as
the upsert's SQL guard does; test_versioning_agreement.py checks the guard agrees), a stay
keeps its id, and leaving the unit of work without `commit` forgets the claim, the effect and
the queued messages."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import msgspec

from attendandt.contracts.base import Payload
from attendandt.contracts.snapshots import StaySnapshot
from attendandt.contracts.versioning import MewsVersion, supersedes
from attendandt.guests.unit_of_work import NoteWrite, Role, UnitOfWork
from attendandt.guests.upsert_repository import StoredStay


@dataclass
class FakeStay:
    stay_id: str
    snapshot: StaySnapshot
    version: MewsVersion
    #: The notes as the stays table holds them (dicts; a note shown from the publisher's
    #: report carries the `written_here` mark).
    notes: list[dict[str, Any]]
    customers: list[tuple[str, Role]] = field(default_factory=list)


@dataclass
class FakeNoteWrite:
    id: str
    stay_id: str
    text: str
    note_mews_id: str | None = None
    state: str = "saving"
    finished: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Queued:
    subject: str
    payload: Payload
    msg_id: str
    correlation_id: str | None


@dataclass
class FakeStore:
    """What is committed."""

    inbox: set[tuple[str, str]] = field(default_factory=set)
    #: (enterprise, Mews id) → the stay.
    stays: dict[tuple[str, str], FakeStay] = field(default_factory=dict)
    #: (enterprise, customer Mews id) → our guest id.
    guests: dict[tuple[str, str], str] = field(default_factory=dict)
    note_writes: dict[str, FakeNoteWrite] = field(default_factory=dict)
    outbox: list[Queued] = field(default_factory=list)
    commits: int = 0


class _Stays:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

    async def lock(self, enterprise_id: str, mews_id: str) -> None:
        self._unit.locked.append(("reservation", enterprise_id, mews_id))

    async def get(self, enterprise_id: str, mews_id: str) -> StoredStay | None:
        found = self._unit.working.stays.get((enterprise_id, mews_id))
        if found is None:
            return None
        return StoredStay(found.stay_id, found.version, found.snapshot.state)

    async def snapshot(self, enterprise_id: str, stay_id: str) -> StaySnapshot | None:
        for (enterprise, _), stay in self._unit.working.stays.items():
            if enterprise == enterprise_id and stay.stay_id == stay_id:
                return stay.snapshot
        return None

    async def put(
        self,
        *,
        stay_id: str,
        enterprise_id: str,
        stay: StaySnapshot,
        version: MewsVersion,
        synced_at: datetime,
    ) -> str | None:
        key = (enterprise_id, stay.mews_id)
        stored = self._unit.working.stays.get(key)
        if stored is not None and not supersedes(version, stored.version):
            return None
        notes = list(msgspec.to_builtins(stay.notes))
        if stored is None:
            self._unit.working.stays[key] = FakeStay(stay_id, stay, version, notes)
            return stay_id
        stored.snapshot, stored.version, stored.notes = stay, version, notes
        return stored.stay_id

    async def replace_customers(
        self, *, stay_id: str, enterprise_id: str, customers: Sequence[tuple[str, Role]]
    ) -> None:
        for stay in self._unit.working.stays.values():
            if stay.stay_id == stay_id:
                stay.customers = list(customers)

    async def known_guests(self, enterprise_id: str, customers: Sequence[str]) -> tuple[str, ...]:
        guests = self._unit.working.guests
        return tuple(guests[(enterprise_id, m)] for m in customers if (enterprise_id, m) in guests)


class _NoteWrites:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

    async def held_notes(self, stay_id: str) -> list[Any]:
        stays = self._unit.working.stays.values()
        return next((list(s.notes) for s in stays if s.stay_id == stay_id), [])

    async def on_their_way(self, stay_id: str) -> Sequence[NoteWrite]:
        writes = self._unit.working.note_writes.values()
        return [w for w in writes if w.stay_id == stay_id and w.state == "saving"]

    async def finish(self, write_id: str, values: Mapping[str, Any]) -> None:
        write = self._unit.working.note_writes[write_id]
        write.state = str(values.get("state", write.state))
        write.finished = dict(values)


class FakeUnitOfWork(UnitOfWork):
    def __init__(self, store: FakeStore | None = None) -> None:
        self.store = store or FakeStore()
        self.working = copy.deepcopy(self.store)
        self.locked: list[tuple[str, str, str]] = []
        self.stays = _Stays(self)
        self.note_writes = _NoteWrites(self)

    async def claim(self, message_id: str, *, consumer: str) -> bool:
        if (consumer, message_id) in self.working.inbox:
            return False
        self.working.inbox.add((consumer, message_id))
        return True

    async def processed(self, message_id: str, *, consumer: str) -> bool:
        return (consumer, message_id) in self.working.inbox

    async def queue(
        self, subject: str, payload: Payload, *, msg_id: str, correlation_id: str | None = None
    ) -> None:
        self.working.outbox.append(Queued(subject, payload, msg_id, correlation_id))

    async def commit(self) -> None:
        self.working.commits += 1
        self.store = copy.deepcopy(self.working)

    async def rollback(self) -> None:
        self.working = copy.deepcopy(self.store)
