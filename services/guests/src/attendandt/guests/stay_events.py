"""A stay's public event (`StayEvent`), with the ids of the customers we know as guests; and
those ids, for a service that asks for the stay itself."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from attendandt.contracts.events import STAY_EVENT, StayEvent
from attendandt.contracts.privacy import public_stay
from attendandt.contracts.snapshots import StaySnapshot
from attendandt.guests import stored_stay_repository as ssr


def stay_event(
    enterprise: str,
    stay_id: str,
    stay: StaySnapshot,
    guest_ids: tuple[str, ...],
    *,
    name: str,
    event_id: str,
) -> tuple[str, StayEvent]:
    """The subject and public event of a stay's version (no notes: `public_stay`)."""
    return STAY_EVENT.format(enterprise=enterprise, event=name), StayEvent(
        event_id=event_id,
        enterprise_id=enterprise,
        occurred_at=stay.mews_updated_utc,
        event=name,
        stay_id=stay_id,
        stay=public_stay(stay),
        guest_ids=guest_ids,
    )


async def known_guests(
    session: AsyncSession, enterprise: str, customers: list[str]
) -> tuple[str, ...]:
    """Our guest ids of a stay's customers (in their order), those we know as guests."""
    known = await ssr.guest_ids_by_mews_id(session, enterprise, customers)
    return tuple(known[m] for m in customers if m in known)
