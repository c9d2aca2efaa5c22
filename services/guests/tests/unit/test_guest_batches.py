"""A batch of customers applied together (`guest_batches`) against the same commands applied
one by one (`entity_upserts.upsert_guest`), on the in-memory unit of work: the same guests,
outcomes, claims and events, whatever the batch holds (repeats, versions out of order,
several versions of one customer, customers already on stays). test_guest_batches.py in the
integration tests runs the batch on Postgres."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import msgspec
import pytest
from guests_fakes import FakeStay, FakeStore, FakeUnitOfWork
from guests_support import ENT, T0, guest, stay, upsert_guest
from hypothesis import given, settings
from hypothesis import strategies as st

from attendandt.contracts.commands import UpsertGuest
from attendandt.contracts.events import GuestEvent, RestrictedGuestEvent, StayEvent
from attendandt.contracts.versioning import read_version
from attendandt.guests import entity_upserts, guest_batches
from attendandt.guests.applied import Applied
from attendandt.guests.batch_rounds import Turns
from attendandt.guests.upsert_repository import GuestPut, guest_columns
from attendandt.platform.rpc import Invalid

C = "guests-test"
LATER = T0 + timedelta(minutes=5)
CUSTOMERS = ("c-1", "c-2", "c-3")


def _ids() -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"id-{next(counter)}"


def _store() -> FakeStore:
    """c-2 is already on a stored stay (its first version announces the stay again)."""
    store = FakeStore()
    on_stay = stay("r-1")
    store.stays[(ENT, "r-1")] = FakeStay(
        "stay-1", on_stay, read_version(on_stay, T0), [], [("c-2", "owner")]
    )
    return store


COMMANDS = st.lists(
    st.builds(
        lambda mews_id, second, name: upsert_guest(
            guest(mews_id, T0 + timedelta(seconds=second), last_name=name)
        ),
        st.sampled_from(CUSTOMERS),
        st.integers(0, 3),
        st.sampled_from(["Lovelace", "Byron", "King"]),
    ),
    min_size=1,
    max_size=12,
)


def _with_repeats(commands: list[UpsertGuest], repeats: list[int]) -> list[UpsertGuest]:
    """The commands with some of them delivered again (the same command id)."""
    return commands + [commands[i % len(commands)] for i in repeats]


def _normalised(store: FakeStore) -> dict[str, Any]:
    """What the store holds with our generated guest ids named by their customers."""
    names = {guest_id: mews_id for (_, mews_id), guest_id in store.guests.items()}

    def named(text: str) -> str:
        for guest_id, mews_id in names.items():
            text = text.replace(guest_id, f"<{mews_id}>")
        return text

    events: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {}
    for queued in store.outbox:
        payload = queued.payload
        if isinstance(payload, (GuestEvent, RestrictedGuestEvent)):
            about = names[payload.guest_id]
            what = payload.changed_fields
        else:
            assert isinstance(payload, StayEvent)
            about, what = payload.stay.mews_id, payload.guest_ids
        events.setdefault(about, []).append(
            (queued.subject, named(queued.msg_id), tuple(named(x) for x in what))
        )
    return {
        "guests": {
            key: (row.version, row.snapshot, row.field_changed_utc)
            for key, row in store.guest_rows.items()
        },
        "inbox": store.inbox,
        # Per customer (or stay) in order; customers' events may interleave differently.
        "events": events,
    }


async def _one_by_one(commands: list[UpsertGuest]) -> tuple[list[Applied], FakeStore]:
    uow, make_id = FakeUnitOfWork(_store()), _ids()
    outcomes = [
        await entity_upserts.upsert_guest(
            uow, command, consumer=C, clock=lambda: LATER, make_id=make_id
        )
        for command in commands
    ]
    return outcomes, uow.store


async def _batched(commands: list[UpsertGuest]) -> tuple[list[Applied], FakeStore]:
    uow = FakeUnitOfWork(_store())
    outcomes = await guest_batches.upsert_guests(
        uow, commands, consumer=C, clock=lambda: LATER, make_id=_ids()
    )
    return outcomes, uow.store


@settings(max_examples=200, deadline=None)
@given(commands=COMMANDS, repeats=st.lists(st.integers(0, 20), max_size=3))
async def test_a_batch_ends_as_its_commands_one_by_one(
    commands: list[UpsertGuest], repeats: list[int]
) -> None:
    delivered = _with_repeats(commands, repeats)
    one_outcomes, one_store = await _one_by_one(delivered)
    batch_outcomes, batch_store = await _batched(delivered)
    assert batch_outcomes == one_outcomes
    assert _normalised(batch_store) == _normalised(one_store)
    assert batch_store.commits == 1


async def test_versions_of_one_customer_in_one_batch_apply_in_their_order() -> None:
    first = upsert_guest(guest("c-1", T0, last_name="Old"))
    newer = upsert_guest(guest("c-1", T0 + timedelta(seconds=2), last_name="New"))
    older = upsert_guest(guest("c-1", T0 + timedelta(seconds=1), last_name="Between"))
    outcomes, store = await _batched([first, newer, older, first])
    assert outcomes == [Applied.APPLIED, Applied.APPLIED, Applied.STALE, Applied.DUPLICATE]
    [row] = store.guest_rows.values()
    assert row.snapshot is not None
    assert row.snapshot.last_name == "New"
    created, updated = [q.payload.event for q in store.outbox if isinstance(q.payload, GuestEvent)]
    assert (created, updated) == ("created", "updated")


async def test_a_customer_new_to_us_on_a_stored_stay_announces_the_stay_again() -> None:
    outcomes, store = await _batched([upsert_guest(guest("c-2")), upsert_guest(guest("c-3"))])
    assert outcomes == [Applied.APPLIED, Applied.APPLIED]
    [again] = [q.payload for q in store.outbox if isinstance(q.payload, StayEvent)]
    assert again.stay.mews_id == "r-1"
    assert again.guest_ids == (store.guests[(ENT, "c-2")],)


async def test_the_customers_are_locked_once_each_in_one_order() -> None:
    uow = FakeUnitOfWork()
    commands = [upsert_guest(guest(m)) for m in ("c-3", "c-1", "c-3", "c-2")]
    await guest_batches.upsert_guests(
        uow, commands, consumer=C, clock=lambda: LATER, make_id=_ids()
    )
    assert uow.locked == [("customer", ENT, m) for m in ("c-1", "c-2", "c-3")]


async def test_an_invalid_command_refuses_the_whole_batch_before_anything_is_written() -> None:
    uow = FakeUnitOfWork()
    naive = upsert_guest(guest("c-2", datetime(2026, 3, 1, 12)))
    with pytest.raises(Invalid):
        await guest_batches.upsert_guests(
            uow,
            [upsert_guest(guest("c-1")), naive],
            consumer=C,
            clock=lambda: LATER,
            make_id=_ids(),
        )
    assert (uow.store.guest_rows, uow.store.inbox, uow.store.outbox) == ({}, set(), [])


async def test_a_failure_in_the_batch_rolls_all_of_it_back() -> None:
    class FailingQueue(FakeUnitOfWork):
        async def queue(self, *args: Any, **kwargs: Any) -> None:
            raise RuntimeError("outbox unavailable")

    uow = FailingQueue()
    with pytest.raises(RuntimeError):
        await guest_batches.upsert_guests(
            uow,
            [upsert_guest(guest("c-1")), upsert_guest(guest("c-2"))],
            consumer=C,
            clock=lambda: LATER,
            make_id=_ids(),
        )
    assert (uow.store.guest_rows, uow.store.inbox, uow.store.commits) == ({}, set(), 0)


async def test_a_batch_claims_after_the_one_begun_before_has_locked_or_failed() -> None:
    """Two batches in flight: the later one's claims and locks wait for the earlier one's
    (else it could lock an entity first and apply an older version before a newer one),
    and an earlier batch that fails does not hold it up."""
    order: list[str] = []

    class FailingClaims(FakeUnitOfWork):
        async def claim_many(self, message_ids: Any, *, consumer: str) -> set[str]:
            await asyncio.sleep(0.05)  # still claiming when the next batch begins
            order.append("first fails")
            raise RuntimeError("database gone")

    class Recording(FakeUnitOfWork):
        async def claim_many(self, message_ids: Any, *, consumer: str) -> set[str]:
            order.append("second claims")
            return await super().claim_many(message_ids, consumer=consumer)

    turns = Turns()

    async def batch(uow: FakeUnitOfWork, mews_id: str) -> list[Applied]:
        return await guest_batches.upsert_guests(
            uow, [upsert_guest(guest(mews_id))], consumer=C, clock=lambda: LATER,
            make_id=_ids(), turns=turns,
        )  # fmt: skip

    first = asyncio.create_task(batch(FailingClaims(), "c-1"))
    second = asyncio.create_task(batch(Recording(), "c-2"))
    with pytest.raises(RuntimeError):
        await first
    assert await asyncio.wait_for(second, 5) == [Applied.APPLIED]
    assert order == ["first fails", "second claims"]


def test_the_batch_upsert_binds_every_column_the_one_row_upsert_does() -> None:
    """A column added to one and not the other would be stored empty by the batch."""
    put = GuestPut("id-1", ENT, guest("c-1"), read_version(guest("c-1"), T0), T0)
    assert tuple(msgspec.json.decode(guest_columns([put]))) == tuple(put.values())
