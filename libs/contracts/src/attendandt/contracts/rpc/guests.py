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

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from attendandt.contracts.base import Payload, RpcMethod
from attendandt.contracts.bills import EXAMPLE_BILL, StayBillSnapshot
from attendandt.contracts.guest_fields import FieldValue
from attendandt.contracts.snapshots import (
    BookingSnapshot,
    BookingState,
    ChargeSnapshot,
    ChargeState,
    StaySnapshot,
    StayState,
)

Limit = Annotated[int, msgspec.Meta(ge=1, le=200)]

#: The permission (in `Caller.permissions`) to see a guest's contact details, birth date,
#: notes, company and timeline; the gateway's permission table grants it.
CONTACT_READ = "guests:contact:read"
#: The permission to read a stay's bill (`stay_bill`): hotel staff at the desk and above.
BILL_READ = "stays:bill:read"
#: The permission to change a guest (written to Mews) and to settle an edit's conflicts.
EDIT = "guests:edit"
#: The permission to set the hotel's standing choices for conflicts (`set_edit_rules`).
EDIT_RULES = "guests:edit:rules"

#: The permission to add or change a stay's notes (written to Mews).
NOTES_WRITE = "stays:notes:write"

#: Where a guest's edits are: all in Mews, some on their way, some waiting for a choice.
SyncState = Literal["in_step", "saving", "conflict"]
#: One field of an edit: on its way (`saving`), in Mews (`in_step`), met a newer value in
#: Mews (`conflict`), settled by keeping Mews's value (`kept_mews`), refused by Mews
#: (`failed`), or already so when edited (`unchanged`).
EditFieldState = Literal["saving", "in_step", "conflict", "kept_mews", "failed", "unchanged"]
EditState = Literal["saving", "in_step", "conflict", "failed"]
#: A hotel's standing choice for a field's conflicts; `ask`: the user chooses.
EditRule = Literal["ask", "mews_wins", "we_win", "newest_wins"]


class _Part(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=False):
    pass


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


class EditFieldView(_Part, frozen=True, kw_only=True):
    """One field of an edit: our value, the one the user saw, and Mews's in a conflict."""

    field: str
    value: FieldValue = None
    base: FieldValue = None
    #: What Mews holds: set in a conflict (and after one was settled).
    mews_value: FieldValue = None
    state: EditFieldState
    #: How a conflict was settled: `ours`, `mews`, or `rule:<rule>`; who did it.
    resolution: str | None = None
    resolved_by: str | None = None


class EditAuditEntry(_Part, frozen=True, kw_only=True):
    """One step of an edit's history: who (a user id, `mews` for what Mews answered or sent
    back, `rule` for the hotel's rule) did what (`edited`, `written` or `checked` by the
    publisher, `in_step` on Mews's echo, `resolved`, `superseded`) to which fields."""

    at: datetime
    actor: str
    action: str
    edit_round: int = 0
    fields: tuple[str, ...] = ()


class GuestEditView(_Part, frozen=True, kw_only=True):
    edit_id: str
    guest_id: str
    author_user_id: str
    created_at: datetime
    #: The guest's Mews version the user saw (its UpdatedUtc).
    base_version: datetime
    state: EditState
    fields: tuple[EditFieldView, ...] = ()
    #: Why Mews refused, when it did.
    failure: str | None = None
    #: The edit's history, oldest first (its audit).
    history: tuple[EditAuditEntry, ...] = ()


class StayGuestView(_Part, frozen=True, kw_only=True):
    """A customer on a stay. `guest_id` is None until that customer has been synced."""

    customer_mews_id: str
    role: Literal["owner", "companion"]
    guest_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None


class StayNoteView(_Part, frozen=True, kw_only=True):
    """A note on a stay, as staff read it (Mews note types: General, ChannelManager,
    SpecialRequest)."""

    text: str
    type: str
    #: The note's id in Mews: what a change of it names.
    mews_id: str | None = None


#: A staff note write: on its way to Mews (`saving`), there (`in_step`), not written because
#: Mews holds another text than the user saw (`conflict`), refused or never reached (`failed`).
NoteWriteState = Literal["saving", "in_step", "conflict", "failed"]


class StayNoteWriteView(_Part, frozen=True, kw_only=True):
    """A note a user added or changed here, with its author and where it is."""

    write_id: str
    #: The note changed (None: a new note, until Mews gave it an id).
    note_mews_id: str | None = None
    text: str
    #: What the user saw of the note they changed (None for a new note).
    base_text: str | None = None
    author_user_id: str
    created_at: datetime
    state: NoteWriteState
    #: Mews's text in a conflict.
    mews_text: str | None = None
    failure: str | None = None


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


# --------------------------------------------------------------------------- requests, replies


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


