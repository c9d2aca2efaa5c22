"""Guests: search, one guest's detail with its stays, timeline and edits (`search`, `get_guest`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from attendandt.contracts.base import Payload, RpcMethod
from attendandt.contracts.rpc.guests.edits import GuestEditView, SyncState
from attendandt.contracts.rpc.guests.parts import Limit, _Part
from attendandt.contracts.rpc.guests.stays import StayView
from attendandt.contracts.snapshots import BookingSnapshot, ChargeSnapshot


class GuestView(_Part, frozen=True, kw_only=True):
    guest_id: str
    enterprise_id: str
    mews_id: str
    mews_updated_utc: datetime
    synced_at: datetime
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
    #: Set when Mews merged this profile into another one; the guest id when we have it.
    merge_target_mews_id: str | None = None
    merge_target_guest_id: str | None = None
    #: Where the guest's edits made here are (only for callers who see contact details).
    sync_state: SyncState = "in_step"


class TimelineEntry(_Part, frozen=True, kw_only=True):
    """One thing that happened to a guest, newest first in a timeline.

    kind `stay`: one entry per stay at its (actual, else scheduled) start, `event` its state;
    kind `booking` / `charge`: one entry per vendor event, with the snapshot it carried.
    """

    kind: Literal["stay", "booking", "charge"]
    at: datetime
    event: str
    #: The stay, booking or charge id.
    ref_id: str
    stay_id: str | None = None
    booking: BookingSnapshot | None = None
    charge: ChargeSnapshot | None = None


class SearchGuestsRequest(Payload, frozen=True, kw_only=True):
    """Guests whose first or last name, full name or email starts with `query`, whose phone
    ends with its digits (5 or more), who are on a stay with reservation number `query`, or
    who are (owner or companion) on a stay currently in room `query`: checked in, or due in
    today (confirmed or optional, scheduled to start before the hotel's next midnight and
    not yet ended). Case-insensitive. An empty query lists every guest.
    Order: last name, first name, guest id.

    Version 2: `timezone` is optional and, left out, "today" is the hotel's own (as for the
    day lists). Version 1 defaulted to UTC; a version-1 body still decodes (a zone it names
    is obeyed, one it left out now means the hotel's)."""

    SCHEMA = "guests.search_request"
    VERSION = 2
    enterprise_id: str
    query: Annotated[str, msgspec.Meta(max_length=200)] = ""
    #: An IANA time zone: where "today" ends for a room search. None: the property's own
    #: zone (UTC while the property is not known yet).
    timezone: str | None = None
    #: Inactive and merged-away profiles are left out unless asked for.
    include_inactive: bool = False
    limit: Limit = 50
    cursor: str | None = None


class GuestPage(Payload, frozen=True, kw_only=True):
    SCHEMA = "guests.guest_page"
    items: tuple[GuestView, ...]
    next_cursor: str | None = None


class GetGuestRequest(Payload, frozen=True, kw_only=True):
    """One guest by our `guest_id` or by the Mews customer id (`mews_id`): exactly one."""

    SCHEMA = "guests.get_guest_request"
    enterprise_id: str
    guest_id: str | None = None
    mews_id: str | None = None
    #: How many stays and timeline entries to include (newest first).
    stays_limit: Limit = 50
    timeline_limit: Limit = 100
    #: Why it is read: a staff view (`detail`) or an access request's export (`export`);
    #: the access log records which.
    purpose: Literal["detail", "export"] = "detail"


class GuestDetail(Payload, frozen=True, kw_only=True):
    SCHEMA = "guests.guest_detail"
    guest: GuestView
    stays: tuple[StayView, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()
    #: The guest's edits made here, newest first: every open one and the last few settled
    #: (empty for callers without `CONTACT_READ`).
    edits: tuple[GuestEditView, ...] = ()


SEARCH = RpcMethod("guests", "search", SearchGuestsRequest, GuestPage)
GET_GUEST = RpcMethod("guests", "get_guest", GetGuestRequest, GuestDetail)
