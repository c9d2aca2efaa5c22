"""A unit of work of the guests service: one transaction, with the repositories the use cases
written against it need, the inbox claim and the outbox queue.

    async with uow:
        if not await uow.claim(command.command_id, consumer=consumer):
            ...  # processed before
        ... uow.stays ...
        await uow.queue(subject, event, msg_id=event.event_id)
        await uow.commit()

Leaving the block without `commit` rolls everything back: the claim, the effect and the
queued messages commit together or not at all. `SqlUnitOfWork` is the Postgres one; the
unit tests run the same use cases on an in-memory fake (tests/unit).

Written against it so far: applying Mews reservations (`stay_upserts`), customers, hotels
and rooms (`entity_upserts`), stays' bills (`bills`), staff notes on stays (`stay_notes`),
staff edits of guests (`editing`), vendors' bookings and charges on guests' timelines
(`vendor_events`), erasures and the access log (`erasure_writes`) and the retention sweep
(`retention`); applying a guest's version (`guest_versions`) needs only `GuestWrites`, which
a unit of work is. The SQL repositories bound to the session are `sql_repositories`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from attendandt.contracts.base import Payload
from attendandt.contracts.bills import StayBillSnapshot
from attendandt.contracts.rpc.guests import EditRule
from attendandt.contracts.snapshots import (
    BookingSnapshot,
    ChargeSnapshot,
    GuestSnapshot,
    PropertySnapshot,
    RoomSnapshot,
    StaySnapshot,
)
from attendandt.contracts.versioning import MewsVersion
from attendandt.guests import edit_repository as er
from attendandt.guests import sql_repositories as sql
from attendandt.guests.erasure_repository import GuestToErase, StoredReceipt, StoredRequest
from attendandt.guests.models import inbox, outbox
from attendandt.guests.retention_repository import RetentionRun
from attendandt.guests.stored_stay_repository import StaySnapshotRow
from attendandt.guests.upsert_repository import (
    GuestPut,
    StayPut,
    StoredGuest,
    StoredRoom,
    StoredStay,
)
from attendandt.platform import unit_of_work as platform_uow

Role = Literal["owner", "companion"]


class StayRepository(Protocol):
    """Stays (Mews reservations) by (enterprise, Mews id), and their customers."""

    async def lock(self, enterprise_id: str, mews_id: str) -> None:
        """Serialise the units of work about this reservation until this one ends."""

    async def get(self, enterprise_id: str, mews_id: str) -> StoredStay | None: ...

    async def snapshot(self, enterprise_id: str, stay_id: str) -> StaySnapshot | None:
        """The stay as stored, rebuilt as the snapshot it was applied from."""

    async def put(
        self,
        *,
        stay_id: str,
        enterprise_id: str,
        stay: StaySnapshot,
        version: MewsVersion,
        synced_at: datetime,
    ) -> str | None:
        """Store the stay unless the stored version is as new or newer (`supersedes`,
        checked again by the store against concurrent writers): our stay id, or None."""

    async def replace_customers(
        self, *, stay_id: str, enterprise_id: str, customers: Sequence[tuple[str, Role]]
    ) -> None:
        """The customers on the stay, by Mews id, in order (owner first)."""

    async def known_guests(self, enterprise_id: str, customers: Sequence[str]) -> tuple[str, ...]:
        """Our guest ids of these customers (in their order), those we know as guests."""

    async def naming_customer(self, enterprise_id: str, mews_id: str) -> list[StaySnapshotRow]:
        """The stays that name this customer (owner or companion), each as stored (snapshot,
        version) with all its customers (Mews id, role) in order."""

    async def named_customers(self, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of these customers (enterprise, Mews id) some stay names."""

    # A batch of commands (`stay_batches`): each step once for all its reservations.

    async def lock_many(self, keys: Sequence[tuple[str, str]]) -> None:
        """`lock` each reservation (in one order, so two batches never deadlock)."""

    async def get_many(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], StoredStay]:
        """`get` each reservation: those we hold."""

    async def put_many(self, puts: Sequence[StayPut]) -> dict[tuple[str, str], str]:
        """`put` each (one per reservation): the reservations stored, with our stay ids."""

    async def with_note_writes(self, stay_ids: Sequence[str]) -> set[str]:
        """Which of these stays have a note written here (whose echo a version may be)."""

    async def replace_customers_of(
        self, customers: Mapping[str, tuple[str, Sequence[tuple[str, Role]]]]
    ) -> None:
        """`replace_customers` of each stay: stay id → (enterprise, customers in order)."""

    async def guest_ids(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """Our guest id of each of these customers we know as guests."""


class GuestRepository(Protocol):
    """Guests (Mews customers) by (enterprise, Mews id)."""

    async def lock(self, enterprise_id: str, mews_id: str) -> None:
        """Serialise the units of work about this customer until this one ends."""

    async def get(self, enterprise_id: str, mews_id: str) -> StoredGuest | None: ...

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
        """Store the guest unless the stored version is as new or newer (`supersedes`,
        checked again by the store against concurrent writers): our guest id, or None."""

    # A batch of commands (`guest_batches`): each step once for all its customers, each
    # customer an (enterprise, Mews id) pair.

    async def lock_many(self, keys: Sequence[tuple[str, str]]) -> None:
        """`lock` each customer (in one order, so two batches never deadlock)."""

    async def get_many(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], StoredGuest]:
        """`get` each customer: those we hold."""

    async def put_many(self, puts: Sequence[GuestPut]) -> dict[tuple[str, str], str]:
        """`put` each (one per customer): the customers stored, with our guest ids."""

    async def with_open_edits(self, guest_ids: Sequence[str]) -> set[str]:
        """Which of these guests have a staff edit still saving or in conflict."""