class FieldChange(_Part, frozen=True, kw_only=True):
    #: One of `guest_fields.EDITABLE`.
    field: str
    value: FieldValue


class EditGuestRequest(Payload, frozen=True, kw_only=True):
    """Change these fields of a guest, as the user saw it at `base_version` (the guest's
    `mews_updated_utc` when the form was filled). A field Mews changed since then to
    another value is a conflict (no write for it); the others are written to Mews."""

    SCHEMA = "guests.edit_guest_request"
    enterprise_id: str
    guest_id: str
    base_version: datetime
    changes: Annotated[tuple[FieldChange, ...], msgspec.Meta(min_length=1, max_length=30)]


class GuestEditReply(Payload, frozen=True, kw_only=True):
    SCHEMA = "guests.guest_edit"
    edit: GuestEditView
    sync_state: SyncState


class ConflictChoice(_Part, frozen=True, kw_only=True):
    field: str
    #: `ours`: write our value over Mews's (if Mews still holds the value shown); `mews`:
    #: keep Mews's.
    keep: Literal["ours", "mews"]


class ResolveConflictsRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "guests.resolve_conflicts_request"
    enterprise_id: str
    guest_id: str
    edit_id: str
    choices: Annotated[tuple[ConflictChoice, ...], msgspec.Meta(min_length=1, max_length=30)]


class FieldRule(_Part, frozen=True, kw_only=True):
    field: str
    rule: EditRule


class EditRulesRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "guests.edit_rules_request"
    enterprise_id: str


class SetEditRulesRequest(Payload, frozen=True, kw_only=True):
    """Replace the rules named here (a field left out keeps its rule)."""

    SCHEMA = "guests.set_edit_rules_request"
    enterprise_id: str
    rules: Annotated[tuple[FieldRule, ...], msgspec.Meta(max_length=30)]


class EditRules(Payload, frozen=True, kw_only=True):
    """Every editable field's rule (`ask` unless the hotel set another)."""

    SCHEMA = "guests.edit_rules"
    enterprise_id: str
    rules: tuple[FieldRule, ...]


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


class WriteStayNoteRequest(Payload, frozen=True, kw_only=True):
    """Add a note to a stay (`note_mews_id` None) or change one, as the user saw it
    (`base_text`): recorded with its author and written to Mews once."""

    SCHEMA = "guests.write_stay_note_request"
    enterprise_id: str
    stay_id: str
    note_mews_id: str | None = None
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=5000)]
    base_text: str | None = None


class StayNoteWriteReply(Payload, frozen=True, kw_only=True):
    SCHEMA = "guests.stay_note_write"
    write: StayNoteWriteView


class DayStaysRequest(Payload, frozen=True, kw_only=True):
    """Stays of one hotel day (see the module doc for what arrivals, departures and in house
    mean). Order: the scheduled start (departures: end), then stay id."""

    SCHEMA = "guests.day_stays_request"
    VERSION = 2
    enterprise_id: str
    date: date
    #: An IANA time zone, e.g. "Europe/Prague": the day's bounds are its midnights. None:
    #: the property's own zone (UTC while the property is not known yet).
    timezone: str | None = None
    include_cancelled: bool = False
    limit: Limit = 50
    cursor: str | None = None


class StayPage(Payload, frozen=True, kw_only=True):
    SCHEMA = "guests.stay_page"
    items: tuple[StayView, ...]
    next_cursor: str | None = None
    #: The UTC window the day was taken as.
    window_start_utc: datetime | None = None
    window_end_utc: datetime | None = None
    #: The IANA time zone the day was taken in (the property's unless the request named one).
    timezone: str | None = None


class MewsVersionsRequest(Payload, frozen=True, kw_only=True):
    """Which Mews version (UpdatedUtc) we hold of each of these customers or reservations:
    what reconciliation compares with Mews."""

    SCHEMA = "guests.mews_versions_request"
    enterprise_id: str
    entity: Literal["customer", "reservation"]
    mews_ids: Annotated[tuple[str, ...], msgspec.Meta(max_length=1000)] = ()


class MewsVersions(Payload, frozen=True, kw_only=True):
    """Mews id → the UpdatedUtc we hold; ids we do not have are absent."""

    SCHEMA = "guests.mews_versions"
    versions: dict[str, datetime]


#: Who may ask for a stay's public state (`public_stay`): those who book or charge for its
#: guests. The gateway's permission table grants them.
PUBLIC_STAY_PERMISSIONS = ("bookings:create", "charges:create", "charges:create:own")


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


