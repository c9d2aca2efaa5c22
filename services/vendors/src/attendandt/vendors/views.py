"""The answers the RPC layer returns: records as the contracts' views."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

from attendandt.contracts.rpc import vendors as rpc
from attendandt.contracts.snapshots import BookingState, ChargeState
from attendandt.vendors import billing
from attendandt.vendors.catalogue import Catalogue
from attendandt.vendors.records import (
    BillingSettingsRecord,
    BookingRecord,
    ChargeRecord,
    OfferingRecord,
    Page,
    VendorRecord,
)

R = TypeVar("R")
V = TypeVar("V")
P = TypeVar("P")


def vendor_view(v: VendorRecord) -> rpc.VendorView:
    return rpc.VendorView(
        vendor_id=v.id,
        enterprise_id=v.enterprise_id,
        name=v.name,
        category=v.category,
        contact_email=v.contact_email,
        contact_phone=v.contact_phone,
        is_active=v.is_active,
        mews_id=v.mews_id,
        mews_updated_utc=v.mews_updated_utc,
        synced_at=v.synced_at,
        version=v.version,
        created_at=v.created_at,
        updated_at=v.updated_at,
    )


def offering_view(o: OfferingRecord) -> rpc.OfferingView:
    return rpc.OfferingView(
        offering_id=o.id,
        vendor_id=o.vendor_id,
        enterprise_id=o.enterprise_id,
        name=o.name,
        description=o.description,
        unit_price=o.unit_price,
        currency=o.currency,
        tax_codes=tuple(o.tax_codes),
        amount_is_gross=o.amount_is_gross,
        mews_service_id=o.mews_service_id,
        mews_product_id=o.mews_product_id,
        accounting_category_id=o.accounting_category_id,
        is_active=o.is_active,
        version=o.version,
        created_at=o.created_at,
        updated_at=o.updated_at,
    )


def _price(amount: Decimal | None) -> Decimal | None:
    """A Mews price as Mews states it (80.00, not the column's 80.0000)."""
    if amount is None:
        return None
    cents = amount.quantize(Decimal("0.01"))
    return cents if cents == amount else amount.normalize()


def catalogue_response(catalogue: Catalogue) -> rpc.CatalogueResponse:
    hotel = catalogue.property
    products: dict[str, list[rpc.CatalogueProductView]] = {}
    for p in sorted(catalogue.products, key=lambda p: (p.name, p.mews_id)):
        products.setdefault(p.service_mews_id, []).append(
            rpc.CatalogueProductView(
                mews_id=p.mews_id,
                name=p.name,
                is_active=p.is_active,
                unit_amount=_price(p.unit_amount),
                currency=p.currency,
                accounting_category_id=p.accounting_category_id,
            )
        )
    services = sorted(catalogue.services, key=lambda s: (s.ordering, s.name, s.mews_id))
    return rpc.CatalogueResponse(
        enterprise_id=hotel.enterprise_id,
        name=hotel.name,
        default_currency=hotel.default_currency,
        currencies=tuple(hotel.currencies),
        pricing=hotel.pricing,
        services=tuple(
            rpc.CatalogueServiceView(
                mews_id=s.mews_id,
                name=s.name,
                kind=s.kind,
                is_active=s.is_active,
                ordering=s.ordering,
                products=tuple(products.get(s.mews_id, ())),
            )
            for s in services
        ),
        mews_updated_utc=hotel.catalogue_updated_utc,
        synced_at=hotel.synced_at,
    )


def booking_view(b: BookingRecord, charge_id: str | None) -> rpc.BookingView:
    return rpc.BookingView(
        booking_id=b.id,
        enterprise_id=b.enterprise_id,
        vendor_id=b.vendor_id,
        offering_id=b.offering_id,
        guest_id=b.guest_id,
        stay_id=b.stay_id,
        quantity=b.quantity,
        scheduled_for=b.scheduled_for,
        notes=b.notes,
        state=BookingState(b.state),
        state_reason=b.state_reason,
        unit_price=b.unit_price,
        currency=b.currency,
        charge_id=charge_id,
        created_by=b.created_by,
        version=b.version,
        created_at=b.created_at,
        updated_at=b.updated_at,
    )


def charge_view(c: ChargeRecord) -> rpc.ChargeView:
    return rpc.ChargeView(
        charge_id=c.id,
        enterprise_id=c.enterprise_id,
        vendor_id=c.vendor_id,
        offering_id=c.offering_id,
        booking_id=c.booking_id,
        guest_id=c.guest_id,
        stay_id=c.stay_id,
        description=c.description,
        quantity=c.quantity,
        unit_amount=c.unit_amount,
        currency=c.currency,
        amount=c.amount,
        state=ChargeState(c.state),
        reference=c.reference,
        mews_order_id=c.mews_order_id,
        failure_reason=c.failure_reason,
        attempts=c.attempts,
        created_by=c.created_by,
        version=c.version,
        created_at=c.created_at,
        updated_at=c.updated_at,
        posted_at=c.posted_at,
        approval_reason=c.approval_reason,
        approved_by=c.approved_by,
        approved_at=c.approved_at,
        rejected_by=c.rejected_by,
        rejected_at=c.rejected_at,
        rejection_reason=c.rejection_reason,
        cancel_reason=c.cancel_reason,
        cancel_requested_by=c.cancel_requested_by,
        cancel_requested_at=c.cancel_requested_at,
        cancelled_at=c.cancelled_at,
        cancel_method=c.cancel_method,
        cancel_failure_reason=c.cancel_failure_reason,
    )


def settlement_line(c: ChargeRecord) -> rpc.SettlementLine:
    return rpc.SettlementLine(
        charge_id=c.id,
        booking_id=c.booking_id,
        guest_id=c.guest_id,
        stay_id=c.stay_id,
        service=c.description,
        offering_id=c.offering_id,
        quantity=c.quantity,
        unit_amount=c.unit_amount,
        total=c.amount,
        currency=c.currency,
        state=ChargeState(c.state),
        posted_at=c.posted_at,
        mews_order_id=c.mews_order_id,
        # Unknown until reconciliation has read the charge's items in Mews.
        bill_paid=c.mews_bill_closed if c.mews_read_at is not None else None,
    )


def settings_response(
    enterprise_id: str, stored: BillingSettingsRecord | None
) -> rpc.BillingSettingsResponse:
    if stored is None:
        limits = billing.DEFAULT_LIMITS
        return rpc.BillingSettingsResponse(
            enterprise_id=enterprise_id,
            max_charge_amount=limits.max_charge_amount,
            max_daily_amount_per_vendor=limits.max_daily_amount_per_vendor,
            checkout_grace_hours=limits.checkout_grace_hours,
            is_default=True,
        )
    return rpc.BillingSettingsResponse(
        enterprise_id=enterprise_id,
        max_charge_amount=stored.max_charge_amount,
        max_daily_amount_per_vendor=stored.max_daily_amount_per_vendor,
        checkout_grace_hours=stored.checkout_grace_hours,
        is_default=False,
        updated_by=stored.updated_by,
        updated_at=stored.updated_at,
        version=stored.version,
    )


def next_offset(offset: int, count: int, total: int) -> int | None:
    return offset + count if offset + count < total else None


def page_of(kind: Callable[..., P], view: Callable[[R], V], found: Page[R], offset: int) -> P:
    """One page of a list (`kind`): its items as views, the total, where the next starts."""
    return kind(
        items=tuple(view(r) for r in found.items),
        total=found.total,
        next_offset=next_offset(offset, len(found.items), found.total),
    )
