"""One on-demand resync of a property (`sweep` or `start_resync`): what it sweeps, how far
it got, and the snapshot the status board and the callers see."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime

from attendandt.contracts.mews import MewsEntity
from attendandt.contracts.rpc.ingest import ResyncJob
from attendandt.mews_ingest.sweeps import SweepProgress, SweepResult


@dataclass
class Resync:
    """One on-demand sweep of an enterprise (`sweep` or `start_resync`), cancellable between
    two windows."""

    job_id: str
    enterprise_id: str
    since: datetime | None
    oldest_allowed: datetime
    entities: tuple[MewsEntity, ...]
    cancel: asyncio.Event = field(default_factory=asyncio.Event)
    state: str = "running"
    progress: SweepProgress | None = None
    entities_done: list[str] = field(default_factory=list)
    changes_seen: int = 0
    results: list[SweepResult] = field(default_factory=list)
    failure: Exception | None = None
    task: asyncio.Task[None] | None = None
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    windows_done: int = 0

    def on_progress(self, progress: SweepProgress) -> None:
        if self.progress is not None and self.progress.entity != progress.entity:
            self.changes_seen += self.progress.changes
        self.progress = progress
        self.windows_done += 1

    def eta_s(self) -> float | None:
        """At the pace so far; the entities still to come are taken to have as many windows
        as the current one (their ranges differ only by their checkpoints)."""
        last = self.progress
        if last is None or self.state != "running":
            return None
        entities_after = len(self.entities) - 1 - self.entities.index(last.entity)
        remaining = (last.windows - last.window) + last.windows * max(entities_after, 0)
        elapsed = (datetime.now(UTC) - self.started_at).total_seconds()
        return round(elapsed / self.windows_done * remaining, 1)

    def snapshot(self) -> ResyncJob:
        last = self.progress
        return ResyncJob(
            job_id=self.job_id,
            enterprise_id=self.enterprise_id,
            state="cancelling" if self.state == "running" and self.cancel.is_set() else self.state,
            since=self.since,
            oldest_allowed=self.oldest_allowed,
            entities=tuple(e.value for e in self.entities),
            entities_done=tuple(self.entities_done),
            entity=last.entity.value if last is not None else None,
            window=last.window if last is not None else 0,
            windows=last.windows if last is not None else 0,
            reached=last.reached if last is not None else None,
            changes_seen=self.changes_seen + (last.changes if last is not None else 0),
            error=str(self.failure)[:300] if self.failure is not None else None,
            started_at=self.started_at,
            eta_s=self.eta_s(),
        )
