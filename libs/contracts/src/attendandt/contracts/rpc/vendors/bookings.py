"""Bookings and their workflow: requested, confirmed or declined, fulfilled (charged) or
cancelled (`create_booking` ... `list_bookings`)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import msgspec

from attendandt.contracts.base import Payload, RpcMethod
from attendandt.contracts.rpc.vendors.charges import ChargeView
from attendandt.contracts.rpc.vendors.fields import (
    AwareDatetime,
    Id,
    IdempotencyKey,
    Limit,
    LongText,
    Offset,
    Quantity,
)
from attendandt.contracts.snapshots import BookingState


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


CREATE_BOOKING = RpcMethod("vendors", "create_booking", CreateBookingRequest, BookingResponse)
CONFIRM_BOOKING = RpcMethod("vendors", "confirm_booking", ConfirmBookingRequest, BookingResponse)
DECLINE_BOOKING = RpcMethod("vendors", "decline_booking", DeclineBookingRequest, BookingResponse)
FULFIL_BOOKING = RpcMethod("vendors", "fulfil_booking", FulfilBookingRequest, FulfilBookingResponse)
CANCEL_BOOKING = RpcMethod("vendors", "cancel_booking", CancelBookingRequest, BookingResponse)
GET_BOOKING = RpcMethod("vendors", "get_booking", GetBookingRequest, BookingResponse)
LIST_BOOKINGS = RpcMethod("vendors", "list_bookings", ListBookingsRequest, BookingPage)
