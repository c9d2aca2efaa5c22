"""Request-reply contracts of the vendors service (`rpc.v1.vendors.<method>`).

Every method is called for a caller (`contracts.caller.Caller`, in the `Attendandt-Caller`
header the gateway sets; never in the body) and is scoped by it: only the caller's properties
(`enterprise_ids`; None: every property) and, for a vendor user, only its own vendor.
- An object of another property or another vendor, or one named by id in a request (the
  vendor of a new offering, the offering of a new booking or charge), is "not found" (404):
  the answer does not tell whether it exists.
- A list without `enterprise_id` holds the caller's properties only; a list (or a new
  vendor) naming a property the caller does not act for is "not found" (404), the same answer
  as for a property that does not exist.
- Version 2 of the request payloads dropped the body's `actor` (version 1): the subject did
  not move, because a version-1 caller sends no caller header and is refused (401), never
  misread.

An offering posts to Mews: its `mews_service_id` must be an active Additional service of its
vendor's property, its `mews_product_id` (when given) an active product of that service, and
its currency the hotel's (the default when left out), as the hotel's catalogue says
(`get_catalogue`, kept by sync's `UpsertCatalogue`). Anything else is refused (422) with what
would fit; while the catalogue is not known yet, creating or re-pointing an offering is a
conflict (409, "try again shortly"). Version 3 of `create_offering_request` made `currency`
optional; every version-2 request is a valid version-3 one, so the subject did not move.

In update requests a field left out keeps its value (`null` clears it where the field may be
empty). Lists are paged with `limit` / `offset`; `next_offset` is null on
the last page.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

import msgspec
from msgspec import UNSET, UnsetType

from attendandt.contracts.base import Payload, RpcMethod
from attendandt.contracts.snapshots import BookingState, ChargeState

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
LongText = Annotated[str, msgspec.Meta(max_length=2000)]
Id = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
#: A client's `Idempotency-Key` (printable ASCII; a UUID is typical).
IdempotencyKey = Annotated[
    str, msgspec.Meta(min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$")
]
Currency = Annotated[str, msgspec.Meta(pattern="^[A-Z]{3}$")]
Quantity = Annotated[int, msgspec.Meta(ge=1, le=1000)]
AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]
Limit = Annotated[int, msgspec.Meta(ge=1, le=200)]
Offset = Annotated[int, msgspec.Meta(ge=0)]


# --- views -------------------------------------------------------------------------------


class VendorView(msgspec.Struct, frozen=True, kw_only=True):
    vendor_id: str
    enterprise_id: str
    name: str
    category: str
    contact_email: str | None = None
    contact_phone: str | None = None
    is_active: bool
    #: The Mews company the vendor is linked to (its legal entity in Mews), if any.
    mews_id: str | None = None
    mews_updated_utc: datetime | None = None
    #: When vendors last learned of the linked Mews company (a link or a company change).
    synced_at: datetime | None = None
    version: int
    created_at: datetime
    updated_at: datetime


class MewsCompanyView(msgspec.Struct, frozen=True, kw_only=True):
    """A Mews company of a property, as a vendor can be linked to it."""

    mews_id: str
    name: str
    is_active: bool


class OfferingView(msgspec.Struct, frozen=True, kw_only=True):
    offering_id: str
    vendor_id: str
    enterprise_id: str
    name: str
    description: str | None = None
    unit_price: Decimal
    currency: str
    tax_codes: tuple[str, ...] = ()
    #: True: the price includes tax (gross); False: tax is added on top (net).
    amount_is_gross: bool
    mews_service_id: str
    mews_product_id: str | None = None
    accounting_category_id: str | None = None
    is_active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class BookingView(msgspec.Struct, frozen=True, kw_only=True):
    booking_id: str
    enterprise_id: str
    vendor_id: str
    offering_id: str
    guest_id: str
    stay_id: str
    quantity: int
    scheduled_for: datetime | None = None
    notes: str | None = None
    state: BookingState
    #: Why it was declined or cancelled, when it was.
    state_reason: str | None = None
    #: The offering's price when the booking was made: what the guest is charged.
    unit_price: Decimal
    currency: str
    #: The charge made when the booking was fulfilled.
    charge_id: str | None = None
    created_by: str
    version: int
    created_at: datetime
    updated_at: datetime


class ChargeView(msgspec.Struct, frozen=True, kw_only=True):
    charge_id: str
    enterprise_id: str
    vendor_id: str
    offering_id: str
    booking_id: str | None = None
    guest_id: str
    stay_id: str
    description: str
    quantity: int
    unit_amount: Decimal
    currency: str
    #: quantity times unit_amount.
    amount: Decimal
    state: ChargeState
    #: Stable across retries: the publisher finds an already posted order by it.
    reference: str
    mews_order_id: str | None = None
    failure_reason: str | None = None
    #: How many times the charge was sent to Mews (1 + retries).
    attempts: int
    created_by: str
    version: int
    created_at: datetime
    updated_at: datetime
    posted_at: datetime | None = None
    #: Why the charge waits for a manager (set when it was held for approval).
    approval_reason: str | None = None
    approved_by: str | None = None
    approved_at: datetime | None = None
    rejected_by: str | None = None
    rejected_at: datetime | None = None
    rejection_reason: str | None = None
    #: A manager's cancellation: who asked, when, why, and when Mews confirmed it.
    cancel_reason: str | None = None
    cancel_requested_by: str | None = None
    cancel_requested_at: datetime | None = None
    cancelled_at: datetime | None = None
    #: How it came off the bill: "order_items_cancelled", "rebated" (offset by negative
    #: items) or "not_in_mews" (it never got there).
    cancel_method: str | None = None
    #: Why Mews would not take it back (state cancel_failed).
    cancel_failure_reason: str | None = None


class CurrencyTotal(msgspec.Struct, frozen=True, kw_only=True):
    currency: str
    amount: Decimal
    charges: int


# --- vendors -----------------------------------------------------------------------------


class VendorResponse(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.vendor_response"
    vendor: VendorView


class VendorPage(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.vendor_page"
    items: tuple[VendorView, ...]
    total: int
    next_offset: int | None = None


class CreateVendorRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.create_vendor_request"
    VERSION = 2
    enterprise_id: Id
    name: Text
    category: Text
    contact_email: Text | None = None
    contact_phone: Text | None = None


class UpdateVendorRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.update_vendor_request"
    VERSION = 2
    vendor_id: Id
    name: Text | UnsetType = UNSET
    category: Text | UnsetType = UNSET
    contact_email: Text | UnsetType | None = UNSET
    contact_phone: Text | UnsetType | None = UNSET
    #: Link the vendor to a Mews company of its property (one vendor per company); null
    #: unlinks it.
    mews_company_id: Id | UnsetType | None = UNSET


class DeactivateVendorRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.deactivate_vendor_request"
    VERSION = 2
    vendor_id: Id


class GetVendorRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.get_vendor_request"
    VERSION = 2
    vendor_id: Id


class ListVendorsRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.list_vendors_request"
    VERSION = 2
    enterprise_id: Id | None = None
    category: Text | None = None
    include_inactive: bool = False
    limit: Limit = 50
    offset: Offset = 0


class ListMewsCompaniesRequest(Payload, frozen=True, kw_only=True):
    """The Mews companies of one property a vendor can be linked to, by name prefix
    (case-insensitive), active ones first."""

    SCHEMA = "vendors.list_mews_companies_request"
    enterprise_id: Id
    q: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    limit: Limit = 50


class MewsCompanyPage(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.mews_company_page"
    items: tuple[MewsCompanyView, ...]


# --- offerings ---------------------------------------------------------------------------


class OfferingResponse(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.offering_response"
    offering: OfferingView


class OfferingPage(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.offering_page"
    items: tuple[OfferingView, ...]
    total: int
    next_offset: int | None = None


class CreateOfferingRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.create_offering_request"
    VERSION = 3
    vendor_id: Id
    name: Text
    description: LongText | None = None
    unit_price: Decimal
    #: Defaults to the hotel's currency; any other is refused.
    currency: Currency | None = None
    tax_codes: tuple[Id, ...] = ()
    amount_is_gross: bool = True
    mews_service_id: Id
    mews_product_id: Id | None = None
    accounting_category_id: Id | None = None


class UpdateOfferingRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.update_offering_request"
    VERSION = 2
    offering_id: Id
    name: Text | UnsetType = UNSET
    description: LongText | UnsetType | None = UNSET
    unit_price: Decimal | UnsetType = UNSET
    currency: Currency | UnsetType = UNSET
    tax_codes: tuple[Id, ...] | UnsetType = UNSET
    amount_is_gross: bool | UnsetType = UNSET
    mews_service_id: Id | UnsetType = UNSET
    mews_product_id: Id | UnsetType | None = UNSET
    accounting_category_id: Id | UnsetType | None = UNSET


class DeactivateOfferingRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.deactivate_offering_request"
    VERSION = 2
    offering_id: Id


class GetOfferingRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.get_offering_request"
    VERSION = 2
    offering_id: Id


class ListOfferingsRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.list_offerings_request"
    VERSION = 2
    vendor_id: Id
    include_inactive: bool = False
    limit: Limit = 50
    offset: Offset = 0


# --- the hotel's catalogue ---------------------------------------------------------------


class CatalogueProductView(msgspec.Struct, frozen=True, kw_only=True):
    mews_id: str
    name: str
    is_active: bool
    #: The Mews price, with tax when the hotel's pricing is gross, without when net.
    unit_amount: Decimal | None = None
    currency: str | None = None
    accounting_category_id: str | None = None


class CatalogueServiceView(msgspec.Struct, frozen=True, kw_only=True):
    mews_id: str
    name: str
    #: "additional" services take vendors' charges; "bookable" ones are stays.
    kind: str
    is_active: bool
    ordering: int = 0
    products: tuple[CatalogueProductView, ...] = ()


class GetCatalogueRequest(Payload, frozen=True, kw_only=True):
    """A property's Mews services and products, for whoever manages offerings there."""

    SCHEMA = "vendors.get_catalogue_request"
    enterprise_id: Id


