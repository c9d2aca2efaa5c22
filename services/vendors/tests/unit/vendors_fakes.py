"""An in-memory `UnitOfWork` for the vendors use cases the unit tests run: what Postgres would
hold (`FakeStore`) as plain dicts, changed only on commit.

It behaves as the Postgres one does where those use cases rely on it: a lookup for a caller
sees only the caller's properties, a change counts one more version, the inbox refuses a
message id a consumer claimed before, an idempotency key answers what its first request made
(or refuses another request), and leaving the unit of work without `commit` forgets the
claims, the effects and the queued messages. Only the repository methods the tested use cases
call are here; another one fails the test with AttributeError."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from attendandt.contracts.base import Payload
from attendandt.testing.fake_unit_of_work import FakeMessages, FakeUnitOfWorkBase, Queued
from attendandt.vendors import idempotency
from attendandt.vendors.idempotency import Claim, Kind
from attendandt.vendors.records import (
    BillingSettingsRecord,
    BookingRecord,
    ChargeRecord,
    OfferingRecord,
    StayRef,
    VendorRecord,
)
from attendandt.vendors.unit_of_work import UnitOfWork

#: What the store stamps on a row it creates or changes (Postgres: now()).
STORED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

R = TypeVar("R", VendorRecord, OfferingRecord, BookingRecord, ChargeRecord)


@dataclass
class FakeKey:
    kind: str
    digest: str
    resource_id: str | None = None


@dataclass
class FakeStore(FakeMessages):
    """What is committed."""

    vendors: dict[str, VendorRecord] = field(default_factory=dict)
    offerings: dict[str, OfferingRecord] = field(default_factory=dict)
    stays: dict[str, StayRef] = field(default_factory=dict)
    bookings: dict[str, BookingRecord] = field(default_factory=dict)
    charges: dict[str, ChargeRecord] = field(default_factory=dict)
    billing_settings: dict[str, BillingSettingsRecord] = field(default_factory=dict)
    #: (caller, key) → what the key was claimed for.
    keys: dict[tuple[str, str], FakeKey] = field(default_factory=dict)


def _visible(found: R | None, enterprise_ids: Sequence[str] | None) -> R | None:
    if found is None or enterprise_ids is None or found.enterprise_id in enterprise_ids:
        return found
    return None


def _changed(record: R, changes: Mapping[str, Any]) -> R:
    return dataclasses.replace(record, **changes, version=record.version + 1, updated_at=STORED_AT)


class _Part:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

    @property
    def _store(self) -> FakeStore:
        return self._unit.working


class _Vendors(_Part):
    async def get_vendor(
        self, vendor_id: str, *, lock: bool = False, enterprise_ids: Sequence[str] | None = None
    ) -> VendorRecord | None:
        return _visible(self._store.vendors.get(vendor_id), enterprise_ids)

    async def get_offering(
        self, offering_id: str, *, lock: bool = False, enterprise_ids: Sequence[str] | None = None
    ) -> OfferingRecord | None:
        return _visible(self._store.offerings.get(offering_id), enterprise_ids)


class _Bookings(_Part):
    async def get_stay_ref(
        self, stay_id: str, *, share_lock: bool = False, enterprise_id: str | None = None
    ) -> StayRef | None:
        stay = self._store.stays.get(stay_id)
        if stay is None or (enterprise_id is not None and stay.enterprise_id != enterprise_id):
            return None
        return stay

    async def insert_booking(self, values: Mapping[str, Any]) -> BookingRecord:
        booking = BookingRecord(
            **{"state_reason": None, **values},
            version=1,
            created_at=STORED_AT,
            updated_at=STORED_AT,
        )
        self._store.bookings[booking.id] = booking
        return booking

    async def get_booking(
        self, booking_id: str, *, lock: bool = False, enterprise_ids: Sequence[str] | None = None
    ) -> BookingRecord | None:
        return _visible(self._store.bookings.get(booking_id), enterprise_ids)

    async def change_booking(self, booking_id: str, changes: Mapping[str, Any]) -> BookingRecord:
        booking = _changed(self._store.bookings[booking_id], changes)
        self._store.bookings[booking_id] = booking
        return booking


class _Charges(_Part):
    async def insert_charge(self, values: Mapping[str, Any]) -> ChargeRecord:
        defaults = {"mews_order_id": None, "failure_reason": None, "attempts": 1}
        charge = ChargeRecord(
            **{**defaults, **values}, version=1, updated_at=STORED_AT, posted_at=None
        )
        self._store.charges[charge.id] = charge
        return charge

    async def get_charge(
        self, charge_id: str, *, lock: bool = False, enterprise_ids: Sequence[str] | None = None
    ) -> ChargeRecord | None:
        return _visible(self._store.charges.get(charge_id), enterprise_ids)

    async def change_charge(self, charge_id: str, changes: Mapping[str, Any]) -> ChargeRecord:
        charge = _changed(self._store.charges[charge_id], changes)
        self._store.charges[charge_id] = charge
        return charge

    async def charge_ids_of_bookings(self, booking_ids: list[str]) -> dict[str, str]:
        charges = self._store.charges.values()
        return {c.booking_id: c.id for c in charges if c.booking_id in booking_ids}

    async def lock_vendor_charges(self, vendor_id: str) -> None:
        self._unit.locked.append(f"vendor-charges:{vendor_id}")

    async def vendor_total_since(
        self, vendor_id: str, currency: str, since: datetime, *, excluded_states: tuple[str, ...]
    ) -> Decimal:
        return sum(
            (
                c.amount
                for c in self._store.charges.values()
                if c.vendor_id == vendor_id
                and c.currency == currency
                and c.created_at >= since
                and c.state not in excluded_states
            ),
            Decimal(0),
        )

    async def get_billing_settings(self, enterprise_id: str) -> BillingSettingsRecord | None:
        return self._store.billing_settings.get(enterprise_id)


class _Keys(_Part):
    async def claim(self, *, caller_id: str, key: str, kind: Kind, request: Payload) -> Claim | str:
        digest = idempotency.request_digest(request)
        earlier = self._store.keys.get((caller_id, key))
        if earlier is None:
            self._store.keys[(caller_id, key)] = FakeKey(kind, digest)
            return Claim(caller_id, key)
        return idempotency.answer(
            kind=kind,
            digest=digest,
            earlier_kind=earlier.kind,
            earlier_digest=earlier.digest,
            resource_id=earlier.resource_id,
        )

    async def made(self, claimed: Claim, resource_id: str) -> None:
        self._store.keys[(claimed.caller_id, claimed.key)].resource_id = resource_id


class FakeUnitOfWork(FakeUnitOfWorkBase[FakeStore], UnitOfWork):
    """One unit of work on `database`: it starts from what is committed there."""

    def __init__(self, database: FakeDatabase) -> None:
        super().__init__(database.committed)
        self.database = database
        self.locked: list[str] = []
        self.vendors = _Vendors(self)  # type: ignore[assignment]
        self.bookings = _Bookings(self)  # type: ignore[assignment]
        self.charges = _Charges(self)  # type: ignore[assignment]
        self.keys = _Keys(self)  # type: ignore[assignment]

    async def __aenter__(self) -> FakeUnitOfWork:
        self.store = self.database.committed
        self.working = copy.deepcopy(self.store)
        self.database.opened.append(self)
        return self

    async def queue(
        self, subject: str, payload: Payload, *, msg_id: str, correlation_id: str | None = None
    ) -> None:
        await super().queue(subject, payload, msg_id=msg_id, correlation_id=correlation_id)
        self.database.queued.append(self.working.outbox[-1])

    async def commit(self) -> None:
        await super().commit()
        self.database.committed = self.store


class FakeDatabase:
    """What the units of work share: the committed store; `unit` is the service's factory."""

    def __init__(self, store: FakeStore | None = None) -> None:
        self.committed = store or FakeStore()
        self.opened: list[FakeUnitOfWork] = []
        #: Every message a unit of work queued, committed or not.
        self.queued: list[Queued] = []

    def unit(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)
