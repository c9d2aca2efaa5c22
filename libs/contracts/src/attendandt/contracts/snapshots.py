"""Snapshots of domain aggregates, shared by the commands that set them and the events that
announce them. Money is Decimal (encoded as a string), times are aware UTC datetimes."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

import msgspec

from attendandt.contracts.versioning import content_digest


class Snapshot(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=False):
    def digest(self) -> str:
        """A short hash of the content. Mews stamps UpdatedUtc in whole seconds, so two
        different versions of an entity can share it: the digest tells them apart."""
        return content_digest(self)


class GuestSnapshot(Snapshot, frozen=True, kw_only=True):
    """A Mews customer. Commands carry all of it; a public `GuestEvent` carries only what
    `privacy.public_guest` keeps (ids, name, language, state): the personal fields below are
    always empty there and travel on the restricted family (`RestrictedGuestEvent`) only."""

    mews_id: str
    mews_updated_utc: datetime
    first_name: str | None = None
    last_name: str
    email: str | None = None
    phone: str | None = None
    language_code: str | None = None
    nationality_code: str | None = None
    birth_date: date | None = None
    classifications: tuple[str, ...] = ()
    company_mews_id: str | None = None
    notes: str | None = None
    is_active: bool = True
    #: Set when Mews merged this profile into another one.
    merge_target_mews_id: str | None = None


class StayState(enum.StrEnum):
    INQUIRED = "inquired"
    OPTIONAL = "optional"
    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    STARTED = "started"  # checked in
    PROCESSED = "processed"  # checked out
    CANCELED = "canceled"
    UNKNOWN = "unknown"  # a Mews state we do not know yet (the enum is not exhaustive)


class StayNote(Snapshot, frozen=True, kw_only=True):
    """A note on a reservation (Mews `serviceOrderNotes`): operational, but free text that
    often says something personal (health, diet, a birthday). Public stay events never
    carry it (`privacy.public_stay`)."""

    mews_id: str
    text: str
    #: Mews's note type verbatim: General, ChannelManager, SpecialRequest (not exhaustive).
    type: str
    mews_updated_utc: datetime | None = None


class StaySnapshot(Snapshot, frozen=True, kw_only=True):
    mews_id: str
    mews_updated_utc: datetime
    number: str | None = None
    state: StayState
    mews_state: str
    scheduled_start_utc: datetime | None = None
    scheduled_end_utc: datetime | None = None
    actual_start_utc: datetime | None = None
    actual_end_utc: datetime | None = None
    cancelled_utc: datetime | None = None
    resource_mews_id: str | None = None
    resource_name: str | None = None
    owner_mews_id: str | None = None
    companion_mews_ids: tuple[str, ...] = ()
    company_mews_id: str | None = None
    service_mews_id: str | None = None
    #: The reservation's notes, oldest first. Never set in public `StayEvent`s.
    notes: tuple[StayNote, ...] = ()


class RoomSnapshot(Snapshot, frozen=True, kw_only=True):
    """A Mews resource (a room, mostly): its name (the room number) and housekeeping state."""

    mews_id: str
    mews_updated_utc: datetime
    name: str | None = None
    #: Mews's resource state verbatim: Dirty, Clean, Inspected, OutOfService, OutOfOrder.
    state: str | None = None
    category_name: str | None = None
    is_active: bool = True


class VendorSnapshot(Snapshot, frozen=True, kw_only=True):
    vendor_id: str
    name: str
    category: str
    #: Never set in public `VendorEvent`s (a vendor is often one person): ask the vendors API.
    contact_email: str | None = None
    #: Never set in public `VendorEvent`s, like `contact_email`.
    contact_phone: str | None = None
    is_active: bool = True
    #: A vendor may be a Mews company (partner); then its id and version are kept.
    mews_id: str | None = None
    mews_updated_utc: datetime | None = None


class CompanySnapshot(Snapshot, frozen=True, kw_only=True):
    """A Mews company (corporate account, travel agency, a vendor's own legal entity): what
    the platform needs to name it and link a vendor to it. No contact person, email, phone
    or notes: those are often one person's own data and nothing here uses them."""

    mews_id: str
    mews_updated_utc: datetime
    name: str
    is_active: bool = True
    #: Set when Mews merged this company into another account.
    merge_target_mews_id: str | None = None
    iata: str | None = None


class BookingState(enum.StrEnum):
    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    FULFILLED = "fulfilled"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    #: Fulfilled, then its charge was cancelled (taken off the guest's bill).
    REFUNDED = "refunded"


class BookingSnapshot(Snapshot, frozen=True, kw_only=True):
    booking_id: str
    vendor_id: str
    offering_id: str
    guest_id: str
    stay_id: str | None = None
    quantity: int
    scheduled_for: datetime | None = None
    #: Free text about the guest's wishes (often health or diet): never set in public
    #: `BookingEvent`s; the vendors API shows it to those allowed.
    notes: str | None = None
    state: BookingState


class ChargeState(enum.StrEnum):
    #: Sent to Mews (or about to be); the answer makes it posted or failed.
    PENDING = "pending"
    POSTED = "posted"
    FAILED = "failed"
    #: Held until a manager of its property approves it; nothing is sent to Mews before.
    PENDING_APPROVAL = "pending_approval"
    #: A manager refused it; never sent to Mews.
    REJECTED = "rejected"
    #: A manager cancelled it; being taken off the guest's Mews bill (once).
    CANCELLING = "cancelling"
    #: Off the guest's bill (cancelled or offset in Mews), or cancelled before it got there.
    CANCELLED = "cancelled"
    #: Mews would not take it back; the reason says why, a manager may try again.
    CANCEL_FAILED = "cancel_failed"


class ChargeSnapshot(Snapshot, frozen=True, kw_only=True):
    charge_id: str
    vendor_id: str
    booking_id: str | None = None
    guest_id: str
    stay_id: str | None = None
    description: str
    quantity: int
    unit_amount: Decimal
    currency: str
    state: ChargeState
    mews_order_id: str | None = None
    failure_reason: str | None = None
    #: What rebates made in Mews took off the charge (reconciliation); None: none seen.
    mews_rebated_amount: Decimal | None = None


class UserRole(enum.StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    FRONT_DESK = "front_desk"
    VENDOR = "vendor"


class UserSnapshot(Snapshot, frozen=True, kw_only=True):
    """A staff or vendor account with its email: what the users service knows, never public
    (`PublicUserSnapshot` is what `UserEvent` carries)."""

    user_id: str
    email: str
    name: str
    role: UserRole
    vendor_id: str | None = None
    is_active: bool = True


class PublicUserSnapshot(Snapshot, frozen=True, kw_only=True):
    """A staff or vendor account as public events show it: no email (v2 of `user.event`)."""

    user_id: str
    name: str
    role: UserRole
    vendor_id: str | None = None
    is_active: bool = True


class RestrictedGuestSnapshot(Snapshot, frozen=True, kw_only=True):
    """The personal data of a guest that public events leave out, for the hotel systems an
    operator granted the restricted subjects (`RestrictedGuestEvent`)."""

    guest_id: str
    mews_id: str
    mews_updated_utc: datetime
    email: str | None = None
    phone: str | None = None
    birth_date: date | None = None
    nationality_code: str | None = None
    #: Mews classifications can say more than VIP (disabled person, blacklist, complaint).
    classifications: tuple[str, ...] = ()
    #: The company the guest belongs to ties a person to an employer.
    company_mews_id: str | None = None
    notes: str | None = None


class PropertySnapshot(Snapshot, frozen=True, kw_only=True):
    """A hotel as Mews knows it (`configuration/get` → `Enterprise`): what the platform shows
    and computes with (its name, its IANA time zone for the hotel day, its currency and
    whether its prices include tax)."""

    enterprise_id: str
    name: str
    short_name: str | None = None
    #: IANA, e.g. "Europe/London": every date a person sees is the hotel's local date.
    time_zone: str
    default_currency: str
    #: The currencies the hotel has enabled (ISO 4217), the default among them.
    currencies: tuple[str, ...] = ()
    #: "gross": prices include tax (UK, EU); "net": tax is added on top (US).
    pricing: Literal["gross", "net"]
    default_language_code: str | None = None
    address_line1: str | None = None
    city: str | None = None
    postal_code: str | None = None
    country_code: str | None = None
    chain_name: str | None = None
    mews_updated_utc: datetime | None = None


class CatalogueService(Snapshot, frozen=True, kw_only=True):
    """A Mews service of a hotel: "bookable" (stays) or "additional" (spa, restaurant,
    transfers...: where a vendor's charges are posted)."""

    mews_id: str
    name: str
    kind: Literal["bookable", "additional"]
    is_active: bool
    ordering: int = 0


class CatalogueProduct(Snapshot, frozen=True, kw_only=True):
    """A Mews product of a service, with its price as the hotel states it (gross or net as
    the property's pricing says)."""

    mews_id: str
    service_mews_id: str
    name: str
    is_active: bool
    unit_amount: Decimal | None = None
    currency: str | None = None
    accounting_category_mews_id: str | None = None
