"""A plain customer update (`customer_updates`) and a new stay note (`stay_notes`) on the
in-memory unit of work and a fake Mews client: each command is written to Mews once, its
ledger row says how it went, and its result (for a note) is queued with the claim. The same
use cases run on Postgres, NATS and the Mews simulator in test_guest_edits.py and
test_stay_notes.py."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from publisher_fakes import FakeEnterprises, FakeLocks, FakeMews, FakeUnitOfWork

from attendandt.contracts.commands import RECORD_STAY_NOTE_RESULT, RecordStayNoteResult
from attendandt.contracts.outbound import UpdateCustomer, WriteStayNote
from attendandt.mews import MewsBadRequest, MewsOutcomeUnknown
from attendandt.mews_publisher.customer_updates import UPDATE_CUSTOMER_CONSUMER, CustomerUpdates
from attendandt.mews_publisher.service import Retry
from attendandt.mews_publisher.stay_notes import WRITE_STAY_NOTE_CONSUMER, StayNoteService

ENT = "ent-1"
T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def now() -> datetime:
    return T0


def parts() -> tuple[FakeUnitOfWork, FakeMews, FakeLocks, FakeEnterprises]:
    mews = FakeMews()
    return FakeUnitOfWork(clock=now), mews, FakeLocks(), FakeEnterprises(**{ENT: mews})


def update(n: int = 1) -> UpdateCustomer:
    return UpdateCustomer(
        command_id=f"upd-{n}", enterprise_id=ENT, customer_id="cust-1", email="a@b.example",
        requested_at=T0,
    )  # fmt: skip


def note(n: int = 1) -> WriteStayNote:
    return WriteStayNote(
        command_id=f"note-cmd-{n}", enterprise_id=ENT, write_id=f"w-{n}",
        reservation_id="res-1", text="late arrival", requested_at=T0,
    )  # fmt: skip


async def test_a_customer_update_seen_twice_is_written_once() -> None:
    uow, mews, locks, enterprises = parts()
    customers = CustomerUpdates(lambda: uow, locks, enterprises, clock=now)  # type: ignore[arg-type]
    await customers.update_customer(update())
    await customers.update_customer(update())

    assert [u.email for u in mews.customer_updates] == ["a@b.example"]
    row = uow.store.customer_updates["upd-1"]
    assert (row["state"], row["attempts"]) == ("applied", 1)
    assert uow.store.inbox == {(UPDATE_CUSTOMER_CONSUMER, "upd-1")}
    await customers.customer_reads.aclose()


async def test_a_customer_update_mews_refuses_is_done_and_not_sent_again() -> None:
    uow, mews, locks, enterprises = parts()
    customers = CustomerUpdates(lambda: uow, locks, enterprises, clock=now)  # type: ignore[arg-type]
    mews.fail_next.append(MewsBadRequest("Invalid email", status=400))
    await customers.update_customer(update())
    await customers.update_customer(update())
    assert len(mews.customer_updates) == 1
    row = uow.store.customer_updates["upd-1"]
    assert (row["state"], row["mews_message"]) == ("failed", "Invalid email")
    await customers.customer_reads.aclose()


async def test_a_new_note_is_added_once_and_reported_with_the_claim() -> None:
    uow, mews, locks, enterprises = parts()
    notes = StayNoteService(lambda: uow, locks, enterprises, settle_s=60, clock=now)  # type: ignore[arg-type]
    await notes.write_note(note())
    await notes.write_note(note())

    assert len(mews.notes_added) == 1
    row = uow.store.note_writes["note-cmd-1"]
    assert (row["state"], row["note_id"], row["first_sent_at"]) == ("applied", "note-1-0", T0)
    [queued] = uow.store.outbox
    assert (queued.subject, queued.msg_id) == (
        RECORD_STAY_NOTE_RESULT.format(),
        "stay-note-result:note-cmd-1",
    )
    assert isinstance(queued.payload, RecordStayNoteResult)
    assert (queued.payload.outcome, queued.payload.note_mews_id) == ("applied", "note-1-0")
    assert uow.store.inbox == {(WRITE_STAY_NOTE_CONSUMER, "note-cmd-1")}


async def test_a_note_whose_answer_was_lost_is_left_unknown_and_unreported() -> None:
    uow, mews, locks, enterprises = parts()
    notes = StayNoteService(lambda: uow, locks, enterprises, settle_s=60, clock=now)  # type: ignore[arg-type]
    mews.fail_next.append(MewsOutcomeUnknown("read timed out"))
    with pytest.raises(Retry, match="unknown"):
        await notes.write_note(note())
    assert uow.store.note_writes["note-cmd-1"]["state"] == "unknown"
    assert (uow.store.outbox, uow.store.inbox) == ([], set())
