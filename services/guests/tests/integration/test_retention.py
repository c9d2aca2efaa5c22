"""Retention: exactly the guests whose last stay ended more than the property's limit ago are
erased (source `retention`), each sweep that erased anyone leaves a report, and a second
sweep asks for nobody again."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from guests_support import (
    ENT,
    OTHER_ENT,
    Clock,
    fetch_all,
    guest,
    stay,
    upsert_guest,
    upsert_stay,
)
from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncEngine

from attendandt.contracts.caller import Caller
from attendandt.contracts.rpc.privacy import RetentionRunsRequest
from attendandt.contracts.snapshots import StayState, UserRole
from attendandt.guests.erasure import Erasures
from attendandt.guests.retention import Retention, months_before
from attendandt.guests.service import GuestsService
from attendandt.platform.db import session_factory
from attendandt.platform.rpc import Forbidden

C = "test"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 10, 0, tzinfo=UTC)


def no_broker() -> JetStreamContext:
    raise AssertionError("starting an erasure only records it (the outbox publishes)")


async def seed(service: GuestsService) -> None:
    """Guests (by Mews id) and their stays; `ended` is the checkout, else the due end."""
    people = {
        ENT: [
            *("old", "old-companion", "recent", "old-and-future", "due-long-ago", "no-stays"),
            *("just-inside", "just-past", "open-ended"),
        ],
        OTHER_ENT: ["other-old", "other-recent"],
    }
    for enterprise, names in people.items():
        for name in names:
            await service.upsert_guest(
                upsert_guest(guest(name, last_name=name.title()), enterprise), consumer=C
            )
    stays: list[tuple[str, str, dict[str, object]]] = [
        # (enterprise, stay, fields)
        (
            ENT,
            "s-old",
            {
                "owner_mews_id": "old",
                "companion_mews_ids": ("old-companion",),
                "state": StayState.PROCESSED,
                "scheduled_end_utc": at(2022, 6, 1),
                "actual_end_utc": at(2022, 6, 2),
            },
        ),
        (ENT, "s-recent", {"owner_mews_id": "recent", "actual_end_utc": at(2025, 1, 5)}),
        (ENT, "s-long-ago", {"owner_mews_id": "old-and-future", "actual_end_utc": at(2021, 1, 1)}),
        # A reservation to come keeps a guest whose earlier stay is long past.
        (ENT, "s-future", {"owner_mews_id": "old-and-future", "scheduled_end_utc": at(2026, 6, 1)}),
        # Never checked out (cancelled): the end it was due is what counts.
        (
            ENT,
            "s-due",
            {
                "owner_mews_id": "due-long-ago",
                "state": StayState.CANCELED,
                "scheduled_end_utc": at(2020, 5, 1),
            },
        ),
        (ENT, "s-inside", {"owner_mews_id": "just-inside", "actual_end_utc": at(2023, 3, 2)}),
        (ENT, "s-past", {"owner_mews_id": "just-past", "actual_end_utc": at(2023, 2, 28)}),
        # A stay with no end known: nothing says it is over.
        (ENT, "s-open", {"owner_mews_id": "open-ended"}),
        # Another property, with a 12-month limit.
        (OTHER_ENT, "s-o-old", {"owner_mews_id": "other-old", "actual_end_utc": at(2024, 6, 1)}),
        (OTHER_ENT, "s-o-new", {"owner_mews_id": "other-recent", "actual_end_utc": at(2025, 6, 1)}),
    ]
    for enterprise, mews_id, fields in stays:
        await service.upsert_stay(upsert_stay(stay(mews_id, **fields), enterprise), consumer=C)


async def erased(engine: AsyncEngine) -> dict[str, tuple[str, str, str]]:
    """Mews id -> (enterprise, request id, source) of every guest asked to be erased."""
    rows = await fetch_all(
        engine,
        "select g.mews_id, r.enterprise_id, r.id::text as request_id, r.source"
        " from guests.erasure_requests r join guests.guests g on g.id = r.guest_id",
    )
    return {row.mews_id: (row.enterprise_id, row.request_id, row.source) for row in rows}


def test_months_before_keeps_the_day_or_the_months_last() -> None:
    assert months_before(NOW, 36) == datetime(2023, 3, 1, 12, 0, tzinfo=UTC)
    assert months_before(datetime(2026, 5, 31, tzinfo=UTC), 3) == datetime(2026, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 13) == datetime(
        2024, 12, 15, tzinfo=UTC
    )


async def test_the_sweep_erases_exactly_the_guests_past_their_propertys_limit(
    engine: AsyncEngine, service: GuestsService
) -> None:
    await seed(service)
    sessions = session_factory(engine)
    erasures = Erasures(sessions, no_broker, clock=Clock(NOW))
    retention = Retention(sessions, erasures, clock=Clock(NOW), months_by_property={OTHER_ENT: 12})

    runs = await retention.sweep()

    asked = await erased(engine)
    assert set(asked) == {"old", "old-companion", "due-long-ago", "just-past", "other-old"}
    assert {source for _, _, source in asked.values()} == {"retention"}
    assert asked["other-old"][0] == OTHER_ENT

    # One report per property where anyone was erased: its limit, cutoff and requests.
    by_property = {run.enterprise_id: run for run in runs}
    assert set(by_property) == {ENT, OTHER_ENT}
    assert by_property[ENT].months == 36
    assert by_property[ENT].cutoff == datetime(2023, 3, 1, 12, 0, tzinfo=UTC)
    assert set(by_property[ENT].request_ids) == {
        request for enterprise, request, _ in asked.values() if enterprise == ENT
    }
    assert by_property[OTHER_ENT].months == 12
    assert by_property[OTHER_ENT].request_ids == (asked["other-old"][1],)
    reasons = await fetch_all(engine, "select distinct reason from guests.erasure_requests")
    assert [r.reason for r in reasons if r.reason.endswith("(kept 36 months)")] == [
        "last stay ended before 2023-03-01 (kept 36 months)"
    ]

    # Each holder's command is queued for each of them, as for a staff request.
    commands = await fetch_all(
        engine,
        "select subject, count(*) as n from guests.outbox"
        " where subject like 'cmd.v1.%.erase_guest' group by subject",
    )
    assert {row.subject: row.n for row in commands} == {
        "cmd.v1.guests.erase_guest": len(asked),
        "cmd.v1.vendors.erase_guest": len(asked),
    }

    # A second sweep asks for nobody again and reports nothing.
    assert await retention.sweep() == []
    assert await erased(engine) == asked

    # The reports, for admins, of their own properties.
    admin = Caller(
        user_id="u-admin", role=UserRole.ADMIN, permissions=("audit:read",), enterprise_ids=None
    )
    page = await retention.runs(RetentionRunsRequest(), admin)
    assert {(r.enterprise_id, r.erased) for r in page.items} == {(ENT, 4), (OTHER_ENT, 1)}
    one_property = Caller(
        user_id="u-admin-2",
        role=UserRole.ADMIN,
        permissions=("audit:read",),
        enterprise_ids=(OTHER_ENT,),
    )
    page = await retention.runs(RetentionRunsRequest(), one_property)
    assert [r.enterprise_id for r in page.items] == [OTHER_ENT]
    assert (await retention.runs(RetentionRunsRequest(enterprise_id=ENT), one_property)).items == ()
    manager = Caller(
        user_id="u-manager",
        role=UserRole.MANAGER,
        permissions=("guests:erase",),
        enterprise_ids=(ENT,),
    )
    with pytest.raises(Forbidden):
        await retention.runs(RetentionRunsRequest(), manager)
