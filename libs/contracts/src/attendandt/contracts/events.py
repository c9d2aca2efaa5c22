"""Public domain events on `attendandt.v<n>.<enterprise>.<aggregate>.<event>`, and the
restricted guest events on `attendandt.restricted.v1.<enterprise>.guest.<event>`.

Public events are what the gateway's live stream and other hotel systems subscribe to
(`attendandt.v1.*.guest.>` every property's guest events). Each carries the aggregate's
snapshot after the change, minus personal data (see `privacy`): ids and state, so a subscriber
rarely has to call back. A guest's contact data goes on the restricted family only, which an
operator grants per hotel system.

Versions: guest, vendor and booking events keep v1. The fields they no longer fill (a guest's
email, phone, birth date, nationality, classifications, company, notes; a vendor's contact;
a booking's notes) were optional in v1, so a v1 reader still decodes every event: it reads
them as empty, and the snapshot docstrings say they always are. User events move to v2
(`attendandt.v2.<enterprise>.user.<event>`): v1 required the staff email, so leaving it out
is a breaking change. v1 user events are no longer published at all: keeping them "until
their consumers move" would keep sending the emails this change exists to stop.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from attendandt.contracts.base import Payload, Subject
from attendandt.contracts.snapshots import (
    BookingSnapshot,
    ChargeSnapshot,
    GuestSnapshot,
    PublicUserSnapshot,
    RestrictedGuestSnapshot,
    StaySnapshot,
    VendorSnapshot,
)


class DomainEvent(Payload, frozen=True, kw_only=True):
    event_id: str
    enterprise_id: str
    occurred_at: datetime
    #: The event name as in the subject (`created`, `posted`, ...), so a body read alone says it.
    event: str


#: Who made a guest's version: Mews (its staff, another integration, a guest online) or
#: staff here, through an edit written to Mews.
GuestChangeSource = Literal["mews", "attendandt"]


class GuestEvent(DomainEvent, frozen=True, kw_only=True):
    """A guest's new version. `changed_fields` names what differs from the version before
    (empty when the guest is new or nothing of it was known); `source` says who changed it:
    `attendandt` when the version is a staff edit made here and written to Mews (then
    `changed_by` is that user's id and `edit_id` the edit), `mews` otherwise. The echo of
    our own write (Mews's webhook, a sweep) is no new version and no second event."""

    SCHEMA = "guest.event"
    guest_id: str
    guest: GuestSnapshot
    source: GuestChangeSource = "mews"
    changed_fields: tuple[str, ...] = ()
    changed_by: str | None = None
    edit_id: str | None = None


class StayEvent(DomainEvent, frozen=True, kw_only=True):
    SCHEMA = "stay.event"
    stay_id: str
    stay: StaySnapshot
    guest_ids: tuple[str, ...] = ()


class VendorEvent(DomainEvent, frozen=True, kw_only=True):
    SCHEMA = "vendor.event"
    vendor: VendorSnapshot


class BookingEvent(DomainEvent, frozen=True, kw_only=True):
    SCHEMA = "booking.event"
    booking: BookingSnapshot


class ChargeEvent(DomainEvent, frozen=True, kw_only=True):
    SCHEMA = "charge.event"
    charge: ChargeSnapshot


class UserEvent(DomainEvent, frozen=True, kw_only=True):
    SCHEMA = "user.event"
    VERSION = 2
    user: PublicUserSnapshot


class RestrictedGuestEvent(DomainEvent, frozen=True, kw_only=True):
    """A guest's personal data, published with every public `GuestEvent` (same `event`,
    `guest_id` and `occurred_at`; `event_id` prefixed `restricted:`)."""

    SCHEMA = "restricted.guest.event"
    guest_id: str
    guest: RestrictedGuestSnapshot
    source: GuestChangeSource = "mews"
    changed_fields: tuple[str, ...] = ()
    changed_by: str | None = None
    edit_id: str | None = None


GUEST_EVENT = Subject(
    "attendandt.v1.{enterprise}.guest.{event}",
    GuestEvent,
    allowed=(("event", ("created", "updated", "merged")),),
)
STAY_EVENT = Subject(
    "attendandt.v1.{enterprise}.stay.{event}",
    StayEvent,
    allowed=(("event", ("created", "updated", "checked_in", "checked_out", "cancelled")),),
)
VENDOR_EVENT = Subject(
    "attendandt.v1.{enterprise}.vendor.{event}",
    VendorEvent,
    allowed=(("event", ("created", "updated", "deactivated")),),
)
BOOKING_EVENT = Subject(
    "attendandt.v1.{enterprise}.booking.{event}",
    BookingEvent,
    allowed=(
        (
            "event",
            ("requested", "confirmed", "declined", "fulfilled", "cancelled", "expired", "refunded"),
        ),
    ),
)
CHARGE_EVENT = Subject(
    "attendandt.v1.{enterprise}.charge.{event}",
    ChargeEvent,
    allowed=(
        (
            "event",
            (
                "created",
                "posted",
                "failed",
                "retried",
                "approved",
                "rejected",
                "cancelling",
                "cancelled",
                "cancel_failed",
                # Rebates made in Mews took (part of) a posted charge off the bill.
                "rebated",
            ),
        ),
    ),
)
USER_EVENT = Subject(
    "attendandt.v2.{enterprise}.user.{event}",
    UserEvent,
    allowed=(("event", ("created", "updated", "role_changed", "deactivated")),),
)
RESTRICTED_GUEST_EVENT = Subject(
    "attendandt.restricted.v1.{enterprise}.guest.{event}",
    RestrictedGuestEvent,
    allowed=GUEST_EVENT.allowed,
)
