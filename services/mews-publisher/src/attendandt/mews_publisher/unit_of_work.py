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

from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

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
from attendandt.platform import unit_of_work as platform_uow


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


class UnitOfWork(platform_uow.UnitOfWork):
    attempts: ChargeAttemptRepository
    cancellations: CancellationRepository
    customer_updates: CustomerUpdateRepository
    note_writes: NoteWriteRepository


async def processed(units: Callable[[], UnitOfWork], message_id: str, *, consumer: str) -> bool:
    """Whether `consumer` processed the message, read in a unit of work of its own."""
    async with units() as uow:
        return await uow.processed(message_id, consumer=consumer)


class SqlUnitOfWork(platform_uow.SqlUnitOfWork, UnitOfWork):
    """A unit of work on one session (one Postgres transaction) of the publisher schema."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        super().__init__(sessions, inbox=inbox, outbox=outbox)

    def bind(self, session: AsyncSession) -> None:
        self.attempts = SqlChargeAttempts(session)
        self.cancellations = SqlCancellations(session)
        self.customer_updates = SqlCustomerUpdates(session)
        self.note_writes = SqlNoteWrites(session)


def sql_units(sessions: async_sessionmaker[AsyncSession]) -> Callable[[], UnitOfWork]:
    """A factory of Postgres units of work: a new one for each transaction."""
    return lambda: SqlUnitOfWork(sessions)
