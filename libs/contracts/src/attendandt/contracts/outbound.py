"""Writes to Mews: a domain service → mews-publisher, on `mews.v1.<enterprise>.outbound.<verb>`.

MEWS_OUTBOX is a work queue; the publisher is the only consumer and the only writer to Mews.
Results come back to the owning service as a domain command (e.g. RecordChargeResult,
RecordChargeCancellation).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import msgspec

from attendandt.contracts.base import Payload, Subject
from attendandt.contracts.guest_fields import FieldValue


class ChargeLine(msgspec.Struct, frozen=True, kw_only=True):
    """One item on the order: an ad-hoc item, or a Mews product when `product_id` is set."""

    name: str
    unit_count: int
    unit_amount: Decimal
    currency: str
    #: Gross (tax included) or net amount, per the enterprise's pricing.
    amount_is_gross: bool = True
    tax_codes: tuple[str, ...] = ()
    accounting_category_id: str | None = None
    product_id: str | None = None


class PostCharge(Payload, frozen=True, kw_only=True):
    """Post one charge to a guest's Mews account, linked to the stay (orders/add)."""

    SCHEMA = "outbound.post_charge"
    command_id: str
    enterprise_id: str
    charge_id: str
    #: Our reference, written into the order's ExternalIdentifier so it can be found again.
    reference: str
    account_id: str
    service_id: str
    linked_reservation_id: str | None = None
    lines: tuple[ChargeLine, ...]
    consumption_utc: datetime | None = None
    notes: str | None = None
    requested_at: datetime


class CancelCharge(Payload, frozen=True, kw_only=True):
    """Take a posted charge off the guest's Mews bill, once: its order items are cancelled
    (orderItems/cancel), or, where Mews will not cancel them (an item on a closed bill, the
    Restricted operation not granted), offset by a rebate (the same items again with negative
    amounts, orders/add). The reason stays with vendors: the guest reads the bill."""

    SCHEMA = "outbound.cancel_charge"
    command_id: str
    enterprise_id: str
    charge_id: str
    #: The charge's reference: the ExternalIdentifier of every item posted for it.
    reference: str
    account_id: str
    service_id: str
    #: The order posted for the charge; None when vendors never heard it posted (the charge
    #: failed or is still being posted): the publisher then finds it, if any, by reference.
    mews_order_id: str | None = None
    linked_reservation_id: str | None = None
    #: How a rebate's amounts are given (the enterprise's pricing: gross or net).
    amount_is_gross: bool = True
    requested_at: datetime


class CustomerFieldChange(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=False):
    """One field of a staff edit: set it to `value` if Mews still holds `base` (what the
    user saw), else report Mews's value as a conflict. `field` is one of
    `guest_fields.CUSTOMER_FIELDS` (our name)."""

    field: str
    value: FieldValue
    base: FieldValue = None


class UpdateCustomer(Payload, frozen=True, kw_only=True):
    """Change a guest's Mews profile (customers/update; omitted fields stay as they are).

    A staff edit (`edit_id` set) carries its `changes`, each with the value the user saw:
    the publisher reads the customer first and writes only the fields Mews still holds as
    the user saw them; the others are reported as conflicts (RecordGuestEditResult). One
    command per round of an edit (a conflict resolved "ours" is the next round). Without
    `edit_id`, `email`, `phone` and `notes` are written as they are."""

    SCHEMA = "outbound.update_customer"
    command_id: str
    enterprise_id: str
    customer_id: str
    email: str | None = None
    phone: str | None = None
    notes: str | None = None
    requested_at: datetime
    edit_id: str | None = None
    edit_round: int = 0
    changes: tuple[CustomerFieldChange, ...] = ()


class WriteStayNote(Payload, frozen=True, kw_only=True):
    """A staff note on a stay, for Mews: `serviceOrderNotes/add` when `note_mews_id` is None,
    else `serviceOrderNotes/update` of that note, written only if Mews still holds
    `base_text` (what the user saw); another text there is a conflict, never overwritten.
    One command per write (`write_id`); the publisher reports RecordStayNoteResult."""

    SCHEMA = "outbound.write_stay_note"
    command_id: str
    enterprise_id: str
    write_id: str
    #: The reservation (Mews service order) the note is on.
    reservation_id: str
    note_mews_id: str | None = None
    text: str
    base_text: str | None = None
    requested_at: datetime


POST_CHARGE = Subject("mews.v1.{enterprise}.outbound.post_charge", PostCharge)
CANCEL_CHARGE = Subject("mews.v1.{enterprise}.outbound.cancel_charge", CancelCharge)
UPDATE_CUSTOMER = Subject("mews.v1.{enterprise}.outbound.update_customer", UpdateCustomer)
WRITE_STAY_NOTE = Subject("mews.v1.{enterprise}.outbound.write_stay_note", WriteStayNote)
