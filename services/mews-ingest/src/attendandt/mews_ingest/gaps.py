"""The gap guard of one property: when ingest last heard from it, and which entities must
be swept from the resync horizon because a silence longer than the bound came in between.

A silence is seen wherever it ends: at start (the contact a previous process persisted), at
the next event (the event itself says nothing of what happened before it) and at every sweep
decision. Once seen, every entity stays due until a sweep of it from the horizon is over;
meanwhile no contact is persisted, so a restart before then sees the silence again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from attendandt.contracts.mews import MewsEntity


@dataclass
class GapGuard:
    silence_bound: timedelta
    entities: tuple[MewsEntity, ...]
    #: When ingest last heard from the property (or last saw a silence end); None: never
    #: (a first start, every checkpoint missing anyway).
    last_contact: datetime | None = None
    #: Entities whose next sweep starts at the resync horizon.
    due: set[MewsEntity] = field(default_factory=set)

    def _silence(self, now: datetime) -> timedelta | None:
        """The silence up to `now` if it is longer than the bound; None otherwise. A silence
        is seen once: every entity is marked due (they carry it from then on) and the
        silence is measured afresh from `now`."""
        if self.last_contact is None:
            return None
        silent = now - self.last_contact
        if silent <= self.silence_bound:
            return None
        self.due.update(self.entities)
        self.last_contact = now
        return silent

    def resume(self, persisted: datetime | None, now: datetime) -> timedelta | None:
        """At start, from the last contact a previous process kept."""
        self.last_contact = persisted
        return self._silence(now)

    def heard(self, now: datetime) -> timedelta | None:
        """News from the property (an event, a webhook); returns the silence it ended, if
        longer than the bound."""
        silent = self._silence(now)
        if self.last_contact is None or now > self.last_contact:
            self.last_contact = now
        return silent

    def swept(self, now: datetime) -> None:
        """A sweep is over: news up to `now` (a silence before it was checked when it began;
        a long sweep is not a silence)."""
        if self.last_contact is None or now > self.last_contact:
            self.last_contact = now

    def check(self, now: datetime) -> timedelta | None:
        """At a sweep decision: the silence so far, if longer than the bound."""
        return self._silence(now)

    def resynced(self, entity: MewsEntity) -> None:
        """`entity` was swept from the horizon to the present."""
        self.due.discard(entity)

    def persistable(self) -> datetime | None:
        """The contact to keep for the next process; None while a resync is due."""
        return None if self.due else self.last_contact
