"""The vendors use cases: plain Python over the repository, no framework.

Each use case runs in one transaction: its checks, its change, the events announcing it and
any command to Mews (outbox rows) commit together or not at all. Errors are the platform's
service errors (NotFound 404, Invalid 422, Conflict 409, Forbidden 403).

Who may do what (the caller comes from the request's header, see contracts.caller):
- every read and write is limited to the caller's properties (`enterprise_ids`; None for
  portfolio-wide callers): an object of another property is NotFound, a list holds only the
  caller's properties, and a list or a new vendor naming another property is NotFound;
- staff (admin, manager, front desk) act on every vendor of their properties; a vendor user
  only on its own vendor. Another vendor's object looked up by id (a vendor, offering,
  booking or charge, or the vendor of a settlement or offering list) is NotFound (its
  existence is not revealed); a list filter naming another vendor is Forbidden;
- creating, changing and deactivating vendors, and retrying a failed charge, are for admins
  and managers; offerings (and reading the hotel's catalogue they post to) for admins,
  managers and the vendor itself; cancelling a charge (undoing it on the guest's bill, see
  `cancellation`) for those the gateway grants `charges:cancel` (admins and managers).

An offering posts to the hotel's Mews catalogue: the rules are `catalogue`'s.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from msgspec import UNSET

from attendandt.contracts.caller import Caller
from attendandt.contracts.commands import (
    CancellationMethod,
    RecordChargeCancellation,
    RecordChargeResult,
    UpsertCatalogue,
    UpsertVendor,
)
from attendandt.contracts.events import (
    BOOKING_EVENT,
    CHARGE_EVENT,
    VENDOR_EVENT,
    BookingEvent,
    ChargeEvent,
    StayEvent,
    VendorEvent,
)
from attendandt.contracts.outbound import (
    CANCEL_CHARGE,
    POST_CHARGE,
    CancelCharge,
    ChargeLine,
    PostCharge,
)
from attendandt.contracts.privacy import public_booking, public_vendor
from attendandt.contracts.rpc import vendors as rpc
from attendandt.contracts.snapshots import (
    BookingSnapshot,
    BookingState,
    ChargeSnapshot,
    ChargeState,
    StaySnapshot,
    StayState,
    UserRole,
    VendorSnapshot,
)
from attendandt.platform.consumer import Rejected
from attendandt.platform.rpc import Conflict, Forbidden, Invalid, NotFound
from attendandt.vendors import billing, cancellation, idempotency
from attendandt.vendors.catalogue import Catalogue, Version, check_posting, require, stored_version
from attendandt.vendors.company_links import link_changes
from attendandt.vendors.records import (
    BillingSettingsRecord,
    BookingRecord,
    ChargeRecord,
    OfferingRecord,
    StayRef,
    VendorRecord,
)
from attendandt.vendors.repository import Database, Repository
from attendandt.vendors.stay_owner import StayLags, StayOwner

log = logging.getLogger(__name__)

T = TypeVar("T")

Clock = Callable[[], datetime]

SERVICE = "vendors"
UPSERT_VENDOR_CONSUMER = "vendors-upsert-vendor"
RECORD_CHARGE_RESULT_CONSUMER = "vendors-record-charge-result"
RECORD_CHARGE_CANCELLATION_CONSUMER = "vendors-record-charge-cancellation"
STAY_EVENTS_CONSUMER = "vendors-stay-events"
UPSERT_CATALOGUE_CONSUMER = "vendors-upsert-catalogue"

MANAGERS = frozenset({UserRole.ADMIN, UserRole.MANAGER})
#: A unit price or amount above this is a typo, and would overflow quantity x price.
MAX_UNIT_AMOUNT = Decimal("10000000000")
#: Stays a booking or a charge can no longer be made for.
CLOSED_STAYS_FOR_BOOKINGS = frozenset({StayState.CANCELED, StayState.PROCESSED})
CLOSED_STAYS_FOR_CHARGES = frozenset({StayState.CANCELED})
#: A charge a manager cancelled: a posting's answer no longer makes it posted or failed.
CANCELLED_OR_ON_THE_WAY = frozenset(
    {ChargeState.CANCELLING, ChargeState.CANCELLED, ChargeState.CANCEL_FAILED}
)
EXPIRY_BATCH = 200
_TOKEN = re.compile(r"^[A-Za-z0-9_\-]+$")


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


def charge_reference(charge_id: str) -> str:
    """Written into the Mews order, the same on every attempt: a repeat can be recognised."""
    return f"attendandt:charge:{charge_id}"


# --- access rules ------------------------------------------------------------------------


def _own_vendor(caller: Caller) -> str | None:
    """The one vendor a vendor user may touch; None for staff (every vendor)."""
    if not caller.is_vendor:
        return None
    if not caller.vendor_id:
        raise Forbidden("a vendor user without a vendor cannot act on anything")
    return caller.vendor_id


def _require(caller: Caller, roles: frozenset[UserRole], what: str) -> None:
    if caller.role not in roles:
        raise Forbidden(f"{caller.role.value} may not {what}")


def _visible(caller: Caller, enterprise_id: str, vendor_id: str, what: str, object_id: str) -> None:
    """An object of another property, or of another vendor for a vendor user, is reported as
    absent: the answer must not tell whether it exists."""
    own = _own_vendor(caller)
    if not caller.may_act_for(enterprise_id) or (own is not None and own != vendor_id):
        raise NotFound(f"{what} {object_id} not found")


def _enterprises(caller: Caller, requested: str | None) -> tuple[str, ...] | None:
    """The properties a list may show: the caller's (None: every property), or the one asked
    for. Naming a property the caller does not act for is "not found", whether it exists or
    not."""
    if requested is not None and not caller.may_act_for(requested):
        raise NotFound(f"enterprise {requested} not found")
    return caller.visible_enterprises(requested)


def _scope_filter(caller: Caller, vendor_id: str | None) -> str | None:
    """The vendor filter a list may use: a vendor user's own, never another's."""
    own = _own_vendor(caller)
    if own is None:
        return vendor_id
    if vendor_id is not None and vendor_id != own:
        raise Forbidden("a vendor user may only see its own vendor")
    return own


# --- validation --------------------------------------------------------------------------


def _amount(value: Decimal, field: str) -> Decimal:
    if not value.is_finite() or value < 0 or value >= MAX_UNIT_AMOUNT:
        raise Invalid(f"{field} must be at least 0 and below {MAX_UNIT_AMOUNT}")
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -4:
        raise Invalid(f"{field} has more than 4 decimal places")
    return value


def _blank_to_none(value: str | None) -> str | None:
    return value if value is None or value.strip() else None


def _not_blank(value: str, field: str) -> str:
    if not value.strip():
        raise Invalid(f"{field} must not be blank")
    return value.strip()


def _enterprise(value: str) -> str:
    if not _TOKEN.match(value):
        raise Invalid(f"enterprise_id {value!r} is not a plain id")
    return value


def _set_fields(request: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """The fields an update request sets (left-out fields keep their value)."""
    return {name: getattr(request, name) for name in names if getattr(request, name) is not UNSET}


# --- views and snapshots -----------------------------------------------------------------


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


def vendor_snapshot(v: VendorRecord) -> VendorSnapshot:
    return VendorSnapshot(
        vendor_id=v.id,
        name=v.name,
        category=v.category,
        contact_email=v.contact_email,
        contact_phone=v.contact_phone,
        is_active=v.is_active,
        mews_id=v.mews_id,
        mews_updated_utc=v.mews_updated_utc,
    )


def booking_snapshot(b: BookingRecord) -> BookingSnapshot:
    return BookingSnapshot(
        booking_id=b.id,
        vendor_id=b.vendor_id,
        offering_id=b.offering_id,
        guest_id=b.guest_id,
        stay_id=b.stay_id,
        quantity=b.quantity,
        scheduled_for=b.scheduled_for,
        notes=b.notes,
        state=BookingState(b.state),
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


def charge_snapshot(c: ChargeRecord) -> ChargeSnapshot:
    return ChargeSnapshot(
        charge_id=c.id,
        vendor_id=c.vendor_id,
        booking_id=c.booking_id,
        guest_id=c.guest_id,
        stay_id=c.stay_id,
        description=c.description,
        quantity=c.quantity,
        unit_amount=c.unit_amount,
        currency=c.currency,
        state=ChargeState(c.state),
        mews_order_id=c.mews_order_id,
        failure_reason=c.failure_reason,
        mews_rebated_amount=c.mews_rebated_amount or None,
    )


def post_charge(c: ChargeRecord, requested_at: datetime) -> PostCharge:
    """The order for Mews; every attempt of a charge carries the same reference and lines."""
    return PostCharge(
        command_id=f"post_charge:{c.id}:{c.attempts}",
        enterprise_id=c.enterprise_id,
        charge_id=c.id,
        reference=c.reference,
        account_id=c.mews_account_id,
        service_id=c.mews_service_id,
        linked_reservation_id=c.mews_reservation_id,
        lines=(
            ChargeLine(
                name=c.description,
                unit_count=c.quantity,
                unit_amount=c.unit_amount,
                currency=c.currency,
                amount_is_gross=c.amount_is_gross,
                tax_codes=tuple(c.tax_codes),
                accounting_category_id=c.accounting_category_id,
                product_id=c.mews_product_id,
            ),
        ),
        consumption_utc=c.consumed_at,
        # The guest sees the bill: a booking's or charge's notes are between the staff and
        # the vendor ("allergic to almond oil") and never go on it.
        notes=None,
        requested_at=requested_at,
    )


def cancel_charge_command(c: ChargeRecord, requested_at: datetime) -> CancelCharge:
    """Take `c` back from Mews; each attempt (a manager's try again) is its own command."""
    return CancelCharge(
        command_id=f"cancel_charge:{c.id}:{c.cancel_attempts}",
        enterprise_id=c.enterprise_id,
        charge_id=c.id,
        reference=c.reference,
        account_id=c.mews_account_id,
        service_id=c.mews_service_id,
        mews_order_id=c.mews_order_id,
        linked_reservation_id=c.mews_reservation_id,
        amount_is_gross=c.amount_is_gross,
        requested_at=requested_at,
    )


def _settings_response(
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


def _next_offset(offset: int, count: int, total: int) -> int | None:
    return offset + count if offset + count < total else None


class VendorsService:
    def __init__(
        self, db: Database, *, clock: Clock = utc_now, stay_owner: StayOwner | None = None
    ) -> None:
        self.db = db
        self.clock = clock
        #: Asked when our copy of a stay lags (`stay_owner`); None: our copy decides alone.
        self.stay_owner = stay_owner

    # --- events --------------------------------------------------------------------------

    async def _announce_vendor(self, repo: Repository, v: VendorRecord, event: str) -> None:
        event_id = f"vendor:{v.id}:{v.version}"
        payload = VendorEvent(
            event_id=event_id,
            enterprise_id=v.enterprise_id,
            occurred_at=self.clock(),
            event=event,
            # Public: a vendor's contact is often one person's own email and phone.
            vendor=public_vendor(vendor_snapshot(v)),
        )
        subject = VENDOR_EVENT.format(enterprise=v.enterprise_id, event=event)
        await repo.queue(subject=subject, payload=payload, msg_id=event_id)

    async def _announce_booking(self, repo: Repository, b: BookingRecord, event: str) -> None:
        event_id = f"booking:{b.id}:{b.version}"
        payload = BookingEvent(
            event_id=event_id,
            enterprise_id=b.enterprise_id,
            occurred_at=self.clock(),
            event=event,
            # Public: the notes are free text about the guest (diet, health, wishes).
            booking=public_booking(booking_snapshot(b)),
        )
        subject = BOOKING_EVENT.format(enterprise=b.enterprise_id, event=event)
        await repo.queue(subject=subject, payload=payload, msg_id=event_id)

    async def _announce_charge(self, repo: Repository, c: ChargeRecord, event: str) -> None:
        event_id = f"charge:{c.id}:{c.version}"
        payload = ChargeEvent(
            event_id=event_id,
            enterprise_id=c.enterprise_id,
            occurred_at=self.clock(),
            event=event,
            charge=charge_snapshot(c),
        )
        subject = CHARGE_EVENT.format(enterprise=c.enterprise_id, event=event)
        await repo.queue(subject=subject, payload=payload, msg_id=event_id)

    async def _take_back_from_mews(self, repo: Repository, c: ChargeRecord) -> None:
        """Queue the CancelCharge of `c`'s current attempt (`cancel_attempts`, counted by the
        change that made it cancelling)."""
        command = cancel_charge_command(c, self.clock())
        subject = CANCEL_CHARGE.format(enterprise=c.enterprise_id)
        # The msg id names the attempt: JetStream drops a relayed repeat, not a new try.
        await repo.queue(subject=subject, payload=command, msg_id=command.command_id)

    async def _send_to_mews(self, repo: Repository, c: ChargeRecord) -> None:
        command = post_charge(c, self.clock())
        subject = POST_CHARGE.format(enterprise=c.enterprise_id)
        # The msg id names the attempt: JetStream drops a relayed repeat, not a retry.
        await repo.queue(subject=subject, payload=command, msg_id=command.command_id)

    # --- vendors -------------------------------------------------------------------------

    async def create_vendor(
        self, request: rpc.CreateVendorRequest, caller: Caller
    ) -> rpc.VendorResponse:
        _require(caller, MANAGERS, "create vendors")
        enterprise_id = _enterprise(request.enterprise_id)
        if not caller.may_act_for(enterprise_id):
            raise NotFound(f"enterprise {enterprise_id} not found")
        async with self.db.transaction() as repo:
            vendor = await repo.insert_vendor(
                {
                    "id": new_id(),
                    "enterprise_id": enterprise_id,
                    "name": _not_blank(request.name, "name"),
                    "category": _not_blank(request.category, "category"),
                    "contact_email": _blank_to_none(request.contact_email),
                    "contact_phone": _blank_to_none(request.contact_phone),
                }
            )
            await self._announce_vendor(repo, vendor, "created")
        return rpc.VendorResponse(vendor=vendor_view(vendor))

    async def update_vendor(
        self, request: rpc.UpdateVendorRequest, caller: Caller
    ) -> rpc.VendorResponse:
        _require(caller, MANAGERS, "change vendors")
        wanted = _set_fields(request, ("name", "category", "contact_email", "contact_phone"))
        for field in ("name", "category"):
            if field in wanted:
                wanted[field] = _not_blank(wanted[field], field)
        for field in ("contact_email", "contact_phone"):
            if field in wanted:
                wanted[field] = _blank_to_none(wanted[field])
        async with self.db.transaction() as repo:
            vendor = await self._vendor(repo, caller, request.vendor_id, lock=True)
            changes = {k: v for k, v in wanted.items() if getattr(vendor, k) != v}
            if request.mews_company_id is not UNSET:
                changes |= await link_changes(repo, vendor, request.mews_company_id)
            if changes:
                vendor = await repo.change_vendor(vendor.id, changes)
                await self._announce_vendor(repo, vendor, "updated")
        return rpc.VendorResponse(vendor=vendor_view(vendor))

    async def deactivate_vendor(
        self, request: rpc.DeactivateVendorRequest, caller: Caller
    ) -> rpc.VendorResponse:
        _require(caller, MANAGERS, "deactivate vendors")
        async with self.db.transaction() as repo:
            vendor = await self._vendor(repo, caller, request.vendor_id, lock=True)
            if vendor.is_active:
                vendor = await repo.change_vendor(vendor.id, {"is_active": False})
                await self._announce_vendor(repo, vendor, "deactivated")
        return rpc.VendorResponse(vendor=vendor_view(vendor))

    async def get_vendor(self, request: rpc.GetVendorRequest, caller: Caller) -> rpc.VendorResponse:
        async with self.db.transaction() as repo:
            vendor = await self._vendor(repo, caller, request.vendor_id)
        return rpc.VendorResponse(vendor=vendor_view(vendor))

    async def list_vendors(self, request: rpc.ListVendorsRequest, caller: Caller) -> rpc.VendorPage:
        enterprise_ids = _enterprises(caller, request.enterprise_id)
        async with self.db.transaction() as repo:
            page = await repo.list_vendors(
                enterprise_ids=enterprise_ids,
                category=request.category,
                include_inactive=request.include_inactive,
                vendor_id=_own_vendor(caller),
                limit=request.limit,
                offset=request.offset,
            )
        return rpc.VendorPage(
            items=tuple(vendor_view(v) for v in page.items),
            total=page.total,
            next_offset=_next_offset(request.offset, len(page.items), page.total),
        )

    async def _vendor(
        self, repo: Repository, caller: Caller, vendor_id: str, *, lock: bool = False
    ) -> VendorRecord:
        vendor = await repo.get_vendor(vendor_id, lock=lock, enterprise_ids=caller.enterprise_ids)
        if vendor is None:
            raise NotFound(f"vendor {vendor_id} not found")
        _visible(caller, vendor.enterprise_id, vendor.id, "vendor", vendor_id)
        return vendor

    # --- offerings -----------------------------------------------------------------------

    def _may_manage_offerings(self, caller: Caller) -> None:
        """Staff by role; a vendor user manages its own vendor's (the lookups see to that)."""
        if _own_vendor(caller) is None:
            _require(caller, MANAGERS, "manage offerings")

    async def create_offering(
        self, request: rpc.CreateOfferingRequest, caller: Caller
    ) -> rpc.OfferingResponse:
        self._may_manage_offerings(caller)
        async with self.db.transaction() as repo:
            vendor = await self._vendor(repo, caller, request.vendor_id)
            if not vendor.is_active:
                raise Conflict(f"vendor {vendor.id} is deactivated")
            posting = check_posting(
                require(await repo.catalogue(vendor.enterprise_id)),
                currency=request.currency,
                service_id=request.mews_service_id,
                product_id=request.mews_product_id,
            )
            # The product's accounting category unless one is given: Mews reports every
            # posted item under one.
            category = request.accounting_category_id or (
                posting.product.accounting_category_id if posting.product else None
            )
            offering = await repo.insert_offering(
                {
                    "id": new_id(),
                    "enterprise_id": vendor.enterprise_id,
                    "vendor_id": vendor.id,
                    "name": _not_blank(request.name, "name"),
                    "description": _blank_to_none(request.description),
                    "unit_price": _amount(request.unit_price, "unit_price"),
                    "currency": posting.currency,
                    "tax_codes": list(request.tax_codes),
                    "amount_is_gross": request.amount_is_gross,
                    "mews_service_id": posting.service.mews_id,
                    "mews_product_id": posting.product.mews_id if posting.product else None,
                    "accounting_category_id": category,
                }
            )
        return rpc.OfferingResponse(offering=offering_view(offering))

    async def update_offering(
        self, request: rpc.UpdateOfferingRequest, caller: Caller
    ) -> rpc.OfferingResponse:
        self._may_manage_offerings(caller)
        wanted = _set_fields(
            request,
            (
                "name",
                "description",
                "unit_price",
                "currency",
                "tax_codes",
                "amount_is_gross",
                "mews_service_id",
                "mews_product_id",
                "accounting_category_id",
            ),
        )
        if "name" in wanted:
            wanted["name"] = _not_blank(wanted["name"], "name")
        if "description" in wanted:
            wanted["description"] = _blank_to_none(wanted["description"])
        if "unit_price" in wanted:
            wanted["unit_price"] = _amount(wanted["unit_price"], "unit_price")
        if "tax_codes" in wanted:
            wanted["tax_codes"] = list(wanted["tax_codes"])
        async with self.db.transaction() as repo:
            offering = await self._offering(repo, caller, request.offering_id, lock=True)
            if wanted.keys() & {"currency", "mews_service_id", "mews_product_id"}:
                # Where its charges go changes: the new combination must fit the catalogue.
                check_posting(
                    require(await repo.catalogue(offering.enterprise_id)),
                    currency=wanted.get("currency", offering.currency),
                    service_id=wanted.get("mews_service_id", offering.mews_service_id),
                    product_id=wanted.get("mews_product_id", offering.mews_product_id),
                )
            changes = {k: v for k, v in wanted.items() if getattr(offering, k) != v}
            if changes:
                offering = await repo.change_offering(offering.id, changes)
        return rpc.OfferingResponse(offering=offering_view(offering))

    async def deactivate_offering(
        self, request: rpc.DeactivateOfferingRequest, caller: Caller
    ) -> rpc.OfferingResponse:
        self._may_manage_offerings(caller)
        async with self.db.transaction() as repo:
            offering = await self._offering(repo, caller, request.offering_id, lock=True)
            if offering.is_active:
                offering = await repo.change_offering(offering.id, {"is_active": False})
        return rpc.OfferingResponse(offering=offering_view(offering))

    async def get_offering(
        self, request: rpc.GetOfferingRequest, caller: Caller
    ) -> rpc.OfferingResponse:
        async with self.db.transaction() as repo:
            offering = await self._offering(repo, caller, request.offering_id)
        return rpc.OfferingResponse(offering=offering_view(offering))

    async def list_offerings(
        self, request: rpc.ListOfferingsRequest, caller: Caller
    ) -> rpc.OfferingPage:
        async with self.db.transaction() as repo:
            await self._vendor(repo, caller, request.vendor_id)
            page = await repo.list_offerings(
                vendor_id=request.vendor_id,
                include_inactive=request.include_inactive,
                limit=request.limit,
                offset=request.offset,
            )
        return rpc.OfferingPage(
            items=tuple(offering_view(o) for o in page.items),
            total=page.total,
            next_offset=_next_offset(request.offset, len(page.items), page.total),
        )

    async def get_catalogue(
        self, request: rpc.GetCatalogueRequest, caller: Caller
    ) -> rpc.CatalogueResponse:
        """The services and products an offering of this property may post to."""
        self._may_manage_offerings(caller)
        if not caller.may_act_for(request.enterprise_id):
            raise NotFound(f"enterprise {request.enterprise_id} not found")
        async with self.db.transaction() as repo:
            catalogue = require(await repo.catalogue(request.enterprise_id))
        return catalogue_response(catalogue)

    async def _offering(
        self, repo: Repository, caller: Caller, offering_id: str, *, lock: bool = False
    ) -> OfferingRecord:
        offering = await repo.get_offering(
            offering_id, lock=lock, enterprise_ids=caller.enterprise_ids
        )
        if offering is None:
            raise NotFound(f"offering {offering_id} not found")
        _visible(caller, offering.enterprise_id, offering.vendor_id, "offering", offering_id)
        return offering

    # --- the stay a booking or charge is for ---------------------------------------------

    async def _stay_for(
        self,
        repo: Repository,
        *,
        stay_id: str,
        guest_id: str,
        enterprise_id: str,
        closed: frozenset[StayState],
    ) -> StayRef:
        # Only the offering's property is searched: a stay of another property is as unknown
        # as one that does not exist (the same answer either way).
        stay = await repo.get_stay_ref(stay_id, share_lock=True, enterprise_id=enterprise_id)
        if stay is None:
            raise StayLags(
                f"stay {stay_id} is not known in the offering's property",
                enterprise_id=enterprise_id,
                stay_id=stay_id,
            )
        if guest_id not in stay.guest_ids:
            raise StayLags(
                f"guest {guest_id} is not a guest of stay {stay_id}",
                enterprise_id=enterprise_id,
                stay_id=stay_id,
            )
        if StayState(stay.state) in closed:
            raise Conflict(f"stay {stay_id} is {stay.state}")
        if not stay.owner_mews_customer_id:
            raise Conflict(f"stay {stay_id} has no Mews account to charge")
        return stay

    async def _with_fresh_stay(self, attempt: Callable[[], Awaitable[T]], caller: Caller) -> T:
        """Decide on our copy of the stay; when it lags (`StayLags`), learn the stay from its
        owner and decide once more."""
        try:
            return await attempt()
        except StayLags as lag:
            if not await self._learn_stay(lag, caller):
                raise
        return await attempt()

    async def _learn_stay(self, lag: StayLags, caller: Caller) -> bool:
        if self.stay_owner is None:
            return False
        try:
            fresh = await self.stay_owner(lag.enterprise_id, lag.stay_id, caller)
        except Exception:
            log.warning("asking guests for a stay failed; deciding on our copy", exc_info=True)
            return False
        if fresh is None or fresh.enterprise_id != lag.enterprise_id:
            return False
        async with self.db.transaction() as repo:
            await self._keep_stay(repo, fresh.enterprise_id, fresh.stay_id, fresh.stay,
                                  fresh.guest_ids)  # fmt: skip
        return True

    # --- bookings ------------------------------------------------------------------------

    async def create_booking(
        self, request: rpc.CreateBookingRequest, caller: Caller
    ) -> rpc.BookingResponse:
        return await self._with_fresh_stay(lambda: self._create_booking(request, caller), caller)

    async def _create_booking(
        self, request: rpc.CreateBookingRequest, caller: Caller
    ) -> rpc.BookingResponse:
        now = self.clock()
        async with self.db.transaction() as repo:
            claimed = await self._claim_key(repo, caller, request, "booking")
            if isinstance(claimed, str):
                booking = await self._booking(repo, caller, claimed)
                charge_ids = await repo.charge_ids_of_bookings([booking.id])
                return rpc.BookingResponse(
                    booking=booking_view(booking, charge_ids.get(booking.id))
                )
            if request.scheduled_for is not None and request.scheduled_for < now:
                raise Invalid("scheduled_for is in the past")
            offering = await self._offering(repo, caller, request.offering_id)
            vendor = await self._vendor(repo, caller, offering.vendor_id)
            if not vendor.is_active or not offering.is_active:
                raise Conflict(f"offering {offering.id} is not available (deactivated)")
            await self._stay_for(
                repo,
                stay_id=request.stay_id,
                guest_id=request.guest_id,
                enterprise_id=offering.enterprise_id,
                closed=CLOSED_STAYS_FOR_BOOKINGS,
            )
            booking = await repo.insert_booking(
                {
                    "id": new_id(),
                    "enterprise_id": offering.enterprise_id,
                    "vendor_id": offering.vendor_id,
                    "offering_id": offering.id,
                    "guest_id": request.guest_id,
                    "stay_id": request.stay_id,
                    "quantity": request.quantity,
                    "scheduled_for": request.scheduled_for,
                    "notes": _blank_to_none(request.notes),
                    "state": BookingState.REQUESTED.value,
                    "unit_price": offering.unit_price,
                    "currency": offering.currency,
                    "created_by": caller.user_id,
                }
            )
            await self._announce_booking(repo, booking, "requested")
            if claimed is not None:
                await idempotency.made(repo.session, claimed, booking.id)
        return rpc.BookingResponse(booking=booking_view(booking, None))

    @staticmethod
    async def _claim_key(
        repo: Repository,
        caller: Caller,
        request: rpc.CreateBookingRequest | rpc.CreateChargeRequest,
        kind: idempotency.Kind,
    ) -> idempotency.Claim | str | None:
        """None without a key; else the claim, or the id the key's first request made."""
        if request.idempotency_key is None:
            return None
        return await idempotency.claim(
            repo.session,
            caller_id=caller.user_id,
            key=request.idempotency_key,
            kind=kind,
            request=request,
        )

    async def _booking(
        self, repo: Repository, caller: Caller, booking_id: str, *, lock: bool = False
    ) -> BookingRecord:
        booking = await repo.get_booking(
            booking_id, lock=lock, enterprise_ids=caller.enterprise_ids
        )
        if booking is None:
            raise NotFound(f"booking {booking_id} not found")
        _visible(caller, booking.enterprise_id, booking.vendor_id, "booking", booking_id)
        return booking

    async def _move(
        self,
        repo: Repository,
        booking: BookingRecord,
        *,
        allowed_from: tuple[BookingState, ...],
        to: BookingState,
        reason: str | None = None,
    ) -> BookingRecord:
        """One state transition and its event (named like the new state)."""
        if booking.state not in allowed_from:
            raise Conflict(
                f"booking {booking.id} is {booking.state}: only a "
                f"{' or '.join(s.value for s in allowed_from)} booking can become {to.value}"
            )
        moved = await repo.change_booking(
            booking.id, {"state": to.value, "state_reason": _blank_to_none(reason)}
        )
        await self._announce_booking(repo, moved, to.value)
        return moved

    async def confirm_booking(
        self, request: rpc.ConfirmBookingRequest, caller: Caller
    ) -> rpc.BookingResponse:
        async with self.db.transaction() as repo:
            booking = await self._booking(repo, caller, request.booking_id, lock=True)
            booking = await self._move(
                repo, booking, allowed_from=(BookingState.REQUESTED,), to=BookingState.CONFIRMED
            )
        return rpc.BookingResponse(booking=booking_view(booking, None))

    async def decline_booking(
        self, request: rpc.DeclineBookingRequest, caller: Caller
    ) -> rpc.BookingResponse:
        async with self.db.transaction() as repo:
            booking = await self._booking(repo, caller, request.booking_id, lock=True)
            booking = await self._move(
                repo,
                booking,
                allowed_from=(BookingState.REQUESTED,),
                to=BookingState.DECLINED,
                reason=request.reason,
            )
        return rpc.BookingResponse(booking=booking_view(booking, None))

    async def cancel_booking(
        self, request: rpc.CancelBookingRequest, caller: Caller
    ) -> rpc.BookingResponse:
        async with self.db.transaction() as repo:
            booking = await self._booking(repo, caller, request.booking_id, lock=True)
            booking = await self._move(
                repo,
                booking,
                allowed_from=(BookingState.REQUESTED, BookingState.CONFIRMED),
                to=BookingState.CANCELLED,
                reason=request.reason,
            )
        return rpc.BookingResponse(booking=booking_view(booking, None))

    async def fulfil_booking(
        self, request: rpc.FulfilBookingRequest, caller: Caller
    ) -> rpc.FulfilBookingResponse:
        """Fulfilled, and in the same transaction its charge and the order for Mews."""
        async with self.db.transaction() as repo:
            booking = await self._booking(repo, caller, request.booking_id, lock=True)
            booking = await self._move(
                repo, booking, allowed_from=(BookingState.CONFIRMED,), to=BookingState.FULFILLED
            )
            offering = await repo.get_offering(booking.offering_id)
            stay = await repo.get_stay_ref(booking.stay_id)
            assert offering is not None  # a foreign key
            if stay is None or not stay.owner_mews_customer_id:
                raise Conflict(f"stay {booking.stay_id} has no Mews account to charge")
            charge = await self._charge(
                repo,
                offering=offering,
                stay=stay,
                booking_id=booking.id,
                guest_id=booking.guest_id,
                description=offering.name,
                quantity=booking.quantity,
                unit_amount=booking.unit_price,
                consumed_at=booking.scheduled_for or self.clock(),
                notes=booking.notes,
                created_by=caller.user_id,
                role=caller.role,
                booked=True,
                agreed_unit_amount=booking.unit_price,
            )
        return rpc.FulfilBookingResponse(
            booking=booking_view(booking, charge.id), charge=charge_view(charge)
        )

    async def get_booking(
        self, request: rpc.GetBookingRequest, caller: Caller
    ) -> rpc.BookingResponse:
        async with self.db.transaction() as repo:
            booking = await self._booking(repo, caller, request.booking_id)
            charge_ids = await repo.charge_ids_of_bookings([booking.id])
        return rpc.BookingResponse(booking=booking_view(booking, charge_ids.get(booking.id)))

    async def list_bookings(
        self, request: rpc.ListBookingsRequest, caller: Caller
    ) -> rpc.BookingPage:
        enterprise_ids = _enterprises(caller, request.enterprise_id)
        filters = {
            "vendor_id": _scope_filter(caller, request.vendor_id),
            "guest_id": request.guest_id,
            "stay_id": request.stay_id,
            "state": request.state.value if request.state is not None else None,
        }
        async with self.db.transaction() as repo:
            page = await repo.list_bookings(
                enterprise_ids=enterprise_ids,
                filters=filters,
                limit=request.limit,
                offset=request.offset,
            )
            charge_ids = await repo.charge_ids_of_bookings([b.id for b in page.items])
        return rpc.BookingPage(
            items=tuple(booking_view(b, charge_ids.get(b.id)) for b in page.items),
            total=page.total,
            next_offset=_next_offset(request.offset, len(page.items), page.total),
        )

    async def expire_overdue(self, now: datetime) -> int:
        """Expire requested bookings whose time passed before `now` (and idempotency keys
        past their keeping); returns how many bookings."""
        async with self.db.transaction() as repo:
            await idempotency.forget_older_than(repo.session, now)
        expired = 0
        while True:
            async with self.db.transaction() as repo:
                overdue = await repo.overdue_requested_bookings(now, EXPIRY_BATCH)
                for booking in overdue:
                    await self._move(
                        repo,
                        booking,
                        allowed_from=(BookingState.REQUESTED,),
                        to=BookingState.EXPIRED,
                        reason="not confirmed before its time",
                    )
            expired += len(overdue)
            if len(overdue) < EXPIRY_BATCH:
                return expired

    # --- charges -------------------------------------------------------------------------

    async def _charge(
        self,
        repo: Repository,
        *,
        offering: OfferingRecord,
        stay: StayRef,
        booking_id: str | None,
        guest_id: str,
        description: str,
        quantity: int,
        unit_amount: Decimal,
        consumed_at: datetime | None,
        notes: str | None,
        created_by: str,
        role: UserRole,
        booked: bool,
        agreed_unit_amount: Decimal,
    ) -> ChargeRecord:
        """A charge and its event in the caller's transaction; with the order for Mews when
        the billing rules let it go (pending), else held for a manager (pending_approval)."""
        decision = await self._billing_decision(
            repo,
            offering=offering,
            stay=stay,
            role=role,
            booked=booked,
            agreed_unit_amount=agreed_unit_amount,
            unit_amount=unit_amount,
            quantity=quantity,
        )
        charge_id = new_id()
        assert stay.owner_mews_customer_id is not None
        charge = await repo.insert_charge(
            {
                "id": charge_id,
                "enterprise_id": offering.enterprise_id,
                "vendor_id": offering.vendor_id,
                "offering_id": offering.id,
                "booking_id": booking_id,
                "guest_id": guest_id,
                "stay_id": stay.stay_id,
                "description": description,
                "quantity": quantity,
                "unit_amount": unit_amount,
                "currency": offering.currency,
                "amount": unit_amount * quantity,
                "tax_codes": list(offering.tax_codes),
                "amount_is_gross": offering.amount_is_gross,
                "mews_service_id": offering.mews_service_id,
                "mews_product_id": offering.mews_product_id,
                "accounting_category_id": offering.accounting_category_id,
                "mews_account_id": stay.owner_mews_customer_id,
                "mews_reservation_id": stay.mews_reservation_id,
                "consumed_at": consumed_at,
                "notes": notes,
                "reference": charge_reference(charge_id),
                "state": (
                    ChargeState.PENDING_APPROVAL if decision.needs_approval else ChargeState.PENDING
                ).value,
                "approval_reason": decision.approval_reason,
                "created_by": created_by,
                "created_at": self.clock(),
            }
        )
        await self._announce_charge(repo, charge, "created")
        if not decision.needs_approval:
            await self._send_to_mews(repo, charge)
        return charge

    async def _billing_decision(
        self,
        repo: Repository,
        *,
        offering: OfferingRecord,
        stay: StayRef,
        role: UserRole,
        booked: bool,
        agreed_unit_amount: Decimal,
        unit_amount: Decimal,
        quantity: int,
    ) -> billing.Decision:
        """The billing rules (see `billing`) on this charge's facts; a refusal becomes the
        service error the caller sees (422 out of bounds, 409 because of the current state)."""
        # Charges of one vendor are decided one at a time: the daily total cannot be passed
        # by two charges made at once.
        await repo.lock_vendor_charges(offering.vendor_id)
        now = self.clock()
        limits = await self._limits(repo, offering.enterprise_id)
        day_total = await repo.vendor_total_since(
            offering.vendor_id,
            offering.currency,
            now - billing.DAY,
            excluded_states=(ChargeState.REJECTED.value, ChargeState.CANCELLED.value),
        )
        facts = billing.ChargeFacts(
            role=role,
            booked=booked,
            agreed_unit_amount=agreed_unit_amount,
            unit_amount=unit_amount,
            quantity=quantity,
            currency=offering.currency,
            stay_id=stay.stay_id,
            stay_state=StayState(stay.state),
            stay_end_utc=stay.end_utc,
            now=now,
            vendor_day_total=day_total,
        )
        try:
            return billing.decide(facts, limits)
        except billing.Refused as refused:
            raise (Conflict if refused.conflict else Invalid)(refused.detail) from None

    async def create_charge(
        self, request: rpc.CreateChargeRequest, caller: Caller
    ) -> rpc.ChargeResponse:
        return await self._with_fresh_stay(lambda: self._create_charge(request, caller), caller)

    async def _create_charge(
        self, request: rpc.CreateChargeRequest, caller: Caller
    ) -> rpc.ChargeResponse:
        async with self.db.transaction() as repo:
            claimed = await self._claim_key(repo, caller, request, "charge")
            if isinstance(claimed, str):
                return rpc.ChargeResponse(
                    charge=charge_view(await self._charge_of(repo, caller, claimed))
                )
            offering = await self._offering(repo, caller, request.offering_id)
            if not offering.is_active:
                raise Conflict(f"offering {offering.id} is deactivated")
            stay = await self._stay_for(
                repo,
                stay_id=request.stay_id,
                guest_id=request.guest_id,
                enterprise_id=offering.enterprise_id,
                closed=CLOSED_STAYS_FOR_CHARGES,
            )
            unit_amount = (
                offering.unit_price
                if request.unit_amount is None
                else _amount(request.unit_amount, "unit_amount")
            )
            charge = await self._charge(
                repo,
                offering=offering,
                stay=stay,
                booking_id=None,
                guest_id=request.guest_id,
                description=_not_blank(request.description or offering.name, "description"),
                quantity=request.quantity,
                unit_amount=unit_amount,
                consumed_at=request.consumed_at or self.clock(),
                notes=_blank_to_none(request.notes),
                created_by=caller.user_id,
                role=caller.role,
                booked=False,
                agreed_unit_amount=offering.unit_price,
            )
            if claimed is not None:
                await idempotency.made(repo.session, claimed, charge.id)
        return rpc.ChargeResponse(charge=charge_view(charge))

    async def _charge_of(
        self, repo: Repository, caller: Caller, charge_id: str, *, lock: bool = False
    ) -> ChargeRecord:
        charge = await repo.get_charge(charge_id, lock=lock, enterprise_ids=caller.enterprise_ids)
        if charge is None:
            raise NotFound(f"charge {charge_id} not found")
        _visible(caller, charge.enterprise_id, charge.vendor_id, "charge", charge_id)
        return charge

    async def get_charge(self, request: rpc.GetChargeRequest, caller: Caller) -> rpc.ChargeResponse:
        async with self.db.transaction() as repo:
            charge = await self._charge_of(repo, caller, request.charge_id)
        return rpc.ChargeResponse(charge=charge_view(charge))

    async def retry_charge(
        self, request: rpc.RetryChargeRequest, caller: Caller
    ) -> rpc.ChargeResponse:
        """Send a failed charge again, with the same reference, so the publisher can tell
        whether an earlier attempt reached Mews after all."""
        _require(caller, MANAGERS, "retry charges")
        async with self.db.transaction() as repo:
            charge = await self._charge_of(repo, caller, request.charge_id, lock=True)
            if charge.state != ChargeState.FAILED:
                raise Conflict(
                    f"charge {charge.id} is {charge.state}: only a failed one is retried"
                )
            charge = await repo.change_charge(
                charge.id,
                {
                    "state": ChargeState.PENDING.value,
                    "failure_reason": None,
                    "attempts": charge.attempts + 1,
                },
            )
            await self._announce_charge(repo, charge, "retried")
            await self._send_to_mews(repo, charge)
        return rpc.ChargeResponse(charge=charge_view(charge))

    async def list_charges(self, request: rpc.ListChargesRequest, caller: Caller) -> rpc.ChargePage:
        enterprise_ids = _enterprises(caller, request.enterprise_id)
        filters = {
            "vendor_id": _scope_filter(caller, request.vendor_id),
            "guest_id": request.guest_id,
            "stay_id": request.stay_id,
            "booking_id": request.booking_id,
            "state": request.state.value if request.state is not None else None,
        }
        async with self.db.transaction() as repo:
            page = await repo.list_charges(
                enterprise_ids=enterprise_ids,
                filters=filters,
                limit=request.limit,
                offset=request.offset,
            )
        return rpc.ChargePage(
            items=tuple(charge_view(c) for c in page.items),
            total=page.total,
            next_offset=_next_offset(request.offset, len(page.items), page.total),
        )

    async def settlement(
        self, request: rpc.SettlementRequest, caller: Caller
    ) -> rpc.SettlementResponse:
        if request.to_utc <= request.from_utc:
            raise Invalid("to_utc must be after from_utc")
        async with self.db.transaction() as repo:
            vendor = await self._vendor(repo, caller, request.vendor_id)
            rows = await repo.settlement(request.vendor_id, request.from_utc, request.to_utc)
            lines = await repo.settlement_lines(request.vendor_id, request.from_utc, request.to_utc)
        return rpc.SettlementResponse(
            vendor_id=request.vendor_id,
            from_utc=request.from_utc,
            to_utc=request.to_utc,
            totals=tuple(
                rpc.CurrencyTotal(currency=currency, amount=amount, charges=count)
                for currency, amount, count in rows
            ),
            lines=tuple(settlement_line(c) for c in lines),
            enterprise_id=vendor.enterprise_id,
        )

    # --- cancellation (a manager's undo; see `cancellation`) ------------------------------

    async def cancel_charge(
        self, request: rpc.CancelChargeRequest, caller: Caller
    ) -> rpc.ChargeResponse:
        """Cancel a charge with the reason: at once when it never reached Mews, else taken
        back from the guest's bill by the publisher (cancelling, then cancelled or
        cancel_failed). Asking again while under way or done answers the charge as it is."""
        if not caller.can(rpc.CANCEL_CHARGES_PERMISSION):
            raise Forbidden(f"{caller.role.value} may not cancel charges")
        reason = _not_blank(request.reason, "reason")
        async with self.db.transaction() as repo:
            charge = await self._charge_of(repo, caller, request.charge_id, lock=True)
            try:
                step = cancellation.step_for(
                    ChargeState(charge.state), failure_permanent=charge.failure_permanent
                )
            except cancellation.NothingToCancel as refused:
                raise Conflict(
                    f"charge {charge.id} cannot be cancelled: {refused.detail}"
                ) from None
            if step is cancellation.Step.ANSWER_AS_IS:
                return rpc.ChargeResponse(charge=charge_view(charge))
            now = self.clock()
            asked: dict[str, Any] = {
                "cancel_reason": reason,
                "cancel_requested_by": caller.user_id,
                "cancel_requested_at": now,
                "cancel_failure_reason": None,
            }
            await repo.add_billing_audit(
                enterprise_id=charge.enterprise_id,
                action="charge_cancel_requested",
                user_id=caller.user_id,
                at=now,
                charge_id=charge.id,
                detail=reason,
            )
            if step is cancellation.Step.CANCEL_WITHOUT_MEWS:
                charge = await self._cancelled(
                    repo,
                    charge,
                    asked,
                    CancellationMethod.NOT_IN_MEWS,
                    at=now,
                    actor=caller.user_id,
                )
            elif step is cancellation.Step.WAIT_FOR_POSTING:
                charge = await repo.change_charge(
                    charge.id, {**asked, "state": ChargeState.CANCELLING.value}
                )
                await self._announce_charge(repo, charge, "cancelling")
            else:
                charge = await repo.change_charge(
                    charge.id,
                    {
                        **asked,
                        "state": ChargeState.CANCELLING.value,
                        "cancel_attempts": charge.cancel_attempts + 1,
                    },
                )
                await self._announce_charge(repo, charge, "cancelling")
                await self._take_back_from_mews(repo, charge)
        log.info(
            "charge cancellation asked",
            extra={"charge_id": charge.id, "by": caller.user_id, "state": charge.state},
        )
        return rpc.ChargeResponse(charge=charge_view(charge))

    async def _cancelled(
        self,
        repo: Repository,
        charge: ChargeRecord,
        changes: dict[str, Any],
        method: CancellationMethod,
        *,
        at: datetime,
        actor: str = cancellation.MEWS_ACTOR,
        event: str = "cancelled",
    ) -> ChargeRecord:
        """Cancelled for good: audited (`actor`: the manager when no Mews was needed),
        announced (`event`), and its booking (fulfilled) refunded."""
        charge = await repo.change_charge(
            charge.id,
            {
                **changes,
                "state": ChargeState.CANCELLED.value,
                "cancelled_at": at,
                "cancel_method": method.value,
                "cancel_failure_reason": None,
            },
        )
        await repo.add_billing_audit(
            enterprise_id=charge.enterprise_id,
            action="charge_cancelled",
            user_id=actor,
            at=at,
            charge_id=charge.id,
            detail=method.value,
        )
        await self._announce_charge(repo, charge, event)
        if charge.booking_id is not None:
            booking = await repo.get_booking(charge.booking_id, lock=True)
            if booking is not None and booking.state == BookingState.FULFILLED:
                await self._move(
                    repo,
                    booking,
                    allowed_from=(BookingState.FULFILLED,),
                    to=BookingState.REFUNDED,
                    reason=charge.cancel_reason,
                )
        return charge

    async def record_charge_cancellation(self, command: RecordChargeCancellation) -> None:
        """The publisher's outcome of taking a charge back. Only a charge being cancelled
        takes it; a repeat (or a late answer to an earlier try) changes nothing."""
        async with self.db.transaction() as repo:
            if not await repo.claim(
                consumer=RECORD_CHARGE_CANCELLATION_CONSUMER, message_id=command.command_id
            ):
                return
            charge = await repo.get_charge(command.charge_id, lock=True)
            if charge is None or charge.enterprise_id != command.enterprise_id:
                raise Rejected(f"charge {command.charge_id} is not known in this property")
            if charge.state != ChargeState.CANCELLING:
                return
            now = self.clock()
            if command.cancelled:
                if command.method is None:
                    raise Rejected("a cancelled charge result must say how it was cancelled")
                await self._cancelled(repo, charge, {}, command.method, at=now)
                return
            reason = command.failure_reason or "Mews did not take the charge back, without a reason"
            if command.permanent:
                reason = f"{reason} (refused by Mews)"
            charge = await repo.change_charge(
                charge.id,
                {"state": ChargeState.CANCEL_FAILED.value, "cancel_failure_reason": reason},
            )
            await repo.add_billing_audit(
                enterprise_id=charge.enterprise_id,
                action="charge_cancel_failed",
                user_id=cancellation.MEWS_ACTOR,
                at=now,
                charge_id=charge.id,
                detail=reason,
            )
            await self._announce_charge(repo, charge, "cancel_failed")

    async def _posting_answered_while_cancelling(
        self, repo: Repository, charge: ChargeRecord, command: RecordChargeResult
    ) -> None:
        """A manager cancelled the charge while it was being posted: now that Mews answered,
        take it back (posted, or maybe posted), or cancel it without Mews (refused for good)."""
        if command.posted:
            charge = await repo.change_charge(
                charge.id,
                {
                    "mews_order_id": command.mews_order_id,
                    "posted_at": self.clock(),
                    "cancel_attempts": charge.cancel_attempts + 1,
                },
            )
            await self._take_back_from_mews(repo, charge)
        elif command.permanent:
            await self._cancelled(
                repo,
                charge,
                {"failure_reason": command.failure_reason, "failure_permanent": True},
                CancellationMethod.NOT_IN_MEWS,
                at=self.clock(),
            )
        else:
            charge = await repo.change_charge(
                charge.id,
                {
                    "failure_reason": command.failure_reason,
                    "cancel_attempts": charge.cancel_attempts + 1,
                },
            )
            await self._take_back_from_mews(repo, charge)

    # --- billing controls (caller from the Attendandt-Caller header) ---------------------

    async def _limits(self, repo: Repository, enterprise_id: str) -> billing.Limits:
        stored = await repo.get_billing_settings(enterprise_id)
        if stored is None:
            return billing.DEFAULT_LIMITS
        return billing.Limits(
            max_charge_amount=stored.max_charge_amount,
            max_daily_amount_per_vendor=stored.max_daily_amount_per_vendor,
            checkout_grace_hours=stored.checkout_grace_hours,
        )

    async def _held_charge(self, repo: Repository, caller: Caller, charge_id: str) -> ChargeRecord:
        """The charge a manager decides on, locked; another property's is not found."""
        if not caller.can(rpc.APPROVE_CHARGES_PERMISSION):
            raise Forbidden(f"{caller.role.value} may not approve or reject charges")
        return await self._charge_of(repo, caller, charge_id, lock=True)

    async def approve_charge(
        self, request: rpc.ApproveChargeRequest, caller: Caller
    ) -> rpc.ChargeResponse:
        """Send a held charge to Mews. Two managers approving at once: the row lock makes the
        second wait and then find it approved, and the update is conditional on the state as
        well, so exactly one PostCharge is queued; approving again answers the charge as is."""
        async with self.db.transaction() as repo:
            charge = await self._held_charge(repo, caller, request.charge_id)
            if charge.state != ChargeState.PENDING_APPROVAL:
                if charge.approved_by is not None:
                    return rpc.ChargeResponse(charge=charge_view(charge))
                raise Conflict(
                    f"charge {charge.id} is {charge.state}: only a charge pending approval "
                    "can be approved"
                )
            now = self.clock()
            decided = await self._decide(
                repo,
                caller,
                charge,
                "approved",
                {
                    "state": ChargeState.PENDING.value,
                    "approved_by": caller.user_id,
                    "approved_at": now,
                },
                at=now,
                detail=charge.approval_reason,
            )
            await self._send_to_mews(repo, decided)
        log.info(
            "charge approved",
            extra={"charge_id": decided.id, "approved_by": caller.user_id},
        )
        return rpc.ChargeResponse(charge=charge_view(decided))

    async def reject_charge(
        self, request: rpc.RejectChargeRequest, caller: Caller
    ) -> rpc.ChargeResponse:
        reason = _not_blank(request.reason, "reason")
        async with self.db.transaction() as repo:
            charge = await self._held_charge(repo, caller, request.charge_id)
            if charge.state != ChargeState.PENDING_APPROVAL:
                if charge.state == ChargeState.REJECTED:
                    return rpc.ChargeResponse(charge=charge_view(charge))
                raise Conflict(
                    f"charge {charge.id} is {charge.state}: only a charge pending approval "
                    "can be rejected"
                )
            now = self.clock()
            decided = await self._decide(
                repo,
                caller,
                charge,
                "rejected",
                {
                    "state": ChargeState.REJECTED.value,
                    "rejected_by": caller.user_id,
                    "rejected_at": now,
                    "rejection_reason": reason,
                },
                at=now,
                detail=reason,
            )
        return rpc.ChargeResponse(charge=charge_view(decided))

    async def _decide(
        self,
        repo: Repository,
        caller: Caller,
        charge: ChargeRecord,
        verb: str,
        changes: dict[str, Any],
        *,
        at: datetime,
        detail: str | None,
    ) -> ChargeRecord:
        """A manager's decision on a held charge: applied only while it is still held (the
        update is conditional on the state), audited and announced in the same transaction."""
        decided = await repo.decide_charge(
            charge.id, from_state=ChargeState.PENDING_APPROVAL.value, changes=changes
        )
        if decided is None:  # decided by someone else between the read and the update
            raise Conflict(f"charge {charge.id} was decided by someone else meanwhile")
        await repo.add_billing_audit(
            enterprise_id=decided.enterprise_id,
            action=f"charge_{verb}",
            user_id=caller.user_id,
            at=at,
            charge_id=decided.id,
            detail=detail,
        )
        await self._announce_charge(repo, decided, verb)
        return decided

    def _settings_enterprise(self, caller: Caller, requested: str | None) -> str:
        if not caller.can(rpc.BILLING_SETTINGS_PERMISSION):
            raise Forbidden(f"{caller.role.value} may not see or change billing settings")
        if requested is None:
            if caller.enterprise_ids is None or len(caller.enterprise_ids) != 1:
                raise Invalid("enterprise_id is required for a user of several properties")
            return caller.enterprise_ids[0]
        enterprise_id = _enterprise(requested)
        if not caller.may_act_for(enterprise_id):
            raise NotFound(f"property {enterprise_id} not found")
        return enterprise_id

    async def get_billing_settings(
        self, request: rpc.GetBillingSettingsRequest, caller: Caller
    ) -> rpc.BillingSettingsResponse:
        enterprise_id = self._settings_enterprise(caller, request.enterprise_id)
        async with self.db.transaction() as repo:
            stored = await repo.get_billing_settings(enterprise_id)
        return _settings_response(enterprise_id, stored)

    async def update_billing_settings(
        self, request: rpc.UpdateBillingSettingsRequest, caller: Caller
    ) -> rpc.BillingSettingsResponse:
        enterprise_id = self._settings_enterprise(caller, request.enterprise_id)
        wanted = _set_fields(
            request,
            ("max_charge_amount", "max_daily_amount_per_vendor", "checkout_grace_hours"),
        )
        async with self.db.transaction() as repo:
            current = await self._limits(repo, enterprise_id)
            limits = billing.Limits(**{**current.__dict__, **wanted})
            try:
                billing.validate_limits(limits, MAX_UNIT_AMOUNT)
            except ValueError as exc:
                raise Invalid(str(exc)) from None
            now = self.clock()
            stored = await repo.put_billing_settings(
                {
                    "enterprise_id": enterprise_id,
                    "max_charge_amount": limits.max_charge_amount,
                    "max_daily_amount_per_vendor": limits.max_daily_amount_per_vendor,
                    "checkout_grace_hours": limits.checkout_grace_hours,
                    "updated_by": caller.user_id,
                    "updated_at": now,
                }
            )
            await repo.add_billing_audit(
                enterprise_id=enterprise_id,
                action="billing_settings_changed",
                user_id=caller.user_id,
                at=now,
                detail=(
                    f"max_charge_amount={limits.max_charge_amount} "
                    f"max_daily_amount_per_vendor={limits.max_daily_amount_per_vendor} "
                    f"checkout_grace_hours={limits.checkout_grace_hours}"
                ),
            )
        return _settings_response(enterprise_id, stored)

    # --- commands and events from other services -----------------------------------------

    async def record_charge_result(self, command: RecordChargeResult) -> None:
        """The publisher's outcome. Posted is final: a late failure (of an earlier attempt)
        never undoes it, and a success after a failure wins."""
        async with self.db.transaction() as repo:
            if not await repo.claim(
                consumer=RECORD_CHARGE_RESULT_CONSUMER, message_id=command.command_id
            ):
                return
            charge = await repo.get_charge(command.charge_id, lock=True)
            if charge is None or charge.enterprise_id != command.enterprise_id:
                raise Rejected(f"charge {command.charge_id} is not known in this property")
            if command.posted and not command.mews_order_id:
                raise Rejected("a posted charge result must carry the Mews order id")
            if charge.state in CANCELLED_OR_ON_THE_WAY:
                if charge.state == ChargeState.CANCELLING and charge.mews_order_id is None:
                    await self._posting_answered_while_cancelling(repo, charge, command)
                return  # the order is known (or gone): a repeat answer changes nothing
            if command.posted:
                if charge.state == ChargeState.POSTED:
                    if charge.mews_order_id != command.mews_order_id:
                        log.warning(
                            "charge reported posted twice with different orders",
                            extra={"charge_id": charge.id, "kept": charge.mews_order_id,
                                   "ignored": command.mews_order_id},
                        )  # fmt: skip
                    return
                charge = await repo.change_charge(
                    charge.id,
                    {
                        "state": ChargeState.POSTED.value,
                        "mews_order_id": command.mews_order_id,
                        "failure_reason": None,
                        "posted_at": self.clock(),
                    },
                )
                await self._announce_charge(repo, charge, "posted")
                return
            if charge.state != ChargeState.PENDING:
                return  # already posted (final) or already failed
            reason = command.failure_reason or "Mews refused the charge without a reason"
            if command.permanent:
                reason = f"{reason} (refused by Mews)"
            charge = await repo.change_charge(
                charge.id,
                {
                    "state": ChargeState.FAILED.value,
                    "failure_reason": reason,
                    "failure_permanent": command.permanent,
                },
            )
            await self._announce_charge(repo, charge, "failed")

    async def upsert_vendor(self, command: UpsertVendor) -> None:
        """A vendor from outside (a Mews partner company): last write wins on its Mews
        UpdatedUtc; without one, every new command applies (the inbox makes it once)."""
        snapshot = command.vendor
        try:
            enterprise_id = _enterprise(command.enterprise_id)
        except Invalid as exc:
            raise Rejected(str(exc)) from exc
        async with self.db.transaction() as repo:
            if not await repo.claim(consumer=UPSERT_VENDOR_CONSUMER, message_id=command.command_id):
                return
            by_id = await repo.get_vendor(snapshot.vendor_id, lock=True)
            by_mews = (
                await repo.get_vendor_by_mews_id(enterprise_id, snapshot.mews_id, lock=True)
                if snapshot.mews_id is not None
                else None
            )
            if by_id is not None and by_id.enterprise_id != enterprise_id:
                raise Rejected(f"vendor {by_id.id} belongs to another property")
            if (
                by_mews is None
                and by_id is not None
                and by_id.mews_id is not None
                and by_id.mews_id != snapshot.mews_id
            ):
                raise Rejected(f"vendor {by_id.id} is linked to another Mews company")
            previous = by_mews or by_id
            # A known Mews company keeps its row (and id); else our id is the key, which also
            # links a vendor created here to its Mews company.
            result = await repo.upsert_vendor(
                {
                    "id": snapshot.vendor_id,
                    "enterprise_id": enterprise_id,
                    "name": snapshot.name,
                    "category": snapshot.category,
                    "contact_email": snapshot.contact_email,
                    "contact_phone": snapshot.contact_phone,
                    "is_active": snapshot.is_active,
                    "mews_id": snapshot.mews_id,
                    "mews_updated_utc": snapshot.mews_updated_utc,
                    "synced_at": self.clock() if snapshot.mews_id is not None else None,
                },
                by_mews_id=by_mews is not None,
            )
            if result is None:
                return  # an older Mews version: the stored one stays
            vendor, inserted = result
            if inserted:
                event = "created"
            elif previous is not None and previous.is_active and not vendor.is_active:
                event = "deactivated"
            else:
                event = "updated"
            await self._announce_vendor(repo, vendor, event)

    async def upsert_catalogue(self, command: UpsertCatalogue) -> bool:
        """A hotel's whole catalogue from Mews: replaces the one held unless that one is as
        new or newer (`catalogue.Version`). False when nothing changed. Offerings already
        made are left alone: one whose service went away is refused on its next change."""
        try:
            enterprise_id = _enterprise(command.enterprise_id)
        except Invalid as exc:
            raise Rejected(str(exc)) from exc
        prop = command.property
        if prop.enterprise_id != enterprise_id:
            raise Rejected(f"the catalogue's property {prop.enterprise_id} is not {enterprise_id}")
        services = {s.mews_id for s in command.services}
        strays = sorted({p.mews_id for p in command.products if p.service_mews_id not in services})
        if strays:
            raise Rejected(f"products of services the catalogue does not hold: {strays[:10]}")
        version = Version(command.mews_updated_utc, command.issued_at, command.content_digest())
        async with self.db.transaction() as repo:
            if not await repo.claim(
                consumer=UPSERT_CATALOGUE_CONSUMER, message_id=command.command_id
            ):
                return False
            await repo.lock_catalogue(enterprise_id)
            stored = await repo.get_property(enterprise_id)
            if stored is not None and not version.is_newer_than(stored_version(stored)):
                return False
            await repo.replace_catalogue(
                {
                    "enterprise_id": enterprise_id,
                    "name": prop.name,
                    "default_currency": prop.default_currency,
                    "currencies": list(prop.currencies),
                    "pricing": prop.pricing,
                    "catalogue_updated_utc": version.updated_utc,
                    "catalogue_read_at": version.read_at,
                    "catalogue_digest": version.digest,
                },
                [
                    {
                        "enterprise_id": enterprise_id,
                        "mews_id": s.mews_id,
                        "name": s.name,
                        "kind": s.kind,
                        "is_active": s.is_active,
                        "ordering": s.ordering,
                    }
                    for s in command.services
                ],
                [
                    {
                        "enterprise_id": enterprise_id,
                        "mews_id": p.mews_id,
                        "service_mews_id": p.service_mews_id,
                        "name": p.name,
                        "is_active": p.is_active,
                        "unit_amount": p.unit_amount,
                        "currency": p.currency,
                        "accounting_category_id": p.accounting_category_mews_id,
                    }
                    for p in command.products
                ],
            )
        return True

    @staticmethod
    async def _keep_stay(
        repo: Repository,
        enterprise_id: str,
        stay_id: str,
        stay: StaySnapshot,
        guest_ids: tuple[str, ...],
    ) -> None:
        """Our copy of a stay, from an event or from its owner: the newest version wins."""
        await repo.upsert_stay_ref(
            {
                "stay_id": stay_id,
                "enterprise_id": enterprise_id,
                "guest_ids": list(guest_ids),
                "mews_reservation_id": stay.mews_id,
                "owner_mews_customer_id": stay.owner_mews_id,
                "state": stay.state.value,
                "start_utc": stay.actual_start_utc or stay.scheduled_start_utc,
                "end_utc": stay.actual_end_utc or stay.scheduled_end_utc,
                "mews_updated_utc": stay.mews_updated_utc,
            }
        )

    async def apply_stay_event(self, event: StayEvent, message_id: str) -> None:
        """Keep the stay projection current; a cancelled stay cancels its open bookings."""
        async with self.db.transaction() as repo:
            if not await repo.claim(consumer=STAY_EVENTS_CONSUMER, message_id=message_id):
                return
            await self._keep_stay(
                repo, event.enterprise_id, event.stay_id, event.stay, event.guest_ids
            )
            current = await repo.get_stay_ref(event.stay_id)
            # Decided on the stored (newest) state, not on this event: an older event
            # arriving late neither cancels nor revives anything.
            if current is None or current.state != StayState.CANCELED:
                return
            for booking in await repo.open_bookings_of_stay(event.stay_id):
                await self._move(
                    repo,
                    booking,
                    allowed_from=(BookingState.REQUESTED, BookingState.CONFIRMED),
                    to=BookingState.CANCELLED,
                    reason="stay cancelled",
                )
