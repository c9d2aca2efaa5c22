"""A unit of work of the publisher: one transaction, with the ledgers of its writes to Mews,
the inbox claim and the outbox queue.

    async with units() as uow:
        if not await uow.claim(command.command_id, consumer=consumer):
            return  # reported before
        await uow.attempts.finish(reference, attempt, {"state": "posted", ...})
        await uow.queue(subject, result, msg_id=result.command_id)
        await uow.commit()

Leaving the block without `commit` rolls everything back: the ledger update, the claim and
the queued result commit together or not at all. A ledger row that must hold before a
request leaves ("sending") is committed in a unit of work of its own.

`SqlUnitOfWork` is the Postgres one; the unit tests run the use cases on an in-memory fake
(tests/unit). The use cases take a factory of units of work (`units()`: a fresh one for each
transaction) and the charge references' locks (`ReferenceLocks`), which are held across
several transactions and belong to no unit of work.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from attendandt.contracts.base import Payload
from attendandt.mews_publisher.models import inbox, outbox
from attendandt.mews_publisher.repository import (
    Attempt,
    Cancellation,
    CustomerUpdate,
    NoteWrite,
    SqlCancellations,
    SqlChargeAttempts,
    SqlCustomerUpdates,
    SqlNoteWrites,
)
from attendandt.platform.inbox import claim
from attendandt.platform.outbox import add


class ChargeAttemptRepository(Protocol):
    """Every attempt to post a charge (`orders/add`), by charge reference and number."""

    async def latest(self, reference: str) -> Attempt | None: ...

    async def first_sent_at(self, reference: str) -> datetime | None:
        """When the reference's first attempt was sent (None: never)."""

    async def add(self, values: Mapping[str, Any]) -> None: ...

    async def finish(self, reference: str, attempt: int, values: Mapping[str, Any]) -> None: ...


class CancellationRepository(Protocol):
    """Every attempt to take a charge back (a cancel or a rebate)."""

    async def for_reference(self, reference: str) -> list[Cancellation]:
        """The charge's attempts, oldest first."""

    async def add(self, values: Mapping[str, Any]) -> None: ...

    async def finish(self, reference: str, attempt: int, values: Mapping[str, Any]) -> None: ...


class CustomerUpdateRepository(Protocol):
    """`customers/update` writes, by command id."""

    async def get(self, command_id: str) -> CustomerUpdate | None: ...

    async def start(self, values: Mapping[str, Any]) -> None:
        """Record an attempt ("sending"); a repeat of the command counts one more."""

    async def finish(self, command_id: str, values: Mapping[str, Any]) -> None: ...


class NoteWriteRepository(Protocol):
    """Stay note writes, by command id."""

    async def get(self, command_id: str) -> NoteWrite | None: ...

    async def start(self, values: Mapping[str, Any]) -> None:
        """Record an attempt ("sending", sent at `values["sent_at"]`); a repeat counts one
        more and keeps the first send time."""

    async def finish(self, command_id: str, values: Mapping[str, Any]) -> None: ...


class ReferenceLocks(Protocol):
    def reference_lock(self, reference: str) -> AbstractAsyncContextManager[bool]:
        """Holds `reference` for this process while in the block (True), or finds another
        one holding it (False)."""


class UnitOfWork(abc.ABC):
    attempts: ChargeAttemptRepository
    cancellations: CancellationRepository
    customer_updates: CustomerUpdateRepository
    note_writes: NoteWriteRepository

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
        """Record the message as processed by `consumer`; False when it already was."""

    @abc.abstractmethod
    async def processed(self, message_id: str, *, consumer: str) -> bool:
        """Whether `consumer` processed the message (claimed it in a committed unit)."""

    @abc.abstractmethod
    async def queue(
        self, subject: str, payload: Payload, *, msg_id: str, correlation_id: str | None = None
    ) -> None:
        """Publish `payload` once this unit of work commits (the outbox)."""

    @abc.abstractmethod
    async def commit(self) -> None: ...

    @abc.abstractmethod
    async def rollback(self) -> None: ...


async def processed(units: Callable[[], UnitOfWork], message_id: str, *, consumer: str) -> bool:
    """Whether `consumer` processed the message, read in a unit of work of its own."""
    async with units() as uow:
        return await uow.processed(message_id, consumer=consumer)


class SqlUnitOfWork(UnitOfWork):
    """A unit of work on one session (one Postgres transaction) of the publisher schema."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> Self:
        self._session = self._sessions()
        self.attempts = SqlChargeAttempts(self._session)
        self.cancellations = SqlCancellations(self._session)
        self.customer_updates = SqlCustomerUpdates(self._session)
        self.note_writes = SqlNoteWrites(self._session)
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
        return await claim(self.session, inbox, consumer=consumer, message_id=message_id)

    async def processed(self, message_id: str, *, consumer: str) -> bool:
        result = await self.session.execute(
            select(inbox.c.message_id).where(
                inbox.c.consumer == consumer, inbox.c.message_id == message_id
            )
        )
        return result.first() is not None

    async def queue(
        self, subject: str, payload: Payload, *, msg_id: str, correlation_id: str | None = None
    ) -> None:
        await add(
            self.session,
            outbox,
            subject=subject,
            payload=payload,
            msg_id=msg_id,
            correlation_id=correlation_id,
        )

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()


def sql_units(sessions: async_sessionmaker[AsyncSession]) -> Callable[[], UnitOfWork]:
    """A factory of Postgres units of work: a new one for each transaction."""
    return lambda: SqlUnitOfWork(sessions)
