"""A property with one vendor, one offering and one guest's stay in house, in the in-memory
store; the vendors service over it, and the callers the tests act as."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from vendors_fakes import STORED_AT, FakeDatabase, FakeStore, Queued

from attendandt.contracts.caller import Caller
from attendandt.contracts.snapshots import StayState, UserRole
from attendandt.vendors.records import OfferingRecord, StayRef, VendorRecord
from attendandt.vendors.service import VendorsService

ENT = "ent-1"
VENDOR = "vendor-1"
OFFERING = "offering-1"
STAY = "stay-1"
GUEST = "guest-1"
PRICE = Decimal("20.00")
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)

MANAGER = Caller(user_id="manager-1", role=UserRole.MANAGER, enterprise_ids=(ENT,))
FRONT_DESK = Caller(user_id="desk-1", role=UserRole.FRONT_DESK, enterprise_ids=(ENT,))
VENDOR_USER = Caller(
    user_id="vendor-user-1", role=UserRole.VENDOR, enterprise_ids=(ENT,), vendor_id=VENDOR
)
ELSEWHERE = Caller(user_id="manager-2", role=UserRole.MANAGER, enterprise_ids=("ent-2",))


def stay(*, owner: str | None = "customer-1", state: StayState = StayState.STARTED) -> StayRef:
    return StayRef(
        stay_id=STAY,
        enterprise_id=ENT,
        guest_ids=[GUEST],
        mews_reservation_id="reservation-1",
        owner_mews_customer_id=owner,
        state=state.value,
        start_utc=NOW - timedelta(days=1),
        end_utc=NOW + timedelta(days=2),
        mews_updated_utc=STORED_AT,
        synced_at=STORED_AT,
    )


def store() -> FakeStore:
    vendor = VendorRecord(
        id=VENDOR,
        enterprise_id=ENT,
        name="Lagoon Spa",
        category="spa",
        contact_email=None,
        contact_phone=None,
        is_active=True,
        mews_id=None,
        mews_updated_utc=None,
        synced_at=None,
        version=1,
        created_at=STORED_AT,
        updated_at=STORED_AT,
    )
    offering = OfferingRecord(
        id=OFFERING,
        enterprise_id=ENT,
        vendor_id=VENDOR,
        name="Massage",
        description=None,
        unit_price=PRICE,
        currency="EUR",
        tax_codes=["VAT-21"],
        amount_is_gross=True,
        mews_service_id="service-1",
        mews_product_id=None,
        accounting_category_id=None,
        is_active=True,
        version=1,
        created_at=STORED_AT,
        updated_at=STORED_AT,
    )
    return FakeStore(vendors={VENDOR: vendor}, offerings={OFFERING: offering}, stays={STAY: stay()})


def service(database: FakeDatabase) -> VendorsService:
    return VendorsService(database.unit, clock=lambda: NOW)


def subjects(queued: list[Queued]) -> list[str]:
    """The subjects, without the `attendandt.v1.<enterprise>.` or `mews.v1.<enterprise>.`
    head."""
    return [q.subject.split(f".{ENT}.", 1)[1] for q in queued]
