"""The retention sweep (`retention.Retention`) on the in-memory unit of work: exactly the
guests whose last stay ended before their property's horizon are asked to be erased (with
the erasure's commands), in bites, with one report per property, and a second sweep asks
for nobody again. The same sweep runs on Postgres in test_retention.py."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from guests_fakes import FakeUnitOfWork
from guests_support import ENT, OTHER_ENT, guest, stay, upsert_guest, upsert_stay

from attendandt.contracts.caller import Caller
from attendandt.contracts.erasure import ERASE_GUEST_IN_GUESTS, EraseGuest
from attendandt.contracts.rpc.privacy import RetentionRunsRequest
from attendandt.contracts.snapshots import StayState, UserRole
from attendandt.guests import entity_upserts, retention, stay_upserts
from attendandt.guests.erasure import Erasures
from attendandt.guests.retention import Retention
from attendandt.platform.rpc import Forbidden

C = "guests-test"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
AUDITOR = Caller(
    user_id="u-auditor",
    role=UserRole.ADMIN,
    permissions=("guests:read", "audit:read"),
    enterprise_ids=None,
)


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 10, 0, tzinfo=UTC)


def new_id() -> str:
    return str(uuid.uuid4())


#: (enterprise, stay, owner, fields): the ends that decide whom the sweep erases.
STAYS: list[tuple[str, str, str, dict[str, Any]]] = [
    (ENT, "s-old", "old", {"actual_end_utc": at(2022, 6, 2)}),
    (ENT, "s-recent", "recent", {"actual_end_utc": at(2025, 1, 5)}),
    (ENT, "s-long-ago", "old-and-future", {"actual_end_utc": at(2021, 1, 1)}),
    # A reservation to come keeps a guest whose earlier stay is long past.
    (ENT, "s-future", "old-and-future", {"scheduled_end_utc": at(2026, 6, 1)}),
    # Never checked out (cancelled): the end it was due is what counts.
    (ENT, "s-due", "due", {"state": StayState.CANCELED, "scheduled_end_utc": at(2020, 5, 1)}),
    (ENT, "s-inside", "just-inside", {"actual_end_utc": at(2023, 3, 2)}),
    (ENT, "s-past", "just-past", {"actual_end_utc": at(2023, 2, 28)}),
    # A stay with no end known: nothing says it is over.
    (ENT, "s-open", "open-ended", {}),
    # Another property, with a 12-month horizon.
    (OTHER_ENT, "s-o-old", "other-old", {"actual_end_utc": at(2024, 6, 1)}),
    (OTHER_ENT, "s-o-new", "other-recent", {"actual_end_utc": at(2025, 6, 1)}),
]


async def seeded() -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    people = {(e, owner) for e, _, owner, _ in STAYS} | {(ENT, "no-stays")}
    for enterprise, mews_id in sorted(people):
        command = upsert_guest(guest(mews_id), enterprise)
        await entity_upserts.upsert_guest(
            uow, command, consumer=C, clock=lambda: NOW, make_id=new_id
        )
    for enterprise, mews_id, owner, fields in STAYS:
        booked = upsert_stay(stay(mews_id, owner_mews_id=owner, **fields), enterprise)
        await stay_upserts.upsert_stay(uow, booked, consumer=C, clock=lambda: NOW, make_id=new_id)
    return uow


def sweeper(uow: FakeUnitOfWork) -> Retention:
    def no_broker() -> Any:
        raise AssertionError("starting an erasure only records it (the outbox publishes)")

    units = lambda: uow  # noqa: E731
    erasures = Erasures(None, no_broker, clock=lambda: NOW, units=units)  # type: ignore[arg-type]
    return Retention(
        None,  # type: ignore[arg-type]
        erasures,
        clock=lambda: NOW,
        months_by_property={OTHER_ENT: 12},
        units=units,
    )


def asked(uow: FakeUnitOfWork) -> dict[str, tuple[str, str]]:
    """Mews id → (enterprise, source) of every guest asked to be erased."""
    mews_of = {g.guest_id: m for (_, m), g in uow.store.guest_rows.items()}
    return {
        mews_of[r.guest_id]: (r.enterprise_id, r.source)
        for r in uow.store.erasure_requests.values()
    }


@pytest.mark.parametrize("batch", [200, 2], ids=["one bite", "bites of two"])
async def test_the_sweep_erases_exactly_the_guests_past_their_propertys_horizon(
    batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "BATCH", batch)
    uow = await seeded()

    runs = await sweeper(uow).sweep()

    assert asked(uow) == {
        "old": (ENT, "retention"),
        "due": (ENT, "retention"),
        "just-past": (ENT, "retention"),
        "other-old": (OTHER_ENT, "retention"),
    }
    commands = [q.payload for q in uow.store.outbox if q.subject == ERASE_GUEST_IN_GUESTS.format()]
    erase = [c for c in commands if isinstance(c, EraseGuest)]
    assert sorted(c.request_id for c in erase) == sorted(uow.store.erasure_requests)

    by_property = {run.enterprise_id: run for run in runs}
    assert set(by_property) == {ENT, OTHER_ENT}
    assert (by_property[ENT].months, by_property[ENT].cutoff) == (
        36,
        at(2023, 3, 1).replace(hour=12),
    )
    assert (by_property[OTHER_ENT].months, by_property[OTHER_ENT].cutoff) == (
        12,
        at(2025, 3, 1).replace(hour=12),
    )
    requests = uow.store.erasure_requests.values()
    assert set(by_property[ENT].request_ids) == {
        r.request_id for r in requests if r.enterprise_id == ENT
    }
    assert uow.store.retention_runs == runs
    reasons = {r.reason for r in requests}
    assert "last stay ended before 2023-03-01 (kept 36 months)" in reasons


async def test_a_second_sweep_asks_for_nobody_and_reports_nothing() -> None:
    uow = await seeded()
    sweep = sweeper(uow)
    first = await sweep.sweep()
    queued = len(uow.store.outbox)

    assert await sweep.sweep() == []
    assert uow.store.retention_runs == first
    assert len(uow.store.outbox) == queued


async def test_the_reports_are_for_auditors_newest_first() -> None:
    uow = await seeded()
    sweep = sweeper(uow)
    await sweep.sweep()

    page = await sweep.runs(RetentionRunsRequest(), AUDITOR)
    assert {(r.enterprise_id, r.erased) for r in page.items} == {(ENT, 3), (OTHER_ENT, 1)}
    mine = await sweep.runs(RetentionRunsRequest(enterprise_id=OTHER_ENT), AUDITOR)
    assert [r.enterprise_id for r in mine.items] == [OTHER_ENT]
    reader = Caller(user_id="u-r", role=UserRole.FRONT_DESK, permissions=("guests:read",))
    with pytest.raises(Forbidden):
        await sweep.runs(RetentionRunsRequest(), reader)
