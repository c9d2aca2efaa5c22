"""The unit of work every service's use cases run in (cosmicpython's pattern), in one place.

    async with units() as uow:
        if not await uow.claim(command.command_id, consumer=consumer):
            return  # processed before
        ... uow.<repository> ...
        await uow.queue(subject, event, msg_id=event.event_id)
        await uow.commit()

Leaving the block without `commit` rolls everything back: the inbox claim, the effect and the
queued messages commit together or not at all. Queued messages are written to the outbox at
commit, all in one round trip (a batch of commands queues hundreds).

Each service subclasses `UnitOfWork` with the repositories its use cases need (Protocols),
and gets its Postgres one from `SqlUnitOfWork`, binding its SQL repositories to the session
in `bind`; its unit tests run the same use cases on an in-memory fake of its `UnitOfWork`.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from types import TracebackType
from typing import Self

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from attendandt.contracts.base import Payload
from attendandt.platform.inbox import claim, claim_many
from attendandt.platform.outbox import add_rows, outbox_row


class UnitOfWork(abc.ABC):
    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.rollback()  # after commit there is nothing left to roll back

    @abc.abstractmethod
    async def claim(self, message_id: str, *, consumer: str) -> bool:
        """Record the message as processed by `consumer`; False when it already was (then
        do nothing)."""

    async def claim_many(self, message_ids: Sequence[str], *, consumer: str) -> set[str]:
        """`claim` for each of a batch of messages: the ids newly claimed (the others were
        processed before: do nothing for them)."""
        return {m for m in message_ids if await self.claim(m, consumer=consumer)}

    @abc.abstractmethod
    async def processed(self, message_id: str, *, consumer: str) -> bool:
        """Whether `consumer` processed the message (claimed it in a committed unit)."""

    @abc.abstractmethod
    async def queue(
        self, subject: str, payload: Payload, *, msg_id: str, correlation_id: str | None = None
    ) -> None:
        """Publish `payload` once this unit of work commits (never if it rolls back)."""

    @abc.abstractmethod
    async def commit(self) -> None: ...

    @abc.abstractmethod
    async def rollback(self) -> None: ...


class SqlUnitOfWork(UnitOfWork):
    """A unit of work on one session (one Postgres transaction) of a service's schema, with
    that schema's `inbox` and `outbox` tables."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, inbox: Table, outbox: Table
    ) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None
        self._inbox = inbox
        self._outbox = outbox
        #: Outbox rows queued in this unit, written at commit in one round trip.
        self._queued: list[tuple[str, bytes, str]] = []

    def bind(self, session: AsyncSession) -> None:
        """Give the repositories this transaction's session (the service's subclass)."""

    async def __aenter__(self) -> Self:
        self._session = self._sessions()
        self._queued = []
        self.bind(self._session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await super().__aexit__(exc_type, exc, tb)
        finally:
            await self.session.close()
            self._session = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("use the unit of work inside `async with`")
        return self._session

    async def claim(self, message_id: str, *, consumer: str) -> bool:
        return await claim(self.session, self._inbox, consumer=consumer, message_id=message_id)

    async def claim_many(self, message_ids: Sequence[str], *, consumer: str) -> set[str]:
        return await claim_many(
            self.session, self._inbox, consumer=consumer, message_ids=message_ids
        )

    async def processed(self, message_id: str, *, consumer: str) -> bool:
        inbox = self._inbox
        result = await self.session.execute(
            select(inbox.c.message_id).where(
                inbox.c.consumer == consumer, inbox.c.message_id == message_id
            )
        )
        return result.first() is not None

    async def queue(
        self, subject: str, payload: Payload, *, msg_id: str, correlation_id: str | None = None
    ) -> None:
        self._queued.append(
            outbox_row(subject, payload, msg_id=msg_id, correlation_id=correlation_id)
        )

    async def commit(self) -> None:
        queued, self._queued = self._queued, []
        await add_rows(self.session, self._outbox, queued)
        await self.session.commit()

    async def rollback(self) -> None:
        self._queued = []
        await self.session.rollback()
