"""Backfill: every resource, customer and reservation of an enterprise into domain state.

Walks `UpdatedUtc` from `since` (default: when the enterprise was created in Mews) to
Mews's now in windows, page by page, publishing the same commands as change passes (so
backfill and live changes meet under last-write-wins). Progress is kept per entity and
window in KV: an interrupted backfill resumes at the first unfinished window.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from nats.js.errors import KeyNotFoundError
from nats.js.kv import KeyValue

from attendandt.mews import TimeInterval
from attendandt.mews.batching import fixed_windows
from attendandt.mews.models import (
    ACTIVE_AND_DELETED,
    CustomersGetAll,
    ReservationsGetAll,
    ResourcesGetAll,
)
from attendandt.sync.applier import Applier
from attendandt.sync.companies import backfill_companies


class _Versioned(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def updated_utc(self) -> datetime | None: ...


E = TypeVar("E", bound=_Versioned)

# Rooms first: stays show their names.
ENTITIES = ("resources", "customers", "reservations", "companies")
WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class BackfillProgress:
    entity: str
    window: int
    windows: int
    items: int
    resumed: bool


Progress = Callable[[BackfillProgress], Awaitable[None] | None]


class Backfill:
    PROGRESS = "backfill"

    def __init__(self, applier: Applier, kv: KeyValue) -> None:
        self.applier = applier
        self.kv = kv

    def _key(self, entity: str) -> str:
        return f"{self.PROGRESS}.{self.applier.enterprise_id}.{entity}"

    async def select(self, entity: str, page: Sequence[E]) -> Sequence[E]:
        """What of a page to command: backfill commands everything."""
        return page

    async def _resume_point(self, entity: str, since: datetime) -> datetime | None:
        try:
            entry = await self.kv.get(self._key(entity))
        except KeyNotFoundError:
            return None
        state = json.loads(entry.value or b"{}")
        if state.get("since") != since.isoformat():
            return None  # a backfill of another range: start over
        return datetime.fromisoformat(state["done_until"])

    async def run(
        self,
        since: datetime,
        end: datetime,
        *,
        entities: tuple[str, ...] = ENTITIES,
        restart: bool = False,
        progress: Progress | None = None,
    ) -> dict[str, int]:
        counts: dict[str, int] = {}
        for entity in entities:
            resume = None if restart else await self._resume_point(entity, since)
            windows = fixed_windows(since, end, WINDOW)
            items = 0
            for index, (lower, upper) in enumerate(windows, start=1):
                if resume is not None and upper <= resume:
                    continue
                items += await self._window(entity, TimeInterval(start_utc=lower, end_utc=upper))
                await self.kv.put(
                    self._key(entity),
                    json.dumps(
                        {"since": since.isoformat(), "done_until": upper.isoformat()}
                    ).encode(),
                )
                if progress is not None:
                    shown = progress(
                        BackfillProgress(entity, index, len(windows), items, resume is not None)
                    )
                    if shown is not None:
                        await shown
            counts[entity] = items
        return counts

    async def _window(self, entity: str, window: TimeInterval) -> int:
        if entity == "resources":
            return await self._rooms(window)
        if entity == "customers":
            return await self._customers(window)
        if entity == "reservations":
            return await self._reservations(window)
        if entity == "companies":
            return await backfill_companies(self, window)
        raise ValueError(f"backfill knows resources, customers, reservations; not {entity}")

    async def _rooms(self, window: TimeInterval) -> int:
        items = 0
        request = ResourcesGetAll(updated_utc=window)
        async for page in self.applier.client.get_resources(request).pages():
            items += len((await self.applier.publish_rooms(page)).applied)
        return items

    async def _customers(self, window: TimeInterval) -> int:
        items = 0
        request = CustomersGetAll(updated_utc=window, activity_states=list(ACTIVE_AND_DELETED))
        async for page in self.applier.client.get_customers(request).pages():
            chosen = await self.select("customer", page)
            items += len((await self.applier.publish_customers(chosen)).applied)
        return items

    async def _reservations(self, window: TimeInterval) -> int:
        items = 0
        request = ReservationsGetAll(updated_utc=window)
        async for page in self.applier.client.get_reservations(request).pages():
            chosen = await self.select("reservation", page)
            items += len((await self.applier.publish_reservations(chosen)).applied)
        return items
