"""Every SQL statement of the vendors service, one module an aggregate (`vendor_repository`,
`booking_repository`, `charge_repository`; Mews companies and erasure have their own).

`Database.transaction()` opens one transaction and hands out a `Repository` bound to it: the
use case's reads, writes, inbox claim and outbox rows commit or roll back together.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from attendandt.vendors.booking_repository import BookingRows
from attendandt.vendors.charge_repository import ChargeRows
from attendandt.vendors.vendor_repository import VendorRows


class Repository(VendorRows, BookingRows, ChargeRows):
    """Every aggregate's statements on one transaction's session."""


class Database:
    """Opens transactions; one per use case."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Repository]:
        async with self.sessions() as session, session.begin():
            yield Repository(session)

    async def ping(self) -> bool:
        try:
            async with self.sessions() as session:
                await session.execute(text("SELECT 1"))
        except Exception:
            return False
        return True
