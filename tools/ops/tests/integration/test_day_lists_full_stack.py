"""The front desk's day lists on the whole system (`make run`'s stack: the simulator, ingest,
sync, guests, the gateway) equal what the front office's rules compute from the simulator's
own reservations: for both seeded hotels, every local day from today - 7 to today + 14, asked
without a time zone (the hotel's is used); right after start-up, and again after bursts of
random check-ins, check-outs, cancellations and date changes made in the simulator.

The rules below are written from HOTEL.md ("Day lists") independently of the guests service's
`day_lists` module, so a mistake in either shows as a difference.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stack_support import signed_in

pytestmark = pytest.mark.slow

LISTS = {"arrivals": "/arrivals", "in_house": "/in-house", "departures": "/departures"}
DAYS = range(-7, 15)
#: How long the system may take to show what the simulator changed: after start-up, the
#: last of the initial import (the stack is handed over once sync has read it all, 3,000
#: stays of two hotels; guests may still be applying the last of them); after a
#: burst, a few dozen Mews writes (a WebSocket event, a sync pass, an upsert each).
IMPORT_S = 240
SETTLE_S = 120


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


@dataclass(frozen=True)
class Reservation:
    id: str
    state: str
    scheduled_start: datetime | None
    scheduled_end: datetime | None
    actual_start: datetime | None
    actual_end: datetime | None

    @classmethod
    def of(cls, body: dict[str, Any]) -> Reservation:
        return cls(
            id=body["Id"],
            state=body["State"],
            scheduled_start=_instant(body.get("ScheduledStartUtc") or body.get("StartUtc")),
            scheduled_end=_instant(body.get("ScheduledEndUtc") or body.get("EndUtc")),
            actual_start=_instant(body.get("ActualStartUtc")),
            actual_end=_instant(body.get("ActualEndUtc")),
        )


@dataclass(frozen=True)
class Hotel:
    enterprise_id: str
    zone: ZoneInfo
    credentials: dict[str, str]


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def _on(moment: datetime | None, day: date, zone: ZoneInfo) -> bool:
    if moment is None:
        return False
    return _midnight(day, zone) <= moment < _midnight(day + timedelta(days=1), zone)


def expected(which: str, day: date, today: date, zone: ZoneInfo, r: Reservation) -> bool:
    """HOTEL.md's day lists. Arrivals: due in on D (Confirmed, Optional) or already checked
    in (Started). Departures: due out on D and checked in, or checked out on D (and, for a
    future D, Confirmed ones due out). In house: checked in and still here the night of D."""
    next_midnight = _midnight(day + timedelta(days=1), zone)
    checked_in = r.actual_start or r.scheduled_start
    checked_out = r.actual_end or r.scheduled_end
    if which == "arrivals":
        return r.state in ("Confirmed", "Optional", "Started") and _on(r.scheduled_start, day, zone)
    if which == "departures":
        if not _on(r.scheduled_end, day, zone):
            return False
        if r.state == "Started" or (r.state == "Confirmed" and day > today):
            return True
        return r.state == "Processed" and _on(checked_out, day, zone)
    # In house the night of D.
    if day == today:
        return r.state == "Started"
    in_by_d = checked_in is not None and checked_in < next_midnight
    if day < today:
        if r.state == "Started":
            return in_by_d
        return (
            r.state == "Processed" and in_by_d and checked_out is not None
            and checked_out >= next_midnight
        )  # fmt: skip
    if r.state == "Started":
        return in_by_d and r.scheduled_end is not None and r.scheduled_end >= next_midnight
    return (
        r.state in ("Confirmed", "Optional")
        and r.scheduled_start is not None and r.scheduled_start < next_midnight
        and r.scheduled_end is not None and r.scheduled_end >= next_midnight
    )  # fmt: skip


def _mews(sim: str, hotel: Hotel, operation: str, **body: Any) -> dict[str, Any]:
    response = httpx.post(
        f"{sim}/api/connector/v1/{operation}", json={**hotel.credentials, **body}, timeout=30
    )
    response.raise_for_status()
    return dict(response.json())


def _iso(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def simulator_reservations(sim: str, hotel: Hotel, today: date) -> list[Reservation]:
    """Every reservation whose scheduled dates touch the checked days (and a margin for
    guests still in house past theirs), paged as Mews pages."""
    window = {
        "StartUtc": _iso(_midnight(today - timedelta(days=60), hotel.zone)),
        "EndUtc": _iso(_midnight(today + timedelta(days=30), hotel.zone)),
    }
    found: list[Reservation] = []
    cursor = None
    while True:
        limitation: dict[str, Any] = {"Count": 1000, **({"Cursor": cursor} if cursor else {})}
        page = _mews(
            sim, hotel, "reservations/getAll/2023-06-06",
            EnterpriseIds=[hotel.enterprise_id], CollidingUtc=window, Limitation=limitation,
        )  # fmt: skip
        found.extend(Reservation.of(r) for r in page["Reservations"])
        cursor = page.get("Cursor")
        if not page["Reservations"] or not cursor:
            return found


def local_today(zone: ZoneInfo) -> date:
    return datetime.now(UTC).astimezone(zone).date()


class Busy(Exception):
    """The gateway answered that a service was too busy (503, 504): ask again later."""


def api_list(api: httpx.Client, path: str, enterprise_id: str, day: date) -> set[str]:
    ids: set[str] = set()
    params: dict[str, Any] = {"enterprise_id": enterprise_id, "date": day.isoformat(), "limit": 200}
    while True:
        response = api.get(path, params=params)
        if response.status_code in (503, 504):
            raise Busy(f"{path} {day}: {response.status_code}")
        assert response.status_code == 200, response.text
        body = response.json()
        ids.update(item["mews_id"] for item in body["items"])
        if not body.get("next_cursor"):
            return ids
        params["cursor"] = body["next_cursor"]


def differences(sim: str, api: httpx.Client, hotels: list[Hotel]) -> list[str]:
    """Where the API's lists and the rules over the simulator's reservations disagree."""
    found: list[str] = []
    for hotel in hotels:
        today = local_today(hotel.zone)
        reservations = simulator_reservations(sim, hotel, today)
        for offset in DAYS:
            day = today + timedelta(days=offset)
            for which, path in LISTS.items():
                want = {r.id for r in reservations if expected(which, day, today, hotel.zone, r)}
                got = api_list(api, path, hotel.enterprise_id, day)
                if got != want:
                    found.append(
                        f"{hotel.enterprise_id} {which} {day} ({offset:+d}): "
                        f"missing {sorted(want - got)[:5]} ({len(want - got)}), "
                        f"extra {sorted(got - want)[:5]} ({len(got - want)}), want {len(want)}"
                    )
    return found


def settled(
    sim: str, api: httpx.Client, hotels: list[Hotel], within_s: float = SETTLE_S
) -> list[str]:
    """The differences once the system has caught up (or the last ones seen)."""
    started = time.monotonic()
    deadline = started + within_s
    while True:
        try:
            found = differences(sim, api, hotels)
        except Busy as exc:
            found = [f"the gateway was busy: {exc}"]
        if not found or time.monotonic() > deadline:
            print(f"day lists compared after {time.monotonic() - started:.1f} s")
            return found
        time.sleep(2)


@pytest.fixture(scope="module")
def hotels(stack: dict[str, Any]) -> list[Hotel]:
    info = httpx.get(f"{stack['sim']}/_sim/info").json()
    return [
        Hotel(
            enterprise_id=e["id"],
            zone=ZoneInfo(e["time_zone"]),
            credentials={
                # Not the first token (the system's own): the test must not spend the
                # system's Mews request budget.
                "ClientToken": e["tokens"][-1]["client_token"],
                "AccessToken": e["tokens"][-1]["access_token"],
                "Client": "Attendandt tests 1.0.0",
            },
        )
        for e in info["enterprises"]
    ]


@pytest.fixture(scope="module")
def api(stack: dict[str, Any]) -> Iterator[httpx.Client]:
    with signed_in(stack, timeout=30) as client:
        yield client


def test_the_two_hotels_differ_in_time_zone(hotels: list[Hotel]) -> None:
    """The property below is only worth something where local days are not UTC days."""
    assert len({h.zone.key for h in hotels}) == len(hotels) >= 2


def test_day_lists_after_start_up_equal_the_rules_over_mews(
    stack: dict[str, Any], api: httpx.Client, hotels: list[Hotel]
) -> None:
    found = settled(stack["sim"], api, hotels, IMPORT_S)
    assert not found, "\n".join(found)


Operation = tuple[str, float]
OPERATIONS = st.sampled_from(["check_in", "check_out", "cancel", "move", "shorten"])


def _apply(sim: str, hotel: Hotel, seen: list[Reservation], operation: Operation) -> bool:
    """One front-desk change in the simulator, on a reservation `pick` chooses among those of
    `seen` it applies to; False when none does or Mews refuses it (e.g. a room not assigned,
    or the reservation changed by an earlier operation of the burst)."""
    kind, pick = operation
    today = local_today(hotel.zone)
    now = datetime.now(UTC)
    candidates = sorted((r for r in seen if _fits(kind, r, today, hotel, now)), key=lambda r: r.id)
    if not candidates:
        return False
    target = candidates[min(int(pick * len(candidates)), len(candidates) - 1)]
    base = f"{sim}/_sim/reservations/{target.id}"
    if kind == "check_in":
        response = httpx.post(f"{base}/start", json={})
    elif kind == "check_out":
        response = httpx.post(f"{base}/process", json={"close_bills": True})
    elif kind == "cancel":
        response = httpx.post(f"{base}/cancel", json={})
    else:
        assert target.scheduled_start is not None
        assert target.scheduled_end is not None
        days = timedelta(days=1 + int(pick * 3))
        start = target.scheduled_start + (days if kind == "move" else timedelta())
        end = target.scheduled_end + days if kind == "move" else target.scheduled_end - days
        if end <= start:
            return False
        response = httpx.post(
            f"{base}/update", json={"ScheduledStartUtc": _iso(start), "ScheduledEndUtc": _iso(end)}
        )
    return response.status_code == 200


def _fits(kind: str, r: Reservation, today: date, hotel: Hotel, now: datetime) -> bool:
    near = r.scheduled_start is not None and abs((r.scheduled_start - now).days) <= 10
    if kind == "check_in":
        return r.state == "Confirmed" and _on(r.scheduled_start, today, hotel.zone)
    if kind == "check_out":
        return r.state == "Started"
    if kind == "cancel":
        return r.state in ("Confirmed", "Optional") and near
    return r.state in ("Confirmed", "Optional") and near


@settings(
    max_examples=2,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    burst=st.lists(
        st.tuples(st.integers(0, 1), st.tuples(OPERATIONS, st.floats(0, 1))),
        min_size=15,
        max_size=30,
    )
)
def test_day_lists_after_a_burst_of_front_desk_changes_equal_the_rules_over_mews(
    stack: dict[str, Any],
    api: httpx.Client,
    hotels: list[Hotel],
    burst: list[tuple[int, Operation]],
) -> None:
    sim = stack["sim"]
    # The system first catches up with the initial import (at once when the start-up test
    # has run before: test order is not fixed under pytest-xdist), then takes the burst.
    before = settled(sim, api, hotels, IMPORT_S)
    assert not before, "before the burst:\n" + "\n".join(before)
    seen = {h.enterprise_id: simulator_reservations(sim, h, local_today(h.zone)) for h in hotels}
    applied = 0
    for index, operation in burst:
        hotel = hotels[index % len(hotels)]
        applied += _apply(sim, hotel, seen[hotel.enterprise_id], operation)
    assert applied > 0, "no change of the burst applied: the simulator's data is not as seeded"
    found = settled(sim, api, hotels)
    assert not found, f"after {applied} changes:\n" + "\n".join(found)