class GuestEditRepository(Protocol):
    """Staff edits of guests, their audit and the hotel's rules for conflicts: what an edit,
    the publisher's report of it, settling a conflict and recognising a staff edit in Mews's
    version of a guest read and record."""

    async def guest_mews_id(self, enterprise_id: str, guest_id: str) -> str | None:
        """The Mews id of one of the property's guests (what its edits are serialised by)."""

    async def get(self, enterprise_id: str, edit_id: str) -> er.StoredEdit | None:
        """The edit (locked), or None."""

    async def add(self, edit: er.StoredEdit, *, at: datetime) -> None: ...

    async def rules(self, enterprise_id: str) -> dict[str, EditRule]: ...

    async def put_rule(
        self, *, enterprise_id: str, field: str, rule: EditRule, by: str, at: datetime
    ) -> None: ...

    async def open_edits(self, guest_id: str) -> list[er.StoredEdit]:
        """The guest's edits still saving or in conflict, oldest first (locked)."""

    async def save(self, edit: er.StoredEdit, *, at: datetime) -> None: ...

    async def audit(
        self,
        *,
        enterprise_id: str,
        guest_id: str,
        edit_id: str | None,
        at: datetime,
        actor: str,
        action: str,
        details: dict[str, Any],
    ) -> None: ...


class PropertyRepository(Protocol):
    """Hotels (Mews enterprises), by enterprise id."""

    async def lock(self, enterprise_id: str) -> None: ...

    async def version(self, enterprise_id: str) -> MewsVersion | None:
        """The version of the stored hotel, or None when there is none."""

    async def put(
        self, *, prop: PropertySnapshot, read_at: datetime, digest: str, synced_at: datetime
    ) -> None:
        """Insert or replace the hotel (the caller decided, under the lock, that this version
        is the newer one)."""


