"""Inbox: the ids of messages a consumer has processed, written in the effect's transaction.

    async with session.begin():
        if not await claim(session, inbox, consumer="guests-commands", message_id=msg_id):
            return  # already done: the effect committed with the inbox row
        ... the effect ...

The insert and the effect commit or roll back together, so a redelivered message (a lost
ack, a crash before the ack) finds its row and changes nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column, DateTime, MetaData, Table, Text, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert


def inbox_table(metadata: MetaData) -> Table:
    """The inbox table in `metadata`'s schema (so it is part of that service's migrations)."""
    return Table(
        "inbox",
        metadata,
        Column("consumer", Text, primary_key=True),
        Column("message_id", Text, primary_key=True),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


async def claim(session: AsyncSession, inbox: Table, *, consumer: str, message_id: str) -> bool:
    """Record `message_id` as processed by `consumer`; False when it already was."""
    statement = (
        insert(inbox)
        .values(consumer=consumer, message_id=message_id)
        .on_conflict_do_nothing()
        .returning(inbox.c.message_id)
    )
    result = await session.execute(statement)
    return result.first() is not None


async def claim_many(
    session: AsyncSession, inbox: Table, *, consumer: str, message_ids: Sequence[str]
) -> set[str]:
    """Record each of `message_ids` as processed by `consumer` in one statement; the ids it
    had not processed before (the others are duplicates: do nothing for them)."""
    if not message_ids:
        return set()
    found = await session.execute(
        _claim_all(inbox), {"consumer": consumer, "message_ids": list(dict.fromkeys(message_ids))}
    )
    return set(found.scalars())


@functools.cache
def _claim_all(inbox: Table) -> ReturningInsert[Any]:
    # Built once per table: the ids go in as one array, whatever their number.
    ids = func.unnest(bindparam("message_ids", type_=ARRAY(Text)))
    return (
        insert(inbox)
        .from_select(["consumer", "message_id"], select(bindparam("consumer", type_=Text), ids))
        .on_conflict_do_nothing()
        .returning(inbox.c.message_id)
    )
