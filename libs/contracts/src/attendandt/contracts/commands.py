"""Domain commands: sync and the publisher → the domain services, on `cmd.v1.<service>.<verb>`.

The DOMAIN_COMMANDS stream is a work queue; each service consumes only its own subjects.
Every command carries a `command_id` its consumer records in an inbox, so a redelivery has no
second effect.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

import msgspec

from attendandt.contracts.base import Payload, Subject
from attendandt.contracts.bills import StayBillSnapshot
from attendandt.contracts.erasure import (
    ERASE_GUEST_IN_GUESTS,
    ERASE_GUEST_IN_VENDORS,
    RECORD_ERASURE_RECEIPT,
)
from attendandt.contracts.guest_fields import FieldValue
from attendandt.contracts.snapshots import (
    CatalogueProduct,
    CatalogueService,
    CompanySnapshot,
    GuestSnapshot,
    PropertySnapshot,
    RoomSnapshot,
    StaySnapshot,
    UserRole,
    VendorSnapshot,
)
from attendandt.contracts.versioning import content_digest


class Command(Payload, frozen=True, kw_only=True):
    command_id: str
    enterprise_id: str
    issued_at: datetime


class UpsertGuest(Command, frozen=True, kw_only=True):
    """Create or update a guest from a Mews customer; older Mews versions are ignored."""

    SCHEMA = "guests.upsert_guest"
    guest: GuestSnapshot


class UpsertStay(Command, frozen=True, kw_only=True):
    """Create or update a stay from a Mews reservation; older Mews versions are ignored."""

    SCHEMA = "guests.upsert_stay"
    stay: StaySnapshot


class UpsertStayBill(Command, frozen=True, kw_only=True):
    """Set what was charged and paid for one stay (`contracts.bills`): the whole picture,
    replacing the one held. Versions are ordered by `bill.mews_updated_utc`, then by when
    sync read them (`issued_at`); an older one is ignored. Sync sends one per stay whose
    reservation changed, per stay a `PaymentUpdated` webhook named, and for in-house and
    recently departed stays on a bounded periodic pass. A stay not known yet is kept for
    when it arrives (the bill is stored by the Mews reservation id)."""

    SCHEMA = "guests.upsert_stay_bill"
    bill: StayBillSnapshot


class UpsertRoom(Command, frozen=True, kw_only=True):
    """Create or update a room from a Mews resource; older Mews versions are ignored."""

    SCHEMA = "guests.upsert_room"
    room: RoomSnapshot


class UpsertVendor(Command, frozen=True, kw_only=True):
    """Create or update a vendor (e.g. from a Mews partner company)."""

    SCHEMA = "vendors.upsert_vendor"
    vendor: VendorSnapshot


class UpsertCompany(Command, frozen=True, kw_only=True):
    """Create or update what vendors knows of a Mews company; older Mews versions are
    ignored. A vendor linked to the company learns of the change (its own name is kept)."""

    SCHEMA = "vendors.upsert_company"
    company: CompanySnapshot


class UpsertUser(Command, frozen=True, kw_only=True):
    """Create or update a staff or vendor account (e.g. provisioning from another system)."""

    SCHEMA = "users.upsert_user"
    email: str
    name: str
    role: UserRole
    vendor_id: str | None = None
    external_subject: str | None = None
    is_active: bool = True


class RecordChargeResult(Command, frozen=True, kw_only=True):
    """The publisher's outcome of posting a charge to Mews."""

    SCHEMA = "vendors.record_charge_result"
    charge_id: str
    posted: bool
    mews_order_id: str | None = None
    failure_reason: str | None = None
    #: True when Mews refused for good (400/403); False for e.g. a retry budget exhausted.
    permanent: bool = False


class CancellationMethod(enum.StrEnum):
    #: The charge's order items were cancelled in Mews (orderItems/cancel).
    ORDER_ITEMS_CANCELLED = "order_items_cancelled"
    #: Mews would not cancel them (closed bill, operation not granted): negative items offset
    #: them on the guest's open bill.
    REBATED = "rebated"
    #: Nothing of the charge had reached Mews: nothing to take back.
    NOT_IN_MEWS = "not_in_mews"
    #: Mews's staff cancelled its order items in Mews (seen by reconciliation).
    CANCELLED_IN_MEWS = "cancelled_in_mews"
    #: Mews's staff offset its order items with rebates in Mews (seen by reconciliation).
    REBATED_IN_MEWS = "rebated_in_mews"


