"""A unit of work of the guests service: one transaction, with the repositories the use cases
written against it need, the inbox claim and the outbox queue.

    async with uow:
        if not await uow.claim(command.command_id, consumer=consumer):
            ...  # processed before
        ... uow.stays ...
        await uow.queue(subject, event, msg_id=event.event_id)
        await uow.commit()

Leaving the block without `commit` rolls everything back: the claim, the effect and the
queued messages commit together or not at all. `SqlUnitOfWork` is the Postgres one; the
unit tests run the same use cases on an in-memory fake (tests/unit).

Written against it so far: applying a Mews reservation (`stay_upserts`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from attendandt.contracts.snapshots import StaySnapshot
from attendandt.contracts.versioning import MewsVersion
from attendandt.guests import stay_note_repository as nr
from attendandt.guests import stored_stay_repository as ssr
from attendandt.guests import upsert_repository as ur
from attendandt.guests.models import inbox, outbox
from attendandt.guests.stay_events import known_guests
from attendandt.guests.upsert_repository import StoredStay
from attendandt.guests.version_repository import lock_mews_entity
from attendandt.platform import unit_of_work as platform_uow

Role = Literal["owner", "companion"]


class StayRepository(Protocol):
    """Stays (Mews reservations) by (enterprise, Mews id), and their customers."""

    async def lock(self, enterprise_id: str, mews_id: str) -> None:
        """Serialise the units of work about this reservation until this one ends."""

    async def get(self, enterprise_id: str, mews_id: str) -> StoredStay | None: ...

    async def snapshot(self, enterprise_id: str, stay_id: str) -> StaySnapshot | None:
        """The stay as stored, rebuilt as the snapshot it was applied from."""

    async def put(
        self,
        *,
        stay_id: str,
        enterprise_id: str,
        stay: StaySnapshot,
        version: MewsVersion,
        synced_at: datetime,
    ) -> str | None:
        """Store the stay unless the stored version is as new or newer (`supersedes`,
        checked again by the store against concurrent writers): our stay id, or None."""

    async def replace_customers(
        self, *, stay_id: str, enterprise_id: str, customers: Sequence[tuple[str, Role]]
    ) -> None:
        """The customers on the stay, by Mews id, in order (owner first)."""

    async def known_guests(self, enterprise_id: str, customers: Sequence[str]) -> tuple[str, ...]:
        """Our guest ids of these customers (in their order), those we know as guests."""


class NoteWrite(Protocol):
    """A staff note written here, on its way to Mews."""

    @property
    def id(self) -> str: ...

    @property
    def text(self) -> str: ...

    @property
    def note_mews_id(self) -> str | None: ...


class NoteWriteRepository(Protocol):
    """What recognising our own notes in Mews's version of a stay reads and records."""

    async def held_notes(self, stay_id: str) -> list[Any]:
        """The notes on the stored stay, as stored (dicts)."""

    async def on_their_way(self, stay_id: str) -> Sequence[NoteWrite]:
        """The stay's note writes not yet answered by Mews, oldest first."""

    async def finish(self, write_id: str, values: Mapping[str, Any]) -> None: ...


class UnitOfWork(platform_uow.UnitOfWork):
    stays: StayRepository
    note_writes: NoteWriteRepository


class _SqlStays:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock(self, enterprise_id: str, mews_id: str) -> None:
        await lock_mews_entity(self._session, "reservation", enterprise_id, mews_id)

    async def get(self, enterprise_id: str, mews_id: str) -> StoredStay | None:
        return await ur.stored_stay(self._session, enterprise_id, mews_id)

    async def snapshot(self, enterprise_id: str, stay_id: str) -> StaySnapshot | None:
        found = await ssr.stay_snapshot(self._session, enterprise_id, stay_id)
        return None if found is None else found[1]

    async def put(
        self,
        *,
        stay_id: str,
        enterprise_id: str,
        stay: StaySnapshot,
        version: MewsVersion,
        synced_at: datetime,
    ) -> str | None:
        return await ur.upsert_stay(
            self._session,
            stay_id=stay_id,
            enterprise_id=enterprise_id,
            stay=stay,
            version=version,
            synced_at=synced_at,
        )

    async def replace_customers(
        self, *, stay_id: str, enterprise_id: str, customers: Sequence[tuple[str, Role]]
    ) -> None:
        await ur.replace_stay_guests(
            self._session, stay_id=stay_id, enterprise_id=enterprise_id, customers=customers
        )

    async def known_guests(self, enterprise_id: str, customers: Sequence[str]) -> tuple[str, ...]:
        return await known_guests(self._session, enterprise_id, list(customers))


class _SqlNoteWrites:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def held_notes(self, stay_id: str) -> list[Any]:
        return await nr.stay_notes(self._session, stay_id)

    async def on_their_way(self, stay_id: str) -> Sequence[NoteWrite]:
        return await nr.writes_on_their_way(self._session, stay_id)

    async def finish(self, write_id: str, values: Mapping[str, Any]) -> None:
        await nr.finish_write(self._session, write_id, values)


class SqlUnitOfWork(platform_uow.SqlUnitOfWork, UnitOfWork):
    """A unit of work on one session (one Postgres transaction) of the guests schema."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        super().__init__(sessions, inbox=inbox, outbox=outbox)

    def bind(self, session: AsyncSession) -> None:
        self.stays = _SqlStays(session)
        self.note_writes = _SqlNoteWrites(session)
