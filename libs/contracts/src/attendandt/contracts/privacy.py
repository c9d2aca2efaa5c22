"""What of an aggregate may go on a public event, and what goes on the restricted family.

Public events (`attendandt.v1.>`, `attendandt.v2.>`, stream ATTENDANDT_EVENTS, 30 days) reach
every hotel system subscribed to them. They carry ids and non-personal state only; a guest's
contact data, birth date, nationality, classifications, company and notes go on
`attendandt.restricted.v1.<enterprise>.guest.<event>` (stream ATTENDANDT_RESTRICTED, shorter
retention), which an operator grants per hotel system.

A guest keeps its name and language in public: the systems that serve a guest in person
(door locks and key cards, housekeeping, point of sale, spa) must tell who they serve and
greet them, and a name is the least a hotel needs for that. Everything else is left out.

A stay travels whole on public events but for its notes (`public_stay`): free text that
often says something about a guest's health, diet or life. Staff read them through the
guests API.

`public_guest` copies the fields it keeps instead of clearing the ones it drops, so a field
added to `GuestSnapshot` later stays out of public events until someone decides otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from attendandt.contracts.snapshots import (
    BookingSnapshot,
    GuestSnapshot,
    PublicUserSnapshot,
    RestrictedGuestSnapshot,
    StaySnapshot,
    UserSnapshot,
    VendorSnapshot,
)
from attendandt.contracts.subjects import EventSubject, MalformedSubject


def public_guest(guest: GuestSnapshot) -> GuestSnapshot:
    """The guest as a public `GuestEvent` carries it: ids, name, language and state."""
    return GuestSnapshot(
        mews_id=guest.mews_id,
        mews_updated_utc=guest.mews_updated_utc,
        first_name=guest.first_name,
        last_name=guest.last_name,
        language_code=guest.language_code,
        is_active=guest.is_active,
        merge_target_mews_id=guest.merge_target_mews_id,
    )


def restricted_guest(guest_id: str, guest: GuestSnapshot) -> RestrictedGuestSnapshot:
    """What `public_guest` leaves out, keyed by the guest id public events carry."""
    return RestrictedGuestSnapshot(
        guest_id=guest_id,
        mews_id=guest.mews_id,
        mews_updated_utc=guest.mews_updated_utc,
        email=guest.email,
        phone=guest.phone,
        birth_date=guest.birth_date,
        nationality_code=guest.nationality_code,
        classifications=guest.classifications,
        company_mews_id=guest.company_mews_id,
        notes=guest.notes,
    )


def public_stay(stay: StaySnapshot) -> StaySnapshot:
    """A stay without its notes (free text about the guests: health, diet, wishes)."""
    return msgspec.structs.replace(stay, notes=())


def public_vendor(vendor: VendorSnapshot) -> VendorSnapshot:
    """A vendor without its contact email and phone (often one person's own)."""
    return msgspec.structs.replace(vendor, contact_email=None, contact_phone=None)


def public_booking(booking: BookingSnapshot) -> BookingSnapshot:
    """A booking without its notes (free text about the guest: diet, health, wishes)."""
    return msgspec.structs.replace(booking, notes=None)


def public_user(user: UserSnapshot) -> PublicUserSnapshot:
    """A staff or vendor account without its email."""
    return PublicUserSnapshot(
        user_id=user.user_id,
        name=user.name,
        role=user.role,
        vendor_id=user.vendor_id,
        is_active=user.is_active,
    )


def carries_personal_data(subject: str, data: bytes) -> bool:
    """Whether a message on a public subject carries what public events may no longer carry
    (one published before these rules): what `attendandt events scrub` erases from
    ATTENDANDT_EVENTS. A body that does not decode cannot be vouched for, so it counts."""
    from attendandt.contracts.events import BookingEvent, GuestEvent, StayEvent, VendorEvent

    public: dict[str, tuple[type[msgspec.Struct], str, Callable[[Any], Any]]] = {
        "guest": (GuestEvent, "guest", public_guest),
        "vendor": (VendorEvent, "vendor", public_vendor),
        "stay": (StayEvent, "stay", public_stay),
        "booking": (BookingEvent, "booking", public_booking),
    }
    try:
        parsed = EventSubject.parse(subject)
    except MalformedSubject:
        return False
    version, aggregate = parsed.version, parsed.aggregate
    if aggregate in public:
        event_type, field, cleared = public[aggregate]
        try:
            snapshot = getattr(msgspec.json.decode(data, type=event_type), field)
        except msgspec.MsgspecError:
            return True
        return bool(snapshot != cleared(snapshot))
    # v1 user events required the staff email.
    return aggregate == "user" and version == "v1"