class RecordChargeCancellation(Command, frozen=True, kw_only=True):
    """The publisher's outcome of taking a charge off the guest's Mews bill (CancelCharge)."""

    SCHEMA = "vendors.record_charge_cancellation"
    charge_id: str
    cancelled: bool
    method: CancellationMethod | None = None
    #: The charge's order items in Mews (cancelled, or offset by the rebate).
    order_item_ids: tuple[str, ...] = ()
    #: The order of the rebate's negative items, when rebated.
    rebate_order_id: str | None = None
    failure_reason: str | None = None
    #: True when Mews refused for good; False for e.g. a retry budget exhausted.
    permanent: bool = False


#: What Mews holds of a posted charge's order items, summed: every item "canceled", some
#: "closed" on a bill (the guest paid: Mews closes a bill once it is settled), "open", or
#: "missing" (no item carrying the charge's reference in its order).
MewsChargeState = Literal["open", "closed", "canceled", "missing"]


class RecordChargeInMews(Command, frozen=True, kw_only=True):
    """What Mews holds of a posted charge, as sync's reconciliation read it
    (`orderItems/getAll`). Sent only when it differs from what vendors last recorded. Last
    write wins on `mews_updated_utc` (the newest UpdatedUtc of the charge's items and of the
    rebates offsetting them), then on when sync read it (`issued_at`); `content_digest` tells
    a repeat. A charge cancelled in Mews becomes cancelled (`charge.cancelled`); one offset by
    rebates made in Mews announces `charge.rebated` (cancelled when offset in full)."""

    SCHEMA = "vendors.record_charge_in_mews"
    charge_id: str
    state: MewsChargeState
    #: The charge's order items (those carrying its reference), in Mews's order.
    order_item_ids: tuple[str, ...] = ()
    #: Sum of UnitCount and of the items' amounts (gross in a gross-pricing hotel, else
    #: net), over the items not canceled; None when missing or all canceled.
    quantity: int | None = None
    amount: Decimal | None = None
    currency: str | None = None
    #: What rebates made in Mews take off the charge (positive; 0 when none).
    rebated_amount: Decimal = Decimal(0)
    #: Every item not canceled is on a closed bill: the guest's bill is paid.
    bill_closed: bool = False
    mews_updated_utc: datetime | None = None

    def content_digest(self) -> str:
        """A short hash of what Mews holds (not of when it was read)."""
        return content_digest(
            (
                self.state,
                self.order_item_ids,
                self.quantity,
                self.amount,
                self.currency,
                self.rebated_amount,
                self.bill_closed,
            )
        )


class EditFieldOutcome(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=False):
    """What became of one field of a staff edit in Mews.

    `applied`: Mews holds our value (written now, or already there); `conflict`: Mews held
    neither the value the user saw nor ours, so nothing was written for it; `failed`: Mews
    refused the write. `mews_value` is what Mews holds after this round."""

    field: str
    outcome: Literal["applied", "conflict", "failed"]
    mews_value: FieldValue = None


class RecordGuestEditResult(Command, frozen=True, kw_only=True):
    """The publisher's outcome of one round of a staff edit of a guest (customers/update)."""

    SCHEMA = "guests.record_edit_result"
    edit_id: str
    edit_round: int
    customer_mews_id: str
    outcomes: tuple[EditFieldOutcome, ...] = ()
    #: Whether customers/update was called and answered in this round.
    written: bool = False
    #: Mews's UpdatedUtc after this round: the update's answer, else the version read.
    mews_updated_utc: datetime | None = None
    failure_reason: str | None = None
    #: True when Mews refused for good (400/403); False for e.g. a retry budget exhausted.
    permanent: bool = False


#: What became of a stay note written to Mews: there (`applied`), not written because Mews
#: holds another text than the user saw (`conflict`), refused or never reached (`failed`).
StayNoteOutcome = Literal["applied", "conflict", "failed"]


