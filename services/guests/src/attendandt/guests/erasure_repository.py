"""SQL of erasures and of the guest access log (`privacy_models`), and the pseudonymisation
of a guest in this schema."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from attendandt.contracts.versioning import ERASED
from attendandt.guests.models import guest_edits, guests, stay_guests, stays, timeline
from attendandt.guests.privacy_models import erasure_receipts, erasure_requests, guest_access_log


@dataclass(frozen=True)
class GuestToErase:
    guest_id: str
    mews_id: str
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class StoredRequest:
    request_id: str
    enterprise_id: str
    guest_id: str
    customer_mews_id: str | None
    pseudonym: str
    source: str
    requested_by: str
    requested_at: datetime
    reason: str
    parts: tuple[str, ...]
    completed_at: datetime | None


@dataclass(frozen=True)
class StoredReceipt:
    part: str
    done_at: datetime
    removed: dict[str, int]
    pseudonymised: dict[str, int]


def _request(row: Any) -> StoredRequest:
    return StoredRequest(
        request_id=row.id,
        enterprise_id=row.enterprise_id,
        guest_id=row.guest_id,
        customer_mews_id=row.customer_mews_id,
        pseudonym=row.pseudonym,
        source=row.source,
        requested_by=row.requested_by,
        requested_at=row.requested_at,
        reason=row.reason,
        parts=tuple(row.parts),
        completed_at=row.completed_at,
    )


async def guest_to_erase(
    session: AsyncSession, enterprise_id: str, guest_id: str
) -> GuestToErase | None:
    row = (
        await session.execute(
            select(guests.c.id, guests.c.mews_id, guests.c.email, guests.c.phone).where(
                guests.c.enterprise_id == enterprise_id, guests.c.id == guest_id
            )
        )
    ).first()
    if row is None:
        return None
    return GuestToErase(guest_id=row.id, mews_id=row.mews_id, email=row.email, phone=row.phone)


async def guest_id_of_customer(
    session: AsyncSession, enterprise_id: str, customer_mews_id: str
) -> str | None:
    found = await session.scalar(
        select(guests.c.id).where(
            guests.c.enterprise_id == enterprise_id, guests.c.mews_id == customer_mews_id
        )
    )
    return None if found is None else str(found)


async def request_for_guest(
    session: AsyncSession, enterprise_id: str, guest_id: str
) -> StoredRequest | None:
    row = (
        await session.execute(
            select(erasure_requests).where(
                erasure_requests.c.enterprise_id == enterprise_id,
                erasure_requests.c.guest_id == guest_id,
            )
        )
    ).first()
    return _request(row) if row is not None else None


async def add_request(session: AsyncSession, request: StoredRequest) -> bool:
    """Insert the request; False when the guest already has one (a concurrent ask)."""
    statement = (
        pg_insert(erasure_requests)
        .values(
            id=request.request_id,
            enterprise_id=request.enterprise_id,
            guest_id=request.guest_id,
            customer_mews_id=request.customer_mews_id,
            pseudonym=request.pseudonym,
            source=request.source,
            requested_by=request.requested_by,
            requested_at=request.requested_at,
            reason=request.reason,
            parts=list(request.parts),
        )
        .on_conflict_do_nothing()
        .returning(erasure_requests.c.id)
    )
    return (await session.execute(statement)).first() is not None


async def find_request(
    session: AsyncSession, request_id: str, enterprises: tuple[str, ...] | None
) -> StoredRequest | None:
    query = select(erasure_requests).where(erasure_requests.c.id == request_id)
    if enterprises is not None:
        query = query.where(erasure_requests.c.enterprise_id.in_(enterprises))
    row = (await session.execute(query)).first()
    return _request(row) if row is not None else None


async def list_requests(
    session: AsyncSession,
    enterprises: tuple[str, ...] | None,
    *,
    pending: bool | None,
    limit: int,
    offset: int,
) -> list[StoredRequest]:
    query = select(erasure_requests)
    if enterprises is not None:
        query = query.where(erasure_requests.c.enterprise_id.in_(enterprises))
    if pending is not None:
        done = erasure_requests.c.completed_at.is_not(None)
        query = query.where(~done if pending else done)
    query = query.order_by(erasure_requests.c.requested_at.desc(), erasure_requests.c.id)
    rows = (await session.execute(query.limit(limit).offset(offset))).all()
    return [_request(row) for row in rows]


async def receipts_of(
    session: AsyncSession, request_ids: Sequence[str]
) -> dict[str, dict[str, StoredReceipt]]:
    if not request_ids:
        return {}
    rows = (
        await session.execute(
            select(erasure_receipts).where(erasure_receipts.c.request_id.in_(request_ids))
        )
    ).all()
    found: dict[str, dict[str, StoredReceipt]] = {}
    for row in rows:
        found.setdefault(row.request_id, {})[row.part] = StoredReceipt(
            part=row.part,
            done_at=row.done_at,
            removed=dict(row.removed),
            pseudonymised=dict(row.pseudonymised),
        )
    return found


async def lock_request(session: AsyncSession, request_id: str) -> StoredRequest | None:
    row = (
        await session.execute(
            select(erasure_requests).where(erasure_requests.c.id == request_id).with_for_update()
        )
    ).first()
    return _request(row) if row is not None else None


async def add_receipt(
    session: AsyncSession, request_id: str, receipt: StoredReceipt, recorded_at: datetime
) -> bool:
    """Record a part's receipt once; False when that part had answered already."""
    statement = (
        pg_insert(erasure_receipts)
        .values(
            request_id=request_id,
            part=receipt.part,
            done_at=receipt.done_at,
            removed=receipt.removed,
            pseudonymised=receipt.pseudonymised,
            recorded_at=recorded_at,
        )
        .on_conflict_do_nothing()
        .returning(erasure_receipts.c.part)
    )
    return (await session.execute(statement)).first() is not None


