"""Use cases of staff edits of a guest: record one and queue its write to Mews, take the
publisher's report of it, let a user (or the hotel's rule) settle a conflict.

Every step runs in one transaction under the customer's lock (the one sync's versions of the
guest take): the edit, its audit entries, the outbox row of its write to Mews (or the event
of the version Mews took) and the inbox claim of a report commit together or not at all.
The decisions themselves are `edits`; applying a version and its event, `guest_versions`.

Conflicts are decided in two places, each with what it knows: here, when the edit is made,
against the version we hold (a field Mews changed since the user's version is a conflict
at once, both values known); in the publisher, when the write is due, against Mews itself
(the only one that talks to Mews, and the only one that sees a change not synced yet).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from attendandt.contracts.caller import Caller
from attendandt.contracts.commands import RecordGuestEditResult
from attendandt.contracts.guest_fields import EDITABLE, FieldValue
from attendandt.contracts.outbound import UPDATE_CUSTOMER, CustomerFieldChange, UpdateCustomer
from attendandt.contracts.rpc.guests import (
    EDIT,
    EDIT_RULES,
    EditGuestRequest,
    EditRules,
    EditRulesRequest,
    FieldRule,
    GuestEditReply,
    ResolveConflictsRequest,
    SetEditRulesRequest,
)
from attendandt.contracts.versioning import read_version
from attendandt.guests import edit_repository as er
from attendandt.guests.edits import (
    BadChange,
    EditField,
    apply_outcomes,
    by_rule,
    checked_changes,
    edit_state,
    judge,
    settle,
    sync_state,
    with_values,
)
from attendandt.guests.guest_versions import Attribution, apply_version
from attendandt.guests.unit_of_work import SqlUnitOfWork, UnitOfWork
from attendandt.guests.upsert_repository import StoredGuest
from attendandt.platform.rpc import Conflict, Forbidden, Invalid, NotFound

Clock = Callable[[], datetime]
#: Settled edits a guest's detail shows besides the open ones.
SETTLED_SHOWN = 5


def _uuid(value: str, what: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError as exc:
        raise NotFound(f"no {what} {value[:60]}") from exc


def _may_edit(caller: Caller, enterprise_id: str) -> None:
    if not caller.may_act_for(enterprise_id):
        raise NotFound("no such guest")
    if caller.is_vendor or not caller.can(EDIT):
        raise Forbidden("only hotel staff who may edit guests may change one")


class Editing:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Clock,
        make_id: Callable[[], str],
        units: Callable[[], UnitOfWork] | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._make_id = make_id
        self._units = units or (lambda: SqlUnitOfWork(sessions))

    # ----------------------------------------------------------------- a user's edit

    async def edit_guest(self, request: EditGuestRequest, caller: Caller) -> GuestEditReply:
        """Record the edit and queue its write; the reply says which fields are on their way,
        which met a newer value in Mews, which were already so."""
        _may_edit(caller, request.enterprise_id)
        guest_id = _uuid(request.guest_id, "guest")
        if request.base_version.tzinfo is None:
            raise Invalid("base_version has no time zone: send the guest's mews_updated_utc")
        try:
            changes = checked_changes(request.changes)
        except BadChange as exc:
            raise Invalid(str(exc)) from exc
        enterprise = request.enterprise_id
        now = self._clock()
        async with self._units() as uow:
            stored = await self._locked_guest(uow, enterprise, guest_id)
            assert stored.snapshot is not None
            if not stored.snapshot.is_active or stored.snapshot.merge_target_mews_id:
                raise Conflict("this profile was merged or deleted in Mews: edit the one kept")
            if request.base_version > stored.snapshot.mews_updated_utc:
                raise Invalid("base_version is newer than any version of this guest: reload it")
            opened = await uow.guest_edits.open_edits(guest_id)
            for other in opened:
                if _same_changes(other.fields, changes):
                    # A second click on Save: the edit already on its way.
                    await uow.commit()
                    return GuestEditReply(
                        edit=other.view(), sync_state=sync_state(e.state for e in opened)
                    )
            for other in opened:
                await self._supersede(uow, other, changes.keys(), by=caller.user_id, at=now)
            edit = er.StoredEdit(
                edit_id=self._make_id(),
                enterprise_id=enterprise,
                guest_id=guest_id,
                customer_mews_id=stored.snapshot.mews_id,
                author_user_id=caller.user_id,
                created_at=now,
                base_version=request.base_version,
                edit_round=0,
                state="saving",
                fields=judge(
                    changes, stored.snapshot, stored.field_changed_utc, request.base_version
                ),
                failure=None,
            )
            await self._audit(
                uow,
                edit,
                actor=caller.user_id,
                action="edited",
                details={f.field: f.state for f in edit.fields},
            )

            def changed_at(name: str) -> datetime | None:
                at = stored.field_changed_utc.get(name)
                return datetime.fromisoformat(at) if at else None

            await self._apply_rules(uow, edit, next_round=1, mews_changed_at=changed_at)
            if any(f.state == "saving" for f in edit.fields):
                for f in edit.fields:
                    if f.state == "saving":
                        f.sent_in = 1
                edit.edit_round = 1
                await self._send(uow, edit, 1, now)
            edit.state = edit_state(edit.fields)
            await uow.guest_edits.add(edit, at=now)
            state = sync_state([*(e.state for e in opened), edit.state])
            await uow.commit()
        return GuestEditReply(edit=edit.view(), sync_state=state)

    async def resolve_conflicts(
        self, request: ResolveConflictsRequest, caller: Caller
    ) -> GuestEditReply:
        """Settle fields in conflict: `mews` keeps Mews's value; `ours` writes ours over the
        Mews value the user was shown (a newer one by then is a new conflict)."""
        _may_edit(caller, request.enterprise_id)
        guest_id = _uuid(request.guest_id, "guest")
        edit_id = _uuid(request.edit_id, "edit")
        choices = {c.field: c.keep for c in request.choices}
        if len(choices) != len(request.choices):
            raise Invalid("a field is chosen twice")
        now = self._clock()
        async with self._units() as uow:
            await self._locked_guest(uow, request.enterprise_id, guest_id)
            edit = await uow.guest_edits.get(request.enterprise_id, edit_id)
            if edit is None or edit.guest_id != guest_id:
                raise NotFound(f"no edit {edit_id} of this guest")
            by_name = {f.field: f for f in edit.fields}
            for name in choices:
                if name not in by_name or by_name[name].state != "conflict":
                    raise Conflict(f"{name} is not in conflict in this edit")
            next_round = edit.edit_round + 1
            for name, keep in choices.items():
                settle(
                    by_name[name], keep, by=caller.user_id, next_round=next_round, resolution=keep
                )
            await self._audit(uow, edit, actor=caller.user_id, action="resolved", details=choices)
            if "ours" in choices.values():
                edit.edit_round = next_round
                await self._send(uow, edit, next_round, now)
            edit.state = edit_state(edit.fields)
            await uow.guest_edits.save(edit, at=now)
            opened = await uow.guest_edits.open_edits(guest_id)
            await uow.commit()
        return GuestEditReply(edit=edit.view(), sync_state=sync_state(e.state for e in opened))

    # ----------------------------------------------------------------- the publisher's report

    async def record_result(self, command: RecordGuestEditResult, *, consumer: str) -> bool:
        """Take the publisher's report of one round; False when it was taken before. The
        fields Mews took show at once (as Mews's version after the write, announced as the
        edit author's); conflicts go to the hotel's rule, else wait for a user."""
        enterprise = command.enterprise_id
        try:
            edit_id = _uuid(command.edit_id, "edit")
        except NotFound as exc:
            raise Invalid(f"no edit {command.edit_id[:60]}") from exc
        now = self._clock()
        async with self._units() as uow:
            if not await uow.claim(command.command_id, consumer=consumer):
                await uow.commit()
                return False
            await uow.guests.lock(enterprise, command.customer_mews_id)
            edit = await uow.guest_edits.get(enterprise, edit_id)
            if edit is None or edit.customer_mews_id != command.customer_mews_id:
                raise Invalid(f"no edit {edit_id} of customer {command.customer_mews_id}")
            moved = apply_outcomes(edit.fields, command.edit_round, command.outcomes)
            if command.failure_reason and any(f.state == "failed" for f in moved):
                edit.failure = command.failure_reason
            await self._audit(
                uow,
                edit,
                actor="mews",
                action="written" if command.written else "checked",
                details={f.field: f.state for f in moved},
            )
            applied = {f.field: f.mews_value for f in moved if f.state == "in_step"}
            if applied and command.mews_updated_utc is not None:
                await self._show_applied(uow, edit, applied, command, now)
            await self._apply_rules(
                uow,
                edit,
                next_round=edit.edit_round + 1,
                mews_changed_at=lambda _: command.mews_updated_utc,
                only=[f for f in moved if f.state == "conflict"],
            )
            resent = [f for f in edit.fields if f.state == "saving" and f.sent_in > edit.edit_round]
            if resent:
                edit.edit_round += 1
                await self._send(uow, edit, edit.edit_round, now)
            edit.state = edit_state(edit.fields)
            await uow.guest_edits.save(edit, at=now)
            await uow.commit()
        return True

    async def _show_applied(
        self,
        uow: UnitOfWork,
        edit: er.StoredEdit,
        applied: Mapping[str, FieldValue],
        command: RecordGuestEditResult,
        now: datetime,
    ) -> None:
        """The guest as Mews holds it after the write: ours as stored with the values Mews
        took, at the UpdatedUtc Mews answered (a newer version we hold is left alone)."""
        assert command.mews_updated_utc is not None
        previous = await uow.guests.get(edit.enterprise_id, edit.customer_mews_id)
        if previous is None or previous.snapshot is None:
            return
        guest = with_values(previous.snapshot, applied, command.mews_updated_utc)
        # UpdatedUtc has whole seconds: a version read in the second of the write may hold
        # what Mews had before it. Read as of Mews's answer: it replaces such a read, and a
        # read after it with other content (another change in that second) replaces it.
        await apply_version(
            uow,
            enterprise=edit.enterprise_id,
            previous=previous,
            guest=guest,
            version=read_version(guest, command.issued_at),
            guest_id=previous.guest_id,
            synced_at=now,
            correlation_id=command.command_id,
            ours=Attribution("attendandt", edit.author_user_id, edit.edit_id),
        )

    # ----------------------------------------------------------------- the hotel's rules

    async def edit_rules(self, request: EditRulesRequest, caller: Caller) -> EditRules:
        if not caller.may_act_for(request.enterprise_id):
            raise NotFound(f"no property {request.enterprise_id}")
        if not (caller.can(EDIT) or caller.can(EDIT_RULES)):
            raise Forbidden("only hotel staff who edit guests see the rules")
        async with self._sessions() as session:
            found = await er.rules(session, request.enterprise_id)
        return _rules(request.enterprise_id, found)

    async def set_edit_rules(self, request: SetEditRulesRequest, caller: Caller) -> EditRules:
        if not caller.may_act_for(request.enterprise_id):
            raise NotFound(f"no property {request.enterprise_id}")
        if caller.is_vendor or not caller.can(EDIT_RULES):
            raise Forbidden("only a manager sets the hotel's rules for conflicts")
        for rule in request.rules:
            if rule.field not in EDITABLE:
                raise Invalid(f"{rule.field} is not a field edited here")
        now = self._clock()
        async with self._units() as uow:
            for rule in request.rules:
                await uow.guest_edits.put_rule(
                    enterprise_id=request.enterprise_id,
                    field=rule.field,
                    rule=rule.rule,
                    by=caller.user_id,
                    at=now,
                )
            found = await uow.guest_edits.rules(request.enterprise_id)
            await uow.commit()
        return _rules(request.enterprise_id, found)

    # ----------------------------------------------------------------- helpers

    async def _supersede(
        self,
        uow: UnitOfWork,
        other: er.StoredEdit,
        names: Iterable[str],
        *,
        by: str,
        at: datetime,
    ) -> None:
        """A new edit of a field in conflict in an older edit is the user's answer to it:
        the older conflict ends (Mews's value stays there; the new edit is judged on its own)."""
        ended = [f for f in other.fields if f.state == "conflict" and f.field in names]
        if not ended:
            return
        next_round = other.edit_round + 1
        for f in ended:
            settle(f, "mews", by=by, next_round=next_round, resolution="superseded")
        other.state = edit_state(other.fields)
        await uow.guest_edits.save(other, at=at)
        await self._audit(
            uow, other, actor=by, action="superseded", details={f.field: "mews" for f in ended}
        )

    async def _locked_guest(self, uow: UnitOfWork, enterprise: str, guest_id: str) -> StoredGuest:
        """The guest as stored, with its customer's lock held (taken before any edit row)."""
        mews_id = await uow.guest_edits.guest_mews_id(enterprise, guest_id)
        if mews_id is None:
            raise NotFound(f"no guest {guest_id}")
        await uow.guests.lock(enterprise, mews_id)
        stored = await uow.guests.get(enterprise, mews_id)
        if stored is None:
            raise NotFound(f"no guest {guest_id}")
        return stored

    async def _apply_rules(
        self,
        uow: UnitOfWork,
        edit: er.StoredEdit,
        *,
        next_round: int,
        mews_changed_at: Callable[[str], datetime | None],
        only: list[EditField] | None = None,
    ) -> None:
        conflicts = [
            f for f in (only if only is not None else edit.fields) if f.state == "conflict"
        ]
        if not conflicts:
            return
        rules = await uow.guest_edits.rules(edit.enterprise_id)
        for f in conflicts:
            rule = rules.get(f.field, "ask")
            keep = by_rule(
                rule, edited_at=edit.created_at, mews_changed_at=mews_changed_at(f.field)
            )
            if keep is None:
                continue
            settle(f, keep, by="rule", next_round=next_round, resolution=f"rule:{rule}")  # type: ignore[arg-type]
            await self._audit(
                uow,
                edit,
                actor="rule",
                action="resolved",
                details={f.field: keep, "rule": rule},
            )

    async def _send(
        self, uow: UnitOfWork, edit: er.StoredEdit, edit_round: int, now: datetime
    ) -> None:
        """The round's write to Mews, through the outbox (one command per round)."""
        command_id = f"guest-edit:{edit.edit_id}:{edit_round}"
        changes = tuple(
            CustomerFieldChange(field=f.field, value=f.value, base=f.base)
            for f in edit.fields
            if f.state == "saving" and f.sent_in == edit_round
        )
        await uow.queue(
            UPDATE_CUSTOMER.format(enterprise=edit.enterprise_id),
            UpdateCustomer(
                command_id=command_id,
                enterprise_id=edit.enterprise_id,
                customer_id=edit.customer_mews_id,
                requested_at=now,
                edit_id=edit.edit_id,
                edit_round=edit_round,
                changes=changes,
            ),
            msg_id=command_id,
            correlation_id=edit.edit_id,
        )

    async def _audit(
        self,
        uow: UnitOfWork,
        edit: er.StoredEdit,
        *,
        actor: str,
        action: str,
        details: Mapping[str, object],
    ) -> None:
        await uow.guest_edits.audit(
            enterprise_id=edit.enterprise_id,
            guest_id=edit.guest_id,
            edit_id=edit.edit_id,
            at=self._clock(),
            actor=actor,
            action=action,
            details={"round": edit.edit_round, **details},
        )


def _same_changes(fields: list[EditField], changes: Mapping[str, FieldValue]) -> bool:
    saving = {f.field: f.value for f in fields if f.state == "saving"}
    return bool(saving) and saving == changes


def _rules(
    enterprise_id: str, found: dict[str, Literal["ask", "mews_wins", "we_win", "newest_wins"]]
) -> EditRules:
    return EditRules(
        enterprise_id=enterprise_id,
        rules=tuple(FieldRule(field=name, rule=found.get(name, "ask")) for name in EDITABLE),
    )
