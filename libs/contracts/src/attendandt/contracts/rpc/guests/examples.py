"""One example of every guests request and reply, for round-trip tests and docs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from attendandt.contracts.base import Payload
from attendandt.contracts.bills import EXAMPLE_BILL
from attendandt.contracts.rpc.guests.day_lists import DayStaysRequest, StayPage
from attendandt.contracts.rpc.guests.edits import (
    ConflictChoice,
    EditFieldView,
    EditGuestRequest,
    EditRules,
    EditRulesRequest,
    FieldChange,
    FieldRule,
    GuestEditReply,
    GuestEditView,
    ResolveConflictsRequest,
    SetEditRulesRequest,
)
from attendandt.contracts.rpc.guests.notes import (
    StayNoteView,
    StayNoteWriteReply,
    StayNoteWriteView,
    WriteStayNoteRequest,
)
from attendandt.contracts.rpc.guests.profiles import (
    GetGuestRequest,
    GuestDetail,
    GuestPage,
    GuestView,
    SearchGuestsRequest,
    TimelineEntry,
)
from attendandt.contracts.rpc.guests.properties import (
    ListPropertiesRequest,
    PropertyList,
    PropertyView,
)
from attendandt.contracts.rpc.guests.stays import (
    GetStayRequest,
    PublicStay,
    PublicStayRequest,
    StayBillReply,
    StayBillRequest,
    StayDetail,
    StayGuestView,
    StayView,
)
from attendandt.contracts.snapshots import (
    BookingSnapshot,
    BookingState,
    ChargeSnapshot,
    ChargeState,
    StaySnapshot,
    StayState,
)

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
