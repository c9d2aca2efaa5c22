"""A batch of reservations applied together (`stay_batches`) against the same commands applied
one by one (`stay_upserts.upsert_stay`), on the in-memory unit of work: the same stays,
customers, outcomes, claims, note writes and events, whatever the batch holds (repeats,
versions out of order, several versions of one reservation, our own note's echo)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from guests_fakes import FakeNoteWrite, FakeStay, FakeStore, FakeUnitOfWork
from guests_support import ENT, T0, stay, upsert_stay
from hypothesis import given, settings
from hypothesis import strategies as st

from attendandt.contracts.commands import UpsertStay
from attendandt.contracts.events import StayEvent
from attendandt.contracts.snapshots import StayNote, StayState
from attendandt.contracts.versioning import read_version
from attendandt.guests import stay_batches
from attendandt.guests.applied import Applied
from attendandt.guests.stay_upserts import upsert_stay as apply_stay

C = "guests-test"
LATER = T0 + timedelta(minutes=5)
NOTE = StayNote(mews_id="n-1", text="late arrival", type="General")


def _ids() -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"id-{next(counter)}"


def _store() -> FakeStore:
    """r-1 is stored, with a note on its way to Mews; c-1 and c-2 are known guests."""
    store = FakeStore()
    held = stay("r-1", owner_mews_id="c-1")
    store.stays[(ENT, "r-1")] = FakeStay("stay-1", held, read_version(held, T0), [])
    store.note_writes["w-1"] = FakeNoteWrite("w-1", "stay-1", NOTE.text)
    store.guests[(ENT, "c-1")] = "guest-1"
    store.guests[(ENT, "c-2")] = "guest-2"
    return store


COMMANDS = st.lists(
    st.builds(
        lambda mews_id, second, state, owner, companions, notes: upsert_stay(
            stay(
                mews_id,
                T0 + timedelta(seconds=second),
                state=state,
                owner_mews_id=owner,
                companion_mews_ids=companions,
                notes=notes,
            )
        ),
        st.sampled_from(["r-1", "r-2", "r-3"]),
        st.integers(0, 3),
        st.sampled_from([StayState.CONFIRMED, StayState.STARTED, StayState.CANCELED]),
        st.sampled_from([None, "c-1", "c-3"]),
        st.sampled_from([(), ("c-2",), ("c-2", "c-1")]),
        st.sampled_from([(), (NOTE,)]),
    ),
    min_size=1,
    max_size=12,
)


def _normalised(store: FakeStore) -> dict[str, Any]:
    names = {s.stay_id: mews_id for (_, mews_id), s in store.stays.items()}

    def named(text: str) -> str:
        for stay_id, mews_id in names.items():
            text = text.replace(stay_id, f"<{mews_id}>")
        return text

    events: dict[str, list[tuple[str, str, str, tuple[str, ...]]]] = {}
    for queued in store.outbox:
        event = queued.payload
        assert isinstance(event, StayEvent)
        events.setdefault(event.stay.mews_id, []).append(
            (queued.subject, named(queued.msg_id), event.event, event.guest_ids)
        )
    return {
        "stays": {
            key: (s.snapshot, s.version, s.customers, s.notes) for key, s in store.stays.items()
        },
        "writes": {w.id: (w.state, w.note_mews_id) for w in store.note_writes.values()},
        "inbox": store.inbox,
        "events": events,
    }


@settings(max_examples=200, deadline=None)
@given(commands=COMMANDS, repeats=st.lists(st.integers(0, 20), max_size=3))
async def test_a_batch_ends_as_its_commands_one_by_one(
    commands: list[UpsertStay], repeats: list[int]
) -> None:
    delivered = commands + [commands[i % len(commands)] for i in repeats]
    one = FakeUnitOfWork(_store())
    make_id = _ids()
    one_outcomes = [
        await apply_stay(one, c, consumer=C, clock=lambda: LATER, make_id=make_id)
        for c in delivered
    ]
    batch = FakeUnitOfWork(_store())
    batch_outcomes = await stay_batches.upsert_stays(
        batch, delivered, consumer=C, clock=lambda: LATER, make_id=_ids()
    )
    assert batch_outcomes == one_outcomes
    assert _normalised(batch.store) == _normalised(one.store)
    assert batch.store.commits == 1


async def test_our_notes_echo_is_stored_without_an_event_and_the_others_are_announced() -> None:
    echo = upsert_stay(stay("r-1", LATER, owner_mews_id="c-1", notes=(NOTE,)))
    other = upsert_stay(stay("r-2", owner_mews_id="c-3", companion_mews_ids=("c-2",)))
    uow = FakeUnitOfWork(_store())
    outcomes = await stay_batches.upsert_stays(
        uow, [echo, other], consumer=C, clock=lambda: LATER, make_id=_ids()
    )
    assert outcomes == [Applied.APPLIED, Applied.APPLIED]
    assert uow.store.note_writes["w-1"].state == "in_step"
    [announced] = [q.payload for q in uow.store.outbox]
    assert (announced.stay.mews_id, announced.guest_ids) == ("r-2", ("guest-2",))
    assert uow.store.stays[(ENT, "r-2")].customers == [("c-3", "owner"), ("c-2", "companion")]


async def test_a_failure_in_the_batch_rolls_all_of_it_back() -> None:
    class FailingQueue(FakeUnitOfWork):
        async def queue(self, *args: Any, **kwargs: Any) -> None:
            raise RuntimeError("outbox unavailable")

    uow = FailingQueue(_store())
    with pytest.raises(RuntimeError):
        await stay_batches.upsert_stays(
            uow, [upsert_stay(stay("r-2"))], consumer=C, clock=lambda: LATER, make_id=_ids()
        )
    assert set(uow.store.stays) == {(ENT, "r-1")}
    assert (uow.store.inbox, uow.store.commits) == (set(), 0)
