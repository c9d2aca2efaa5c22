"""The chaos bench's bookkeeping (tools/ops/bench/_chaos_oracle.py): the plan of changes,
what counts as a change not shown, a repeat, a charge posted twice. No stack here: the bench
itself runs with `make bench B=chaos`."""

from __future__ import annotations

import random
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from _chaos_oracle import (  # found through the line above
    KINDS,
    Change,
    Pools,
    StayRow,
    Target,
    charge_figures,
    expected_stay,
    not_visible,
    plan,
    repeated,
    reservation_pools,
    spare,
)

HOTEL = "hotel-1"
NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)


def _reservation(rid: str, state: str, start: str, end: str = "2025-06-20T10:00:00Z") -> dict:
    return {
        "Id": rid,
        "State": state,
        "ScheduledStartUtc": start,
        "ScheduledEndUtc": end,
        "ActualStartUtc": "2025-06-01T09:00:00Z" if state in ("Started", "Processed") else None,
        "ActualEndUtc": "2025-06-01T11:00:00Z" if state == "Processed" else None,
        "CancelledUtc": "2025-06-01T10:00:00Z" if state == "Canceled" else None,
    }


def test_reservations_are_pooled_by_what_can_be_done_to_them() -> None:
    listed = [
        _reservation("due", "Confirmed", "2025-06-01T08:00:00Z"),
        _reservation("in-house", "Started", "2025-05-30T14:00:00Z"),
        _reservation("later", "Confirmed", "2025-06-10T14:00:00Z"),
        _reservation("tomorrow-morning", "Confirmed", "2025-06-02T08:00:00Z"),  # < 24 h away
        _reservation("gone", "Processed", "2025-05-20T14:00:00Z"),
        _reservation("kept", "Started", "2025-05-30T14:00:00Z"),
    ]
    pools = reservation_pools(listed, HOTEL, NOW, exclude={"kept"}, rng=random.Random(1))
    kinds = {t.mews_id: t.kind for t in pools}
    assert kinds["due"] == "check_in"
    assert kinds["in-house"] == "check_out"
    assert kinds["later"] in ("cancel", "dates")
    assert "tomorrow-morning" not in kinds
    assert "gone" not in kinds
    assert "kept" not in kinds
    later = next(t for t in pools if t.mews_id == "later")
    assert later.end_utc == "2025-06-20T10:00:00Z"


def _pools(per_kind: int) -> Pools:
    pools = Pools()
    for kind in KINDS:
        for n in range(per_kind):
            pools.add(Target(kind, HOTEL, f"{kind}-{n}"))
    return pools


def test_a_plan_takes_each_entity_once_and_keeps_spares() -> None:
    changes, left = plan(200, _pools(100), random.Random(2))
    assert len(changes) == 200
    ids = [c.target.mews_id for c in changes]
    assert len(set(ids)) == 200
    assert not set(ids) & {t.mews_id for items in left.by_kind.values() for t in items}
    assert {c.kind for c in changes} == set(KINDS)
    refused = changes[0].kind
    replacement = spare(left, refused)
    assert replacement is not None
    assert replacement.kind == refused
    assert replacement.mews_id not in ids


def test_a_kind_short_of_entities_leaves_its_part_to_the_others() -> None:
    pools = _pools(300)
    pools.by_kind["check_in"] = pools.by_kind["check_in"][:3]
    changes, _ = plan(400, pools, random.Random(3))
    assert len(changes) == 400
    assert sum(c.kind == "check_in" for c in changes) == 3
    with pytest.raises(ValueError, match="too few"):
        plan(10_000, _pools(10), random.Random(4))


def test_a_customer_change_shows_when_every_guest_row_has_its_marker() -> None:
    change = Change(Target("customer", HOTEL, "c1"), marker="chaos-1@example.com")
    assert not_visible([change], {"c1": ["chaos-1@example.com"]}, {}, {}) == []
    # One hotel of the chain still shows the old email; or no guest row at all.
    assert not_visible([change], {"c1": ["chaos-1@example.com", "old@x"]}, {}, {}) == [change]
    assert not_visible([change], {}, {}, {}) == [change]


def test_a_reservation_change_shows_when_the_stay_equals_the_simulators_reservation() -> None:
    cancelled = _reservation("r1", "Canceled", "2025-06-10T14:00:00Z")
    made = Change(Target("create", HOTEL, "owner-1"), marker="r2")
    new = _reservation("r2", "Confirmed", "2025-06-11T14:00:00Z")
    changes = [Change(Target("cancel", HOTEL, "r1")), made]
    reservations = {"r1": cancelled, "r2": new}
    stays = {(HOTEL, "r1"): expected_stay(cancelled), (HOTEL, "r2"): expected_stay(new)}
    assert expected_stay(cancelled).state == "canceled"
    assert not_visible(changes, {}, stays, reservations) == []
    # Still confirmed in our system: the cancellation is not shown; the new one never came.
    stale = StayRow("confirmed", *list(vars(expected_stay(cancelled)).values())[1:])
    assert not_visible(changes, {}, {(HOTEL, "r1"): stale}, reservations) == changes
    # A stay of the same reservation id under another hotel is not the one.
    moved = {("hotel-2", "r1"): expected_stay(cancelled), (HOTEL, "r2"): expected_stay(new)}
    assert not_visible(changes, {}, moved, reservations) == [changes[0]]


def test_repeats_are_counted_once_per_repeated_key() -> None:
    assert repeated(["a", "b", "a", "c", "a", "b"]) == {"a": 3, "b": 2}
    assert repeated([]) == {}


def test_charge_figures_count_orders_per_reference() -> None:
    items = [
        {"ExternalIdentifier": "ref-1", "ServiceOrderId": "o1"},
        {"ExternalIdentifier": "ref-1", "ServiceOrderId": "o1"},  # two items of one order
        {"ExternalIdentifier": "ref-2", "ServiceOrderId": "o2"},
        {"ExternalIdentifier": "ref-2", "ServiceOrderId": "o3"},  # posted twice
        {"ExternalIdentifier": None, "ServiceOrderId": "o4"},
    ]
    references = {"m1": ["ref-1"], "m2": ["ref-2"], "m3": [], "m4": ["ref-4"]}
    figures = charge_figures(references, items)
    assert (figures.posted, figures.posted_twice, figures.missing) == (2, 1, 2)
