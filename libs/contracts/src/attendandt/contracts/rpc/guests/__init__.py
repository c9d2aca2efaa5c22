"""Request-reply contracts of the guests service (`rpc.v1.guests.<method>`).

Every request names the enterprise it asks about; a guest or stay of another enterprise is
"not found". Replies carry our ids (`guest_id`, `stay_id`) and the Mews ids beside them
(`mews_id` of the customer / reservation), which is what a charge posted to Mews needs.

Every method but `mews_versions` (reconciliation, service to service) is answered for the
caller in the `Attendandt-Caller` header (`contracts.caller`), never for anything in the body:
- an enterprise the caller may not act for: its guests and stays are "not found" (404, not
  403: no existence oracle) and its lists are empty;
- a vendor user (role vendor, `vendor_id`) sees only the guests and stays its vendor has
  bookings with, in the same shapes with the personal fields empty (email, phone, language,
  nationality, birth date, classifications, company, notes) and no timeline; its search
  matches names, rooms and reservation numbers, never an email or a phone;
- other callers get the personal fields when they hold `CONTACT_READ`.

Lists are pages in a stable order with an opaque `cursor`: pass a page's `next_cursor` to get
the next one; `next_cursor` is None on the last page. `limit` is 1..200.

Day lists (`arrivals`, `departures`, `in_house`) take the hotel's local `date` and, when the
caller wants another zone, an IANA `timezone`; without one the day is the property's own (its
Mews `TimeZoneIdentifier`, from `UpsertProperty`), and UTC only while the property is not
known yet. The day is the window from that local midnight to the next one, converted to UTC;
the reply says which zone it was taken in. (Version 2 of the request: version 1 defaulted to
UTC. The subject did not move: a version-1 caller either named its zone, which is still
obeyed, or relied on the UTC default, wrong for every hotel not on UTC, and now gets its
hotel's day.) Which stays are on each list is the front office's definition (HOTEL.md),
written down once in the guests service (`attendandt.guests.day_lists`): in short, arrivals
are due in on the day or already checked in (Confirmed, Optional, Started by scheduled start),
departures are due out or already checked out on the day (Started, Processed by scheduled end;
for a future day also Confirmed), and in house is who is checked in that night (today: exactly
the Started stays; a past day: who was checked in that night; a future day: who is expected).
Whether the day is past, today or future is decided by the service's clock in that time zone.
Cancelled stays are left out unless `include_cancelled`.

`public_stay` answers a stay as its public events carry it (`StayEvent`: no notes, no names;
the guests' ids): for a service that keeps a copy of stays (vendors) and whose copy lags what
the caller was shown. It is answered for that caller, forwarded by the service: one who may
act for the property and book or charge there (`PUBLIC_STAY_PERMISSIONS`).

`stay_bill` answers what was charged and paid for one stay (items, bills, payments, balance;
`contracts.bills`) to hotel staff who may act for its property; vendors never see bills.

`list_properties` answers the hotels the caller acts for (every known one for a
portfolio-wide caller), as Mews describes them (name, time zone, currency, pricing).

`edit_guest` records a staff edit of a guest (callers with `EDIT`, for a property they act
for) and queues its write to Mews; `resolve_conflicts` settles the fields of an edit that
met a newer value in Mews, one choice per field. A guest's `sync_state` says where its
edits are: `saving` until Mews has them, `conflict` while a field waits for a choice,
`in_step` otherwise. `edit_rules` / `set_edit_rules` are the hotel's standing choices per
field (Mews wins, we win, newest wins), applied instead of asking.
"""

from __future__ import annotations

