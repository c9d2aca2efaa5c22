"""The service's pure decisions: which event a change is, what a search query means, day
windows, past/today/future days and cursors. No I/O."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from guests_support import T0, guest, stay

from attendandt.contracts.snapshots import StayState
from attendandt.guests.day_lists import HotelDay, local_date, local_day_bounds
from attendandt.guests.guest_queries import parse_search
from attendandt.guests.guest_read_repository import GuestSearch
from attendandt.guests.mews_upserts import guest_event_name
from attendandt.guests.query_rules import day_window, decode_cursor, encode_cursor
from attendandt.guests.stay_upserts import stay_customers, stay_event_name
from attendandt.guests.upsert_repository import StoredGuest
from attendandt.platform.rpc import Invalid

S = StayState


@pytest.mark.parametrize(
    ("previous", "state", "event"),
    [
        (None, S.CONFIRMED, "created"),
        (None, S.OPTIONAL, "created"),
        (None, S.STARTED, "checked_in"),  # a walk-in, checked in before the first sync
        (None, S.PROCESSED, "checked_out"),
        (None, S.CANCELED, "cancelled"),
        (S.CONFIRMED, S.CONFIRMED, "updated"),
        (S.CONFIRMED, S.STARTED, "checked_in"),
        (S.STARTED, S.STARTED, "updated"),  # e.g. a room move while in house
        (S.STARTED, S.PROCESSED, "checked_out"),
        (S.CONFIRMED, S.CANCELED, "cancelled"),
        (S.CANCELED, S.CONFIRMED, "updated"),  # reinstated
        (S.CONFIRMED, S.UNKNOWN, "updated"),
    ],
)
def test_stay_event_follows_the_state_transition(previous, state, event) -> None:
    assert stay_event_name(previous, state) == event


def test_guest_event_is_merged_when_mews_merges_the_profile() -> None:
    stored = StoredGuest("g-1", T0, merge_target_mews_id=None)
    assert guest_event_name(None, guest("c-1")) == "created"
    assert guest_event_name(stored, guest("c-1")) == "updated"
    assert guest_event_name(stored, guest("c-1", merge_target_mews_id="c-2")) == "merged"
    already = StoredGuest("g-1", T0, merge_target_mews_id="c-2")
    assert guest_event_name(already, guest("c-1", merge_target_mews_id="c-2")) == "updated"


def test_stay_customers_owner_first_each_once() -> None:
    snapshot = stay("r-1", owner_mews_id="c-1", companion_mews_ids=("c-2", "c-1", "c-3", "c-2"))
    assert stay_customers(snapshot) == [
        ("c-1", "owner"),
        ("c-2", "companion"),
        ("c-3", "companion"),
    ]
    assert stay_customers(stay("r-2")) == []


def test_search_query_meanings() -> None:
    assert parse_search("   ") is None
    assert parse_search(" Ada   LOVELACE ") == GuestSearch(
        prefix="ada lovelace",
        name_pairs=(("ada", "lovelace"),),
        room_or_number="Ada LOVELACE",
    )
    three = parse_search("Maria de la Cruz")
    assert three is not None
    assert three.name_pairs == (("maria de la", "cruz"), ("maria", "de la cruz"))
    phone = parse_search("+44 (20) 7946-0000")
    assert phone is not None
    assert phone.phone_reversed == "442079460000"[::-1]
    assert parse_search("101") == GuestSearch(prefix="101", room_or_number="101")
    email = parse_search("Ada@Example.com")
    assert email is not None
    assert email.prefix == "ada@example.com"
    assert email.room_or_number is None
    ends = datetime(2026, 7, 2, tzinfo=UTC)
    room = parse_search("305", today_ends=ends)
    assert room is not None
    assert (room.room_or_number, room.today_ends) == ("305", ends)


def test_day_window_is_local_midnight_to_midnight_in_utc() -> None:
    assert day_window(date(2026, 7, 1), "UTC") == (
        datetime(2026, 7, 1, tzinfo=UTC),
        datetime(2026, 7, 2, tzinfo=UTC),
    )
    assert day_window(date(2026, 7, 1), "Europe/Prague") == (
        datetime(2026, 6, 30, 22, tzinfo=UTC),
        datetime(2026, 7, 1, 22, tzinfo=UTC),
    )
    # The spring-forward day is 23 hours long.
    start, end = day_window(date(2026, 3, 29), "Europe/Prague")
    assert (end - start).total_seconds() == 23 * 3600
    with pytest.raises(Invalid, match="unknown time zone"):
        day_window(date(2026, 7, 1), "Mars/Olympus")
    with pytest.raises(Invalid, match="unknown time zone"):
        day_window(date(2026, 7, 1), "../../etc/passwd")


def test_a_hotel_day_is_past_today_or_future_by_the_hotels_clock() -> None:
    prague = ZoneInfo("Europe/Prague")
    late_evening_utc = datetime(2026, 7, 9, 22, 30, tzinfo=UTC)  # 00:30 on the 10th in Prague
    assert local_date(late_evening_utc, prague) == date(2026, 7, 10)
    assert [
        HotelDay.of(date(2026, 7, day), prague, late_evening_utc).when for day in (9, 10, 11)
    ] == ["past", "today", "future"]
    # In UTC the same instant is still the 9th.
    assert HotelDay.of(date(2026, 7, 9), ZoneInfo("UTC"), late_evening_utc).when == "today"
    # Santiago's clocks go back at midnight: 4 April 2026 is 25 hours long, and the repeated
    # hour belongs to it.
    santiago = ZoneInfo("America/Santiago")
    start, end = local_day_bounds(date(2026, 4, 4), santiago)
    assert (end - start) == timedelta(hours=25)
    assert local_date(end - timedelta(minutes=30), santiago) == date(2026, 4, 4)
    assert local_date(end, santiago) == date(2026, 4, 5)


def test_cursor_round_trip_and_garbage() -> None:
    cursor = encode_cursor(("lovelace", "ada", "0b7e5c1a-9f43-4d8e-8a57-3c2b1a0f9e8d"))
    assert decode_cursor(cursor, 3) == ["lovelace", "ada", "0b7e5c1a-9f43-4d8e-8a57-3c2b1a0f9e8d"]
    assert decode_cursor(encode_cursor((T0, "x")), 2) == [T0.isoformat(), "x"]
    for garbage in ("not base64!", "e30=", encode_cursor(("a", "b")), encode_cursor((1, 2, 3))):
        with pytest.raises(Invalid, match="cursor"):
            decode_cursor(garbage, 3)
