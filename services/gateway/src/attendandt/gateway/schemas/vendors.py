"""The bodies of the vendors routes: vendors, offerings, bookings and charges."""

from __future__ import annotations

from decimal import Decimal

from msgspec import UNSET, UnsetType

from attendandt.gateway.schemas.base import (
    AwareDatetime,
    Body,
    Currency,
    Id,
    LongText,
    Quantity,
    Text,
)


class VendorCreate(Body, frozen=True, kw_only=True):
    enterprise_id: Id
    name: Text
    category: Text
    contact_email: Text | None = None
    contact_phone: Text | None = None


class VendorUpdate(Body, frozen=True, kw_only=True):
    """Fields left out keep their value; null clears an optional one."""

    name: Text | UnsetType = UNSET
    category: Text | UnsetType = UNSET
    contact_email: Text | UnsetType | None = UNSET
    contact_phone: Text | UnsetType | None = UNSET
    #: Link the vendor to a Mews company of its property (`GET /properties/{id}/companies`);
    #: null unlinks it.
    mews_company_id: Id | UnsetType | None = UNSET


class OfferingCreate(Body, frozen=True, kw_only=True):
    name: Text
    description: LongText | None = None
    unit_price: Decimal
    #: The hotel's currency when left out; any other is refused.
    currency: Currency | None = None
    tax_codes: list[Id] = []
    amount_is_gross: bool = True
    mews_service_id: Id
    mews_product_id: Id | None = None
    accounting_category_id: Id | None = None


class OfferingUpdate(Body, frozen=True, kw_only=True):
    name: Text | UnsetType = UNSET
    description: LongText | UnsetType | None = UNSET
    unit_price: Decimal | UnsetType = UNSET
    currency: Currency | UnsetType = UNSET
    tax_codes: list[Id] | UnsetType = UNSET
    amount_is_gross: bool | UnsetType = UNSET
    mews_service_id: Id | UnsetType = UNSET
    mews_product_id: Id | UnsetType | None = UNSET
    accounting_category_id: Id | UnsetType | None = UNSET


class BookingCreate(Body, frozen=True, kw_only=True):
    offering_id: Id
    guest_id: Id
    stay_id: Id
    quantity: Quantity = 1
    scheduled_for: AwareDatetime | None = None
    notes: LongText | None = None


class Reason(Body, frozen=True, kw_only=True):
    reason: LongText | None = None


class ChargeCreate(Body, frozen=True, kw_only=True):
    offering_id: Id
    guest_id: Id
    stay_id: Id
    quantity: Quantity = 1
    unit_amount: Decimal | None = None
    description: Text | None = None
    consumed_at: AwareDatetime | None = None
    notes: LongText | None = None
