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

from attendandt.contracts.base import Payload, RpcMethod
from attendandt.contracts.rpc.vendors.billing import (
    APPROVE_CHARGE,
    APPROVE_CHARGES_PERMISSION,
    BILLING_SETTINGS_PERMISSION,
    CANCEL_CHARGE,
    CANCEL_CHARGES_PERMISSION,
    GET_BILLING_SETTINGS,
    REJECT_CHARGE,
    UPDATE_BILLING_SETTINGS,
    ApproveChargeRequest,
    BillingSettingsResponse,
    CancelChargeRequest,
    GetBillingSettingsRequest,
    GraceHours,
    RejectChargeRequest,
    UpdateBillingSettingsRequest,
)
from attendandt.contracts.rpc.vendors.bookings import (
    CANCEL_BOOKING,
    CONFIRM_BOOKING,
    CREATE_BOOKING,
    DECLINE_BOOKING,
    FULFIL_BOOKING,
    GET_BOOKING,
    LIST_BOOKINGS,
    BookingPage,
    BookingResponse,
    BookingView,
    CancelBookingRequest,
    ConfirmBookingRequest,
    CreateBookingRequest,
    DeclineBookingRequest,
    FulfilBookingRequest,
    FulfilBookingResponse,
    GetBookingRequest,
    ListBookingsRequest,
)
from attendandt.contracts.rpc.vendors.catalogue import (
    GET_CATALOGUE,
    CatalogueProductView,
    CatalogueResponse,
    CatalogueServiceView,
    GetCatalogueRequest,
)
from attendandt.contracts.rpc.vendors.charges import (
    CREATE_CHARGE,
    GET_CHARGE,
    LIST_CHARGES,
    RETRY_CHARGE,
    ChargePage,
    ChargeResponse,
    ChargeView,
    CreateChargeRequest,
    GetChargeRequest,
    ListChargesRequest,
    RetryChargeRequest,
)
from attendandt.contracts.rpc.vendors.companies import (
    LIST_MEWS_COMPANIES,
    ListMewsCompaniesRequest,
    MewsCompanyPage,
    MewsCompanyView,
)
from attendandt.contracts.rpc.vendors.fields import (
    AwareDatetime,
    Currency,
    Id,
    IdempotencyKey,
    Limit,
    LongText,
    Offset,
    Quantity,
    Text,
)
from attendandt.contracts.rpc.vendors.ledger import (
    POSTED_CHARGES,
    LedgerCharge,
    PostedCharges,
    PostedChargesRequest,
)
from attendandt.contracts.rpc.vendors.offerings import (
    CREATE_OFFERING,
    DEACTIVATE_OFFERING,
    GET_OFFERING,
    LIST_OFFERINGS,
    UPDATE_OFFERING,
    CreateOfferingRequest,
    DeactivateOfferingRequest,
    GetOfferingRequest,
    ListOfferingsRequest,
    OfferingPage,
    OfferingResponse,
    OfferingView,
    UpdateOfferingRequest,
)
from attendandt.contracts.rpc.vendors.settlement import (
    SETTLEMENT,
    CurrencyTotal,
    SettlementLine,
    SettlementRequest,
    SettlementResponse,
)
from attendandt.contracts.rpc.vendors.vendors import (
    CREATE_VENDOR,
    DEACTIVATE_VENDOR,
    GET_VENDOR,
    LIST_VENDORS,
    UPDATE_VENDOR,
    CreateVendorRequest,
    DeactivateVendorRequest,
    GetVendorRequest,
    ListVendorsRequest,
    UpdateVendorRequest,
    VendorPage,
    VendorResponse,
    VendorView,
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

__all__ = [
    "APPROVE_CHARGE",
    "APPROVE_CHARGES_PERMISSION",
    "BILLING_SETTINGS_PERMISSION",
    "CANCEL_BOOKING",
    "CANCEL_CHARGE",
    "CANCEL_CHARGES_PERMISSION",
    "CONFIRM_BOOKING",
    "CREATE_BOOKING",
    "CREATE_CHARGE",
    "CREATE_OFFERING",
    "CREATE_VENDOR",
    "DEACTIVATE_OFFERING",
    "DEACTIVATE_VENDOR",
    "DECLINE_BOOKING",
    "FULFIL_BOOKING",
    "GET_BILLING_SETTINGS",
    "GET_BOOKING",
    "GET_CATALOGUE",
    "GET_CHARGE",
    "GET_OFFERING",
    "GET_VENDOR",
    "LIST_BOOKINGS",
    "LIST_CHARGES",
    "LIST_MEWS_COMPANIES",
    "LIST_OFFERINGS",
    "LIST_VENDORS",
    "METHODS",
    "POSTED_CHARGES",
    "REJECT_CHARGE",
    "RETRY_CHARGE",
    "SETTLEMENT",
    "UPDATE_BILLING_SETTINGS",
    "UPDATE_OFFERING",
    "UPDATE_VENDOR",
    "ApproveChargeRequest",
    "AwareDatetime",
    "BillingSettingsResponse",
    "BookingPage",
    "BookingResponse",
    "BookingView",
    "CancelBookingRequest",
    "CancelChargeRequest",
    "CatalogueProductView",
    "CatalogueResponse",
    "CatalogueServiceView",
    "ChargePage",
    "ChargeResponse",
    "ChargeView",
    "ConfirmBookingRequest",
    "CreateBookingRequest",
    "CreateChargeRequest",
    "CreateOfferingRequest",
    "CreateVendorRequest",
    "Currency",
    "CurrencyTotal",
    "DeactivateOfferingRequest",
    "DeactivateVendorRequest",
    "DeclineBookingRequest",
    "FulfilBookingRequest",
    "FulfilBookingResponse",
    "GetBillingSettingsRequest",
    "GetBookingRequest",
    "GetCatalogueRequest",
    "GetChargeRequest",
    "GetOfferingRequest",
    "GetVendorRequest",
    "GraceHours",
    "Id",
    "IdempotencyKey",
    "LedgerCharge",
    "Limit",
    "ListBookingsRequest",
    "ListChargesRequest",
    "ListMewsCompaniesRequest",
    "ListOfferingsRequest",
    "ListVendorsRequest",
    "LongText",
    "MewsCompanyPage",
    "MewsCompanyView",
    "OfferingPage",
    "OfferingResponse",
    "OfferingView",
    "Offset",
    "PostedCharges",
    "PostedChargesRequest",
    "Quantity",
    "RejectChargeRequest",
    "RetryChargeRequest",
    "SettlementLine",
    "SettlementRequest",
    "SettlementResponse",
    "Text",
    "UpdateBillingSettingsRequest",
    "UpdateOfferingRequest",
    "UpdateVendorRequest",
    "VendorPage",
    "VendorResponse",
    "VendorView",
]
