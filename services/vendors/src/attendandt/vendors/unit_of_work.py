"""The unit of work of the vendors service: one transaction, with the repositories the use
cases need, the inbox claim and the outbox queue.

    async with core.units() as uow:
        if not await uow.claim(command.command_id, consumer=consumer):
            ...  # processed before
        ... uow.bookings ... uow.charges ...
        await uow.queue(subject, event, msg_id=event.event_id)
        await uow.commit()

Leaving the block without `commit` rolls everything back: the claim, the effect and the
queued messages commit together or not at all. `SqlUnitOfWork` is the Postgres one (the
statements live in the repository modules: `vendor_repository`, `booking_repository`,
`charge_repository`, `company_repository`, `erasure_repository`, `idempotency`); the unit
tests run the use cases on an in-memory fake (tests/unit).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from attendandt.platform import unit_of_work as platform_uow
from attendandt.vendors import erasure_repository
from attendandt.vendors.booking_repository import BookingRows
from attendandt.vendors.catalogue import Catalogue
from attendandt.vendors.charge_repository import ChargeRows
from attendandt.vendors.company_repository import CompanyRepository, MewsCompanyRecord
from attendandt.vendors.idempotency import IdempotencyKeyRows, IdempotencyKeys
from attendandt.vendors.models import inbox, outbox
from attendandt.vendors.records import (
    BillingSettingsRecord,
    BookingRecord,
    ChargeRecord,
    OfferingRecord,
    Page,
    PropertyRecord,
    StayRef,
    VendorRecord,
)
from attendandt.vendors.vendor_repository import VendorRows

__all__ = ["IdempotencyKeys", "SqlUnitOfWork", "UnitOfWork"]

#: The properties a lookup for a caller may see (None: every property).
Enterprises = Sequence[str] | None


class VendorRepository(Protocol):
    """Vendors, their offerings and the hotel's Mews catalogue (`vendor_repository`)."""

    async def insert_vendor(self, values: Mapping[str, Any]) -> VendorRecord: ...

    async def get_vendor(
        self, vendor_id: str, *, lock: bool = False, enterprise_ids: Enterprises = None
    ) -> VendorRecord | None: ...

    async def get_vendor_by_mews_id(
        self, enterprise_id: str, mews_id: str, *, lock: bool = False
    ) -> VendorRecord | None: ...

    async def change_vendor(self, vendor_id: str, changes: Mapping[str, Any]) -> VendorRecord: ...

    async def upsert_vendor(
        self, values: Mapping[str, Any], *, by_mews_id: bool
    ) -> tuple[VendorRecord, bool] | None: ...

    async def list_vendors(
        self,
        *,
        enterprise_ids: Enterprises,
        category: str | None,
        include_inactive: bool,
        vendor_id: str | None,
        limit: int,
        offset: int,
    ) -> Page[VendorRecord]: ...

    async def insert_offering(self, values: Mapping[str, Any]) -> OfferingRecord: ...

    async def get_offering(
        self, offering_id: str, *, lock: bool = False, enterprise_ids: Enterprises = None
    ) -> OfferingRecord | None: ...

    async def change_offering(
        self, offering_id: str, changes: Mapping[str, Any]
    ) -> OfferingRecord: ...

    async def list_offerings(
        self, *, vendor_id: str, include_inactive: bool, limit: int, offset: int
    ) -> Page[OfferingRecord]: ...

    async def lock_catalogue(self, enterprise_id: str) -> None: ...

    async def get_property(self, enterprise_id: str) -> PropertyRecord | None: ...

    async def catalogue(self, enterprise_id: str) -> Catalogue | None: ...

    async def replace_catalogue(
        self,
        prop: Mapping[str, Any],
        services: Sequence[Mapping[str, Any]],
        products: Sequence[Mapping[str, Any]],
    ) -> None: ...


class BookingRepository(Protocol):
    """Bookings, and our copy of the guests service's stays (`booking_repository`)."""

    async def upsert_stay_ref(self, values: Mapping[str, Any]) -> bool:
        """Keep the newest Mews version of the stay; False when this one was older."""

    async def get_stay_ref(
        self, stay_id: str, *, share_lock: bool = False, enterprise_id: str | None = None
    ) -> StayRef | None: ...

    async def insert_booking(self, values: Mapping[str, Any]) -> BookingRecord: ...

    async def get_booking(
        self, booking_id: str, *, lock: bool = False, enterprise_ids: Enterprises = None
    ) -> BookingRecord | None: ...

    async def change_booking(
        self, booking_id: str, changes: Mapping[str, Any]
    ) -> BookingRecord: ...

    async def open_bookings_of_stay(self, stay_id: str) -> list[BookingRecord]: ...

    async def overdue_requested_bookings(
        self, now: datetime, limit: int
    ) -> list[BookingRecord]: ...

    async def list_bookings(
        self,
        *,
        enterprise_ids: Enterprises,
        filters: Mapping[str, Any],
        limit: int,
        offset: int,
    ) -> Page[BookingRecord]: ...