async def mark_completed(session: AsyncSession, request_id: str, at: datetime) -> None:
    """The request is done (the caller saw, under the request's lock, every part answer)."""
    await session.execute(
        update(erasure_requests).where(erasure_requests.c.id == request_id).values(completed_at=at)
    )


async def pseudonymise_guest(
    session: AsyncSession, enterprise_id: str, guest_id: str, mews_id: str, pseudonym: str
) -> tuple[dict[str, int], dict[str, int]]:
    """Remove the guest's personal data from this schema: (removed, pseudonymised) counts.

    The guest row stays (others keep its id; the search shows only the pseudonym), with no
    personal field left and the version that keeps Mews from writing it again. Its stays lose
    their notes (free text about their guests); its edits (old and new values) and timeline
    entries (booking notes, charge descriptions) are deleted. The audit of its edits keeps
    field names only, and stays."""
    guest_rows = await session.execute(
        update(guests)
        .where(guests.c.enterprise_id == enterprise_id, guests.c.id == guest_id)
        .values(
            first_name=None,
            last_name=pseudonym,
            email=None,
            phone=None,
            language_code=None,
            nationality_code=None,
            birth_date=None,
            classifications=[],
            company_mews_id=None,
            notes=None,
            is_active=False,
            merge_target_mews_id=None,
            field_changed_utc={},
            mews_updated_utc=ERASED,
            mews_read_at=None,
            mews_digest=None,
        )
    )
    on_stays = select(stay_guests.c.stay_id).where(
        stay_guests.c.enterprise_id == enterprise_id, stay_guests.c.customer_mews_id == mews_id
    )
    stay_rows = await session.execute(
        update(stays)
        .where(
            and_(stays.c.id.in_(on_stays), func.jsonb_array_length(stays.c.notes) > 0),
        )
        .values(notes=[])
    )
    edit_rows = await session.execute(delete(guest_edits).where(guest_edits.c.guest_id == guest_id))
    timeline_rows = await session.execute(
        delete(timeline).where(
            timeline.c.enterprise_id == enterprise_id, timeline.c.guest_id == guest_id
        )
    )
    removed = {
        "stay_notes": _count(stay_rows),
        "guest_edits": _count(edit_rows),
        "timeline": _count(timeline_rows),
    }
    return removed, {"guests": _count(guest_rows)}


def _count(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


async def log_access(
    session: AsyncSession,
    entries: Sequence[dict[str, Any]],
) -> None:
    if entries:
        await session.execute(insert(guest_access_log), list(entries))


async def access_log(
    session: AsyncSession,
    enterprises: tuple[str, ...] | None,
    guest_id: str | None,
    *,
    limit: int,
    offset: int,
) -> list[Any]:
    query = select(guest_access_log)
    if enterprises is not None:
        query = query.where(guest_access_log.c.enterprise_id.in_(enterprises))
    if guest_id is not None:
        query = query.where(guest_access_log.c.guest_id == guest_id)
    query = query.order_by(guest_access_log.c.entry_id.desc()).limit(limit).offset(offset)
    return list((await session.execute(query)).all())
