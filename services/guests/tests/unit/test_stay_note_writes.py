"""Staff notes on a stay (`stay_notes.write_stay_note`, `stay_notes.record_result`) on the
in-memory unit of work: the write and its command to Mews together, a second click, the
publisher's report (once) showing the note on the stay, and all-or-nothing. The same use
cases run on Postgres in test_stay_notes.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from guests_fakes import FakeStay, FakeStore, FakeUnitOfWork
from guests_support import ENT, T0, stay

from attendandt.contracts.base import Payload
from attendandt.contracts.caller import Caller
from attendandt.contracts.commands import RecordStayNoteResult
from attendandt.contracts.outbound import WriteStayNote
from attendandt.contracts.rpc.guests import WriteStayNoteRequest
from attendandt.contracts.snapshots import StayNote, UserRole
from attendandt.contracts.versioning import read_version
from attendandt.guests import stay_notes
from attendandt.guests.stay_notes import WRITTEN_HERE
from attendandt.platform.rpc import Forbidden, Invalid, NotFound

C = "guests-test"
STAY_ID = "6f1c7d52-2c1e-4c55-9a55-1e2f3a4b5c6d"
WRITE_ID = "0b7d3c2a-1111-4e8e-9c1d-2a3b4c5d6e7f"
LATER = T0 + timedelta(minutes=5)
FRONT_DESK = Caller(
    user_id="u-frontdesk",
    role=UserRole.FRONT_DESK,
    permissions=("guests:read", "guests:contact:read", "stays:notes:write"),
    enterprise_ids=(ENT,),
)
READ_ONLY = Caller(
    user_id="u-reader",
    role=UserRole.FRONT_DESK,
    permissions=("guests:read", "guests:contact:read"),
    enterprise_ids=(ENT,),
)


def with_stay(*notes: StayNote) -> FakeStore:
    snapshot = stay("r-1", notes=notes)
    held = [{"mews_id": n.mews_id, "text": n.text, "type": n.type} for n in notes]
    return FakeStore(
        stays={(ENT, "r-1"): FakeStay(STAY_ID, snapshot, read_version(snapshot, T0), held)}
    )


def request(text: str, **fields: Any) -> WriteStayNoteRequest:
    values: dict[str, Any] = {"enterprise_id": ENT, "stay_id": STAY_ID, "text": text}
    return WriteStayNoteRequest(**(values | fields))


async def write(uow: FakeUnitOfWork, req: WriteStayNoteRequest, caller: Caller = FRONT_DESK) -> Any:
    return await stay_notes.write_stay_note(
        uow, req, caller, clock=lambda: T0, make_id=lambda: WRITE_ID
    )


def report(command_id: str = "rep-1", **fields: Any) -> RecordStayNoteResult:
    values: dict[str, Any] = {
        "command_id": command_id,
        "enterprise_id": ENT,
        "issued_at": LATER,
        "write_id": WRITE_ID,
        "reservation_mews_id": "r-1",
        "outcome": "applied",
        "note_mews_id": "n-9",
        "mews_text": "late arrival",
        "mews_updated_utc": LATER,
    }
    return RecordStayNoteResult(**(values | fields))


async def record(uow: FakeUnitOfWork, command: RecordStayNoteResult) -> bool:
    return await stay_notes.record_result(uow, command, consumer=C, clock=lambda: LATER)


async def test_a_note_is_recorded_with_its_command_to_mews_and_a_second_click_is_the_same() -> None:
    uow = FakeUnitOfWork(with_stay())
    reply = await write(uow, request("  late arrival "))
    assert (reply.write.write_id, reply.write.text, reply.write.state) == (
        WRITE_ID,
        "late arrival",
        "saving",
    )
    [queued] = uow.store.outbox
    assert isinstance(queued.payload, WriteStayNote)
    assert (queued.subject, queued.msg_id, queued.payload.reservation_id) == (
        f"mews.v1.{ENT}.outbound.write_stay_note",
        f"stay-note:{WRITE_ID}",
        "r-1",
    )
    stored = uow.store.note_writes[WRITE_ID]
    assert (stored.author_user_id, stored.reservation_mews_id) == ("u-frontdesk", "r-1")

    again = await write(uow, request("late arrival"))
    assert again.write.write_id == WRITE_ID
    assert len(uow.store.outbox) == 1
    assert len(uow.store.note_writes) == 1
    assert uow.locked == [("reservation", ENT, "r-1")] * 2


async def test_changing_a_note_keeps_what_the_user_saw() -> None:
    uow = FakeUnitOfWork(with_stay(StayNote(mews_id="n-1", text="VIP", type="General")))
    reply = await write(uow, request("VIP, allergic to nuts", note_mews_id="n-1"))
    assert (reply.write.note_mews_id, reply.write.base_text) == ("n-1", "VIP")
    with pytest.raises(NotFound, match="no note n-2"):
        await write(uow, request("other", note_mews_id="n-2"))
    assert len(uow.store.note_writes) == 1


async def test_a_note_nobody_may_write_is_refused_and_nothing_is_recorded() -> None:
    uow = FakeUnitOfWork(with_stay())
    with pytest.raises(Forbidden):
        await write(uow, request("late arrival"), READ_ONLY)
    with pytest.raises(NotFound):
        await write(uow, request("late arrival", stay_id="3c0f0f0e-0000-4000-8000-000000000000"))
    assert uow.store == with_stay()


class _FailingQueue(FakeUnitOfWork):
    async def queue(
        self, subject: str, payload: Payload, *, msg_id: str, correlation_id: str | None = None
    ) -> None:
        raise RuntimeError("the outbox is down")


async def test_a_note_whose_command_cannot_be_queued_is_not_recorded() -> None:
    failing = _FailingQueue(with_stay())
    with pytest.raises(RuntimeError):
        await write(failing, request("late arrival"))
    assert failing.store == with_stay()


async def test_the_report_shows_the_note_on_the_stay_once() -> None:
    uow = FakeUnitOfWork(with_stay())
    await write(uow, request("late arrival"))
    assert await record(uow, report()) is True
    assert await record(uow, report(mews_text="changed")) is False  # a duplicate report

    stored = uow.store.note_writes[WRITE_ID]
    assert (stored.state, stored.note_mews_id, stored.mews_text) == (
        "in_step",
        "n-9",
        "late arrival",
    )
    [shown] = uow.store.stays[(ENT, "r-1")].notes
    assert (shown["mews_id"], shown["text"], shown[WRITTEN_HERE]) == (
        "n-9",
        "late arrival",
        WRITE_ID,
    )
    assert uow.store.inbox == {(C, "rep-1")}


async def test_a_report_older_than_the_stay_we_hold_leaves_its_notes_alone() -> None:
    store = with_stay()
    store.stays[(ENT, "r-1")].snapshot = stay("r-1", LATER + timedelta(1))
    uow = FakeUnitOfWork(store)
    await write(uow, request("late arrival"))
    assert await record(uow, report()) is True
    assert uow.store.note_writes[WRITE_ID].state == "in_step"
    assert uow.store.stays[(ENT, "r-1")].notes == []


async def test_a_conflict_is_recorded_with_mews_text_and_shown_nowhere() -> None:
    uow = FakeUnitOfWork(with_stay())
    await write(uow, request("late arrival"))
    conflict = report(outcome="conflict", mews_text="arrives at noon")
    assert await record(uow, conflict) is True
    stored = uow.store.note_writes[WRITE_ID]
    assert (stored.state, stored.mews_text) == ("conflict", "arrives at noon")
    assert uow.store.stays[(ENT, "r-1")].notes == []


async def test_a_report_of_another_reservation_is_refused_and_not_claimed() -> None:
    uow = FakeUnitOfWork(with_stay())
    await write(uow, request("late arrival"))
    before = uow.store
    with pytest.raises(Invalid):
        await record(uow, report(reservation_mews_id="r-2"))
    with pytest.raises(Invalid):
        await record(uow, report(write_id="not-a-uuid"))
    assert uow.store == before
    assert uow.store.inbox == set()