class CatalogueResponse(Payload, frozen=True, kw_only=True):
    """Services by Mews ordering then name; products by name."""

    SCHEMA = "vendors.catalogue_response"
    enterprise_id: str
    name: str
    default_currency: str
    currencies: tuple[str, ...] = ()
    pricing: str
    services: tuple[CatalogueServiceView, ...] = ()
    #: The newest Mews UpdatedUtc the catalogue holds, and when sync last changed it.
    mews_updated_utc: datetime | None = None
    synced_at: datetime


# --- bookings ----------------------------------------------------------------------------


class BookingResponse(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.booking_response"
    booking: BookingView


class FulfilBookingResponse(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.fulfil_booking_response"
    booking: BookingView
    #: The charge made for it (pending until Mews answers).
    charge: ChargeView


class BookingPage(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.booking_page"
    items: tuple[BookingView, ...]
    total: int
    next_offset: int | None = None


class CreateBookingRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.create_booking_request"
    VERSION = 2
    offering_id: Id
    guest_id: Id
    stay_id: Id
    quantity: Quantity = 1
    #: When the service takes place; a booking still requested after it expires.
    scheduled_for: AwareDatetime | None = None
    notes: LongText | None = None
    #: The `Idempotency-Key` the request came with: the same key and request again answers
    #: the booking the first made; the key with another request is refused (422).
    idempotency_key: IdempotencyKey | None = None


class ConfirmBookingRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.confirm_booking_request"
    VERSION = 2
    booking_id: Id


class DeclineBookingRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.decline_booking_request"
    VERSION = 2
    booking_id: Id
    reason: LongText | None = None


class FulfilBookingRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.fulfil_booking_request"
    VERSION = 2
    booking_id: Id


class CancelBookingRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.cancel_booking_request"
    VERSION = 2
    booking_id: Id
    reason: LongText | None = None


class GetBookingRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.get_booking_request"
    VERSION = 2
    booking_id: Id


class ListBookingsRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.list_bookings_request"
    VERSION = 2
    enterprise_id: Id | None = None
    vendor_id: Id | None = None
    guest_id: Id | None = None
    stay_id: Id | None = None
    state: BookingState | None = None
    limit: Limit = 50
    offset: Offset = 0


# --- charges -----------------------------------------------------------------------------


class ChargeResponse(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.charge_response"
    charge: ChargeView


class ChargePage(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.charge_page"
    items: tuple[ChargeView, ...]
    total: int
    next_offset: int | None = None


class CreateChargeRequest(Payload, frozen=True, kw_only=True):
    """An ad-hoc charge (no booking): posted to Mews like the offering's bookings are when a
    manager makes it; a vendor's or the front desk's waits for a manager's approval."""

    SCHEMA = "vendors.create_charge_request"
    VERSION = 2
    offering_id: Id
    guest_id: Id
    stay_id: Id
    quantity: Quantity = 1
    #: Defaults to the offering's price.
    unit_amount: Decimal | None = None
    #: Defaults to the offering's name.
    description: Text | None = None
    consumed_at: AwareDatetime | None = None
    notes: LongText | None = None
    #: As for bookings: one charge per key and request.
    idempotency_key: IdempotencyKey | None = None


class GetChargeRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.get_charge_request"
    VERSION = 2
    charge_id: Id


class RetryChargeRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.retry_charge_request"
    VERSION = 2
    charge_id: Id


class ListChargesRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.list_charges_request"
    VERSION = 2
    enterprise_id: Id | None = None
    vendor_id: Id | None = None
    guest_id: Id | None = None
    stay_id: Id | None = None
    booking_id: Id | None = None
    state: ChargeState | None = None
    limit: Limit = 50
    offset: Offset = 0


class SettlementRequest(Payload, frozen=True, kw_only=True):
    """Posted charges of one vendor whose posting time is in [from_utc, to_utc)."""

    SCHEMA = "vendors.settlement_request"
    VERSION = 2
    vendor_id: Id
    from_utc: AwareDatetime
    to_utc: AwareDatetime


class SettlementLine(msgspec.Struct, frozen=True, kw_only=True):
    """One charge of the vendor posted in the period, whatever became of it since."""

    charge_id: str
    booking_id: str | None = None
    guest_id: str
    stay_id: str
    #: The service as the bill names it (the charge's description).
    service: str
    offering_id: str
    quantity: int
    unit_amount: Decimal
    #: quantity times unit_amount.
    total: Decimal
    currency: str
    state: ChargeState
    posted_at: datetime | None = None
    mews_order_id: str | None = None
    #: Whether the guest's bill holding the charge is paid (closed) in Mews, as the last
    #: reconciliation read it; None: not read yet.
    bill_paid: bool | None = None


class SettlementResponse(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.settlement_response"
    vendor_id: str
    from_utc: datetime
    to_utc: datetime
    #: One line per currency, sorted by currency: the charges still posted.
    totals: tuple[CurrencyTotal, ...]
    #: Every charge posted in the period (also those cancelled since), by posting time.
    lines: tuple[SettlementLine, ...] = ()
    #: The vendor's property.
    enterprise_id: str | None = None


# --- reconciliation (sync, on no user's behalf) --------------------------------------------


class PostedChargesRequest(Payload, frozen=True, kw_only=True):
    """The ledger of one property for reconciliation: charges that reached Mews (they have
    a Mews order) posted in [from_utc, to_utc), or, with `charge_ids`, those charges of the
    property whenever posted. Paged by charge id: `after` is the last id of the page before.

    Called by sync, which acts for no user: answered without a caller, like guests'
    `mews_versions`; only sync and the ops command may publish on its subject."""

    SCHEMA = "vendors.posted_charges_request"
    enterprise_id: Id
    from_utc: AwareDatetime
    to_utc: AwareDatetime
    charge_ids: tuple[Id, ...] = ()
    after: str | None = None
    limit: Annotated[int, msgspec.Meta(ge=1, le=5000)] = 1000


class LedgerCharge(msgspec.Struct, frozen=True, kw_only=True):
    charge_id: str
    vendor_id: str
    reference: str
    mews_order_id: str
    mews_service_id: str
    quantity: int
    unit_amount: Decimal
    amount: Decimal
    currency: str
    amount_is_gross: bool
    state: ChargeState
    posted_at: datetime | None = None
    cancel_method: str | None = None
    #: What the last reconciliation recorded (`RecordChargeInMews.content_digest`).
    mews_digest: str | None = None


class PostedCharges(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.posted_charges"
    items: tuple[LedgerCharge, ...]
    #: The `after` of the next page; None on the last.
    next_after: str | None = None
    #: Every Mews service the property's offerings post to (where a charge of ours may be).
    service_ids: tuple[str, ...] = ()


# --- billing controls ------------------------------------------------------------------
# These requests carry no `actor`: the caller travels in the Attendandt-Caller header
# (`platform.rpc.answer_for_caller`).

#: What the gateway's permission table grants to approve or reject a held charge, and to
#: read and change a property's billing settings (caps, grace period).
APPROVE_CHARGES_PERMISSION = "charges:approve"
BILLING_SETTINGS_PERMISSION = "billing:settings"
#: What the gateway's permission table grants to cancel a charge (undo it on the guest's bill).
CANCEL_CHARGES_PERMISSION = "charges:cancel"

GraceHours = Annotated[int, msgspec.Meta(ge=0, le=720)]


class ApproveChargeRequest(Payload, frozen=True, kw_only=True):
    """A manager of the charge's property approves a held charge: it is sent to Mews.
    Approving an approved charge again changes nothing."""

    SCHEMA = "vendors.approve_charge_request"
    charge_id: Id


class RejectChargeRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.reject_charge_request"
    charge_id: Id
    reason: Text


class CancelChargeRequest(Payload, frozen=True, kw_only=True):
    """A manager of the charge's property cancels it, with the reason (recorded and audited,
    never put on the guest's bill). A posted charge is taken off the guest's Mews bill once
    (state cancelling, then cancelled or cancel_failed); one not posted yet is cancelled
    without Mews (one being posted waits for the answer first). Cancelling a fulfilled
    booking's charge refunds the booking. Cancelling again while under way or done answers
    the charge as it is; after cancel_failed it tries again."""

    SCHEMA = "vendors.cancel_charge_request"
    charge_id: Id
    reason: Text


class GetBillingSettingsRequest(Payload, frozen=True, kw_only=True):
    """A property's caps and grace period; `enterprise_id` defaults to the caller's one."""

    SCHEMA = "vendors.get_billing_settings_request"
    enterprise_id: Id | None = None


class UpdateBillingSettingsRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.update_billing_settings_request"
    enterprise_id: Id | None = None
    #: The largest amount one charge may have (quantity x unit amount), in the hotel's currency.
    max_charge_amount: Decimal | UnsetType = UNSET
    #: The most one vendor's charges may add up to within 24 hours.
    max_daily_amount_per_vendor: Decimal | UnsetType = UNSET
    #: How long after check-out a vendor may still charge a stay.
    checkout_grace_hours: GraceHours | UnsetType = UNSET


class BillingSettingsResponse(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.billing_settings_response"
    enterprise_id: str
    max_charge_amount: Decimal
    max_daily_amount_per_vendor: Decimal
    checkout_grace_hours: int
    #: True while the property still uses the defaults (nobody changed them).
    is_default: bool
    updated_by: str | None = None
    updated_at: datetime | None = None
    version: int = 0


CREATE_VENDOR = RpcMethod("vendors", "create_vendor", CreateVendorRequest, VendorResponse)
UPDATE_VENDOR = RpcMethod("vendors", "update_vendor", UpdateVendorRequest, VendorResponse)
DEACTIVATE_VENDOR = RpcMethod(
    "vendors", "deactivate_vendor", DeactivateVendorRequest, VendorResponse
)
GET_VENDOR = RpcMethod("vendors", "get_vendor", GetVendorRequest, VendorResponse)
LIST_VENDORS = RpcMethod("vendors", "list_vendors", ListVendorsRequest, VendorPage)
LIST_MEWS_COMPANIES = RpcMethod(
    "vendors", "list_mews_companies", ListMewsCompaniesRequest, MewsCompanyPage
)

CREATE_OFFERING = RpcMethod("vendors", "create_offering", CreateOfferingRequest, OfferingResponse)
UPDATE_OFFERING = RpcMethod("vendors", "update_offering", UpdateOfferingRequest, OfferingResponse)
DEACTIVATE_OFFERING = RpcMethod(
    "vendors", "deactivate_offering", DeactivateOfferingRequest, OfferingResponse
)
GET_OFFERING = RpcMethod("vendors", "get_offering", GetOfferingRequest, OfferingResponse)
LIST_OFFERINGS = RpcMethod("vendors", "list_offerings", ListOfferingsRequest, OfferingPage)
GET_CATALOGUE = RpcMethod("vendors", "get_catalogue", GetCatalogueRequest, CatalogueResponse)

CREATE_BOOKING = RpcMethod("vendors", "create_booking", CreateBookingRequest, BookingResponse)
CONFIRM_BOOKING = RpcMethod("vendors", "confirm_booking", ConfirmBookingRequest, BookingResponse)
DECLINE_BOOKING = RpcMethod("vendors", "decline_booking", DeclineBookingRequest, BookingResponse)
FULFIL_BOOKING = RpcMethod("vendors", "fulfil_booking", FulfilBookingRequest, FulfilBookingResponse)
CANCEL_BOOKING = RpcMethod("vendors", "cancel_booking", CancelBookingRequest, BookingResponse)
GET_BOOKING = RpcMethod("vendors", "get_booking", GetBookingRequest, BookingResponse)
LIST_BOOKINGS = RpcMethod("vendors", "list_bookings", ListBookingsRequest, BookingPage)

CREATE_CHARGE = RpcMethod("vendors", "create_charge", CreateChargeRequest, ChargeResponse)
GET_CHARGE = RpcMethod("vendors", "get_charge", GetChargeRequest, ChargeResponse)
RETRY_CHARGE = RpcMethod("vendors", "retry_charge", RetryChargeRequest, ChargeResponse)
LIST_CHARGES = RpcMethod("vendors", "list_charges", ListChargesRequest, ChargePage)
SETTLEMENT = RpcMethod("vendors", "settlement", SettlementRequest, SettlementResponse)
POSTED_CHARGES = RpcMethod("vendors", "posted_charges", PostedChargesRequest, PostedCharges)
APPROVE_CHARGE = RpcMethod("vendors", "approve_charge", ApproveChargeRequest, ChargeResponse)
REJECT_CHARGE = RpcMethod("vendors", "reject_charge", RejectChargeRequest, ChargeResponse)
CANCEL_CHARGE = RpcMethod("vendors", "cancel_charge", CancelChargeRequest, ChargeResponse)
GET_BILLING_SETTINGS = RpcMethod(
    "vendors", "get_billing_settings", GetBillingSettingsRequest, BillingSettingsResponse
)
UPDATE_BILLING_SETTINGS = RpcMethod(
    "vendors", "update_billing_settings", UpdateBillingSettingsRequest, BillingSettingsResponse
)

METHODS: tuple[RpcMethod[Payload, Payload], ...] = (
    CREATE_VENDOR,
    UPDATE_VENDOR,
    DEACTIVATE_VENDOR,
    GET_VENDOR,
    LIST_VENDORS,
    LIST_MEWS_COMPANIES,
    CREATE_OFFERING,
    UPDATE_OFFERING,
    DEACTIVATE_OFFERING,
    GET_OFFERING,
    LIST_OFFERINGS,
    GET_CATALOGUE,
    CREATE_BOOKING,
    CONFIRM_BOOKING,
    DECLINE_BOOKING,
    FULFIL_BOOKING,
    CANCEL_BOOKING,
    GET_BOOKING,
    LIST_BOOKINGS,
    CREATE_CHARGE,
    GET_CHARGE,
    RETRY_CHARGE,
    LIST_CHARGES,
    SETTLEMENT,
    POSTED_CHARGES,
    APPROVE_CHARGE,
    REJECT_CHARGE,
    CANCEL_CHARGE,
    GET_BILLING_SETTINGS,
    UPDATE_BILLING_SETTINGS,
)  # type: ignore[assignment]
