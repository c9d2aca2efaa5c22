"""Public events carry no personal data; the restricted snapshot carries what they leave out."""

from datetime import UTC, date, datetime

import msgspec

from attendandt.contracts import encode
from attendandt.contracts.events import (
    GUEST_EVENT,
    RESTRICTED_GUEST_EVENT,
    STAY_EVENT,
    USER_EVENT,
    GuestEvent,
    StayEvent,
    UserEvent,
)
from attendandt.contracts.privacy import (
    carries_personal_data,
    public_booking,
    public_guest,
    public_stay,
    public_user,
    public_vendor,
    restricted_guest,
)
from attendandt.contracts.snapshots import (
    BookingSnapshot,
    BookingState,
    ChargeSnapshot,
    GuestSnapshot,
    PublicUserSnapshot,
    RestrictedGuestSnapshot,
    StayNote,
    StaySnapshot,
    StayState,
    UserRole,
    UserSnapshot,
    VendorSnapshot,
)

T = datetime(2026, 3, 1, 12, tzinfo=UTC)
FULL_GUEST = GuestSnapshot(
    mews_id="c-1",
    mews_updated_utc=T,
    first_name="Ada",
    last_name="Lovelace",
    email="ada@secret.example",
    phone="+44 20 7946 0958",
    language_code="en-GB",
    nationality_code="NZ",
    birth_date=date(1815, 12, 10),
    classifications=("DisabledPerson",),
    company_mews_id="company-7",
    notes="allergic to nuts",
    merge_target_mews_id=None,
)
PERSONAL = ("ada@secret.example", "7946", "1815-12-10", "DisabledPerson", "company-7", "nuts", "NZ")


def _fields(struct: type[msgspec.Struct]) -> set[str]:
    return set(struct.__struct_fields__)


def test_public_guest_keeps_ids_name_and_language_only() -> None:
    public = public_guest(FULL_GUEST)
    event = GuestEvent(
        event_id="e", enterprise_id="ent", occurred_at=T, event="updated", guest_id="g-1",
        guest=public,
    )  # fmt: skip
    raw = encode(event).decode()
    for value in PERSONAL:
        assert value not in raw, value
    assert (public.first_name, public.last_name, public.language_code) == (
        "Ada",
        "Lovelace",
        "en-GB",
    )


def test_every_guest_field_is_public_or_restricted_by_decision() -> None:
    # A field added to GuestSnapshot fails here until someone decides where it goes.
    public = {
        name for name in _fields(GuestSnapshot) if getattr(public_guest(FULL_GUEST), name)
    } | {"merge_target_mews_id"}
    restricted = _fields(RestrictedGuestSnapshot) - {"guest_id"}
    assert public | restricted == _fields(GuestSnapshot)
    assert public & restricted == {"mews_id", "mews_updated_utc"}
    contact = restricted_guest("g-1", FULL_GUEST)
    assert contact.guest_id == "g-1"
    assert all(getattr(contact, name) == getattr(FULL_GUEST, name) for name in restricted)


def test_vendor_booking_and_user_lose_contact_and_notes() -> None:
    vendor = VendorSnapshot(
        vendor_id="v", name="Spa", category="spa", contact_email="jo@spa.example",
        contact_phone="+1 555",
    )  # fmt: skip
    assert (public_vendor(vendor).contact_email, public_vendor(vendor).contact_phone) == (
        None,
        None,
    )
    assert public_vendor(vendor).name == "Spa"
    booking = BookingSnapshot(
        booking_id="b", vendor_id="v", offering_id="o", guest_id="g", quantity=1,
        notes="wheelchair", state=BookingState.REQUESTED,
    )  # fmt: skip
    assert public_booking(booking).notes is None
    assert public_booking(booking).guest_id == "g"
    user = UserSnapshot(user_id="u", email="fd@hotel.example", name="Desk", role=UserRole.MANAGER)
    assert public_user(user) == PublicUserSnapshot(user_id="u", name="Desk", role=UserRole.MANAGER)
    assert "email" not in _fields(PublicUserSnapshot)


def test_subjects_keep_restricted_data_outside_the_public_family() -> None:
    assert RESTRICTED_GUEST_EVENT.format(enterprise="ent", event="created") == (
        "attendandt.restricted.v1.ent.guest.created"
    )
    assert RESTRICTED_GUEST_EVENT.allowed == GUEST_EVENT.allowed
    assert USER_EVENT.format(enterprise="ent", event="created") == "attendandt.v2.ent.user.created"
    assert UserEvent.schema_id() == "user.event/v2"