class PropertyView(_Part, frozen=True, kw_only=True):
    """A hotel as Mews describes it, and when sync last told us."""

    enterprise_id: str
    name: str
    short_name: str | None = None
    time_zone: str
    default_currency: str
    currencies: tuple[str, ...] = ()
    pricing: Literal["gross", "net"]
    default_language_code: str | None = None
    address_line1: str | None = None
    city: str | None = None
    postal_code: str | None = None
    country_code: str | None = None
    chain_name: str | None = None
    mews_updated_utc: datetime | None = None
    synced_at: datetime


class ListPropertiesRequest(Payload, frozen=True, kw_only=True):
    """The properties the caller acts for (every known one for a portfolio-wide caller)."""

    SCHEMA = "guests.list_properties_request"


class PropertyList(Payload, frozen=True, kw_only=True):
    """Ordered by name, then enterprise id. A property sync has not described yet is absent."""

    SCHEMA = "guests.property_list"
    items: tuple[PropertyView, ...]


SEARCH = RpcMethod("guests", "search", SearchGuestsRequest, GuestPage)
GET_GUEST = RpcMethod("guests", "get_guest", GetGuestRequest, GuestDetail)
GET_STAY = RpcMethod("guests", "get_stay", GetStayRequest, StayDetail)
ARRIVALS = RpcMethod("guests", "arrivals", DayStaysRequest, StayPage)
DEPARTURES = RpcMethod("guests", "departures", DayStaysRequest, StayPage)
IN_HOUSE = RpcMethod("guests", "in_house", DayStaysRequest, StayPage)
MEWS_VERSIONS = RpcMethod("guests", "mews_versions", MewsVersionsRequest, MewsVersions)
LIST_PROPERTIES = RpcMethod("guests", "list_properties", ListPropertiesRequest, PropertyList)
PUBLIC_STAY = RpcMethod("guests", "public_stay", PublicStayRequest, PublicStay)
STAY_BILL = RpcMethod("guests", "stay_bill", StayBillRequest, StayBillReply)
EDIT_GUEST = RpcMethod("guests", "edit_guest", EditGuestRequest, GuestEditReply)
RESOLVE_CONFLICTS = RpcMethod(
    "guests", "resolve_conflicts", ResolveConflictsRequest, GuestEditReply
)
GET_EDIT_RULES = RpcMethod("guests", "edit_rules", EditRulesRequest, EditRules)
WRITE_STAY_NOTE = RpcMethod("guests", "write_stay_note", WriteStayNoteRequest, StayNoteWriteReply)
SET_EDIT_RULES = RpcMethod("guests", "set_edit_rules", SetEditRulesRequest, EditRules)

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

# --------------------------------------------------------------------------- examples

_ENT = "8a1f3b0e-1c2d-4e5f-9a8b-7c6d5e4f3a2b"
_NOW = datetime(2026, 11, 25, 12, 30, tzinfo=UTC)
_GUEST = GuestView(
    guest_id="0b7e5c1a-9f43-4d8e-8a57-3c2b1a0f9e8d",
    enterprise_id=_ENT,
    mews_id="35d4b117-4e60-44a3-9580-c582117eff98",
    mews_updated_utc=_NOW,
    synced_at=_NOW,
    first_name="Ada",
    last_name="Lovelace",
    email="ada@example.com",
)
_STAY = StayView(
    stay_id="5f0c9a2e-7b1d-4c3e-9f8a-6d5e4c3b2a10",
    enterprise_id=_ENT,
    mews_id="bfee2c44-1f84-4326-a862-5289598f6e2d",
    mews_updated_utc=_NOW,
    synced_at=_NOW,
    number="52",
    state=StayState.STARTED,
    mews_state="Started",
    scheduled_start_utc=_NOW,
    scheduled_end_utc=_NOW,
    resource_name="101",
    room_state="Inspected",
    room_category="Deluxe King",
    notes=(StayNoteView(text="Late arrival, about 23:00", type="General"),),
    guests=(
        StayGuestView(
            customer_mews_id=_GUEST.mews_id,
            role="owner",
            guest_id=_GUEST.guest_id,
            first_name="Ada",
            last_name="Lovelace",
        ),
    ),
)

_EDIT = GuestEditView(
    edit_id="4c1e2a90-3b7d-4f6e-8a15-2d9c0b7e6f54",
    guest_id=_GUEST.guest_id,
    author_user_id="u-frontdesk",
    created_at=_NOW,
    base_version=_NOW,
    state="conflict",
    fields=(
        EditFieldView(field="phone", value="+44 20 7946 0000", base=None, state="in_step"),
        EditFieldView(
            field="email",
            value="ada@example.org",
            base="ada@example.com",
            mews_value="ada.l@example.net",
            state="conflict",
        ),
    ),
)

_NOTE_WRITE = StayNoteWriteView(
    write_id="9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
    note_mews_id="5b2c1f0e-7a3d-4c1b-9e8f-6a5b4c3d2e1f",
    text="Late arrival, around 23:00",
    base_text="Late arrival",
    author_user_id="u-frontdesk",
    created_at=_NOW,
    state="saving",
)

