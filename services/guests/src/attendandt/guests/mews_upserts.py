"""Mews customers, reservations, hotels and rooms applied from sync's commands, and the
versions we hold of them (for sync's reconciliation).

Each command runs in one unit of work (`unit_of_work`): the inbox claim (by command id), the
effect and the outbox rows announcing it commit together or not at all. Mews data is
last-write-wins (`attendandt.contracts.versioning`); a repeat or an older version changes
nothing and announces nothing. The use cases are `stay_upserts` (reservations) and
`entity_upserts` (customers, hotels, rooms); a batch of customers or reservations is applied
together by `guest_batches` or `stay_batches`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from attendandt.contracts.commands import UpsertGuest, UpsertProperty, UpsertRoom, UpsertStay
from attendandt.contracts.rpc.guests import MewsVersions, MewsVersionsRequest
from attendandt.guests import entity_upserts, guest_batches, stay_batches
from attendandt.guests import version_repository as vr
from attendandt.guests.applied import Applied
from attendandt.guests.batch_rounds import Turns, untraced
from attendandt.guests.guest_versions import event_name
from attendandt.guests.stay_upserts import upsert_stay
from attendandt.guests.unit_of_work import SqlUnitOfWork, UnitOfWork

#: The event of a guest's new version (created / updated / merged).
guest_event_name = event_name


class MewsUpserts:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Callable[[], datetime],
        make_id: Callable[[], str],
        units: Callable[[], UnitOfWork] | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._make_id = make_id
        self._units = units or (lambda: SqlUnitOfWork(sessions))
        # Batches of customers, and of reservations, claim and lock in the order they came.
        self._guest_turns = Turns()
        self._stay_turns = Turns()

    async def upsert_guest(self, command: UpsertGuest, *, consumer: str) -> Applied:
        return await entity_upserts.upsert_guest(
            self._units(), command, consumer=consumer, clock=self._clock, make_id=self._make_id
        )

    async def upsert_guests(
        self,
        commands: Sequence[UpsertGuest],
        *,
        consumer: str,
        each: Callable[[UpsertGuest], AbstractContextManager[object]] = untraced,
    ) -> list[Applied]:
        """A batch of `upsert_guest`, in one unit of work (`guest_batches`)."""
        return await guest_batches.upsert_guests(
            self._units(),
            commands,
            consumer=consumer,
            clock=self._clock,
            make_id=self._make_id,
            each=each,
            turns=self._guest_turns,
        )

    async def upsert_stays(
        self,
        commands: Sequence[UpsertStay],
        *,
        consumer: str,
        each: Callable[[UpsertStay], AbstractContextManager[object]] = untraced,
    ) -> list[Applied]:
        """A batch of `upsert_stay`, in one unit of work (`stay_batches`)."""
        return await stay_batches.upsert_stays(
            self._units(),
            commands,
            consumer=consumer,
            clock=self._clock,
            make_id=self._make_id,
            each=each,
            turns=self._stay_turns,
        )

    async def upsert_stay(self, command: UpsertStay, *, consumer: str) -> Applied:
        return await upsert_stay(
            self._units(), command, consumer=consumer, clock=self._clock, make_id=self._make_id
        )

    async def upsert_property(self, command: UpsertProperty, *, consumer: str) -> Applied:
        return await entity_upserts.upsert_property(
            self._units(), command, consumer=consumer, clock=self._clock
        )

    async def upsert_room(self, command: UpsertRoom, *, consumer: str) -> Applied:
        return await entity_upserts.upsert_room(
            self._units(), command, consumer=consumer, clock=self._clock, make_id=self._make_id
        )

    async def mews_versions(self, request: MewsVersionsRequest) -> MewsVersions:
        """For reconciliation (sync), not for a user: Mews ids and times, nothing personal."""
        async with self._sessions() as session:
            versions = await vr.mews_versions(
                session, request.enterprise_id, request.entity, request.mews_ids
            )
        return MewsVersions(versions=versions)
