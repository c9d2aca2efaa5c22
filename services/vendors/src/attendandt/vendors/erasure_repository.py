"""SQL of a guest's erasure in the `vendors` schema: bookings and charges keep their rows
(the ledger must) with the pseudonym in place of the guest and no free-text notes; stays'
guest lists drop the guest."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, any_, func, update
from sqlalchemy.ext.asyncio import AsyncSession

from attendandt.vendors.models import bookings, charges, stay_refs


def _count(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


async def pseudonymise_guest(
    session: AsyncSession, enterprise_id: str, guest_id: str, pseudonym: str
) -> tuple[dict[str, int], dict[str, int]]:
    """(removed, pseudonymised) counts per table."""
    booking_notes = await session.execute(
        update(bookings)
        .where(
            bookings.c.enterprise_id == enterprise_id,
            bookings.c.guest_id == guest_id,
            bookings.c.notes.is_not(None),
        )
        .values(notes=None)
    )
    charge_notes = await session.execute(
        update(charges)
        .where(
            charges.c.enterprise_id == enterprise_id,
            charges.c.guest_id == guest_id,
            charges.c.notes.is_not(None),
        )
        .values(notes=None)
    )
    booking_rows = await session.execute(
        update(bookings)
        .where(bookings.c.enterprise_id == enterprise_id, bookings.c.guest_id == guest_id)
        .values(guest_id=pseudonym)
    )
    charge_rows = await session.execute(
        update(charges)
        .where(charges.c.enterprise_id == enterprise_id, charges.c.guest_id == guest_id)
        .values(guest_id=pseudonym)
    )
    stay_rows = await session.execute(
        update(stay_refs)
        .where(
            and_(
                stay_refs.c.enterprise_id == enterprise_id,
                any_(stay_refs.c.guest_ids) == guest_id,
            )
        )
        .values(guest_ids=func.array_remove(stay_refs.c.guest_ids, guest_id))
    )
    removed = {
        "booking_notes": _count(booking_notes),
        "charge_notes": _count(charge_notes),
        "stay_guest_refs": _count(stay_rows),
    }
    pseudonymised = {"bookings": _count(booking_rows), "charges": _count(charge_rows)}
    return removed, pseudonymised