class RecordStayNoteResult(Command, frozen=True, kw_only=True):
    """The publisher's outcome of one staff note write (serviceOrderNotes/add or /update)."""

    SCHEMA = "guests.record_stay_note_result"
    write_id: str
    reservation_mews_id: str
    outcome: StayNoteOutcome
    #: The note in Mews (the one added, or the one updated); None when it never got there.
    note_mews_id: str | None = None
    #: The note's text as Mews holds it after this write (or Mews's, in a conflict).
    mews_text: str | None = None
    mews_updated_utc: datetime | None = None
    failure_reason: str | None = None


class UpsertProperty(Command, frozen=True, kw_only=True):
    """Create or update a hotel from its Mews configuration; last write wins on the
    configuration's UpdatedUtc and the content's digest (an older version is ignored)."""

    SCHEMA = "guests.upsert_property"
    property: PropertySnapshot


class UpsertCatalogue(Command, frozen=True, kw_only=True):
    """A hotel's whole catalogue: the property (currency, pricing), every Mews service and
    every product of those services. It replaces what was known of that property's
    catalogue (a service or product left out is gone). Versions are ordered by
    `mews_updated_utc`, then by when sync read them (`issued_at`); an older one is ignored,
    one with the same content (`content_digest`) changes nothing."""

    SCHEMA = "vendors.upsert_catalogue"
    property: PropertySnapshot
    services: tuple[CatalogueService, ...] = ()
    products: tuple[CatalogueProduct, ...] = ()
    #: The newest UpdatedUtc of the configuration, the services and the products.
    mews_updated_utc: datetime | None = None

    def content_digest(self) -> str:
        """A short hash of what the catalogue says (not of when it was read)."""
        return content_digest((self.property, self.services, self.products))


UPSERT_GUEST = Subject("cmd.v1.guests.upsert_guest", UpsertGuest)
UPSERT_STAY = Subject("cmd.v1.guests.upsert_stay", UpsertStay)
UPSERT_ROOM = Subject("cmd.v1.guests.upsert_room", UpsertRoom)
UPSERT_STAY_BILL = Subject("cmd.v1.guests.upsert_stay_bill", UpsertStayBill)
UPSERT_VENDOR = Subject("cmd.v1.vendors.upsert_vendor", UpsertVendor)
UPSERT_COMPANY = Subject("cmd.v1.vendors.upsert_company", UpsertCompany)
UPSERT_USER = Subject("cmd.v1.users.upsert_user", UpsertUser)
RECORD_CHARGE_RESULT = Subject("cmd.v1.vendors.record_charge_result", RecordChargeResult)
RECORD_CHARGE_CANCELLATION = Subject(
    "cmd.v1.vendors.record_charge_cancellation", RecordChargeCancellation
)
RECORD_CHARGE_IN_MEWS = Subject("cmd.v1.vendors.record_charge_in_mews", RecordChargeInMews)
UPSERT_PROPERTY = Subject("cmd.v1.guests.upsert_property", UpsertProperty)
UPSERT_CATALOGUE = Subject("cmd.v1.vendors.upsert_catalogue", UpsertCatalogue)
RECORD_GUEST_EDIT_RESULT = Subject("cmd.v1.guests.record_edit_result", RecordGuestEditResult)
RECORD_STAY_NOTE_RESULT = Subject("cmd.v1.guests.record_stay_note_result", RecordStayNoteResult)

#: Every command subject: a command on any other `cmd.v1.` subject has no consumer and is
#: dead-lettered (`platform.unrouted`). A new command is added here.
COMMANDS: tuple[Subject[Any], ...] = (
    UPSERT_GUEST,
    UPSERT_STAY,
    UPSERT_ROOM,
    UPSERT_STAY_BILL,
    UPSERT_VENDOR,
    UPSERT_COMPANY,
    UPSERT_USER,
    RECORD_CHARGE_RESULT,
    RECORD_CHARGE_CANCELLATION,
    RECORD_CHARGE_IN_MEWS,
    UPSERT_PROPERTY,
    UPSERT_CATALOGUE,
    RECORD_GUEST_EDIT_RESULT,
    RECORD_STAY_NOTE_RESULT,
    ERASE_GUEST_IN_GUESTS,
    ERASE_GUEST_IN_VENDORS,
    RECORD_ERASURE_RECEIPT,
)


def service_commands(service: str) -> str:
    """Filter subject of one service's commands, e.g. `cmd.v1.guests.>`."""
    return f"cmd.v1.{service}.>"
