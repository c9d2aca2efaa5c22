"""Charges: an ad-hoc charge, reading, listing and retrying them (`create_charge` ...
`list_charges`)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import msgspec

from attendandt.contracts.base import Payload, RpcMethod
from attendandt.contracts.rpc.vendors.fields import (
    AwareDatetime,
    Id,
    IdempotencyKey,
    Limit,
    LongText,
    Offset,
    Quantity,
    Text,
)
from attendandt.contracts.snapshots import ChargeState


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


CREATE_CHARGE = RpcMethod("vendors", "create_charge", CreateChargeRequest, ChargeResponse)
GET_CHARGE = RpcMethod("vendors", "get_charge", GetChargeRequest, ChargeResponse)
RETRY_CHARGE = RpcMethod("vendors", "retry_charge", RetryChargeRequest, ChargeResponse)
LIST_CHARGES = RpcMethod("vendors", "list_charges", ListChargesRequest, ChargePage)
