"""What every change shares: new ids, a moving `UpdatedUtc`, the hotel's local date."""

from __future__ import annotations

import uuid
from datetime import date
from zoneinfo import ZoneInfo

from attendandt.mews_sim import clock
from attendandt.mews_sim.store import Entity, Store


def new_id() -> str:
    return str(uuid.uuid4())


def touch(entity: Entity) -> None:
    entity["UpdatedUtc"] = clock.later_than(entity.get("UpdatedUtc"))


def local_date(store: Store, enterprise_id: str, utc: str) -> date:
    """The hotel's own date of a UTC wire time (front-office days are local days)."""
    zone = ZoneInfo(store.info[enterprise_id].time_zone)
    return clock.parse(utc).astimezone(zone).date()
