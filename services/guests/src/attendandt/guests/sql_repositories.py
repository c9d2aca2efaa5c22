"""The guests service's SQL repositories, as a unit of work binds them (`unit_of_work`): thin
classes over the repository functions (the SQL stays in the `*_repository` modules), each on
the one session of the transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

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
from attendandt.guests import batch_repository as bat
from attendandt.guests import bill_repository as br
from attendandt.guests import edit_repository as er
from attendandt.guests import erasure_repository as xr
from attendandt.guests import property_repository as pr
from attendandt.guests import retention_repository as rr
from attendandt.guests import stay_note_repository as nr
from attendandt.guests import stored_stay_repository as ssr
from attendandt.guests import timeline_repository as tr
from attendandt.guests import upsert_repository as ur
from attendandt.guests import vendor_booking_repository as vbr
from attendandt.guests.stay_events import known_guests
from attendandt.guests.stored_stay_repository import StaySnapshotRow
from attendandt.guests.upsert_repository import StoredGuest, StoredRoom, StoredStay
from attendandt.guests.version_repository import lock_mews_entity

if TYPE_CHECKING:
    from attendandt.guests.unit_of_work import (
        NoteWrite,
        Role,
    )


class SqlStays:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock(self, enterprise_id: str, mews_id: str) -> None:
        await lock_mews_entity(self._session, "reservation", enterprise_id, mews_id)

    async def get(self, enterprise_id: str, mews_id: str) -> StoredStay | None:
        return await ur.stored_stay(self._session, enterprise_id, mews_id)

    async def snapshot(self, enterprise_id: str, stay_id: str) -> StaySnapshot | None:
        found = await ssr.stay_snapshot(self._session, enterprise_id, stay_id)
        return None if found is None else found[1]

    async def put(
        self,
        *,
        stay_id: str,
        enterprise_id: str,
        stay: StaySnapshot,
        version: MewsVersion,
        synced_at: datetime,
    ) -> str | None:
        return await ur.upsert_stay(
            self._session, ur.StayPut(stay_id, enterprise_id, stay, version, synced_at)
        )

    async def replace_customers(
        self, *, stay_id: str, enterprise_id: str, customers: Sequence[tuple[str, Role]]
    ) -> None:
        await ur.replace_stay_guests(
            self._session, stay_id=stay_id, enterprise_id=enterprise_id, customers=customers
        )

    async def known_guests(self, enterprise_id: str, customers: Sequence[str]) -> tuple[str, ...]:
        return await known_guests(self._session, enterprise_id, list(customers))

    async def naming_customer(self, enterprise_id: str, mews_id: str) -> list[StaySnapshotRow]:
        return await ssr.stays_naming_customer(self._session, enterprise_id, mews_id)

    async def named_customers(self, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        return await bat.customers_on_stays(self._session, keys)

    async def lock_many(self, keys: Sequence[tuple[str, str]]) -> None:
        await bat.lock_entities(self._session, "reservation", keys)

    async def get_many(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], StoredStay]:
        return await bat.stored_stays(self._session, keys)

    async def put_many(self, puts: Sequence[ur.StayPut]) -> dict[tuple[str, str], str]:
        return await bat.upsert_stays(self._session, puts)

    async def with_note_writes(self, stay_ids: Sequence[str]) -> set[str]:
        return await bat.stays_with_note_writes(self._session, stay_ids)

    async def replace_customers_of(
        self, customers: Mapping[str, tuple[str, Sequence[tuple[str, Role]]]]
    ) -> None:
        await bat.replace_customers(self._session, customers)

    async def guest_ids(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
        return await bat.guest_ids(self._session, keys)


class SqlGuests:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock(self, enterprise_id: str, mews_id: str) -> None:
        await lock_mews_entity(self._session, "customer", enterprise_id, mews_id)

    async def get(self, enterprise_id: str, mews_id: str) -> StoredGuest | None:
        return await ur.stored_guest(self._session, enterprise_id, mews_id)

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
        return await ur.upsert_guest(
            self._session,
            ur.GuestPut(guest_id, enterprise_id, guest, version, synced_at, field_changed_utc),
        )

    async def lock_many(self, keys: Sequence[tuple[str, str]]) -> None:
        await bat.lock_entities(self._session, "customer", keys)

    async def get_many(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], StoredGuest]:
        return await bat.stored_guests(self._session, keys)

    async def put_many(self, puts: Sequence[ur.GuestPut]) -> dict[tuple[str, str], str]:
        return await bat.upsert_guests(self._session, puts)

    async def with_open_edits(self, guest_ids: Sequence[str]) -> set[str]:
        return await bat.guests_with_open_edits(self._session, guest_ids)


class SqlGuestEdits:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def guest_mews_id(self, enterprise_id: str, guest_id: str) -> str | None:
        return await er.guest_mews_id(self._session, enterprise_id, guest_id)

    async def get(self, enterprise_id: str, edit_id: str) -> er.StoredEdit | None:
        return await er.edit_by_id(self._session, enterprise_id, edit_id)

    async def add(self, edit: er.StoredEdit, *, at: datetime) -> None:
        await er.insert_edit(self._session, edit, at=at)

    async def rules(self, enterprise_id: str) -> dict[str, EditRule]:
        return await er.rules(self._session, enterprise_id)

    async def put_rule(
        self, *, enterprise_id: str, field: str, rule: EditRule, by: str, at: datetime
    ) -> None:
        await er.put_rule(
            self._session, enterprise_id=enterprise_id, field=field, rule=rule, by=by, at=at
        )

    async def open_edits(self, guest_id: str) -> list[er.StoredEdit]:
        return await er.open_edits(self._session, guest_id)

    async def save(self, edit: er.StoredEdit, *, at: datetime) -> None:
        await er.save_edit(self._session, edit, at=at)

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
    ) -> None:
        await er.audit(
            self._session,
            enterprise_id=enterprise_id,
            guest_id=guest_id,
            edit_id=edit_id,
            at=at,
            actor=actor,
            action=action,
            details=details,
        )


class SqlProperties:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock(self, enterprise_id: str) -> None:
        await lock_mews_entity(self._session, "property", enterprise_id, enterprise_id)

    async def version(self, enterprise_id: str) -> MewsVersion | None:
        return await pr.stored_property_version(self._session, enterprise_id)

    async def put(
        self, *, prop: PropertySnapshot, read_at: datetime, digest: str, synced_at: datetime
    ) -> None:
        await pr.put_property(
            self._session, prop=prop, read_at=read_at, digest=digest, synced_at=synced_at
        )


class SqlRooms:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock(self, enterprise_id: str, mews_id: str) -> None:
        await lock_mews_entity(self._session, "resource", enterprise_id, mews_id)

    async def get(self, enterprise_id: str, mews_id: str) -> StoredRoom | None:
        return await ur.stored_room(self._session, enterprise_id, mews_id)

    async def put(
        self,
        *,
        room_id: str,
        enterprise_id: str,
        room: RoomSnapshot,
        version: MewsVersion,
        synced_at: datetime,
    ) -> str | None:
        return await ur.upsert_room(
            self._session,
            room_id=room_id,
            enterprise_id=enterprise_id,
            room=room,
            version=version,
            synced_at=synced_at,
        )


class SqlBills:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock(self, enterprise_id: str, stay_mews_id: str) -> None:
        await lock_mews_entity(self._session, "bill", enterprise_id, stay_mews_id)

    async def version(self, enterprise_id: str, stay_mews_id: str) -> MewsVersion | None:
        return await br.stored_version(self._session, enterprise_id, stay_mews_id)

    async def put(
        self,
        *,
        enterprise_id: str,
        bill: StayBillSnapshot,
        version: MewsVersion,
        synced_at: datetime,
    ) -> None:
        await br.put_bill(
            self._session,
            enterprise_id=enterprise_id,
            bill=bill,
            version=version,
            synced_at=synced_at,
        )


class SqlNoteWrites:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def held_notes(self, stay_id: str) -> list[Any]:
        return await nr.stay_notes(self._session, stay_id)

    async def on_their_way(self, stay_id: str) -> Sequence[NoteWrite]:
        return await nr.writes_on_their_way(self._session, stay_id)

    async def finish(self, write_id: str, values: Mapping[str, Any]) -> None:
        await nr.finish_write(self._session, write_id, values)

    async def stay_for_note(self, enterprise_id: str, stay_id: str) -> Any | None:
        return await nr.stay_for_note(self._session, enterprise_id, stay_id)

    async def same_on_its_way(self, stay_id: str, note_mews_id: str | None, text: str) -> Any:
        return await nr.same_on_its_way(self._session, stay_id, note_mews_id, text)

    async def add(self, values: Mapping[str, Any]) -> Any:
        return await nr.insert_write(self._session, values)

    async def get(self, enterprise_id: str, write_id: str) -> Any | None:
        return await nr.write_by_id(self._session, enterprise_id, write_id)

    async def stay_version(self, stay_id: str) -> datetime:
        found: datetime = await nr.stay_version(self._session, stay_id)
        return found

    async def show_notes(self, stay_id: str, notes: list[dict[str, Any]]) -> None:
        await nr.set_stay_notes(self._session, stay_id, notes)


class SqlTimeline:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

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
        return await tr.add_timeline_entry(
            self._session,
            event_id=event_id,
            enterprise_id=enterprise_id,
            guest_id=guest_id,
            kind=kind,
            ref_id=ref_id,
            stay_id=stay_id,
            event=event,
            occurred_at=occurred_at,
            snapshot=snapshot,
            recorded_at=recorded_at,
        )


class SqlVendorBookings:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(
        self,
        *,
        booking_id: str,
        enterprise_id: str,
        vendor_id: str,
        guest_id: str,
        stay_id: str | None,
    ) -> None:
        await vbr.record_vendor_booking(
            self._session,
            booking_id=booking_id,
            enterprise_id=enterprise_id,
            vendor_id=vendor_id,
            guest_id=guest_id,
            stay_id=stay_id,
        )


class SqlErasures:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def guest_id_of_customer(self, enterprise_id: str, customer_mews_id: str) -> str | None:
        return await xr.guest_id_of_customer(self._session, enterprise_id, customer_mews_id)

    async def guest_to_erase(self, enterprise_id: str, guest_id: str) -> xr.GuestToErase | None:
        return await xr.guest_to_erase(self._session, enterprise_id, guest_id)

    async def request_for_guest(self, enterprise_id: str, guest_id: str) -> xr.StoredRequest | None:
        return await xr.request_for_guest(self._session, enterprise_id, guest_id)

    async def add_request(self, request: xr.StoredRequest) -> bool:
        return await xr.add_request(self._session, request)

    async def find_request(
        self, request_id: str, enterprises: tuple[str, ...] | None
    ) -> xr.StoredRequest | None:
        return await xr.find_request(self._session, request_id, enterprises)

    async def lock_request(self, request_id: str) -> xr.StoredRequest | None:
        return await xr.lock_request(self._session, request_id)

    async def list_requests(
        self, enterprises: tuple[str, ...] | None, *, pending: bool | None, limit: int, offset: int
    ) -> list[xr.StoredRequest]:
        return await xr.list_requests(
            self._session, enterprises, pending=pending, limit=limit, offset=offset
        )

    async def receipts_of(
        self, request_ids: Sequence[str]
    ) -> dict[str, dict[str, xr.StoredReceipt]]:
        return await xr.receipts_of(self._session, request_ids)

    async def add_receipt(
        self, request_id: str, receipt: xr.StoredReceipt, recorded_at: datetime
    ) -> bool:
        return await xr.add_receipt(self._session, request_id, receipt, recorded_at)

    async def mark_completed(self, request_id: str, at: datetime) -> None:
        await xr.mark_completed(self._session, request_id, at)

    async def pseudonymise_guest(
        self, enterprise_id: str, guest_id: str, mews_id: str, pseudonym: str
    ) -> tuple[dict[str, int], dict[str, int]]:
        return await xr.pseudonymise_guest(
            self._session, enterprise_id, guest_id, mews_id, pseudonym
        )

    async def log_access(self, entries: Sequence[dict[str, Any]]) -> None:
        await xr.log_access(self._session, entries)

    async def access_log(
        self, enterprises: tuple[str, ...] | None, guest_id: str | None, *, limit: int, offset: int
    ) -> list[Any]:
        return await xr.access_log(self._session, enterprises, guest_id, limit=limit, offset=offset)


class SqlRetention:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def enterprises_with_guests(self) -> list[str]:
        return await rr.enterprises_with_guests(self._session)

    async def guests_past(self, enterprise_id: str, cutoff: datetime, limit: int) -> list[str]:
        return await rr.guests_past(self._session, enterprise_id, cutoff, limit)

    async def add_run(self, run: rr.RetentionRun) -> None:
        await rr.add_run(self._session, run)

    async def list_runs(
        self, enterprise_ids: list[str] | None, limit: int, offset: int
    ) -> list[rr.RetentionRun]:
        return await rr.list_runs(self._session, enterprise_ids, limit, offset)
