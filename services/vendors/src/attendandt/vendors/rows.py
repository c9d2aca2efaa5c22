"""What every repository of the vendors service stands on: the unit of work's session and
the helpers each aggregate's statements share (the inbox and outbox are the unit of work's)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, Table, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

R = TypeVar("R")


def in_enterprises(
    statement: Select[Any], table: Table, enterprise_ids: Sequence[str] | None
) -> Select[Any]:
    """Only rows of these properties (None: every property; empty: none). Every lookup made
    for a caller goes through here, so another property's rows never leave the database."""
    if enterprise_ids is None:
        return statement
    return statement.where(table.c.enterprise_id.in_(list(enterprise_ids)))


def as_record(kind: type[R], row: Any) -> R:
    return kind(**row._mapping)


def as_record_or_none(kind: type[R], row: Any) -> R | None:
    return None if row is None else kind(**row._mapping)


class Rows:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- shared helpers ------------------------------------------------------------------

    async def _get(
        self,
        table: Table,
        key: ColumnElement[bool],
        *,
        lock: bool,
        enterprise_ids: Sequence[str] | None = None,
    ) -> Any:
        statement = in_enterprises(select(table).where(key), table, enterprise_ids)
        if lock:
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).first()

    async def _insert(self, table: Table, values: Mapping[str, Any]) -> Any:
        return (await self.session.execute(insert(table).values(**values).returning(table))).one()

    async def _change(
        self, table: Table, key: ColumnElement[bool], changes: Mapping[str, Any]
    ) -> Any:
        """Apply `changes` and count one more version of the aggregate."""
        statement = (
            update(table)
            .where(key)
            .values(**changes, version=table.c.version + 1, updated_at=func.now())
            .returning(table)
        )
        return (await self.session.execute(statement)).one()

    async def _page(
        self, statement: Select[Any], order: list[Any], limit: int, offset: int
    ) -> tuple[list[Any], int]:
        total = (
            await self.session.execute(select(func.count()).select_from(statement.subquery()))
        ).scalar_one()
        rows = (
            await self.session.execute(statement.order_by(*order).limit(limit).offset(offset))
        ).all()
        return list(rows), int(total)
