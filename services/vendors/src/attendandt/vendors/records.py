"""Rows as plain records: what the repository returns and the service reasons about."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class VendorRecord:
    id: str
    enterprise_id: str
    name: str
    category: str
    contact_email: str | None
    contact_phone: str | None
    is_active: bool
    mews_id: str | None
    mews_updated_utc: datetime | None
    synced_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class OfferingRecord:
    id: str
    enterprise_id: str
    vendor_id: str
    name: str
    description: str | None
    unit_price: Decimal
    currency: str
    tax_codes: list[str]
    amount_is_gross: bool
    mews_service_id: str
    mews_product_id: str | None
    accounting_category_id: str | None
    is_active: bool
    version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class StayRef:
    stay_id: str
    enterprise_id: str
    guest_ids: list[str]
    mews_reservation_id: str
    owner_mews_customer_id: str | None
    state: str
    start_utc: datetime | None
    end_utc: datetime | None
    mews_updated_utc: datetime
    synced_at: datetime


@dataclass(frozen=True)
class BookingRecord:
    id: str
    enterprise_id: str
    vendor_id: str
    offering_id: str
    guest_id: str
    stay_id: str
    quantity: int
    scheduled_for: datetime | None
    notes: str | None
    state: str
    state_reason: str | None
    unit_price: Decimal
    currency: str
    created_by: str
    version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ChargeRecord:
    id: str
    enterprise_id: str
    vendor_id: str
    offering_id: str
    booking_id: str | None
    guest_id: str
    stay_id: str
    description: str
    quantity: int
    unit_amount: Decimal
    currency: str
    amount: Decimal
    tax_codes: list[str]
    amount_is_gross: bool
    mews_service_id: str
    mews_product_id: str | None
    accounting_category_id: str | None
    mews_account_id: str
    mews_reservation_id: str | None
    consumed_at: datetime | None
    notes: str | None
    reference: str
    state: str
    mews_order_id: str | None
    failure_reason: str | None
    attempts: int
    created_by: str
    version: int
    created_at: datetime
    updated_at: datetime
    posted_at: datetime | None
    approval_reason: str | None = None
    approved_by: str | None = None
    approved_at: datetime | None = None
    rejected_by: str | None = None
    rejected_at: datetime | None = None
    rejection_reason: str | None = None
    cancel_reason: str | None = None
    cancel_requested_by: str | None = None
    cancel_requested_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_method: str | None = None
    cancel_failure_reason: str | None = None
    cancel_attempts: int = 0
    failure_permanent: bool = False
    mews_order_item_ids: list[str] | None = None
    mews_state: str | None = None
    mews_quantity: int | None = None
    mews_amount: Decimal | None = None
    mews_currency: str | None = None
    mews_rebated_amount: Decimal | None = None
    mews_bill_closed: bool | None = None
    mews_updated_utc: datetime | None = None
    mews_read_at: datetime | None = None
    mews_digest: str | None = None


@dataclass(frozen=True)
class BillingSettingsRecord:
    enterprise_id: str
    max_charge_amount: Decimal
    max_daily_amount_per_vendor: Decimal
    checkout_grace_hours: int
    updated_by: str
    updated_at: datetime
    version: int


@dataclass(frozen=True)
class PropertyRecord:
    enterprise_id: str
    name: str
    default_currency: str
    currencies: list[str]
    pricing: str
    catalogue_updated_utc: datetime | None
    catalogue_read_at: datetime
    catalogue_digest: str
    synced_at: datetime


@dataclass(frozen=True)
class CatalogueServiceRecord:
    enterprise_id: str
    mews_id: str
    name: str
    kind: str
    is_active: bool
    ordering: int


@dataclass(frozen=True)
class CatalogueProductRecord:
    enterprise_id: str
    mews_id: str
    service_mews_id: str
    name: str
    is_active: bool
    unit_amount: Decimal | None
    currency: str | None
    accounting_category_id: str | None


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