def test_a_new_field_on_a_public_snapshot_needs_a_privacy_decision() -> None:
    # Stays, charges, vendors, bookings and users travel whole (less what privacy.py clears)
    # on public events: a field added to one of them (a reservation's notes, an address)
    # fails here until privacy.py leaves it out or this list says it is not personal.
    decided = {
        # notes: cleared by public_stay.
        StaySnapshot: {
            "mews_id", "mews_updated_utc", "number", "state", "mews_state",
            "scheduled_start_utc", "scheduled_end_utc", "actual_start_utc", "actual_end_utc",
            "cancelled_utc", "resource_mews_id", "resource_name", "owner_mews_id",
            "companion_mews_ids", "company_mews_id", "service_mews_id", "notes",
        },
        ChargeSnapshot: {
            "charge_id", "vendor_id", "booking_id", "guest_id", "stay_id", "description",
            "quantity", "unit_amount", "currency", "state", "mews_order_id", "failure_reason",
            # An amount Mews's staff took off: no personal data.
            "mews_rebated_amount",
        },
        # contact_email / contact_phone: cleared by public_vendor.
        VendorSnapshot: {
            "vendor_id", "name", "category", "contact_email", "contact_phone", "is_active",
            "mews_id", "mews_updated_utc",
        },
        # notes: cleared by public_booking.
        BookingSnapshot: {
            "booking_id", "vendor_id", "offering_id", "guest_id", "stay_id", "quantity",
            "scheduled_for", "notes", "state",
        },
        PublicUserSnapshot: {"user_id", "name", "role", "vendor_id", "is_active"},
    }  # fmt: skip
    for snapshot, fields in decided.items():
        assert _fields(snapshot) == fields, snapshot.__name__


def test_what_scrub_counts_as_personal() -> None:
    ent = "ent"
    full = GuestEvent(
        event_id="e", enterprise_id=ent, occurred_at=T, event="updated", guest_id="g",
        guest=FULL_GUEST,
    )  # fmt: skip
    clean = msgspec.structs.replace(full, guest=public_guest(FULL_GUEST))
    subject = GUEST_EVENT.format(enterprise=ent, event="updated")
    assert carries_personal_data(subject, encode(full))
    assert not carries_personal_data(subject, encode(clean))
    assert carries_personal_data(subject, b"not json")  # cannot vouch for it
    assert carries_personal_data("attendandt.v1.ent.user.created", b"{}")
    assert not carries_personal_data("attendandt.v2.ent.user.created", b"{}")
    # Stays are checked since they carry notes: one that does not decode cannot be vouched for.
    assert carries_personal_data("attendandt.v1.ent.stay.created", b"{}")


STAY_WITH_NOTES = StaySnapshot(
    mews_id="r-1",
    mews_updated_utc=T,
    state=StayState.STARTED,
    mews_state="Started",
    resource_name="101",
    owner_mews_id="c-1",
    companion_mews_ids=("c-2",),
    notes=(StayNote(mews_id="n-1", text="coeliac, no gluten at breakfast", type="General"),),
)


def test_public_stay_leaves_the_notes_out_and_keeps_the_rest() -> None:
    public = public_stay(STAY_WITH_NOTES)
    assert public.notes == ()
    assert msgspec.structs.replace(public, notes=STAY_WITH_NOTES.notes) == STAY_WITH_NOTES
    event = StayEvent(
        event_id="e", enterprise_id="ent", occurred_at=T, event="updated", stay_id="s-1",
        stay=public,
    )  # fmt: skip
    assert "gluten" not in encode(event).decode()


def test_scrub_counts_a_stay_event_with_notes_as_personal() -> None:
    subject = STAY_EVENT.format(enterprise="ent", event="updated")
    full = StayEvent(
        event_id="e", enterprise_id="ent", occurred_at=T, event="updated", stay_id="s-1",
        stay=STAY_WITH_NOTES,
    )  # fmt: skip
    clean = msgspec.structs.replace(full, stay=public_stay(STAY_WITH_NOTES))
    assert carries_personal_data(subject, encode(full))
    assert not carries_personal_data(subject, encode(clean))
