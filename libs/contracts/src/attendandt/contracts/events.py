"""Public domain events on `attendandt.v1.<enterprise>.<aggregate>.<event>`.

These are what the gateway's live stream and other hotel systems subscribe to
(`attendandt.v1.*.guest.>` every property's guest events). Each carries the aggregate's full
snapshot after the change, so a subscriber never has to call back.
"""

from __future__ import annotations

from datetime import datetime

from attendandt.contracts.base import Payload, Subject
from attendandt.contracts.snapshots import (
    BookingSnapshot,
    ChargeSnapshot,
    GuestSnapshot,
    StaySnapshot,
    UserSnapshot,
    VendorSnapshot,
)


class DomainEvent(Payload, frozen=True, kw_only=True):
    event_id: str
    enterprise_id: str
    occurred_at: datetime
    #: The event name as in the subject (`created`, `posted`, ...), so a body read alone says it.
    event: str


class GuestEvent(DomainEvent, frozen=True, kw_only=True):
    SCHEMA = "guest.event"
    guest_id: str
    guest: GuestSnapshot


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
    user: UserSnapshot


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
        ("event", ("requested", "confirmed", "declined", "fulfilled", "cancelled", "expired")),
    ),
)
CHARGE_EVENT = Subject(
    "attendandt.v1.{enterprise}.charge.{event}",
    ChargeEvent,
    allowed=(("event", ("created", "posted", "failed", "retried", "approved", "rejected")),),
)
USER_EVENT = Subject(
    "attendandt.v1.{enterprise}.user.{event}",
    UserEvent,
    allowed=(("event", ("created", "updated", "role_changed", "deactivated")),),
)
