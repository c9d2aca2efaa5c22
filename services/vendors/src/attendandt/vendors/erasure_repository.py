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
    removed: dict[str, int] = {}
    pseudonymised: dict[str, int] = {}
    for name, table in (("booking", bookings), ("charge", charges)):
        of_guest = (table.c.enterprise_id == enterprise_id, table.c.guest_id == guest_id)
        notes = await session.execute(
            update(table).where(*of_guest, table.c.notes.is_not(None)).values(notes=None)
        )
        rows = await session.execute(update(table).where(*of_guest).values(guest_id=pseudonym))
        removed[f"{name}_notes"] = _count(notes)
        pseudonymised[f"{name}s"] = _count(rows)
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
    removed["stay_guest_refs"] = _count(stay_rows)
    return removed, pseudonymised
