"""The seeded hotels agree with the simulator's clock and with how a front office reads them.

Built in process at fixed clock readings, so every assertion is deterministic: 15:00 UTC is
16:00 in London and 11:00 in New York (both mid-operation), 04:30 UTC is before anyone checks
out in either hotel, 23:30 UTC is already tomorrow in London in summer.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import pytest

from attendandt.mews_sim import clock, seed
from attendandt.mews_sim.store import Store

AFTERNOON = datetime(2026, 6, 10, 15, 0, tzinfo=UTC)
READINGS = (
    AFTERNOON,
    datetime(2026, 6, 10, 4, 30, tzinfo=UTC),
    datetime(2026, 7, 1, 23, 30, tzinfo=UTC),
    datetime(2026, 3, 29, 0, 40, tzinfo=UTC),  # London's clocks go forward at 01:00 UTC
    datetime(2026, 11, 1, 12, 5, tzinfo=UTC),  # New York's clocks go back at 06:00 UTC
)
LISTED = frozenset({"Confirmed", "Optional", "Started", "Processed"})
# Wire times that record something having happened (the scheduled ones may lie ahead).
HAPPENED = ("CreatedUtc", "UpdatedUtc", "ActualStartUtc", "ActualEndUtc", "CancelledUtc")


def build(preset: str, now: datetime, *, docs: bool = True) -> Store:
    return seed.build(seed.parse_seed(f"{preset},doc_fixtures={int(docs)}"), now)


def local_day(value: str, zone: ZoneInfo) -> date:
    return clock.parse(value).astimezone(zone).date()


def hotels(store: Store) -> list[tuple[str, ZoneInfo]]:
    return [(e.id, ZoneInfo(e.time_zone)) for e in store.info.values()]


def every_entity(store: Store) -> list[tuple[str, dict[str, Any]]]:
    names = (
        "enterprises",
        "customers",
        "companies",
        "services",
        "products",
        "accounting_categories",
        "resources",
        "rates",
        "reservations",
        "orders",
        "order_items",
        "bills",
        "service_order_notes",
    )
    return [(n, e) for n in names for e in getattr(store, n).items.values()]


@pytest.mark.parametrize("now", READINGS, ids=[r.isoformat() for r in READINGS])
def test_nothing_is_stamped_after_now(now: datetime) -> None:
    store = build("small", now)
    limit = clock.fmt(now)
    late = [
        (name, entity["Id"], field, entity[field])
        for name, entity in every_entity(store)
        for field in (*HAPPENED, "IssuedUtc", "ConsumedUtc", "ClosedUtc", "LinkedUtc")
        if isinstance(entity.get(field), str) and entity[field] > limit
    ]
    assert late == []
    assert max(store.companionship_updated.values()) <= limit


@pytest.mark.parametrize("now", READINGS, ids=[r.isoformat() for r in READINGS])
def test_states_follow_the_front_office(now: datetime) -> None:
    store = build("small", now, docs=False)
    for enterprise_id, zone in hotels(store):
        today = now.astimezone(zone).date()
        for r in store.reservations.of([enterprise_id]):
            state = r["State"]
            arrival = local_day(r["ScheduledStartUtc"], zone)
            departure = local_day(r["ScheduledEndUtc"], zone)
            if state == "Canceled":
                assert r["CancelledUtc"]
                assert r["CancellationReason"]
                continue
            if departure < today:
                assert state == "Processed"
            elif departure == today:
                assert state in ("Started", "Processed")
                if r["ActualEndUtc"] is None:
                    assert state == "Started"
                else:
                    assert local_day(r["ActualEndUtc"], zone) == today
            elif arrival < today:
                assert state == "Started"
            elif arrival == today:
                assert state in ("Started", "Confirmed", "Optional")
                if state == "Started":
                    assert local_day(r["ActualStartUtc"], zone) == today
            else:
                assert state in ("Confirmed", "Optional", "Inquired", "Requested")
            if state in ("Started", "Processed"):
                assert r["ActualStartUtc"]
                assert r["AssignedResourceId"]
                assert r["ActualStartUtc"] >= r["CreatedUtc"]
            assert (r["ActualEndUtc"] is not None) == (state == "Processed")


@pytest.mark.parametrize("preset", ["small", "default"])
def test_every_day_has_arrivals_and_departures(preset: str) -> None:
    store = build(preset, AFTERNOON, docs=False)
    for enterprise_id, zone in hotels(store):
        today = AFTERNOON.astimezone(zone).date()
        arrivals: Counter[date] = Counter()
        departures: Counter[date] = Counter()
        for r in store.reservations.of([enterprise_id]):
            if r["State"] in LISTED:
                arrivals[local_day(r["ScheduledStartUtc"], zone)] += 1
                departures[local_day(r["ScheduledEndUtc"], zone)] += 1
        days = [today + timedelta(days=k) for k in range(-90, 181)]
        assert [d for d in days if not arrivals[d]] == []
        assert [d for d in days if not departures[d]] == []


@pytest.mark.parametrize("now", READINGS, ids=[r.isoformat() for r in READINGS])
def test_today_has_departures_gone_and_due_and_arrivals_in_and_due(now: datetime) -> None:
    store = build("small", now, docs=False)
    for enterprise_id, zone in hotels(store):
        local_now = now.astimezone(zone)
        today = local_now.date()
        gone, due_out, checked_in, due_in = [], [], [], []
        for r in store.reservations.of([enterprise_id]):
            if local_day(r["ScheduledEndUtc"], zone) == today:
                if r["State"] == "Processed":
                    gone.append(clock.parse(r["ActualEndUtc"]))
                elif r["State"] == "Started":
                    due_out.append(r)
            if local_day(r["ScheduledStartUtc"], zone) == today:
                if r["State"] == "Started":
                    checked_in.append(clock.parse(r["ActualStartUtc"]))
                elif r["State"] in ("Confirmed", "Optional"):
                    due_in.append(r)
        assert len(gone) + len(due_out) >= 3
        assert len(checked_in) + len(due_in) >= 3
        midnight = datetime.combine(today, datetime.min.time(), tzinfo=zone)
        assert all(midnight <= t < now for t in gone + checked_in)
        if local_now.hour >= 7:
            # Check-out started at 06:00: some guests have left, some are still due out.
            assert gone
            assert due_out
            assert all(t.astimezone(zone).hour >= 6 for t in gone)
            assert checked_in
            assert due_in


def test_no_shows_and_housekeeping_follow_the_stays() -> None:
    store = build("default", AFTERNOON, docs=False)
    reasons = Counter(r["CancellationReason"] for r in store.reservations.items.values())
    assert reasons["NoShow"] > 0
    for enterprise_id, zone in hotels(store):
        today = AFTERNOON.astimezone(zone).date()
        rooms = {r["Id"]: r for r in store.resources.of([enterprise_id])}
        in_house = {
            r["AssignedResourceId"]
            for r in store.reservations.of([enterprise_id])
            if r["State"] == "Started"
        }
        for r in store.reservations.of([enterprise_id]):
            if r["CancellationReason"] == "NoShow":
                assert local_day(r["ScheduledStartUtc"], zone) < today
            left_today = r["ActualEndUtc"] and local_day(r["ActualEndUtc"], zone) == today
            if left_today and r["AssignedResourceId"] not in in_house:
                room = rooms[r["AssignedResourceId"]]
                assert room["State"] == "Dirty"
                assert room["UpdatedUtc"] >= r["ActualEndUtc"]
        states = Counter(rooms[i]["State"] for i in in_house)
        assert set(states) <= {"Clean", "Dirty", "Inspected"}
        assert {"OutOfOrder", "OutOfService"} <= {r["State"] for r in rooms.values()}


def test_companions_and_notes_are_seeded() -> None:
    store = build("small", AFTERNOON, docs=False)
    reservations = store.reservations.items
    with_companions = set(store.companions_of)
    assert 0.12 < len(with_companions) / len(reservations) < 0.3
    for reservation_id, ids in store.companions_of.items():
        reservation = reservations[reservation_id]
        customers = [store.companionships.items[i]["CustomerId"] for i in ids]
        assert 1 <= len(customers) <= 2
        assert reservation["AccountId"] not in customers
        assert len(set(customers)) == len(customers)
        persons = sum(c["Count"] for c in reservation["PersonCounts"])
        assert persons >= 1 + len(customers)
        owner_chain = store.customers.owner[reservation["AccountId"]]
        assert all(store.customers.owner[c] == owner_chain for c in customers)
    with_notes = set(store.notes_of)
    assert 0.08 < len(with_notes) / len(reservations) < 0.25
    notes = list(store.service_order_notes.items.values())
    assert {n["Type"] for n in notes} >= {"General", "ChannelManager"}
    for note in notes:
        assert note["UpdatedUtc"] <= reservations[note["OrderId"]]["UpdatedUtc"]


def test_the_two_hotels_differ_in_name_zone_and_currency() -> None:
    store = build("small", AFTERNOON)
    first, second = (store.enterprises.items[i] for i in store.info)
    for field in ("Name", "ShortName", "TimeZoneIdentifier", "Pricing"):
        assert first[field] != second[field]
    assert [c["Currency"] for c in first["Currencies"] if c["IsDefault"]] == ["GBP"]
    assert [c["Currency"] for c in second["Currencies"] if c["IsDefault"]] == ["USD"]
    assert (first["TimeZoneIdentifier"], second["TimeZoneIdentifier"]) == (
        "Europe/London",
        "America/New_York",
    )
    assert all(len(e["ShortName"]) <= 11 and "SIM" in e["Name"] for e in (first, second))


def test_same_config_and_clock_same_data_and_the_anchor_is_the_clock() -> None:
    config = seed.parse_seed("small,anchor=2026-06-10T15:00:00Z")
    first, second = seed.build(config), seed.build(config, AFTERNOON)
    for name in ("reservations", "resources", "companionships", "service_order_notes"):
        a = [getattr(first, name).items[i] for i in getattr(first, name).order]
        b = [getattr(second, name).items[i] for i in getattr(second, name).order]
        assert msgspec.json.encode(a) == msgspec.json.encode(b)
    # A day-only anchor is noon UTC: daytime in both hotels.
    assert seed.parse_anchor("2026-06-10") == datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
    with clock.fixed(AFTERNOON):
        third = seed.build(seed.parse_seed("small"))
    assert [third.reservations.items[i] for i in third.reservations.order] == [
        first.reservations.items[i] for i in first.reservations.order
    ]
