"""Staff edits of a guest (`editing.Editing`) on the in-memory unit of work: the edit and its
write to Mews together, a second click, the publisher's report (once) applying the version
Mews took as the author's, and all-or-nothing. The same use cases run on Postgres in
test_edits.py."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from guests_fakes import FakeUnitOfWork
from guests_support import ENT, T0, guest, upsert_guest

from attendandt.contracts.caller import Caller
from attendandt.contracts.commands import EditFieldOutcome, RecordGuestEditResult
from attendandt.contracts.events import GuestEvent
from attendandt.contracts.outbound import UpdateCustomer
from attendandt.contracts.rpc.guests import EditGuestRequest, FieldChange
from attendandt.contracts.snapshots import UserRole
from attendandt.guests import entity_upserts
from attendandt.guests.editing import Editing
from attendandt.platform.rpc import Invalid, NotFound

C = "guests-test"
LATER = T0 + timedelta(minutes=5)
EDITOR = Caller(
    user_id="u-editor",
    role=UserRole.FRONT_DESK,
    permissions=("guests:read", "guests:contact:read", "guests:edit"),
    enterprise_ids=(ENT,),
)


def new_id() -> str:
    return str(uuid.uuid4())


def editing(uow: FakeUnitOfWork) -> Editing:
    return Editing(None, clock=lambda: LATER, make_id=new_id, units=lambda: uow)  # type: ignore[arg-type]


async def with_guest(uow: FakeUnitOfWork) -> str:
    command = upsert_guest(guest("c-1", email="old@x.test"))
    await entity_upserts.upsert_guest(uow, command, consumer=C, clock=lambda: T0, make_id=new_id)
    return uow.store.guests[(ENT, "c-1")]


def edit_request(guest_id: str, email: str = "new@x.test") -> EditGuestRequest:
    return EditGuestRequest(
        enterprise_id=ENT,
        guest_id=guest_id,
        base_version=T0,
        changes=(FieldChange(field="email", value=email),),
    )


def report(edit_id: str, command_id: str = "rep-1", **fields: Any) -> RecordGuestEditResult:
    values: dict[str, Any] = {
        "command_id": command_id,
        "enterprise_id": ENT,
        "issued_at": LATER,
        "edit_id": edit_id,
        "edit_round": 1,
        "customer_mews_id": "c-1",
        "outcomes": (EditFieldOutcome(field="email", outcome="applied", mews_value="new@x.test"),),
        "written": True,
        "mews_updated_utc": LATER,
    }
    return RecordGuestEditResult(**(values | fields))


def updates(uow: FakeUnitOfWork) -> list[UpdateCustomer]:
    return [q.payload for q in uow.store.outbox if isinstance(q.payload, UpdateCustomer)]


async def test_an_edit_is_recorded_with_its_write_to_mews_and_a_second_click_is_the_same() -> None:
    uow = FakeUnitOfWork()
    guest_id = await with_guest(uow)
    reply = await editing(uow).edit_guest(edit_request(guest_id), EDITOR)
    assert (reply.edit.state, reply.sync_state) == ("saving", "saving")
    [write] = updates(uow)
    assert (write.customer_id, write.edit_round, write.edit_id) == ("c-1", 1, reply.edit.edit_id)
    assert [(c.field, c.value, c.base) for c in write.changes] == [
        ("email", "new@x.test", "old@x.test")
    ]
    assert uow.store.edits[reply.edit.edit_id].author_user_id == "u-editor"

    again = await editing(uow).edit_guest(edit_request(guest_id), EDITOR)
    assert again.edit.edit_id == reply.edit.edit_id
    assert len(updates(uow)) == 1
    assert len(uow.store.edits) == 1


async def test_an_edit_of_no_guest_is_refused_and_nothing_is_recorded() -> None:
    uow = FakeUnitOfWork()
    await with_guest(uow)
    before = uow.store
    with pytest.raises(NotFound):
        await editing(uow).edit_guest(edit_request(new_id()), EDITOR)
    assert uow.store == before


async def test_the_report_applies_the_version_mews_took_as_the_authors_once() -> None:
    uow = FakeUnitOfWork()
    guest_id = await with_guest(uow)
    reply = await editing(uow).edit_guest(edit_request(guest_id), EDITOR)
    edit_id = reply.edit.edit_id
    assert await editing(uow).record_result(report(edit_id), consumer=C) is True
    assert await editing(uow).record_result(report(edit_id), consumer=C) is False

    assert uow.store.edits[edit_id].state == "in_step"
    stored = uow.store.guest_rows[(ENT, "c-1")]
    assert stored.snapshot is not None
    assert (stored.guest_id, stored.snapshot.email) == (guest_id, "new@x.test")
    _created, updated = [q.payload for q in uow.store.outbox if isinstance(q.payload, GuestEvent)]
    assert (updated.event, updated.source, updated.changed_by, updated.edit_id) == (
        "updated",
        "attendandt",
        "u-editor",
        edit_id,
    )
    assert (C, "rep-1") in uow.store.inbox
    actions = [entry["action"] for entry in uow.store.audit]
    assert actions == ["edited", "written"]


async def test_a_report_of_another_customer_is_refused_and_not_claimed() -> None:
    uow = FakeUnitOfWork()
    guest_id = await with_guest(uow)
    reply = await editing(uow).edit_guest(edit_request(guest_id), EDITOR)
    before = uow.store
    with pytest.raises(Invalid):
        await editing(uow).record_result(
            report(reply.edit.edit_id, customer_mews_id="c-2"), consumer=C
        )
    assert uow.store == before
    assert (C, "rep-1") not in uow.store.inbox