from attendandt.contracts.base import Payload, RpcMethod
from attendandt.contracts.rpc.guests.day_lists import (
    ARRIVALS,
    DEPARTURES,
    IN_HOUSE,
    DayStaysRequest,
    StayPage,
)
from attendandt.contracts.rpc.guests.edits import (
    EDIT_GUEST,
    GET_EDIT_RULES,
    RESOLVE_CONFLICTS,
    SET_EDIT_RULES,
    ConflictChoice,
    EditAuditEntry,
    EditFieldState,
    EditFieldView,
    EditGuestRequest,
    EditRule,
    EditRules,
    EditRulesRequest,
    EditState,
    FieldChange,
    FieldRule,
    GuestEditReply,
    GuestEditView,
    ResolveConflictsRequest,
    SetEditRulesRequest,
    SyncState,
)
from attendandt.contracts.rpc.guests.examples import EXAMPLES
from attendandt.contracts.rpc.guests.notes import (
    WRITE_STAY_NOTE,
    NoteWriteState,
    StayNoteView,
    StayNoteWriteReply,
    StayNoteWriteView,
    WriteStayNoteRequest,
)
from attendandt.contracts.rpc.guests.parts import Limit
from attendandt.contracts.rpc.guests.permissions import (
    BILL_READ,
    CONTACT_READ,
    EDIT,
    EDIT_RULES,
    NOTES_WRITE,
    PUBLIC_STAY_PERMISSIONS,
)
from attendandt.contracts.rpc.guests.profiles import (
    GET_GUEST,
    SEARCH,
    GetGuestRequest,
    GuestDetail,
    GuestPage,
    GuestView,
    SearchGuestsRequest,
    TimelineEntry,
)
from attendandt.contracts.rpc.guests.properties import (
    LIST_PROPERTIES,
    ListPropertiesRequest,
    PropertyList,
    PropertyView,
)
from attendandt.contracts.rpc.guests.reconciliation import (
    MEWS_VERSIONS,
    MewsVersions,
    MewsVersionsRequest,
)
from attendandt.contracts.rpc.guests.stays import (
    GET_STAY,
    PUBLIC_STAY,
    STAY_BILL,
    GetStayRequest,
    PublicStay,
    PublicStayRequest,
    StayBillReply,
    StayBillRequest,
    StayDetail,
    StayGuestView,
    StayView,
)

METHODS: tuple[RpcMethod[Payload, Payload], ...] = (
    MEWS_VERSIONS,
    SEARCH,
    GET_GUEST,
    GET_STAY,
    ARRIVALS,
    DEPARTURES,
    IN_HOUSE,
    LIST_PROPERTIES,
    PUBLIC_STAY,
    STAY_BILL,
    EDIT_GUEST,
    RESOLVE_CONFLICTS,
    GET_EDIT_RULES,
    SET_EDIT_RULES,
    WRITE_STAY_NOTE,
)  # type: ignore[assignment]

__all__ = [
    "ARRIVALS",
    "BILL_READ",
    "CONTACT_READ",
    "DEPARTURES",
    "EDIT",
    "EDIT_GUEST",
    "EDIT_RULES",
    "EXAMPLES",
    "GET_EDIT_RULES",
    "GET_GUEST",
    "GET_STAY",
    "IN_HOUSE",
    "LIST_PROPERTIES",
    "METHODS",
    "MEWS_VERSIONS",
    "NOTES_WRITE",
    "PUBLIC_STAY",
    "PUBLIC_STAY_PERMISSIONS",
    "RESOLVE_CONFLICTS",
    "SEARCH",
    "SET_EDIT_RULES",
    "STAY_BILL",
    "WRITE_STAY_NOTE",
    "ConflictChoice",
    "DayStaysRequest",
    "EditAuditEntry",
    "EditFieldState",
    "EditFieldView",
    "EditGuestRequest",
    "EditRule",
    "EditRules",
    "EditRulesRequest",
    "EditState",
    "FieldChange",
    "FieldRule",
    "GetGuestRequest",
    "GetStayRequest",
    "GuestDetail",
    "GuestEditReply",
    "GuestEditView",
    "GuestPage",
    "GuestView",
    "Limit",
    "ListPropertiesRequest",
    "MewsVersions",
    "MewsVersionsRequest",
    "NoteWriteState",
    "PropertyList",
    "PropertyView",
    "PublicStay",
    "PublicStayRequest",
    "ResolveConflictsRequest",
    "SearchGuestsRequest",
    "SetEditRulesRequest",
    "StayBillReply",
    "StayBillRequest",
    "StayDetail",
    "StayGuestView",
    "StayNoteView",
    "StayNoteWriteReply",
    "StayNoteWriteView",
    "StayPage",
    "StayView",
    "SyncState",
    "TimelineEntry",
    "WriteStayNoteRequest",
]
