"""The vendors database as the probes see it. The use cases reach it through a unit of work
(`unit_of_work.SqlUnitOfWork`); every SQL statement lives in one module an aggregate
(`vendor_repository`, `booking_repository`, `charge_repository`; Mews companies, erasure and
idempotency keys have their own)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


class Database:
    """Answers the readiness probe."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def ping(self) -> bool:
        try:
            async with self.sessions() as session:
                await session.execute(text("SELECT 1"))
        except Exception:
            return False
        return True