class RoomRepository(Protocol):
    """Rooms (Mews resources) by (enterprise, Mews id)."""

    async def lock(self, enterprise_id: str, mews_id: str) -> None: ...

    async def get(self, enterprise_id: str, mews_id: str) -> StoredRoom | None: ...

    async def put(
        self,
        *,
        room_id: str,
        enterprise_id: str,
        room: RoomSnapshot,
        version: MewsVersion,
        synced_at: datetime,
    ) -> str | None:
        """Store the room unless the stored version is as new or newer: our room id, or
        None."""


class BillRepository(Protocol):
    """Stays' bills by (enterprise, the stay's Mews id)."""

    async def lock(self, enterprise_id: str, stay_mews_id: str) -> None: ...

    async def version(self, enterprise_id: str, stay_mews_id: str) -> MewsVersion | None: ...

    async def put(
        self,
        *,
        enterprise_id: str,
        bill: StayBillSnapshot,
        version: MewsVersion,
        synced_at: datetime,
    ) -> None:
        """Insert or replace the bill (the caller decided, under the lock, that this version
        is the newer one)."""


class NoteWrite(Protocol):
    """A staff note written here, on its way to Mews."""

    @property
    def id(self) -> str: ...

    @property
    def text(self) -> str: ...

    @property
    def note_mews_id(self) -> str | None: ...


class NoteWriteRepository(Protocol):
    """Staff notes written here on their way to Mews, and the notes a stay shows: what
    writing one, taking the publisher's report of it and recognising our own notes in Mews's
    version of a stay read and record."""

    async def held_notes(self, stay_id: str) -> list[Any]:
        """The notes on the stored stay, as stored (dicts)."""

    async def on_their_way(self, stay_id: str) -> Sequence[NoteWrite]:
        """The stay's note writes not yet answered by Mews, oldest first."""

    async def finish(self, write_id: str, values: Mapping[str, Any]) -> None: ...

    async def stay_for_note(self, enterprise_id: str, stay_id: str) -> Any | None:
        """The stay's id, Mews id and notes as Mews holds them (a row), or None."""

    async def same_on_its_way(self, stay_id: str, note_mews_id: str | None, text: str) -> Any:
        """A write of this text to this note (None: a new note) still on its way, or None."""

    async def add(self, values: Mapping[str, Any]) -> Any:
        """Record a note write; the write as stored (a row)."""

    async def get(self, enterprise_id: str, write_id: str) -> Any | None: ...

    async def stay_version(self, stay_id: str) -> datetime:
        """The UpdatedUtc of the stay's version we hold."""

    async def show_notes(self, stay_id: str, notes: list[dict[str, Any]]) -> None:
        """Set the notes the stay shows (as Mews holds them after our write)."""


class TimelineRepository(Protocol):
    """Guests' timelines of vendor events, one entry per event id."""

    async def add(
        self,
        *,
        event_id: str,
        enterprise_id: str,
        guest_id: str,
        kind: Literal["booking", "charge"],
        ref_id: str,
        stay_id: str | None,
        event: str,
        occurred_at: datetime,
        snapshot: BookingSnapshot | ChargeSnapshot,
        recorded_at: datetime,
    ) -> bool:
        """False when the event was already recorded (then nothing changes)."""


class VendorBookingRepository(Protocol):
    """Which vendor has a booking with which guest and stay (what a vendor user may see)."""

    async def record(
        self,
        *,
        booking_id: str,
        enterprise_id: str,
        vendor_id: str,
        guest_id: str,
        stay_id: str | None,
    ) -> None:
        """Insert-only: a booking's vendor, guest and stay never change."""


