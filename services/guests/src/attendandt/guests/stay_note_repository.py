"""Every SQL statement of staff notes on stays (`stay_notes`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from attendandt.guests.models import stay_note_writes, stays


async def stay_for_note(session: AsyncSession, enterprise_id: str, stay_id: str) -> Any | None:
    """The stay's id, Mews id and notes as Mews holds them, or None."""
    return (
        await session.execute(
            select(stays.c.id, stays.c.mews_id, stays.c.notes).where(
                stays.c.enterprise_id == enterprise_id, stays.c.id == stay_id
            )
        )
    ).first()


async def writes_of_stay(session: AsyncSession, stay_id: str, limit: int) -> list[Any]:
    rows = await session.execute(
        select(stay_note_writes)
        .where(stay_note_writes.c.stay_id == stay_id)
        .order_by(stay_note_writes.c.created_at.desc())
        .limit(limit)
    )
    return list(rows)


async def same_on_its_way(
    session: AsyncSession, stay_id: str, note_mews_id: str | None, text: str
) -> Any | None:
    statement = select(stay_note_writes).where(
        stay_note_writes.c.stay_id == stay_id,
        stay_note_writes.c.state == "saving",
        stay_note_writes.c.text == text,
    )
    if note_mews_id is None:
        statement = statement.where(stay_note_writes.c.note_mews_id.is_(None))
    else:
        statement = statement.where(stay_note_writes.c.note_mews_id == note_mews_id)
    return (await session.execute(statement.limit(1))).first()


async def insert_write(session: AsyncSession, values: Mapping[str, Any]) -> Any:
    await session.execute(stay_note_writes.insert().values(**values))
    return (
        await session.execute(select(stay_note_writes).where(stay_note_writes.c.id == values["id"]))
    ).one()


async def write_by_id(session: AsyncSession, enterprise_id: str, write_id: str) -> Any | None:
    return (
        await session.execute(
            select(stay_note_writes).where(
                stay_note_writes.c.id == write_id,
                stay_note_writes.c.enterprise_id == enterprise_id,
            )
        )
    ).first()


async def finish_write(session: AsyncSession, write_id: str, values: Mapping[str, Any]) -> None:
    await session.execute(
        update(stay_note_writes).where(stay_note_writes.c.id == write_id).values(**values)
    )


async def stay_notes(session: AsyncSession, stay_id: str) -> list[Any]:
    notes = (await session.execute(select(stays.c.notes).where(stays.c.id == stay_id))).scalar_one()
    return list(notes or ())


async def stay_version(session: AsyncSession, stay_id: str) -> Any:
    """The UpdatedUtc of the stay's version we hold."""
    return (
        await session.execute(select(stays.c.mews_updated_utc).where(stays.c.id == stay_id))
    ).scalar_one()


async def writes_on_their_way(session: AsyncSession, stay_id: str) -> list[Any]:
    rows = await session.execute(
        select(stay_note_writes)
        .where(stay_note_writes.c.stay_id == stay_id, stay_note_writes.c.state == "saving")
        .order_by(stay_note_writes.c.created_at)
    )
    return list(rows)


async def set_stay_notes(session: AsyncSession, stay_id: str, notes: list[dict[str, Any]]) -> None:
    await session.execute(update(stays).where(stays.c.id == stay_id).values(notes=notes))
