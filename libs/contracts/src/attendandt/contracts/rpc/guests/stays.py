"""One stay: its view (`get_stay`), its public state (`public_stay`) and its bill (`stay_bill`)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from attendandt.contracts.base import Payload, RpcMethod
from attendandt.contracts.bills import StayBillSnapshot
from attendandt.contracts.rpc.guests.notes import StayNoteView, StayNoteWriteView
from attendandt.contracts.rpc.guests.parts import _Part
from attendandt.contracts.snapshots import StaySnapshot, StayState


class StayGuestView(_Part, frozen=True, kw_only=True):
    """A customer on a stay. `guest_id` is None until that customer has been synced."""

    customer_mews_id: str
    role: Literal["owner", "companion"]
    guest_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None


class StayView(_Part, frozen=True, kw_only=True):
    stay_id: str
    enterprise_id: str
    mews_id: str
    mews_updated_utc: datetime
    synced_at: datetime
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
    company_mews_id: str | None = None
    service_mews_id: str | None = None
    #: Owner first, then companions in Mews order.
    guests: tuple[StayGuestView, ...] = ()
    #: The reservation's notes, oldest first; empty for callers without `CONTACT_READ`.
    notes: tuple[StayNoteView, ...] = ()
    #: The housekeeping state of the stay's room as Mews reports it (Dirty, Clean,
    #: Inspected, OutOfService, OutOfOrder); None when the room is not known yet.
    room_state: str | None = None
    #: The type of the stay's room (its Mews resource category, e.g. "Deluxe King"), named
    #: in the hotel's language; None when the room or its type is not known. Like
    #: `room_state`, for callers with `CONTACT_READ` only.
    room_category: str | None = None


class GetStayRequest(Payload, frozen=True, kw_only=True):
    """One stay by our `stay_id` or by the Mews reservation id (`mews_id`): exactly one."""

    SCHEMA = "guests.get_stay_request"
    enterprise_id: str
    stay_id: str | None = None
    mews_id: str | None = None


class StayDetail(Payload, frozen=True, kw_only=True):
    SCHEMA = "guests.stay_detail"
    stay: StayView
    #: The stay's note writes made here, newest first (for callers who may read notes).
    note_writes: tuple[StayNoteWriteView, ...] = ()


class PublicStayRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "guests.public_stay_request"
    enterprise_id: str
    stay_id: str


class PublicStay(Payload, frozen=True, kw_only=True):
    """A stay as its public event carries it: the snapshot without notes, and the ids of the
    stay's customers that are known as guests (owner first, then companions)."""

    SCHEMA = "guests.public_stay"
    enterprise_id: str
    stay_id: str
    stay: StaySnapshot
    guest_ids: tuple[str, ...] = ()


class StayBillRequest(Payload, frozen=True, kw_only=True):
    """What was charged and paid for one stay (`contracts.bills`). Hotel staff with
    `BILL_READ` only: a vendor caller, or one without it, is refused (`forbidden`); a stay of a
    property the caller does not act for is "not found"."""

    SCHEMA = "guests.stay_bill_request"
    enterprise_id: str
    stay_id: str


class StayBillReply(Payload, frozen=True, kw_only=True):
    """The stay's bill as last synced from Mews; `bill` is None until sync has read it.
    `currency` is the hotel's (for formatting), also before a bill is known."""

    SCHEMA = "guests.stay_bill"
    enterprise_id: str
    stay_id: str
    stay_mews_id: str
    currency: str | None = None
    bill: StayBillSnapshot | None = None
    synced_at: datetime | None = None


GET_STAY = RpcMethod("guests", "get_stay", GetStayRequest, StayDetail)
PUBLIC_STAY = RpcMethod("guests", "public_stay", PublicStayRequest, PublicStay)
STAY_BILL = RpcMethod("guests", "stay_bill", StayBillRequest, StayBillReply)