class ErasureRepository(Protocol):
    """Erasure requests and their parts' receipts, the guest's personal data they remove,
    and the log of reads of guests' personal data."""

    async def guest_id_of_customer(
        self, enterprise_id: str, customer_mews_id: str
    ) -> str | None: ...

    async def guest_to_erase(self, enterprise_id: str, guest_id: str) -> GuestToErase | None: ...

    async def request_for_guest(
        self, enterprise_id: str, guest_id: str
    ) -> StoredRequest | None: ...

    async def add_request(self, request: StoredRequest) -> bool:
        """False when the guest already has a request (a concurrent ask); nothing added."""

    async def find_request(
        self, request_id: str, enterprises: tuple[str, ...] | None
    ) -> StoredRequest | None:
        """The request, if of one of `enterprises` (None: any)."""

    async def lock_request(self, request_id: str) -> StoredRequest | None:
        """The request, locked until this unit of work ends (receipts of it serialise)."""

    async def list_requests(
        self, enterprises: tuple[str, ...] | None, *, pending: bool | None, limit: int, offset: int
    ) -> list[StoredRequest]:
        """Newest first; `pending` None: done or not."""

    async def receipts_of(self, request_ids: Sequence[str]) -> dict[str, dict[str, StoredReceipt]]:
        """Request id → part → its receipt."""

    async def add_receipt(
        self, request_id: str, receipt: StoredReceipt, recorded_at: datetime
    ) -> bool:
        """Record a part's receipt once; False when that part had answered already."""

    async def mark_completed(self, request_id: str, at: datetime) -> None: ...

    async def pseudonymise_guest(
        self, enterprise_id: str, guest_id: str, mews_id: str, pseudonym: str
    ) -> tuple[dict[str, int], dict[str, int]]:
        """Remove the guest's personal data (the guest row keeps only the pseudonym; its
        stays' notes, edits and timeline go): (removed, pseudonymised) counts per table."""

    async def log_access(self, entries: Sequence[dict[str, Any]]) -> None: ...

    async def access_log(
        self, enterprises: tuple[str, ...] | None, guest_id: str | None, *, limit: int, offset: int
    ) -> list[Any]:
        """Newest first (rows with the entry's fields)."""


class RetentionRepository(Protocol):
    """What the retention sweep asks of the store, and its reports."""

    async def enterprises_with_guests(self) -> list[str]: ...

    async def guests_past(self, enterprise_id: str, cutoff: datetime, limit: int) -> list[str]:
        """Guests of the property not yet asked to be erased whose stays all ended before
        `cutoff` (a stay with no end known keeps them), by id."""

    async def add_run(self, run: RetentionRun) -> None: ...

    async def list_runs(
        self, enterprise_ids: list[str] | None, limit: int, offset: int
    ) -> list[RetentionRun]:
        """Newest first."""


class GuestWrites(Protocol):
    """What applying a guest's version (`guest_versions.apply_version`) writes to."""

    guests: GuestRepository
    guest_edits: GuestEditRepository

    async def queue(
        self, subject: str, payload: Payload, *, msg_id: str, correlation_id: str | None = None
    ) -> None: ...


class UnitOfWork(platform_uow.UnitOfWork):
    stays: StayRepository
    note_writes: NoteWriteRepository
    guests: GuestRepository
    guest_edits: GuestEditRepository
    properties: PropertyRepository
    rooms: RoomRepository
    bills: BillRepository
    timeline: TimelineRepository
    vendor_bookings: VendorBookingRepository
    erasures: ErasureRepository
    retention: RetentionRepository


class SqlUnitOfWork(platform_uow.SqlUnitOfWork, UnitOfWork):
    """A unit of work on one session (one Postgres transaction) of the guests schema."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        super().__init__(sessions, inbox=inbox, outbox=outbox)

    def bind(self, session: AsyncSession) -> None:
        self.stays = sql.SqlStays(session)
        self.note_writes = sql.SqlNoteWrites(session)
        self.guests = sql.SqlGuests(session)
        self.guest_edits = sql.SqlGuestEdits(session)
        self.properties = sql.SqlProperties(session)
        self.rooms = sql.SqlRooms(session)
        self.bills = sql.SqlBills(session)
        self.timeline = sql.SqlTimeline(session)
        self.vendor_bookings = sql.SqlVendorBookings(session)
        self.erasures = sql.SqlErasures(session)
        self.retention = sql.SqlRetention(session)
