"""What a vendor user may see: the vendor's bookings (recorded from booking events), and the
SQL filters that keep its reads to the guests and stays it has bookings with.

Reads for a vendor user take its `vendor_id` and add these filters; None reads as hotel staff
do. The enterprise is always a filter; the service checks first that the caller may act for it."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import ColumnElement, Text, bindparam, cast, exists
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from attendandt.guests.models import guests, stays, vendor_bookings

_GRANT = (
    insert(vendor_bookings)
    .values(
        booking_id=bindparam("booking_id"),
        enterprise_id=bindparam("enterprise_id"),
        vendor_id=bindparam("vendor_id"),
        guest_id=bindparam("guest_id"),
        stay_id=bindparam("stay_id"),
    )
    .on_conflict_do_nothing(index_elements=[vendor_bookings.c.booking_id])
)


async def record_vendor_booking(
    session: AsyncSession,
    *,
    booking_id: str,
    enterprise_id: str,
    vendor_id: str,
    guest_id: str,
    stay_id: str | None,
) -> None:
    """The vendor has a booking with this guest (and stay). Insert-only: a booking's vendor,
    guest and stay never change, so a repeat or a later event of it adds nothing."""
    await session.execute(
        _GRANT,
        {
            "booking_id": booking_id,
            "enterprise_id": enterprise_id,
            "vendor_id": vendor_id,
            "guest_id": guest_id,
            "stay_id": stay_id,
        },
    )


def _vendor_booked(
    column: Any, enterprise_column: Any, vendor_id: str, which: Literal["guest_id", "stay_id"]
) -> ColumnElement[bool]:
    """The row (a guest or a stay, by its id `column`) is one the vendor has a booking with."""
    return exists().where(
        vendor_bookings.c.enterprise_id == enterprise_column,
        vendor_bookings.c.vendor_id == vendor_id,
        vendor_bookings.c[which] == cast(column, Text),
    )


def guest_booked_by(vendor_id: str) -> ColumnElement[bool]:
    return _vendor_booked(guests.c.id, guests.c.enterprise_id, vendor_id, "guest_id")


def stay_booked_by(vendor_id: str) -> ColumnElement[bool]:
    return _vendor_booked(stays.c.id, stays.c.enterprise_id, vendor_id, "stay_id")
