"""Every SQL statement of the publisher: the Postgres repositories of its unit of work
(`unit_of_work.SqlUnitOfWork`), each on the unit of work's session, and the rows they read.

`Database.reference_lock()` holds a session advisory lock for one charge reference on its own
connection while the charge is handled: two deliveries of the same charge (a redelivery
while the first worker still waits for Mews) never send at once, and a killed process
releases the lock with its connection.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from attendandt.mews_publisher.models import (
    charge_attempts,
    charge_cancellations,
    customer_updates,
    stay_note_writes,
)


@dataclass(frozen=True)
class CustomerUpdate:
    command_id: str
    state: str
    attempts: int
    sent_at: datetime | None
    updated_at: datetime


@dataclass(frozen=True)
class NoteWrite:
    command_id: str
    state: str
    note_id: str | None
    first_sent_at: datetime | None
    sent_at: datetime | None


@dataclass(frozen=True)
class Attempt:
    reference: str
    attempt: int
    enterprise_id: str
    charge_id: str
    command_id: str
    account_id: str
    service_id: str
    state: str
    mews_order_id: str | None
    mews_message: str | None
    mews_request_id: str | None
    sent_at: datetime
    finished_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Cancellation:
    reference: str
    attempt: int
    enterprise_id: str
    charge_id: str
    command_id: str
    method: str
    order_item_ids: list[str]
    state: str
    mews_order_id: str | None
    mews_message: str | None
    mews_request_id: str | None
    sent_at: datetime
    finished_at: datetime | None
    created_at: datetime
    updated_at: datetime


class _OnSession:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session


class SqlChargeAttempts(_OnSession):
    async def latest(self, reference: str) -> Attempt | None:
        row = (
            await self.session.execute(
                select(charge_attempts)
                .where(charge_attempts.c.reference == reference)
                .order_by(charge_attempts.c.attempt.desc())
                .limit(1)
            )
        ).first()
        return None if row is None else Attempt(**row._mapping)

    async def first_sent_at(self, reference: str) -> datetime | None:
        result = await self.session.execute(
            select(func.min(charge_attempts.c.sent_at)).where(
                charge_attempts.c.reference == reference
            )
        )
        value: datetime | None = result.scalar()
        return value

    async def add(self, values: Mapping[str, Any]) -> None:
        await self.session.execute(insert(charge_attempts).values(**values))

    async def finish(self, reference: str, attempt: int, values: Mapping[str, Any]) -> None:
        await self.session.execute(
            update(charge_attempts)
            .where(charge_attempts.c.reference == reference, charge_attempts.c.attempt == attempt)
            .values(**values, updated_at=func.now())
        )


class SqlCancellations(_OnSession):
    async def for_reference(self, reference: str) -> list[Cancellation]:
        """Every attempt to take the charge back, oldest first."""
        rows = await self.session.execute(
            select(charge_cancellations)
            .where(charge_cancellations.c.reference == reference)
            .order_by(charge_cancellations.c.attempt)
        )
        return [Cancellation(**row._mapping) for row in rows]

    async def add(self, values: Mapping[str, Any]) -> None:
        await self.session.execute(insert(charge_cancellations).values(**values))

    async def finish(self, reference: str, attempt: int, values: Mapping[str, Any]) -> None:
        await self.session.execute(
            update(charge_cancellations)
            .where(
                charge_cancellations.c.reference == reference,
                charge_cancellations.c.attempt == attempt,
            )
            .values(**values, updated_at=func.now())
        )


class SqlCustomerUpdates(_OnSession):
    async def get(self, command_id: str) -> CustomerUpdate | None:
        row = (
            await self.session.execute(
                select(
                    customer_updates.c.command_id,
                    customer_updates.c.state,
                    customer_updates.c.attempts,
                    customer_updates.c.sent_at,
                    customer_updates.c.updated_at,
                ).where(customer_updates.c.command_id == command_id)
            )
        ).first()
        return None if row is None else CustomerUpdate(**row._mapping)

    async def start(self, values: Mapping[str, Any]) -> None:
        """Record an attempt of an UpdateCustomer command (a repeat counts one more)."""
        statement = pg_insert(customer_updates).values(**values, state="sending")
        changes: dict[str, Any] = {
            "state": "sending",
            "attempts": customer_updates.c.attempts + 1,
            "updated_at": func.now(),
        }
        if "sent_at" in values:
            changes["sent_at"] = statement.excluded.sent_at
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[customer_updates.c.command_id], set_=changes
            )
        )

    async def finish(self, command_id: str, values: Mapping[str, Any]) -> None:
        await self.session.execute(
            update(customer_updates)
            .where(customer_updates.c.command_id == command_id)
            .values(**values, updated_at=func.now())
        )


class SqlNoteWrites(_OnSession):
    async def get(self, command_id: str) -> NoteWrite | None:
        row = (
            await self.session.execute(
                select(
                    stay_note_writes.c.command_id,
                    stay_note_writes.c.state,
                    stay_note_writes.c.note_id,
                    stay_note_writes.c.first_sent_at,
                    stay_note_writes.c.sent_at,
                ).where(stay_note_writes.c.command_id == command_id)
            )
        ).first()
        return None if row is None else NoteWrite(**row._mapping)

    async def start(self, values: Mapping[str, Any]) -> None:
        """Record an attempt (committed before it leaves); a repeat counts one more."""
        statement = pg_insert(stay_note_writes).values(
            **values, state="sending", first_sent_at=values["sent_at"]
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[stay_note_writes.c.command_id],
                set_={
                    "state": "sending",
                    "sent_at": statement.excluded.sent_at,
                    "attempts": stay_note_writes.c.attempts + 1,
                    "updated_at": func.now(),
                },
            )
        )

    async def finish(self, command_id: str, values: Mapping[str, Any]) -> None:
        await self.session.execute(
            update(stay_note_writes)
            .where(stay_note_writes.c.command_id == command_id)
            .values(**values, updated_at=func.now())
        )


class Database:
    """The publisher's Postgres: units of work on `sessions` (`unit_of_work.sql_units`), the
    charge references' locks and the readiness probe."""

    def __init__(self, engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.engine = engine
        self.sessions = sessions

    @asynccontextmanager
    async def reference_lock(self, reference: str) -> AsyncIterator[bool]:
        """Yields True while this process holds `reference`, False if another one does."""
        async with self.engine.connect() as raw:
            conn = await raw.execution_options(isolation_level="AUTOCOMMIT")
            key = {"key": f"publisher:{reference}"}
            held = bool(
                (
                    await conn.execute(
                        text("SELECT pg_try_advisory_lock(hashtextextended(:key, 0))"), key
                    )
                ).scalar()
            )
            try:
                yield held
            finally:
                if held:
                    try:
                        await conn.execute(
                            text("SELECT pg_advisory_unlock(hashtextextended(:key, 0))"), key
                        )
                    except BaseException:
                        # Never hand a connection that may still hold the lock back to the pool.
                        await raw.invalidate()
                        raise

    async def ping(self) -> bool:
        try:
            async with self.sessions() as session:
                await session.execute(text("SELECT 1"))
        except Exception:
            return False
        return True
