"""The guests, stays and day lists replies, and a guest's export.

Guest replies come in two views told apart by `view`: "staff" (the contracts' full views)
for roles with `guests:contact:read`, "vendor" (names, room, stay dates; no contact, notes,
birth date, company, Mews ids or timeline) for the others.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from attendandt.contracts.rpc import guests as guests_rpc
from attendandt.contracts.rpc import vendors as vendors_rpc
from attendandt.contracts.snapshots import StayState


class VendorSafeGuest(msgspec.Struct, frozen=True, kw_only=True):
    guest_id: str
    enterprise_id: str
    first_name: str | None = None
    last_name: str


class VendorSafeStayGuest(msgspec.Struct, frozen=True, kw_only=True):
    guest_id: str | None = None
    role: Literal["owner", "companion"]
    first_name: str | None = None
    last_name: str | None = None


class VendorSafeStay(msgspec.Struct, frozen=True, kw_only=True):
    stay_id: str
    enterprise_id: str
    number: str | None = None
    state: StayState
    #: The room.
    room: str | None = None
    scheduled_start_utc: datetime | None = None
    scheduled_end_utc: datetime | None = None
    actual_start_utc: datetime | None = None
    actual_end_utc: datetime | None = None
    guests: list[VendorSafeStayGuest] = []


class StaffGuestPage(msgspec.Struct, frozen=True, kw_only=True):
    view: Literal["staff"] = "staff"
    items: list[guests_rpc.GuestView]
    next_cursor: str | None = None


class VendorGuestPage(msgspec.Struct, frozen=True, kw_only=True):
    view: Literal["vendor"] = "vendor"
    items: list[VendorSafeGuest]
    next_cursor: str | None = None


class StaffGuestDetail(msgspec.Struct, frozen=True, kw_only=True):
    view: Literal["staff"] = "staff"
    guest: guests_rpc.GuestView
    stays: list[guests_rpc.StayView]
    timeline: list[guests_rpc.TimelineEntry]
    #: The guest's edits made here, newest first: every open one, the last few settled.
    edits: list[guests_rpc.GuestEditView] = []


class GuestExport(msgspec.Struct, frozen=True, kw_only=True):
    """Everything Attendandt holds about one guest, from every service that holds some: the
    profile, stays (with companions and notes), timeline, and the bookings and charges made
    for the guest (with their notes). For a guest's access request; `sources` names the
    services asked."""

    exported_at: datetime
    enterprise_id: str
    guest: guests_rpc.GuestView
    stays: list[guests_rpc.StayView]
    timeline: list[guests_rpc.TimelineEntry]
    bookings: list[vendors_rpc.BookingView]
    charges: list[vendors_rpc.ChargeView]
    sources: list[str]


class VendorGuestDetail(msgspec.Struct, frozen=True, kw_only=True):
    view: Literal["vendor"] = "vendor"
    guest: VendorSafeGuest
    stays: list[VendorSafeStay]


class StaffStay(msgspec.Struct, frozen=True, kw_only=True):
    view: Literal["staff"] = "staff"
    stay: guests_rpc.StayView
    #: Notes added or changed here, newest first, with where each is (saving, in step...).
    note_writes: list[guests_rpc.StayNoteWriteView] = msgspec.field(default_factory=list)


class VendorStay(msgspec.Struct, frozen=True, kw_only=True):
    view: Literal["vendor"] = "vendor"
    stay: VendorSafeStay


class StaffStayPage(msgspec.Struct, frozen=True, kw_only=True):
    view: Literal["staff"] = "staff"
    items: list[guests_rpc.StayView]
    next_cursor: str | None = None
    window_start_utc: datetime | None = None
    window_end_utc: datetime | None = None
    #: The IANA zone the day was taken in: the hotel's unless the request named one.
    timezone: str | None = None


class VendorStayPage(msgspec.Struct, frozen=True, kw_only=True):
    view: Literal["vendor"] = "vendor"
    items: list[VendorSafeStay]
    next_cursor: str | None = None
    window_start_utc: datetime | None = None
    window_end_utc: datetime | None = None
    timezone: str | None = None


def vendor_safe_guest(guest: guests_rpc.GuestView) -> VendorSafeGuest:
    return VendorSafeGuest(
        guest_id=guest.guest_id,
        enterprise_id=guest.enterprise_id,
        first_name=guest.first_name,
        last_name=guest.last_name,
    )


def vendor_safe_stay(stay: guests_rpc.StayView) -> VendorSafeStay:
    return VendorSafeStay(
        stay_id=stay.stay_id,
        enterprise_id=stay.enterprise_id,
        number=stay.number,
        state=stay.state,
        room=stay.resource_name,
        scheduled_start_utc=stay.scheduled_start_utc,
        scheduled_end_utc=stay.scheduled_end_utc,
        actual_start_utc=stay.actual_start_utc,
        actual_end_utc=stay.actual_end_utc,
        guests=[
            VendorSafeStayGuest(
                guest_id=g.guest_id, role=g.role, first_name=g.first_name, last_name=g.last_name
            )
            for g in stay.guests
        ],
    )