#: One example of every request and reply, for round-trip tests and docs.
EXAMPLES: list[Payload] = [
    EditGuestRequest(
        enterprise_id=_ENT,
        guest_id=_GUEST.guest_id,
        base_version=_NOW,
        changes=(
            FieldChange(field="phone", value="+44 20 7946 0000"),
            FieldChange(field="email", value="ada@example.org"),
        ),
    ),
    GuestEditReply(edit=_EDIT, sync_state="conflict"),
    ResolveConflictsRequest(
        enterprise_id=_ENT,
        guest_id=_GUEST.guest_id,
        edit_id=_EDIT.edit_id,
        choices=(ConflictChoice(field="email", keep="ours"),),
    ),
    WriteStayNoteRequest(
        enterprise_id=_ENT,
        stay_id=_STAY.stay_id,
        note_mews_id="5b2c1f0e-7a3d-4c1b-9e8f-6a5b4c3d2e1f",
        text="Late arrival, around 23:00",
        base_text="Late arrival",
    ),
    StayNoteWriteReply(write=_NOTE_WRITE),
    EditRulesRequest(enterprise_id=_ENT),
    SetEditRulesRequest(enterprise_id=_ENT, rules=(FieldRule(field="notes", rule="we_win"),)),
    EditRules(
        enterprise_id=_ENT,
        rules=(FieldRule(field="notes", rule="we_win"), FieldRule(field="email", rule="ask")),
    ),
    SearchGuestsRequest(enterprise_id=_ENT, query="love", limit=20),
    GuestPage(items=(_GUEST,), next_cursor="opaque"),
    GetGuestRequest(enterprise_id=_ENT, guest_id=_GUEST.guest_id),
    GuestDetail(
        guest=_GUEST,
        stays=(_STAY,),
        timeline=(
            TimelineEntry(
                kind="charge",
                at=_NOW,
                event="posted",
                ref_id="c-1",
                charge=ChargeSnapshot(
                    charge_id="c-1",
                    vendor_id="v-1",
                    guest_id=_GUEST.guest_id,
                    description="Massage 60 min",
                    quantity=1,
                    unit_amount=Decimal("85.50"),
                    currency="EUR",
                    state=ChargeState.POSTED,
                ),
            ),
            TimelineEntry(
                kind="booking",
                at=_NOW,
                event="confirmed",
                ref_id="b-1",
                booking=BookingSnapshot(
                    booking_id="b-1",
                    vendor_id="v-1",
                    offering_id="o-1",
                    guest_id=_GUEST.guest_id,
                    quantity=1,
                    state=BookingState.CONFIRMED,
                ),
            ),
            TimelineEntry(
                kind="stay", at=_NOW, event="started", ref_id=_STAY.stay_id, stay_id=_STAY.stay_id
            ),
        ),
    ),
    GetStayRequest(enterprise_id=_ENT, mews_id=_STAY.mews_id),
    StayDetail(stay=_STAY),
    DayStaysRequest(enterprise_id=_ENT, date=date(2026, 11, 25), timezone="Europe/Prague"),
    StayPage(items=(_STAY,), window_start_utc=_NOW, window_end_utc=_NOW, timezone="Europe/Prague"),
    PublicStayRequest(enterprise_id=_ENT, stay_id=_STAY.stay_id),
    PublicStay(
        enterprise_id=_ENT,
        stay_id=_STAY.stay_id,
        stay=StaySnapshot(
            mews_id=_STAY.mews_id,
            mews_updated_utc=_NOW,
            number="52",
            state=StayState.STARTED,
            mews_state="Started",
            scheduled_start_utc=_NOW,
            scheduled_end_utc=_NOW,
            owner_mews_id=_GUEST.mews_id,
        ),
        guest_ids=(_GUEST.guest_id,),
    ),
    StayBillRequest(enterprise_id=_ENT, stay_id=_STAY.stay_id),
    StayBillReply(
        enterprise_id=_ENT,
        stay_id=_STAY.stay_id,
        stay_mews_id=EXAMPLE_BILL.stay_mews_id,
        currency="GBP",
        bill=EXAMPLE_BILL,
        synced_at=_NOW,
    ),
    ListPropertiesRequest(),
    PropertyList(
        items=(
            PropertyView(
                enterprise_id=_ENT,
                name="Connector API Hotel (Gross Pricing)",
                time_zone="Europe/London",
                default_currency="GBP",
                currencies=("GBP", "EUR", "USD"),
                pricing="gross",
                default_language_code="en-GB",
                city="London",
                country_code="GB",
                mews_updated_utc=_NOW,
                synced_at=_NOW,
            ),
        )
    ),
]
