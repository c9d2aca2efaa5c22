"""The silence probe: has Mews changed anything in a time range? One `reservations/getAll`
and one `customers/getAll` by UpdatedUtc with `Limitation.Count` 1, through the property's
shared rate budget (the client's), stopping at the first that answers yes."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from attendandt.mews import MewsClient, TimeInterval
from attendandt.mews.models import CustomersGetAll, ReservationsGetAll


async def _first(pages: AsyncIterator[list[Any]]) -> Any | None:
    try:
        async for page in pages:
            return page[0] if page else None
        return None
    finally:
        with contextlib.suppress(Exception):
            await pages.aclose()  # type: ignore[attr-defined]


async def latest_change(client: MewsClient, start: datetime, end: datetime) -> datetime | None:
    """When something Mews reports changed within [start, end) was changed (a reservation
    first, then a customer); None when nothing was."""
    window = TimeInterval(start_utc=start, end_utc=end)
    reads = (
        lambda: client.get_reservations(ReservationsGetAll(updated_utc=window), page_size=1),
        lambda: client.get_customers(CustomersGetAll(updated_utc=window), page_size=1),
    )
    for read in reads:
        item = await _first(read().pages())
        if item is not None:
            updated: datetime | None = item.updated_utc
            return updated or start
    return None
