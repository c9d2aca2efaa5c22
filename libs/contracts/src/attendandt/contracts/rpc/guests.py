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

`list_properties` answers the hotels the caller acts for (every known one for a
portfolio-wide caller), as Mews describes them (name, time zone, currency, pricing).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from attendandt.contracts.base import Payload, RpcMethod
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


class GuestDetail(Payload, frozen=True, kw_only=True):
    SCHEMA = "guests.guest_detail"
    guest: GuestView
    stays: tuple[StayView, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()


class GetStayRequest(Payload, frozen=True, kw_only=True):
    """One stay by our `stay_id` or by the Mews reservation id (`mews_id`): exactly one."""

    SCHEMA = "guests.get_stay_request"
    enterprise_id: str
    stay_id: str | None = None
    mews_id: str | None = None


class StayDetail(Payload, frozen=True, kw_only=True):
    SCHEMA = "guests.stay_detail"
    stay: StayView


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

#: One example of every request and reply, for round-trip tests and docs.
EXAMPLES: list[Payload] = [
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
