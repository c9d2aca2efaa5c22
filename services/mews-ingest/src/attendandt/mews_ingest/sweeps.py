"""UpdatedUtc sweeps: every entity changed in a time range, published as versioned changes.

A sweep walks its range in windows (half-open, sharing boundaries) and advances the
checkpoint after each window only once every change in it is stored in JetStream, so a
sweep killed at any point resumes from the last whole window. The versioned message id
(entity, id, UpdatedUtc) makes a change seen by two sweeps stored once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from attendandt.contracts.mews import ChangeSource, MewsChange, MewsEntity
from attendandt.mews import MewsClient, TimeInterval
from attendandt.mews.batching import fixed_windows
from attendandt.mews.models import (
    ACTIVE_AND_DELETED,
    CompaniesGetAll,
    CustomersGetAll,
    OrderItemsGetAll,
    ReservationsGetAll,
    ResourcesGetAll,
)
from attendandt.mews_ingest.checkpoints import Checkpoints
from attendandt.mews_ingest.publisher import ChangePublisher


class _Versioned(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def updated_utc(self) -> datetime | None: ...


def _pages(client: MewsClient, entity: MewsEntity, window: TimeInterval) -> AsyncIterator[Any]:
    match entity:
        case MewsEntity.CUSTOMER:
            return client.get_customers(
                CustomersGetAll(updated_utc=window, activity_states=list(ACTIVE_AND_DELETED))
            ).pages()
        case MewsEntity.RESERVATION:
            return client.get_reservations(ReservationsGetAll(updated_utc=window)).pages()
        case MewsEntity.COMPANY:
            return client.get_companies(CompaniesGetAll(updated_utc=window)).pages()
        case MewsEntity.RESOURCE:
            return client.get_resources(ResourcesGetAll(updated_utc=window)).pages()
        case MewsEntity.ORDER_ITEM:
            return client.get_order_items(OrderItemsGetAll(updated_utc=window)).pages()
    raise ValueError(f"{entity} has no UpdatedUtc sweep")


@dataclass(frozen=True)
class SweepProgress:
    entity: MewsEntity
    window: int
    windows: int
    changes: int
    #: Every change of `entity` before this is stored (the end of the finished window).
    reached: datetime


@dataclass(frozen=True)
class SweepResult:
    entity: MewsEntity
    start: datetime
    end: datetime
    seen: int
    stored: int
    #: False when the sweep was cancelled before its last window; `reached` says how far.
    complete: bool = True
    reached: datetime | None = None


@dataclass(frozen=True)
class SweepStart:
    at: datetime
    #: The checkpoint, when it was older than the horizon: changes made between it and the
    #: horizon are not swept, and may never have been seen.
    beyond_horizon: datetime | None = None


Progress = Callable[[SweepProgress], Awaitable[None] | None]


class Sweeper:
    def __init__(
        self,
        client: MewsClient,
        enterprise_id: str,
        publisher: ChangePublisher,
        checkpoints: Checkpoints,
        *,
        window: timedelta,
        overlap: timedelta,
        settle_s: float = 1.0,
    ) -> None:
        self.settle_s = settle_s
        self.client = client
        self.enterprise_id = enterprise_id
        self.publisher = publisher
        self.checkpoints = checkpoints
        self.window = window
        self.overlap = overlap

    async def mews_now(self) -> datetime:
        """Where a sweep ends: the end of Mews's current second (Mews's clock, not ours),
        once that second is over.

        UpdatedUtc has whole-second resolution, so two changes within one second share a
        version. A sweep must report a second's versions only once that second is over:
        otherwise it could store version `:22` before a second change in second :22, whose
        identical message id would then be dropped as a duplicate, and the change lost.
        Waiting a second after asking Mews for the time guarantees the second has ended.
        """
        config = await self.client.get_configuration()
        now = (config.now_utc or datetime.now(UTC)).replace(microsecond=0)
        await asyncio.sleep(self.settle_s)
        return now + timedelta(seconds=1)

    async def start_for(self, entity: MewsEntity, horizon: datetime) -> SweepStart:
        """From the checkpoint minus the overlap, never before the horizon (beyond it a sweep
        would walk the property's rate budget through months of windows; older history is a
        backfill's job). A checkpoint older than the horizon is said, never passed over."""
        checkpoint = await self.checkpoints.get(self.enterprise_id, entity)
        if checkpoint is None:
            return SweepStart(horizon)
        start = checkpoint - self.overlap
        if start < horizon:
            return SweepStart(horizon, beyond_horizon=checkpoint)
        return SweepStart(start)

    async def sweep(
        self,
        entity: MewsEntity,
        start: datetime,
        end: datetime,
        progress: Progress | None = None,
        cancelled: asyncio.Event | None = None,
    ) -> SweepResult:
        """Sweep `[start, end)` window by window; `cancelled` set stops it between two
        windows (never inside one, so the checkpoint stays at a window's end)."""
        seen = stored = 0
        reached: datetime | None = None
        parts = fixed_windows(start, end, self.window)
        for index, (lower, upper) in enumerate(parts, start=1):
            if cancelled is not None and cancelled.is_set():
                return SweepResult(
                    entity, start, end, seen, stored, complete=False, reached=reached
                )
            interval = TimeInterval(start_utc=lower, end_utc=upper)
            async for page in _pages(self.client, entity, interval):
                changes = [self._change(entity, item) for item in page]
                seen += len(changes)
                stored += await self.publisher.publish_all(changes)
            await self.checkpoints.advance(self.enterprise_id, entity, upper)
            reached = upper
            if progress is not None:
                result = progress(SweepProgress(entity, index, len(parts), seen, upper))
                if result is not None:
                    await result
        return SweepResult(entity, start, end, seen, stored, reached=end)

    def _change(self, entity: MewsEntity, item: _Versioned) -> MewsChange:
        now = datetime.now(UTC)
        return MewsChange(
            enterprise_id=self.enterprise_id,
            entity=entity,
            mews_id=item.id,
            source=ChangeSource.SWEEP,
            observed_at=now,
            observed_version=item.updated_utc,
        )
