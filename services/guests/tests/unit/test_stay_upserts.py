"""Applying a Mews reservation (`stay_upserts.upsert_stay`) on the in-memory unit of work: the
claim, last write wins, the event, our own note's echo, and all-or-nothing. The same use case
runs on Postgres in test_commands.py and test_stay_notes.py."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import msgspec
import pytest
from guests_fakes import FakeNoteWrite, FakeStore, FakeUnitOfWork
from guests_support import ENT, T0, stay, upsert_stay

from attendandt.contracts.base import Payload
from attendandt.contracts.commands import UpsertStay
from attendandt.contracts.events import StayEvent
from attendandt.contracts.snapshots import StayNote, StayState
from attendandt.guests.applied import Applied
from attendandt.guests.stay_notes import WRITTEN_HERE
from attendandt.guests.stay_upserts import upsert_stay as apply_stay
from attendandt.platform.rpc import Invalid

C = "guests-test"
LATER = T0 + timedelta(minutes=5)
_ids = itertools.count(1)


def make_id() -> str:
    return f"id-{next(_ids)}"


async def apply(uow: FakeUnitOfWork, command: UpsertStay) -> Applied:
    return await apply_stay(uow, command, consumer=C, clock=lambda: LATER, make_id=make_id)


def issued(command: UpsertStay, at: datetime, command_id: str | None = None) -> UpsertStay:
    return msgspec.structs.replace(
        command, issued_at=at, command_id=command_id or command.command_id
    )


def events(store: FakeStore) -> list[StayEvent]:
    return [q.payload for q in store.outbox if isinstance(q.payload, StayEvent)]


async def test_a_new_stay_is_stored_and_announced_once() -> None:
    uow = FakeUnitOfWork()
    command = upsert_stay(stay("r-1", owner_mews_id="c-1", companion_mews_ids=("c-2", "c-1")))
    assert await apply(uow, command) is Applied.APPLIED
    assert await apply(uow, command) is Applied.DUPLICATE

    [stored] = uow.store.stays.values()
    assert (stored.snapshot, stored.customers) == (
        command.stay,
        [("c-1", "owner"), ("c-2", "companion")],
    )
    assert uow.store.inbox == {(C, command.command_id)}
    [queued] = uow.store.outbox
    assert (queued.subject, queued.msg_id, queued.correlation_id) == (
        f"attendandt.v1.{ENT}.stay.created",
        events(uow.store)[0].event_id,
        command.command_id,
    )
    assert uow.locked == [("reservation", ENT, "r-1")]  # a duplicate stops at the claim


async def test_an_older_version_changes_nothing_but_the_command_is_done() -> None:
    uow = FakeUnitOfWork()
    newer = upsert_stay(stay("r-1", LATER, state=StayState.STARTED))
    older = upsert_stay(stay("r-1", T0, state=StayState.CONFIRMED))
    assert await apply(uow, newer) is Applied.APPLIED
    assert await apply(uow, older) is Applied.STALE

    [stored] = uow.store.stays.values()
    assert stored.snapshot.state is StayState.STARTED
    assert (C, older.command_id) in uow.store.inbox  # committed: redelivery is a duplicate
    assert [e.event for e in events(uow.store)] == ["checked_in"]


async def test_within_one_second_the_later_read_wins() -> None:
    """Mews stamps UpdatedUtc in whole seconds: the later read of other content wins; an
    earlier read redelivered after it, or the same content read again, changes nothing."""
    uow = FakeUnitOfWork()
    first = upsert_stay(stay("r-1", T0, state=StayState.CONFIRMED))
    second = issued(upsert_stay(stay("r-1", T0, state=StayState.STARTED)), T0 + timedelta(0, 0.4))
    reread = issued(upsert_stay(stay("r-1", T0, state=StayState.STARTED)), T0 + timedelta(0, 2))
    assert await apply(uow, first) is Applied.APPLIED
    assert await apply(uow, second) is Applied.APPLIED
    assert await apply(uow, issued(first, first.issued_at, "again")) is Applied.STALE
    assert await apply(uow, reread) is Applied.STALE

    [stored] = uow.store.stays.values()
    assert stored.snapshot.state is StayState.STARTED
    assert [e.event for e in events(uow.store)] == ["created", "checked_in"]
    # One stay: the second version kept the first one's id, and each event names it.
    assert {e.stay_id for e in events(uow.store)} == {stored.stay_id}


async def test_the_event_names_the_customers_known_as_guests_in_order() -> None:
    store = FakeStore(guests={(ENT, "c-2"): "g-2", (ENT, "c-1"): "g-1"})
    uow = FakeUnitOfWork(store)
    snapshot = stay("r-1", owner_mews_id="c-1", companion_mews_ids=("c-3", "c-2"))
    assert await apply(uow, upsert_stay(snapshot)) is Applied.APPLIED
    [event] = events(uow.store)
    assert event.guest_ids == ("g-1", "g-2")


async def test_our_own_note_coming_back_is_stored_without_an_event() -> None:
    uow = FakeUnitOfWork()
    assert await apply(uow, upsert_stay(stay("r-1"))) is Applied.APPLIED
    [stored] = uow.store.stays.values()
    uow.store.note_writes["w-1"] = FakeNoteWrite("w-1", stored.stay_id, "late arrival")
    await uow.rollback()  # the next unit of work starts from what is committed

    note = StayNote(mews_id="n-1", text="late arrival", type="General")
    echo = upsert_stay(stay("r-1", LATER, notes=(note,)))
    assert await apply(uow, echo) is Applied.APPLIED

    [stored] = uow.store.stays.values()
    assert stored.snapshot.notes == (note,)
    write = uow.store.note_writes["w-1"]
    assert (write.state, write.finished["note_mews_id"]) == ("in_step", "n-1")
    assert [e.event for e in events(uow.store)] == ["created"]  # no second event


async def test_a_note_shown_from_our_report_is_no_news_either() -> None:
    uow = FakeUnitOfWork()
    note = StayNote(mews_id="n-1", text="late arrival", type="General")
    assert await apply(uow, upsert_stay(stay("r-1", notes=(note,)))) is Applied.APPLIED
    [stored] = uow.store.stays.values()
    stored.notes[0][WRITTEN_HERE] = "w-1"
    await uow.rollback()

    same_notes_new_stamp = upsert_stay(stay("r-1", LATER, notes=(note,)))
    assert await apply(uow, same_notes_new_stamp) is Applied.APPLIED
    assert len(events(uow.store)) == 1
    # Another change in the same version is news.
    changed = upsert_stay(stay("r-1", LATER + timedelta(1), notes=(note,), number="42"))
    assert await apply(uow, changed) is Applied.APPLIED
    assert [e.event for e in events(uow.store)] == ["created", "updated"]


class _FailingQueue(FakeUnitOfWork):
    async def queue(
        self, subject: str, payload: Payload, *, msg_id: str, correlation_id: str | None = None
    ) -> None:
        raise RuntimeError("the outbox is down")


async def test_a_failure_leaves_nothing_behind_so_a_redelivery_applies_it() -> None:
    failing = _FailingQueue()
    command = upsert_stay(stay("r-1"))
    with pytest.raises(RuntimeError):
        await apply(failing, command)
    assert failing.store == FakeStore()

    uow = FakeUnitOfWork(failing.store)
    assert await apply(uow, command) is Applied.APPLIED
    assert len(uow.store.outbox) == 1


async def test_a_stay_with_naive_times_is_refused_before_anything_is_claimed() -> None:
    uow = FakeUnitOfWork()
    naive = stay("r-1", scheduled_start_utc=datetime(2026, 3, 2, 15, 0))
    with pytest.raises(Invalid, match="scheduled_start_utc has no time zone"):
        await apply(uow, upsert_stay(naive))
    with pytest.raises(Invalid, match="not a single subject token"):
        await apply(uow, upsert_stay(stay("r-1"), enterprise="ent 1"))
    assert uow.store == FakeStore()
