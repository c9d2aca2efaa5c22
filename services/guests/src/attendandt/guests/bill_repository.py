"""SQL of stays' bills (`stay_bills`): the stored version of a stay's bill, the upsert, and
the read with the stay it belongs to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import msgspec
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from attendandt.contracts.bills import StayBillSnapshot
from attendandt.contracts.versioning import MewsVersion
from attendandt.guests.models import properties, stay_bills, stays
from attendandt.guests.version_repository import version_of


@dataclass(frozen=True)
class StoredBill:
    bill: StayBillSnapshot
    version: MewsVersion
    synced_at: datetime


async def stored_version(
    session: AsyncSession, enterprise_id: str, stay_mews_id: str
) -> MewsVersion | None:
    row = (
        await session.execute(
            select(
                stay_bills.c.mews_updated_utc, stay_bills.c.mews_read_at, stay_bills.c.mews_digest
            ).where(
                stay_bills.c.enterprise_id == enterprise_id,
                stay_bills.c.stay_mews_id == stay_mews_id,
            )
        )
    ).first()
    return None if row is None else version_of(row)


async def put_bill(
    session: AsyncSession,
    *,
    enterprise_id: str,
    bill: StayBillSnapshot,
    version: MewsVersion,
    synced_at: datetime,
) -> None:
    values = {
        "bill": msgspec.to_builtins(bill),
        "mews_updated_utc": version.updated_utc,
        "mews_read_at": version.read_at,
        "mews_digest": version.digest,
        "synced_at": synced_at,
    }
    statement = insert(stay_bills).values(
        enterprise_id=enterprise_id, stay_mews_id=bill.stay_mews_id, **values
    )
    await session.execute(
        statement.on_conflict_do_update(constraint="stay_bills_pkey", set_=values)
    )


@dataclass(frozen=True)
class StayOfBill:
    """A stay as its bill needs it: its Mews id, the hotel's currency, the bill if any."""

    stay_mews_id: str
    currency: str | None
    bill: StoredBill | None


async def bill_of_stay(
    session: AsyncSession, enterprise_id: str, stay_id: str
) -> StayOfBill | None:
    """The stay's bill, or None when the property has no such stay."""
    statement = (
        select(
            stays.c.mews_id,
            properties.c.default_currency,
            stay_bills.c.bill,
            stay_bills.c.mews_updated_utc,
            stay_bills.c.mews_read_at,
            stay_bills.c.mews_digest,
            stay_bills.c.synced_at,
        )
        .select_from(stays)
        .outerjoin(properties, properties.c.enterprise_id == stays.c.enterprise_id)
        .outerjoin(
            stay_bills,
            (stay_bills.c.enterprise_id == stays.c.enterprise_id)
            & (stay_bills.c.stay_mews_id == stays.c.mews_id),
        )
        .where(stays.c.enterprise_id == enterprise_id, stays.c.id == stay_id)
    )
    row = (await session.execute(statement)).first()
    if row is None:
        return None
    stored = None
    if row.bill is not None:
        stored = StoredBill(
            bill=msgspec.convert(row.bill, StayBillSnapshot),
            version=version_of(row),
            synced_at=row.synced_at,
        )
    return StayOfBill(stay_mews_id=row.mews_id, currency=row.default_currency, bill=stored)
