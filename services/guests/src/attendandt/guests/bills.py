"""Stays' bills: sync's `UpsertStayBill` (last write wins per stay, on a `UnitOfWork`) and the
`stay_bill` read for hotel staff. Vendors never see a bill; a stay of a property the caller
does not act for is "not found" (no existence oracle)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from attendandt.contracts.caller import Caller
from attendandt.contracts.commands import UpsertStayBill
from attendandt.contracts.rpc.guests import BILL_READ, StayBillReply, StayBillRequest
from attendandt.contracts.versioning import read_version, supersedes
from attendandt.guests import bill_repository as bills
from attendandt.guests.unit_of_work import SqlUnitOfWork, UnitOfWork
from attendandt.platform.rpc import Forbidden, Invalid, NotFound

_TOKEN = re.compile(r"^[A-Za-z0-9_\-]+$")


def _stay_uuid(value: str) -> str | None:
    """Our stay ids are UUIDs; anything else names no stay."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def _check(command: UpsertStayBill) -> None:
    bill = command.bill
    if not _TOKEN.match(command.enterprise_id):
        raise Invalid(f"enterprise_id {command.enterprise_id!r} is not a single subject token")
    if not bill.stay_mews_id.strip():
        raise Invalid("stay_mews_id is empty")
    updated = bill.mews_updated_utc
    if updated.tzinfo is None or updated.utcoffset() is None:
        raise Invalid("mews_updated_utc has no time zone: send UTC times with an offset or Z")


async def upsert_bill(
    uow: UnitOfWork,
    command: UpsertStayBill,
    *,
    consumer: str,
    clock: Callable[[], datetime],
) -> bool:
    """Keep the newer picture of the stay's bill; True when it replaced the stored one. In
    one unit of work: the claim (it commits also when the version is stale) and the bill."""
    _check(command)
    bill = command.bill
    enterprise = command.enterprise_id
    version = read_version(bill, command.issued_at)
    async with uow:
        replaced = False
        if await uow.claim(command.command_id, consumer=consumer):
            await uow.bills.lock(enterprise, bill.stay_mews_id)
            stored = await uow.bills.version(enterprise, bill.stay_mews_id)
            if stored is None or supersedes(version, stored):
                await uow.bills.put(
                    enterprise_id=enterprise, bill=bill, version=version, synced_at=clock()
                )
                replaced = True
        await uow.commit()
    return replaced


class StayBills:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Callable[[], datetime],
        units: Callable[[], UnitOfWork] | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._units = units or (lambda: SqlUnitOfWork(sessions))

    async def upsert(self, command: UpsertStayBill, *, consumer: str) -> bool:
        return await upsert_bill(self._units(), command, consumer=consumer, clock=self._clock)

    async def stay_bill(self, request: StayBillRequest, caller: Caller) -> StayBillReply:
        missing = NotFound(f"no stay {request.stay_id}")
        if not caller.may_act_for(request.enterprise_id):
            raise missing
        if caller.is_vendor or not caller.can(BILL_READ):
            raise Forbidden("a stay's bill is for the hotel's staff")
        stay_id = _stay_uuid(request.stay_id)
        if stay_id is None:
            raise missing
        async with self._sessions() as session:
            found = await bills.bill_of_stay(session, request.enterprise_id, stay_id)
        if found is None:
            raise missing
        stored = found.bill
        return StayBillReply(
            enterprise_id=request.enterprise_id,
            stay_id=stay_id,
            stay_mews_id=found.stay_mews_id,
            currency=(stored.bill.currency if stored else None) or found.currency,
            bill=stored.bill if stored else None,
            synced_at=stored.synced_at if stored else None,
        )
