"""An in-memory `UnitOfWork` for the guests use cases written against one: what Postgres would
hold (`FakeStore`) as plain dicts, changed only on commit.

It behaves as the Postgres one does where the use cases rely on it: the inbox refuses a
message id a consumer claimed before, a stay, guest or room is replaced only when `supersedes`
says so (as the upserts' SQL guard does; test_versioning_agreement.py checks the guard
agrees) and keeps its id, a hotel or bill is replaced whenever the use case puts one (it
decides), and leaving the unit of work without `commit` forgets the claim, the effect and the
queued messages. The fakes of the vendor events', erasures' and retention's repositories are
in guests_privacy_fakes.py."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import msgspec
from guests_privacy_fakes import FakeErasures, FakeRetention, FakeTimeline, FakeVendorBookings

from attendandt.contracts.bills import StayBillSnapshot
from attendandt.contracts.rpc.guests import EditRule
from attendandt.contracts.snapshots import (
    GuestSnapshot,
    PropertySnapshot,
    RoomSnapshot,
    StaySnapshot,
)
from attendandt.contracts.versioning import MewsVersion, supersedes
from attendandt.guests.edit_repository import StoredEdit
from attendandt.guests.edits import OPEN_STATES
from attendandt.guests.erasure_repository import StoredReceipt, StoredRequest
from attendandt.guests.retention_repository import RetentionRun
from attendandt.guests.stored_stay_repository import StaySnapshotRow
from attendandt.guests.unit_of_work import NoteWrite, Role, UnitOfWork
from attendandt.guests.upsert_repository import (
    GuestPut,
    StayPut,
    StoredGuest,
    StoredRoom,
    StoredStay,
)
from attendandt.testing.fake_unit_of_work import FakeMessages, FakeUnitOfWorkBase


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
    """A note write as the stay_note_writes table holds it (the row the use cases read)."""

    id: str
    stay_id: str
    text: str
    note_mews_id: str | None = None
    state: str = "saving"
    #: The values of the last `finish`.
    finished: dict[str, Any] = field(default_factory=dict)
    enterprise_id: str = ""
    reservation_mews_id: str = ""
    base_text: str | None = None
    author_user_id: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    mews_text: str | None = None
    failure: str | None = None


@dataclass(frozen=True)
class FakeStayForNote:
    id: str
    mews_id: str
    notes: list[Any]


@dataclass
class FakeRoom:
    room_id: str
    snapshot: RoomSnapshot
    version: MewsVersion


@dataclass
class FakeStore(FakeMessages):
    """What is committed."""

    #: (enterprise, Mews id) → the stay.
    stays: dict[tuple[str, str], FakeStay] = field(default_factory=dict)
    #: (enterprise, customer Mews id) → our guest id (a stay's customers known as guests).
    guests: dict[tuple[str, str], str] = field(default_factory=dict)
    #: (enterprise, customer Mews id) → the guest as stored; `put` also sets `guests`.
    guest_rows: dict[tuple[str, str], StoredGuest] = field(default_factory=dict)
    #: edit id → a staff edit, and the audit entries recorded (keyword arguments).
    edits: dict[str, StoredEdit] = field(default_factory=dict)
    audit: list[dict[str, Any]] = field(default_factory=list)
    #: (enterprise, field) → the hotel's rule for a conflict in it (none: ask).
    edit_rules: dict[tuple[str, str], EditRule] = field(default_factory=dict)
    #: enterprise → the hotel and its version.
    properties: dict[str, tuple[PropertySnapshot, MewsVersion]] = field(default_factory=dict)
    #: (enterprise, resource Mews id) → the room.
    rooms: dict[tuple[str, str], FakeRoom] = field(default_factory=dict)
    #: (enterprise, stay Mews id) → the bill and its version.
    bills: dict[tuple[str, str], tuple[StayBillSnapshot, MewsVersion]] = field(default_factory=dict)
    note_writes: dict[str, FakeNoteWrite] = field(default_factory=dict)
    #: event id → the timeline entry (its columns); booking id → the vendor's booking.
    timeline: dict[str, dict[str, Any]] = field(default_factory=dict)
    vendor_bookings: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: request id → the erasure request; request id → part → its receipt.
    erasure_requests: dict[str, StoredRequest] = field(default_factory=dict)
    erasure_receipts: dict[str, dict[str, StoredReceipt]] = field(default_factory=dict)
    access_log: list[dict[str, Any]] = field(default_factory=list)
    retention_runs: list[RetentionRun] = field(default_factory=list)


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

    async def naming_customer(self, enterprise_id: str, mews_id: str) -> list[StaySnapshotRow]:
        return [
            (s.stay_id, s.snapshot, s.version, [(m, str(role)) for m, role in s.customers])
            for (enterprise, _), s in self._unit.working.stays.items()
            if enterprise == enterprise_id and any(m == mews_id for m, _ in s.customers)
        ]

    async def lock_many(self, keys: Sequence[tuple[str, str]]) -> None:
        for enterprise_id, mews_id in sorted(set(keys)):
            await self.lock(enterprise_id, mews_id)

    async def get_many(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], StoredStay]:
        found = {key: await self.get(*key) for key in keys}
        return {key: stay for key, stay in found.items() if stay is not None}

    async def put_many(self, puts: Sequence[StayPut]) -> dict[tuple[str, str], str]:
        assert len({(p.enterprise_id, p.stay.mews_id) for p in puts}) == len(puts), "one each"
        stored: dict[tuple[str, str], str] = {}
        for p in puts:
            stay_id = await self.put(
                stay_id=p.stay_id,
                enterprise_id=p.enterprise_id,
                stay=p.stay,
                version=p.version,
                synced_at=p.synced_at,
            )
            if stay_id is not None:
                stored[(p.enterprise_id, p.stay.mews_id)] = stay_id
        return stored

    async def with_note_writes(self, stay_ids: Sequence[str]) -> set[str]:
        return {w.stay_id for w in self._unit.working.note_writes.values()} & set(stay_ids)

    async def replace_customers_of(
        self, customers: Mapping[str, tuple[str, Sequence[tuple[str, Role]]]]
    ) -> None:
        for stay_id, (enterprise_id, on_stay) in customers.items():
            await self.replace_customers(
                stay_id=stay_id, enterprise_id=enterprise_id, customers=on_stay
            )

    async def guest_ids(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
        guests = self._unit.working.guests
        return {key: guests[key] for key in keys if key in guests}

    async def named_customers(self, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        stays = self._unit.working.stays.items()
        named = {(enterprise, m) for (enterprise, _), s in stays for m, _ in s.customers}
        return named & set(keys)


class _Guests:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

    async def lock(self, enterprise_id: str, mews_id: str) -> None:
        self._unit.locked.append(("customer", enterprise_id, mews_id))

    async def get(self, enterprise_id: str, mews_id: str) -> StoredGuest | None:
        return self._unit.working.guest_rows.get((enterprise_id, mews_id))

    async def put(
        self,
        *,
        guest_id: str,
        enterprise_id: str,
        guest: GuestSnapshot,
        version: MewsVersion,
        synced_at: datetime,
        field_changed_utc: dict[str, str],
    ) -> str | None:
        key = (enterprise_id, guest.mews_id)
        stored = self._unit.working.guest_rows.get(key)
        if stored is not None:
            if not supersedes(version, stored.version):
                return None
            guest_id = stored.guest_id
        self._unit.working.guest_rows[key] = StoredGuest(
            guest_id, version, guest.merge_target_mews_id, guest, dict(field_changed_utc)
        )
        self._unit.working.guests[key] = guest_id
        return guest_id

    async def lock_many(self, keys: Sequence[tuple[str, str]]) -> None:
        for enterprise_id, mews_id in sorted(set(keys)):
            await self.lock(enterprise_id, mews_id)

    async def get_many(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], StoredGuest]:
        rows = self._unit.working.guest_rows
        return {key: rows[key] for key in keys if key in rows}

    async def put_many(self, puts: Sequence[GuestPut]) -> dict[tuple[str, str], str]:
        assert len({(p.enterprise_id, p.guest.mews_id) for p in puts}) == len(puts), "one each"
        stored: dict[tuple[str, str], str] = {}
        for p in puts:
            guest_id = await self.put(
                guest_id=p.guest_id,
                enterprise_id=p.enterprise_id,
                guest=p.guest,
                version=p.version,
                synced_at=p.synced_at,
                field_changed_utc=p.field_changed_utc,
            )
            if guest_id is not None:
                stored[(p.enterprise_id, p.guest.mews_id)] = guest_id
        return stored

    async def with_open_edits(self, guest_ids: Sequence[str]) -> set[str]:
        edits = self._unit.working.edits.values()
        return {e.guest_id for e in edits if e.guest_id in guest_ids and e.state in OPEN_STATES}


class _GuestEdits:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

    async def open_edits(self, guest_id: str) -> list[StoredEdit]:
        edits = self._unit.working.edits.values()
        found = [e for e in edits if e.guest_id == guest_id and e.state in ("saving", "conflict")]
        return copy.deepcopy(sorted(found, key=lambda e: (e.created_at, e.edit_id)))

    async def guest_mews_id(self, enterprise_id: str, guest_id: str) -> str | None:
        rows = self._unit.working.guest_rows.items()
        return next(
            (m for (e, m), g in rows if e == enterprise_id and g.guest_id == guest_id), None
        )

    async def get(self, enterprise_id: str, edit_id: str) -> StoredEdit | None:
        found = self._unit.working.edits.get(edit_id)
        if found is None or found.enterprise_id != enterprise_id:
            return None
        return copy.deepcopy(found)

    async def add(self, edit: StoredEdit, *, at: datetime) -> None:
        self._unit.working.edits[edit.edit_id] = copy.deepcopy(edit)

    async def save(self, edit: StoredEdit, *, at: datetime) -> None:
        self._unit.working.edits[edit.edit_id] = copy.deepcopy(edit)

    async def rules(self, enterprise_id: str) -> dict[str, EditRule]:
        rules = self._unit.working.edit_rules.items()
        return {name: rule for (e, name), rule in rules if e == enterprise_id}

    async def put_rule(
        self, *, enterprise_id: str, field: str, rule: EditRule, by: str, at: datetime
    ) -> None:
        if rule == "ask":
            self._unit.working.edit_rules.pop((enterprise_id, field), None)
        else:
            self._unit.working.edit_rules[(enterprise_id, field)] = rule

    async def audit(self, **entry: Any) -> None:
        self._unit.working.audit.append(entry)


class _Properties:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

    async def lock(self, enterprise_id: str) -> None:
        self._unit.locked.append(("property", enterprise_id, enterprise_id))

    async def version(self, enterprise_id: str) -> MewsVersion | None:
        found = self._unit.working.properties.get(enterprise_id)
        return None if found is None else found[1]

    async def put(
        self, *, prop: PropertySnapshot, read_at: datetime, digest: str, synced_at: datetime
    ) -> None:
        version = MewsVersion(prop.mews_updated_utc, read_at, digest)
        self._unit.working.properties[prop.enterprise_id] = (prop, version)


class _Rooms:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

    async def lock(self, enterprise_id: str, mews_id: str) -> None:
        self._unit.locked.append(("resource", enterprise_id, mews_id))

    async def get(self, enterprise_id: str, mews_id: str) -> StoredRoom | None:
        found = self._unit.working.rooms.get((enterprise_id, mews_id))
        return None if found is None else StoredRoom(found.room_id, found.version)

    async def put(
        self,
        *,
        room_id: str,
        enterprise_id: str,
        room: RoomSnapshot,
        version: MewsVersion,
        synced_at: datetime,
    ) -> str | None:
        key = (enterprise_id, room.mews_id)
        stored = self._unit.working.rooms.get(key)
        if stored is None:
            self._unit.working.rooms[key] = FakeRoom(room_id, room, version)
            return room_id
        if not supersedes(version, stored.version):
            return None
        stored.snapshot, stored.version = room, version
        return stored.room_id


class _Bills:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

    async def lock(self, enterprise_id: str, stay_mews_id: str) -> None:
        self._unit.locked.append(("bill", enterprise_id, stay_mews_id))

    async def version(self, enterprise_id: str, stay_mews_id: str) -> MewsVersion | None:
        found = self._unit.working.bills.get((enterprise_id, stay_mews_id))
        return None if found is None else found[1]

    async def put(
        self,
        *,
        enterprise_id: str,
        bill: StayBillSnapshot,
        version: MewsVersion,
        synced_at: datetime,
    ) -> None:
        self._unit.working.bills[(enterprise_id, bill.stay_mews_id)] = (bill, version)


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
        for name, value in values.items():
            setattr(write, name, value)
        write.finished = dict(values)

    async def stay_for_note(self, enterprise_id: str, stay_id: str) -> Any | None:
        for (enterprise, mews_id), stay in self._unit.working.stays.items():
            if enterprise == enterprise_id and stay.stay_id == stay_id:
                return FakeStayForNote(stay.stay_id, mews_id, copy.deepcopy(stay.notes))
        return None

    async def same_on_its_way(self, stay_id: str, note_mews_id: str | None, text: str) -> Any:
        writes = self._unit.working.note_writes.values()
        return next(
            (
                w
                for w in writes
                if (w.stay_id, w.state, w.text, w.note_mews_id)
                == (stay_id, "saving", text, note_mews_id)
            ),
            None,
        )

    async def add(self, values: Mapping[str, Any]) -> Any:
        write = FakeNoteWrite(**values)
        self._unit.working.note_writes[write.id] = write
        return copy.deepcopy(write)

    async def get(self, enterprise_id: str, write_id: str) -> Any | None:
        write = self._unit.working.note_writes.get(write_id)
        return write if write is not None and write.enterprise_id == enterprise_id else None

    async def stay_version(self, stay_id: str) -> datetime:
        return self._stay(stay_id).snapshot.mews_updated_utc

    async def show_notes(self, stay_id: str, notes: list[dict[str, Any]]) -> None:
        self._stay(stay_id).notes = copy.deepcopy(notes)

    def _stay(self, stay_id: str) -> FakeStay:
        return next(s for s in self._unit.working.stays.values() if s.stay_id == stay_id)


class FakeUnitOfWork(FakeUnitOfWorkBase[FakeStore], UnitOfWork):
    def __init__(self, store: FakeStore | None = None) -> None:
        super().__init__(store or FakeStore())
        self.locked: list[tuple[str, str, str]] = []
        self.stays = _Stays(self)
        self.note_writes = _NoteWrites(self)
        self.guests = _Guests(self)
        self.guest_edits = _GuestEdits(self)
        self.properties = _Properties(self)
        self.rooms = _Rooms(self)
        self.bills = _Bills(self)
        self.timeline = FakeTimeline(self)
        self.vendor_bookings = FakeVendorBookings(self)
        self.erasures = FakeErasures(self)
        self.retention = FakeRetention(self)