class ChargeRepository(Protocol):
    """Charges, a property's billing settings and audit, settlement and the ledger
    (`charge_repository`)."""

    async def insert_charge(self, values: Mapping[str, Any]) -> ChargeRecord: ...

    async def get_charge(
        self, charge_id: str, *, lock: bool = False, enterprise_ids: Enterprises = None
    ) -> ChargeRecord | None: ...

    async def charge_ids_of_bookings(self, booking_ids: list[str]) -> dict[str, str]: ...

    async def change_charge(self, charge_id: str, changes: Mapping[str, Any]) -> ChargeRecord: ...

    async def list_charges(
        self,
        *,
        enterprise_ids: Enterprises,
        filters: Mapping[str, Any],
        limit: int,
        offset: int,
    ) -> Page[ChargeRecord]: ...

    async def decide_charge(
        self, charge_id: str, *, from_state: str, changes: Mapping[str, Any]
    ) -> ChargeRecord | None:
        """Changed only while still in `from_state`; else None."""

    async def vendor_total_since(
        self, vendor_id: str, currency: str, since: datetime, *, excluded_states: tuple[str, ...]
    ) -> Decimal: ...

    async def lock_vendor_charges(self, vendor_id: str) -> None:
        """Serialise the vendor's new charges until this unit of work ends."""

    async def get_billing_settings(self, enterprise_id: str) -> BillingSettingsRecord | None: ...

    async def put_billing_settings(self, values: Mapping[str, Any]) -> BillingSettingsRecord: ...

    async def add_billing_audit(
        self,
        *,
        enterprise_id: str,
        action: str,
        user_id: str,
        at: datetime,
        charge_id: str | None = None,
        detail: str | None = None,
    ) -> None: ...

    async def settlement_lines(
        self, vendor_id: str, from_utc: datetime, to_utc: datetime
    ) -> list[ChargeRecord]: ...

    async def ledger(
        self,
        enterprise_id: str,
        *,
        from_utc: datetime,
        to_utc: datetime,
        charge_ids: Sequence[str],
        after: str | None,
        limit: int,
    ) -> list[ChargeRecord]: ...

    async def offering_service_ids(self, enterprise_id: str) -> list[str]: ...

    async def settlement(
        self, vendor_id: str, from_utc: datetime, to_utc: datetime
    ) -> list[tuple[str, Decimal, int]]: ...


class CompanyRepo(Protocol):
    """The Mews companies sync reports (`company_repository`)."""

    async def upsert(self, values: Mapping[str, Any]) -> MewsCompanyRecord | None: ...

    async def get(
        self, enterprise_id: str, mews_id: str, *, lock: bool = False
    ) -> MewsCompanyRecord | None: ...

    async def search(
        self, enterprise_id: str, name_prefix: str | None, limit: int
    ) -> list[MewsCompanyRecord]: ...


class GuestData(Protocol):
    """A guest's erasure (`erasure_repository`)."""

    async def pseudonymise(
        self, enterprise_id: str, guest_id: str, pseudonym: str
    ) -> tuple[dict[str, int], dict[str, int]]:
        """(removed, pseudonymised) counts per table."""


class UnitOfWork(platform_uow.UnitOfWork):
    vendors: VendorRepository
    bookings: BookingRepository
    charges: ChargeRepository
    keys: IdempotencyKeys
    companies: CompanyRepo
    guests: GuestData


class _SqlGuestData:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def pseudonymise(
        self, enterprise_id: str, guest_id: str, pseudonym: str
    ) -> tuple[dict[str, int], dict[str, int]]:
        return await erasure_repository.pseudonymise_guest(
            self._session, enterprise_id, guest_id, pseudonym
        )


class SqlUnitOfWork(platform_uow.SqlUnitOfWork, UnitOfWork):
    """A unit of work on one session (one Postgres transaction) of the vendors schema."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        super().__init__(sessions, inbox=inbox, outbox=outbox)

    def bind(self, session: AsyncSession) -> None:
        self.vendors = VendorRows(session)
        self.bookings = BookingRows(session)
        self.charges = ChargeRows(session)
        self.keys = IdempotencyKeyRows(session)
        self.companies = CompanyRepository(session)
        self.guests = _SqlGuestData(session)
