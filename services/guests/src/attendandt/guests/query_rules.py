"""What the queries share: what a caller may see (`View`), the hotel's zone of a day, and the
page cursors.

Every query is answered for the caller the gateway authenticated: another property's guest or
stay is "not found" (never "forbidden": that would tell it exists) and a list of another
property is empty. A vendor user sees only the guests and stays its vendor has bookings with
(filtered in SQL) and only their names, rooms and stay dates: the personal fields come back
empty and there is no timeline."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date, datetime
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from attendandt.contracts.caller import Caller
from attendandt.contracts.rpc.guests import CONTACT_READ, GuestView, StayView
from attendandt.guests import property_repository as pr
from attendandt.guests.day_lists import local_day_bounds
from attendandt.guests.input_checks import hotel_zone
from attendandt.platform.rpc import Forbidden, Invalid

#: The zone of a day list while its property is not known yet.
DEFAULT_ZONE = "UTC"


class View(msgspec.Struct, frozen=True, kw_only=True):
    """What a caller may see of the guests: whose (`vendor_id`: only what that vendor has
    bookings with; None: every guest of the property) and how much (`personal`: contact
    details, birth date, notes, company, the timeline)."""

    vendor_id: str | None
    personal: bool

    def guest(self, guest: GuestView) -> GuestView:
        if self.personal:
            return guest
        return msgspec.structs.replace(
            guest,
            email=None,
            phone=None,
            language_code=None,
            nationality_code=None,
            birth_date=None,
            classifications=(),
            company_mews_id=None,
            notes=None,
            sync_state="in_step",
        )

    def stay(self, stay: StayView) -> StayView:
        if self.personal:
            return stay
        # Notes are free text about the guests (health, diet); the room's housekeeping
        # state and its type are the hotel's own business.
        return msgspec.structs.replace(
            stay, company_mews_id=None, notes=(), room_state=None, room_category=None
        )


def view_of(caller: Caller) -> View:
    """A vendor user sees its vendor's guests only, never their personal details; staff see
    the property's guests, with personal details when their role grants `guests:contact:read`."""
    if caller.is_vendor:
        if caller.vendor_id is None:
            raise Forbidden("a vendor user without a vendor sees no guests")
        return View(vendor_id=caller.vendor_id, personal=False)
    return View(vendor_id=None, personal=caller.can(CONTACT_READ))


async def zone_of(session: AsyncSession, enterprise_id: str, asked: str | None) -> str:
    """The zone a caller named, else the property's own (its Mews time zone), else UTC while
    the property is not known yet. Only for a caller who may act for the property."""
    if asked is not None:
        return asked
    return await pr.property_time_zone(session, enterprise_id) or DEFAULT_ZONE


def day_window(day: date, timezone: str) -> tuple[datetime, datetime]:
    """From the local midnight of `day` to the next one, in UTC (DST days are 23 or 25 h)."""
    return local_day_bounds(day, hotel_zone(timezone))


def encode_cursor(key: tuple[Any, ...]) -> str:
    parts = [part.isoformat() if isinstance(part, datetime) else part for part in key]
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode()


def decode_cursor(cursor: str, size: int) -> list[str]:
    try:
        parts = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, binascii.Error) as exc:
        raise Invalid("cursor is not one this service gave out") from exc
    if (
        not isinstance(parts, list)
        or len(parts) != size
        or not all(isinstance(p, str) for p in parts)
    ):
        raise Invalid("cursor is not one this service gave out")
    return parts
