"""``customers/getAll``, ``customers/add``, ``customers/update``, ``customers/search``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Final

import msgspec

from .common import (
    Address,
    AddressParameters,
    MewsModel,
    MewsRequest,
    StringUpdateValue,
    TimeInterval,
)


class Title:
    MISTER: Final = "Mister"
    MISS: Final = "Miss"
    MISSES: Final = "Misses"


class Sex:
    MALE: Final = "Male"
    FEMALE: Final = "Female"


class CustomerClassification:
    PAYMASTER_ACCOUNT: Final = "PaymasterAccount"
    BLACKLIST: Final = "Blacklist"
    MEDIA: Final = "Media"
    LOYALTY_PROGRAM: Final = "LoyaltyProgram"
    PREVIOUS_COMPLAINT: Final = "PreviousComplaint"
    RETURNING: Final = "Returning"
    STAFF: Final = "Staff"
    FRIEND_OR_FAMILY: Final = "FriendOrFamily"
    TOP_MANAGEMENT: Final = "TopManagement"
    IMPORTANT: Final = "Important"
    VERY_IMPORTANT: Final = "VeryImportant"
    PROBLEMATIC: Final = "Problematic"
    CASHLIST: Final = "Cashlist"
    DISABLED_PERSON: Final = "DisabledPerson"
    MILITARY: Final = "Military"
    AIRLINE: Final = "Airline"
    HEALTH_COMPLIANT: Final = "HealthCompliant"
    IN_ROOM: Final = "InRoom"
    WAITING_FOR_ROOM: Final = "WaitingForRoom"
    STUDENT: Final = "Student"
    BLOCKLIST: Final = "Blocklist"


class CustomerOption:
    NONE: Final = "None"
    SEND_MARKETING_EMAILS: Final = "SendMarketingEmails"
    INVOICEABLE: Final = "Invoiceable"
    BILL_ADDRESS_OBJECTION: Final = "BillAddressObjection"
    SEND_MARKETING_POSTAL_MAIL: Final = "SendMarketingPostalMail"
    SEND_PARTNER_MARKETING_EMAILS: Final = "SendPartnerMarketingEmails"
    SEND_PARTNER_MARKETING_POSTAL_MAIL: Final = "SendPartnerMarketingPostalMail"
    WITHDRAW_CARD_CONSENT: Final = "WithdrawCardConsent"
    GUEST_PHOTO_CONSENT: Final = "GuestPhotoConsent"
    ID_PHOTOS_CONSENT: Final = "IdPhotosConsent"


class Customer(MewsModel):
    """A guest profile. ``MergeTargetId`` is set when it was merged into another profile."""

    id: str
    chain_id: str | None = None
    number: str | None = None
    title: str | None = None
    custom_title_name: str | None = None
    sex: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    second_last_name: str | None = None
    nationality_code: str | None = None
    preferred_language_code: str | None = None
    language_code: str | None = None
    birth_date: date | None = None
    birth_country_code: str | None = None
    birth_country_subdivision_code: str | None = None
    birth_place: str | None = None
    occupation: str | None = None
    email: str | None = None
    has_ota_email: bool | None = None
    phone: str | None = None
    tax_identification_number: str | None = None
    loyalty_code: str | None = None
    accounting_code: str | None = None
    billing_code: str | None = None
    notes: str | None = None
    car_registration_number: str | None = None
    dietary_requirements: str | None = None
    created_utc: datetime | None = None
    updated_utc: datetime | None = None
    address_id: str | None = None
    classifications: list[str] | None = None
    options: list[str] | None = None
    italian_destination_code: str | None = None
    italian_fiscal_code: str | None = None
    italian_lottery_code: str | None = None
    company_id: str | None = None
    merge_target_id: str | None = None
    is_active: bool | None = None
    preferred_space_features: list[str] | None = None
    creator_profile_id: str | None = None
    updater_profile_id: str | None = None
    # Deprecated by Mews, still emitted.
    address: Address | None = None
    activity_state: str | None = None
    passport: dict[str, Any] | None = None
    identity_card: dict[str, Any] | None = None
    visa: dict[str, Any] | None = None
    drivers_license: dict[str, Any] | None = None


class CustomerExtent(msgspec.Struct, rename="pascal", kw_only=True):
    """Which collections ``customers/getAll`` returns; both flags are always sent."""

    customers: bool = True
    addresses: bool = False


class CustomersGetAll(MewsRequest):
    """Filters of ``customers/getAll``. ``CustomerIds`` is required if no other filter is given.

    ``CompanyIds`` accepts one id per request (the client splits longer lists).
    """

    extent: CustomerExtent = msgspec.field(default_factory=CustomerExtent)
    chain_ids: list[str] | None = None
    customer_ids: list[str] | None = None
    company_ids: list[str] | None = None
    emails: list[str] | None = None
    first_names: list[str] | None = None
    last_names: list[str] | None = None
    loyalty_codes: list[str] | None = None
    activity_states: list[str] | None = None
    created_utc: TimeInterval | None = None
    updated_utc: TimeInterval | None = None
    deleted_utc: TimeInterval | None = None


class CustomersPage(MewsModel):
    customers: list[Customer] | None = None
    cursor: str | None = None


class CustomersAdd(MewsRequest):
    """Request of ``customers/add``. ``OverwriteExisting`` decides what an existing email does."""

    last_name: str
    overwrite_existing: bool
    chain_id: str | None = None
    title: str | None = None
    first_name: str | None = None
    second_last_name: str | None = None
    nationality_code: str | None = None
    preferred_language_code: str | None = None
    sex: str | None = None
    birth_date: date | None = None
    birth_country_code: str | None = None
    birth_country_subdivision_code: str | None = None
    birth_place: str | None = None
    occupation: str | None = None
    email: str | None = None
    phone: str | None = None
    loyalty_code: str | None = None
    notes: str | None = None
    car_registration_number: str | None = None
    dietary_requirements: str | None = None
    tax_identification_number: str | None = None
    company_id: str | None = None
    address: AddressParameters | None = None
    classifications: list[str] | None = None
    options: list[str] | None = None
    italian_destination_code: str | None = None
    italian_fiscal_code: str | None = None
    italian_lottery_code: str | None = None


class CustomersUpdate(MewsRequest):
    """Request of ``customers/update``. Omitted fields stay untouched; blanks do not clear."""

    customer_id: str
    chain_id: str | None = None
    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    second_last_name: str | None = None
    nationality_code: str | None = None
    preferred_language_code: str | None = None
    sex: str | None = None
    birth_date: date | None = None
    birth_country_code: str | None = None
    birth_country_subdivision_code: str | None = None
    birth_place: str | None = None
    occupation: str | None = None
    email: str | None = None
    phone: str | None = None
    loyalty_code: str | None = None
    notes: str | None = None
    car_registration_number: str | None = None
    dietary_requirements: str | None = None
    tax_identification_number: str | None = None
    company_id: str | None = None
    address: AddressParameters | None = None
    classifications: list[str] | None = None
    options: list[str] | None = None
    italian_destination_code: StringUpdateValue | None = None
    italian_fiscal_code: StringUpdateValue | None = None
    italian_lottery_code: StringUpdateValue | None = None


class CustomersSearch(MewsRequest):
    """Request of ``customers/search`` (customers active in the enterprise now; not paged)."""

    name: str | None = None
    resource_id: str | None = None
    extent: CustomerExtent | None = None


class LegacyReservation(MewsModel):
    """The ``Reservation (ver 2017-04-12)`` shape ``customers/search`` still returns."""

    id: str
    service_id: str | None = None
    group_id: str | None = None
    number: str | None = None
    channel_number: str | None = None
    channel_manager_number: str | None = None
    state: str | None = None
    origin: str | None = None
    created_utc: datetime | None = None
    updated_utc: datetime | None = None
    cancelled_utc: datetime | None = None
    start_utc: datetime | None = None
    end_utc: datetime | None = None
    released_utc: datetime | None = None
    requested_category_id: str | None = None
    assigned_resource_id: str | None = None
    assigned_resource_locked: bool | None = None
    business_segment_id: str | None = None
    company_id: str | None = None
    travel_agency_id: str | None = None
    rate_id: str | None = None
    voucher_id: str | None = None
    customer_id: str | None = None
    owner_id: str | None = None
    companion_ids: list[str] | None = None
    adult_count: int | None = None
    child_count: int | None = None
    purpose: str | None = None


class CustomerSearchResult(MewsModel):
    customer: Customer
    reservation: LegacyReservation | None = None


class CustomersSearchResponse(MewsModel):
    customers: list[CustomerSearchResult] | None = None


#: `ActivityStates` asking for deleted customers too: the docs give no default, and a
#: customer deleted in Mews must reach us (its erasure here follows).
ACTIVE_AND_DELETED = ("Active", "Deleted")

__all__ = [
    "ACTIVE_AND_DELETED",
    "Customer",
    "CustomerClassification",
    "CustomerExtent",
    "CustomerOption",
    "CustomerSearchResult",
    "CustomersAdd",
    "CustomersGetAll",
    "CustomersPage",
    "CustomersSearch",
    "CustomersSearchResponse",
    "CustomersUpdate",
    "LegacyReservation",
    "Sex",
    "Title",
]
