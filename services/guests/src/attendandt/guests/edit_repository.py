"""Every SQL statement about staff edits of guests: the edits, their audit, the hotel's rules.

Writes take the caller's session (the service owns the transaction: the edit, its audit
entries, the outbox row of its write and the inbox claim of a result commit together). An
edit is read `FOR UPDATE`: the publisher's result, Mews's echo and a user settling a
conflict never interleave on one edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from attendandt.contracts.rpc.guests import EditAuditEntry, EditRule, GuestEditView
from attendandt.guests.edits import OPEN_STATES, EditField, decode_fields, encode_fields
from attendandt.guests.models import edit_rules, guest_audit, guest_edits, guests


@dataclass
class StoredEdit:
    edit_id: str
    enterprise_id: str
    guest_id: str
    customer_mews_id: str
    author_user_id: str
    created_at: datetime
    base_version: datetime
    edit_round: int
    state: str
    fields: list[EditField]
    failure: str | None

    def view(self, history: tuple[EditAuditEntry, ...] = ()) -> GuestEditView:
        return GuestEditView(
            edit_id=self.edit_id,
            guest_id=self.guest_id,
            author_user_id=self.author_user_id,
            created_at=self.created_at,
            base_version=self.base_version,
            state=self.state,  # type: ignore[arg-type]
            fields=tuple(f.view() for f in self.fields),
            failure=self.failure,
            history=history,
        )


def _edit(row: Row[Any]) -> StoredEdit:
    return StoredEdit(
        edit_id=row.id,
        enterprise_id=row.enterprise_id,
        guest_id=row.guest_id,
        customer_mews_id=row.customer_mews_id,
        author_user_id=row.author_user_id,
        created_at=row.created_at,
        base_version=row.base_version,
        edit_round=row.edit_round,
        state=row.state,
        fields=decode_fields(row.fields),
        failure=row.failure,
    )


async def guest_mews_id(session: AsyncSession, enterprise_id: str, guest_id: str) -> str | None:
    """The Mews id of one of the property's guests (what its commands are serialised by)."""
    found = await session.execute(
        select(guests.c.mews_id).where(
            guests.c.enterprise_id == enterprise_id, guests.c.id == guest_id
        )
    )
    value: str | None = found.scalar_one_or_none()
    return value


async def open_edits(session: AsyncSession, guest_id: str) -> list[StoredEdit]:
    """The guest's edits still saving or in conflict, oldest first, locked."""
    rows = await session.execute(
        select(guest_edits)
        .where(guest_edits.c.guest_id == guest_id, guest_edits.c.state.in_(OPEN_STATES))
        .order_by(guest_edits.c.created_at, guest_edits.c.id)
        .with_for_update()
    )
    return [_edit(row) for row in rows]


async def edit_by_id(session: AsyncSession, enterprise_id: str, edit_id: str) -> StoredEdit | None:
    row = (
        await session.execute(
            select(guest_edits)
            .where(guest_edits.c.enterprise_id == enterprise_id, guest_edits.c.id == edit_id)
            .with_for_update()
        )
    ).first()
    return None if row is None else _edit(row)


async def insert_edit(session: AsyncSession, edit: StoredEdit, *, at: datetime) -> None:
    await session.execute(
        insert(guest_edits).values(
            id=edit.edit_id,
            enterprise_id=edit.enterprise_id,
            guest_id=edit.guest_id,
            customer_mews_id=edit.customer_mews_id,
            author_user_id=edit.author_user_id,
            created_at=edit.created_at,
            updated_at=at,
            base_version=edit.base_version,
            edit_round=edit.edit_round,
            state=edit.state,
            fields=encode_fields(edit.fields),
            failure=edit.failure,
        )
    )


async def save_edit(session: AsyncSession, edit: StoredEdit, *, at: datetime) -> None:
    await session.execute(
        update(guest_edits)
        .where(guest_edits.c.id == edit.edit_id)
        .values(
            edit_round=edit.edit_round,
            state=edit.state,
            fields=encode_fields(edit.fields),
            failure=edit.failure,
            updated_at=at,
        )
    )


async def edits_of_guest(
    session: AsyncSession, enterprise_id: str, guest_id: str, settled: int
) -> list[GuestEditView]:
    """Every open edit of the guest and its `settled` newest settled ones, newest first."""
    mine = (guest_edits.c.enterprise_id == enterprise_id, guest_edits.c.guest_id == guest_id)
    order = (guest_edits.c.created_at.desc(), guest_edits.c.id.desc())
    latest_settled = (
        select(guest_edits.c.id)
        .where(*mine, guest_edits.c.state.not_in(OPEN_STATES))
        .order_by(*order)
        .limit(settled)
    )
    # One statement, one snapshot: an edit settling meanwhile is listed once.
    rows = await session.execute(
        select(guest_edits)
        .where(
            *mine,
            or_(guest_edits.c.state.in_(OPEN_STATES), guest_edits.c.id.in_(latest_settled)),
        )
        .order_by(*order)
    )
    found = [_edit(row) for row in rows]
    history: dict[str, list[EditAuditEntry]] = {e.edit_id: [] for e in found}
    if history:
        rows = await session.execute(
            select(guest_audit)
            .where(guest_audit.c.edit_id.in_(list(history)))
            .order_by(guest_audit.c.entry_id)
        )
        for row in rows:
            details = dict(row.details or {})
            history[row.edit_id].append(
                EditAuditEntry(
                    at=row.occurred_at,
                    actor=row.actor,
                    action=row.action,
                    edit_round=int(details.pop("round", 0)),
                    fields=tuple(
                        details.get("fields") or sorted(k for k in details if k != "rule")
                    ),
                )
            )
    return [e.view(tuple(history[e.edit_id])) for e in found]


async def audit(
    session: AsyncSession,
    *,
    enterprise_id: str,
    guest_id: str,
    edit_id: str | None,
    at: datetime,
    actor: str,
    action: str,
    details: dict[str, Any],
) -> None:
    await session.execute(
        insert(guest_audit).values(
            enterprise_id=enterprise_id,
            guest_id=guest_id,
            edit_id=edit_id,
            occurred_at=at,
            actor=actor,
            action=action,
            details=details,
        )
    )


async def rules(session: AsyncSession, enterprise_id: str) -> dict[str, EditRule]:
    rows = await session.execute(
        select(edit_rules.c.field, edit_rules.c.rule).where(
            edit_rules.c.enterprise_id == enterprise_id
        )
    )
    return {row.field: row.rule for row in rows}


async def put_rule(
    session: AsyncSession,
    *,
    enterprise_id: str,
    field: str,
    rule: EditRule,
    by: str,
    at: datetime,
) -> None:
    """Set one field's rule; `ask` (the default) removes it."""
    if rule == "ask":
        await session.execute(
            delete(edit_rules).where(
                edit_rules.c.enterprise_id == enterprise_id, edit_rules.c.field == field
            )
        )
        return
    statement = insert(edit_rules).values(
        enterprise_id=enterprise_id, field=field, rule=rule, updated_by=by, updated_at=at
    )
    await session.execute(
        statement.on_conflict_do_update(
            constraint="edit_rules_pkey",
            set_={"rule": rule, "updated_by": by, "updated_at": at},
        )
    )
