"""The day lists against HOTEL.md, by property: random stays (random states, scheduled and
actual times around today, often exactly on a local midnight) in a random IANA time zone go in
through the service's command consumer as sync sends them, and for every day from today - 7
to today + 14 the arrivals, departures and in-house RPC answers must equal what the plain
re-statement of HOTEL.md below computes from the generated stays.

The oracle works in local dates ("the hotel day an instant falls on") where the service works
in UTC bounds, and it deliberately imports nothing from the service's rules module.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from guests_support import STAFF, T0, Clock, Running, eventually, run_app, stay, upsert_stay
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext

from attendandt.contracts.commands import UPSERT_STAY
from attendandt.contracts.rpc.guests import (
    ARRIVALS,
    DEPARTURES,
    IN_HOUSE,
    MEWS_VERSIONS,
    DayStaysRequest,
    MewsVersionsRequest,
)
from attendandt.contracts.snapshots import StayState
from attendandt.platform.rpc import call

S = StayState


# --------------------------------------------------------------------------- the oracle


def midnight_utc(day: date, zone: ZoneInfo) -> datetime:
    # In UTC: aware datetimes sharing one tzinfo compare by wall clock, which is wrong in the
    # repeated hour when clocks go back.
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def hotel_day(instant: datetime, zone: ZoneInfo) -> date:
    """The local date D with midnight(D) <= instant < midnight(D + 1)."""
    day = instant.astimezone(zone).date()
    while instant < midnight_utc(day, zone):
        day -= timedelta(days=1)
    while instant >= midnight_utc(day + timedelta(days=1), zone):
        day += timedelta(days=1)
    return day


@dataclass(frozen=True)
class Generated:
    mews_id: str
    state: StayState
    scheduled_start: datetime
    scheduled_end: datetime
    actual_start: datetime | None
    actual_end: datetime | None


def expected_arrivals(stays: list[Generated], zone: ZoneInfo, d: date) -> set[str]:
    # HOTEL.md: ScheduledStartUtc on D (local), state Confirmed, Optional or Started.
    return {
        s.mews_id
        for s in stays
        if hotel_day(s.scheduled_start, zone) == d
        and s.state in (S.CONFIRMED, S.OPTIONAL, S.STARTED)
    }


def expected_departures(stays: list[Generated], zone: ZoneInfo, d: date, today: date) -> set[str]:
    # The reading of HOTEL.md: scheduled end on D (local), and checked in, or already
    # checked out that day (by Mews's check-out time where it has one); a future D also
    # Confirmed.
    found = set()
    for s in stays:
        if hotel_day(s.scheduled_end, zone) != d:
            continue
        if s.state == S.PROCESSED:
            here = hotel_day(s.actual_end or s.scheduled_end, zone) == d
        else:
            here = s.state == S.STARTED or (d > today and s.state == S.CONFIRMED)
        if here:
            found.add(s.mews_id)
    return found


def expected_in_house(stays: list[Generated], zone: ZoneInfo, d: date, today: date) -> set[str]:
    # HOTEL.md: checked in, still here the night of D; today exactly the Started ones. A past
    # night: who had checked in by D and had not checked out by it; a future night: who is
    # expected (Started until the scheduled end, Confirmed/Optional over their scheduled nights).
    found = set()
    for s in stays:
        came = hotel_day(s.actual_start or s.scheduled_start, zone)
        if d == today:
            here = s.state == S.STARTED
        elif d < today:
            left = hotel_day(s.actual_end or s.scheduled_end, zone)
            here = (s.state == S.STARTED and came <= d) or (
                s.state == S.PROCESSED and came <= d < left
            )
        else:
            booked = hotel_day(s.scheduled_start, zone) <= d < hotel_day(s.scheduled_end, zone)
            here = (s.state == S.STARTED and came <= d < hotel_day(s.scheduled_end, zone)) or (
                s.state in (S.CONFIRMED, S.OPTIONAL) and booked
            )
        if here:
            found.add(s.mews_id)
    return found


def expected_cancelled(stays: list[Generated], zone: ZoneInfo, d: date, which: str) -> set[str]:
    # Asked for, a list adds the cancelled stays its scheduled dates would take: due in on D,
    # due out on D, or booked for the night of D.
    found = set()
    for s in stays:
        start, end = hotel_day(s.scheduled_start, zone), hotel_day(s.scheduled_end, zone)
        dated = {"arrivals": start == d, "departures": end == d, "in_house": start <= d < end}
        if s.state == S.CANCELED and dated[which]:
            found.add(s.mews_id)
    return found


# --------------------------------------------------------------------------- generation


@st.composite
def local_moment(draw: st.DrawFn, zone: ZoneInfo, today: date, days: tuple[int, int]) -> datetime:
    """A moment some days from today, often exactly on a local midnight (the edge)."""
    day = today + timedelta(days=draw(st.integers(*days)))
    clock = draw(st.one_of(st.just(time(0)), st.just(time(23, 59, 59)), st.times()))
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


@st.composite
def hotels(draw: st.DrawFn) -> tuple[ZoneInfo, datetime, list[Generated]]:
    zone = ZoneInfo(draw(st.timezone_keys(allow_prefix=False)))
    now = draw(
        st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC))
    ).astimezone(UTC)
    today = now.astimezone(zone).date()
    generated = []
    for index in range(draw(st.integers(0, 12))):
        state = draw(st.sampled_from(list(StayState)))
        start = draw(local_moment(zone, today, (-12, 16)))
        end = draw(local_moment(zone, hotel_day(start, zone), (0, 8)))
        if end <= start:
            end = start + timedelta(hours=draw(st.integers(1, 30)))
        actual_start = actual_end = None
        if state in (S.STARTED, S.PROCESSED):
            # Mews has check-in and check-out times for started and processed stays only.
            early_or_late = draw(st.none() | st.integers(-1440, 1440))
            if early_or_late is not None:
                actual_start = start + timedelta(minutes=early_or_late)
        if state == S.PROCESSED:
            stayed = draw(st.none() | st.integers(1, 10 * 1440))
            if stayed is not None:
                actual_end = (actual_start or start) + timedelta(minutes=stayed)
        generated.append(Generated(f"r-{index}", state, start, end, actual_start, actual_end))
    return zone, now, generated


# --------------------------------------------------------------------------- the test


@pytest.fixture
async def held(
    nats_url: str,
    nats_client: NatsClient,
    jetstream: JetStreamContext,
    guests_url: str,
    clock: Clock,
) -> AsyncIterator[Running]:
    """The whole service on a clock the test sets per example."""
    async with run_app(nats_url, nats_client, jetstream, guests_url, clock=clock) as app:
        yield app


async def _applied(running: Running, enterprise: str, ids: list[str]) -> bool:
    versions = await call(
        running.nc,
        MEWS_VERSIONS,
        MewsVersionsRequest(enterprise_id=enterprise, entity="reservation", mews_ids=tuple(ids)),
    )
    return set(versions.versions) == set(ids)


async def _list(
    running: Running, method: object, enterprise: str, day: date, tz: str, cancelled: bool
) -> list:
    """Every page of one list, following the cursor."""
    items: list = []
    cursor = None
    while True:
        request = DayStaysRequest(
            enterprise_id=enterprise,
            date=day,
            timezone=tz,
            include_cancelled=cancelled,
            limit=3,
            cursor=cursor,
        )
        page = await call(running.nc, method, request, caller=STAFF)  # type: ignore[arg-type]
        items += page.items
        cursor = page.next_cursor
        if cursor is None:
            return items


@settings(
    max_examples=25,
    deadline=None,
    # One service for all examples: each example is a property of its own.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(hotel=hotels(), cancelled=st.booleans())
async def test_day_lists_follow_hotel_md(
    held: Running,
    clock: Clock,
    hotel: tuple[ZoneInfo, datetime, list[Generated]],
    cancelled: bool,
) -> None:
    zone, now, generated = hotel
    clock.now = now
    enterprise = f"prop-{uuid.uuid4().hex[:12]}"
    for g in generated:
        snapshot = stay(
            g.mews_id,
            T0,
            state=g.state,
            scheduled_start_utc=g.scheduled_start,
            scheduled_end_utc=g.scheduled_end,
            actual_start_utc=g.actual_start,
            actual_end_utc=g.actual_end,
        )
        await held.send(UPSERT_STAY.template, upsert_stay(snapshot, enterprise))
    ids = [g.mews_id for g in generated]
    if ids:
        await eventually(lambda: _applied(held, enterprise, ids), what="the stays applied")

    today = hotel_day(now, zone)
    for offset in range(-7, 15):
        d = today + timedelta(days=offset)
        answers = {
            "arrivals": await _list(held, ARRIVALS, enterprise, d, zone.key, cancelled),
            "departures": await _list(held, DEPARTURES, enterprise, d, zone.key, cancelled),
            "in_house": await _list(held, IN_HOUSE, enterprise, d, zone.key, cancelled),
        }
        expected = {
            "arrivals": expected_arrivals(generated, zone, d),
            "departures": expected_departures(generated, zone, d, today),
            "in_house": expected_in_house(generated, zone, d, today),
        }
        for which, items in answers.items():
            got = [item.mews_id for item in items]
            assert len(got) == len(set(got)), f"{which} of {d} repeats a stay: {got}"
            want = expected[which]
            if cancelled:
                want |= expected_cancelled(generated, zone, d, which)
            assert set(got) == want, f"{which} of {d} (today {today}, {zone.key})"
            # List order: scheduled start (departures: end), across pages too.
            keys = [
                item.scheduled_end_utc if which == "departures" else item.scheduled_start_utc
                for item in items
            ]
            assert keys == sorted(keys), f"{which} of {d} out of order"
