"""The gateway's queries on real Postgres: search by name, email, phone, room and number;
stable cursor paging; a guest's detail; the day lists in the hotel's time zone."""

from datetime import UTC, date, datetime, timedelta

import pytest
from guests_support import ENT, OTHER_ENT, STAFF, T0, Clock, guest, stay, upsert_guest, upsert_stay

from attendandt.contracts.rpc.guests import (
    DayStaysRequest,
    GetGuestRequest,
    GetStayRequest,
    SearchGuestsRequest,
)
from attendandt.contracts.snapshots import StayState
from attendandt.guests.service import GuestsService
from attendandt.platform.rpc import Invalid, NotFound

C = "guests-test"


async def _search(service: GuestsService, query: str, **kw) -> list[str]:
    page = await service.search(
        SearchGuestsRequest(enterprise_id=kw.pop("ent", ENT), query=query, **kw), STAFF
    )
    return [f"{g.first_name} {g.last_name}" for g in page.items]


@pytest.fixture
async def hotel(service: GuestsService) -> GuestsService:
    people = [
        ("c-ada", "Ada", "Lovelace", "ada@example.com", "+44 20 7946 0000"),
        ("c-ann", "Ann", "Lovell", "ann.l@example.org", None),
        ("c-bob", "Bob", "Adams", "bob@adams.example", "+1 (555) 010-9999"),
        ("c-mar", "Maria", "de la Cruz", "maria@example.es", "+34 600 000 111"),
        ("c-zoe", "Zoë", "Lovelace", None, None),
        ("c-pct", "Per", "100% Sure", None, None),
    ]
    for mews_id, first, last, email, phone in people:
        snapshot = guest(mews_id, first_name=first, last_name=last, email=email, phone=phone)
        await service.upsert_guest(upsert_guest(snapshot), consumer=C)
    await service.upsert_guest(
        upsert_guest(guest("c-old", first_name="Ada", last_name="Lovelace", is_active=False)),
        consumer=C,
    )
    await service.upsert_guest(
        upsert_guest(guest("c-ada", first_name="Other", last_name="Lovelace"), OTHER_ENT),
        consumer=C,
    )
    # Bob is in room 101 now; Ann stayed in 101 last month (not current); Maria has
    # reservation number 4711.
    in_house = stay(
        "r-1",
        state=StayState.STARTED,
        owner_mews_id="c-bob",
        resource_name="101",
        scheduled_start_utc=T0 - timedelta(days=1),
        scheduled_end_utc=T0 + timedelta(days=1),
    )
    past = stay(
        "r-2",
        state=StayState.PROCESSED,
        owner_mews_id="c-ann",
        resource_name="101",
        scheduled_start_utc=T0 - timedelta(days=30),
        scheduled_end_utc=T0 - timedelta(days=28),
    )
    numbered = stay("r-3", owner_mews_id="c-mar", number="4711", resource_name="202")
    for snapshot in (in_house, past, numbered):
        await service.upsert_stay(upsert_stay(snapshot), consumer=C)
    return service


async def test_search_by_name_email_phone_room_and_number(hotel: GuestsService) -> None:
    assert await _search(hotel, "lovel") == ["Ada Lovelace", "Zoë Lovelace", "Ann Lovell"]
    assert await _search(hotel, "LOVELACE") == ["Ada Lovelace", "Zoë Lovelace"]
    assert await _search(hotel, "ada") == ["Bob Adams", "Ada Lovelace"]  # last or first name
    assert await _search(hotel, "Ada Love") == ["Ada Lovelace"]
    assert await _search(hotel, "lovelace ada") == ["Ada Lovelace"]
    assert await _search(hotel, "maria de la") == ["Maria de la Cruz"]
    assert await _search(hotel, "de la cruz") == ["Maria de la Cruz"]
    assert await _search(hotel, "ann.l@") == ["Ann Lovell"]
    assert await _search(hotel, "7946 0000") == ["Ada Lovelace"]  # phone ends with the digits
    assert await _search(hotel, "+1 555 010 9999") == ["Bob Adams"]
    assert await _search(hotel, "101") == ["Bob Adams"]  # current stay only
    assert await _search(hotel, "4711") == ["Maria de la Cruz"]
    assert await _search(hotel, "zoë") == ["Zoë Lovelace"]


async def test_search_leaves_out_inactive_guests_and_other_enterprises(
    hotel: GuestsService,
) -> None:
    assert await _search(hotel, "ada lovelace", include_inactive=True) == [
        "Ada Lovelace",
        "Ada Lovelace",
    ]
    assert await _search(hotel, "lovelace", ent=OTHER_ENT) == ["Other Lovelace"]
    assert await _search(hotel, "lovelace", ent="nobody") == []


async def test_search_text_is_not_a_pattern(hotel: GuestsService) -> None:
    assert await _search(hotel, "%") == []
    assert await _search(hotel, "_") == []
    assert await _search(hotel, "100%") == ["Per 100% Sure"]


async def test_the_current_room_follows_the_clock(hotel: GuestsService, clock: Clock) -> None:
    clock.now = T0 + timedelta(days=3)
    # Bob's stay is still "started" in Mews (not checked out yet): he is still in 101.
    assert await _search(hotel, "101") == ["Bob Adams"]


async def test_a_room_finds_everyone_on_its_stay_now_or_due_in_today(
    service: GuestsService, clock: Clock
) -> None:
    # T0 is 12:00 UTC, 21:00 in Tokyo.
    for mews_id, first in (
        ("c-own", "Olga"),
        ("c-com", "Carl"),
        ("c-arr", "Ines"),
        ("c-tmw", "Tom"),
    ):
        await service.upsert_guest(
            upsert_guest(guest(mews_id, first_name=first, last_name="Room")), consumer=C
        )
    in_house = stay(
        "r-in",
        state=StayState.STARTED,
        owner_mews_id="c-own",
        companion_mews_ids=("c-own", "c-com"),
        resource_name="305",
        scheduled_start_utc=T0 - timedelta(days=2),
        scheduled_end_utc=T0 + timedelta(hours=1),
    )
    # Due in to 306 at 14:00 UTC today (not yet arrived), and to 307 tomorrow.
    later_today = stay(
        "r-arr",
        state=StayState.CONFIRMED,
        owner_mews_id="c-arr",
        resource_name="306",
        scheduled_start_utc=T0 + timedelta(hours=2),
        scheduled_end_utc=T0 + timedelta(days=2),
    )
    tomorrow = stay(
        "r-tmw",
        state=StayState.OPTIONAL,
        owner_mews_id="c-tmw",
        resource_name="307",
        scheduled_start_utc=T0 + timedelta(hours=20),
        scheduled_end_utc=T0 + timedelta(days=3),
    )
    for snapshot in (in_house, later_today, tomorrow):
        await service.upsert_stay(upsert_stay(snapshot), consumer=C)

    assert await _search(service, "305") == ["Carl Room", "Olga Room"]  # owner and companion
    assert await _search(service, "306") == ["Ines Room"]
    assert await _search(service, "307") == []
    # Today is the hotel's: at T0 it is 02:00 in Honolulu, where 307's start (22:00 there)
    # is still today, and 21:00 in Tokyo, where it is tomorrow.
    assert await _search(service, "307", timezone="Pacific/Honolulu") == ["Tom Room"]
    assert await _search(service, "307", timezone="Asia/Tokyo") == []
    clock.now = T0 + timedelta(hours=13)  # 01:00 UTC the next day: 307 is due in today
    assert await _search(service, "307") == ["Tom Room"]
    with pytest.raises(Invalid):
        await _search(service, "305", timezone="Mars/Olympus")


async def test_paging_walks_every_guest_once_in_a_stable_order(service: GuestsService) -> None:
    names = [("Kim", f"Lee{i % 4}") for i in range(23)] + [("Al", "Lee1"), ("", "Lee1")]
    for i, (first, last) in enumerate(names):
        snapshot = guest(f"c-{i}", first_name=first or None, last_name=last)
        await service.upsert_guest(upsert_guest(snapshot), consumer=C)
    everyone = await service.search(SearchGuestsRequest(enterprise_id=ENT, limit=200), STAFF)
    assert len(everyone.items) == 25
    assert everyone.next_cursor is None

    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = await service.search(
            SearchGuestsRequest(enterprise_id=ENT, query="lee", limit=7, cursor=cursor), STAFF
        )
        pages += 1
        seen += [g.guest_id for g in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert pages == 4
    assert seen == [g.guest_id for g in everyone.items]
    keys = [(g.last_name.lower(), (g.first_name or "").lower()) for g in everyone.items]
    assert keys == sorted(keys)


async def test_bad_requests_are_invalid_or_not_found(hotel: GuestsService) -> None:
    with pytest.raises(Invalid, match="cursor"):
        await hotel.search(SearchGuestsRequest(enterprise_id=ENT, cursor="garbage"), STAFF)
    with pytest.raises(Invalid, match="exactly one"):
        await hotel.get_guest(GetGuestRequest(enterprise_id=ENT), STAFF)
    with pytest.raises(Invalid, match="exactly one"):
        await hotel.get_guest(GetGuestRequest(enterprise_id=ENT, guest_id="x", mews_id="y"), STAFF)
    with pytest.raises(Invalid, match="not a valid id"):
        await hotel.get_guest(GetGuestRequest(enterprise_id=ENT, guest_id="42"), STAFF)
    with pytest.raises(NotFound):
        await hotel.get_guest(
            GetGuestRequest(enterprise_id=ENT, guest_id="0b7e5c1a-9f43-4d8e-8a57-3c2b1a0f9e8d"),
            STAFF,
        )
    ada = await hotel.get_guest(GetGuestRequest(enterprise_id=ENT, mews_id="c-ada"), STAFF)
    with pytest.raises(NotFound):  # another enterprise's guest is not found
        await hotel.get_guest(
            GetGuestRequest(enterprise_id=OTHER_ENT, guest_id=ada.guest.guest_id), STAFF
        )
    with pytest.raises(NotFound):
        await hotel.get_stay(GetStayRequest(enterprise_id=ENT, mews_id="r-404"), STAFF)


# --------------------------------------------------------------------------- day lists

PRAGUE_DAY = date(2026, 7, 10)  # local midnight is 22:00 UTC the day before (CEST)


def _at(day: int, hour: int) -> datetime:
    return datetime(2026, 7, day, hour, tzinfo=UTC)


@pytest.fixture
async def july(service: GuestsService, clock: Clock) -> GuestsService:
    clock.now = _at(10, 10)  # noon in Prague: the 10th is today
    stays = {
        # mews id: (scheduled start, scheduled end, state, actual start, actual end)
        "overstays": (_at(6, 13), _at(9, 8), StayState.STARTED, _at(6, 14), None),
        "departs": (_at(7, 13), _at(10, 8), StayState.STARTED, _at(7, 15), None),
        "left-today": (_at(7, 14), _at(10, 7), StayState.PROCESSED, _at(7, 16), _at(10, 7)),
        "left-early": (_at(7, 15), _at(12, 8), StayState.PROCESSED, _at(7, 15), _at(9, 8)),
        "stays-on": (_at(8, 13), _at(14, 8), StayState.STARTED, _at(8, 13), None),
        "left-before": (_at(5, 13), _at(9, 7), StayState.PROCESSED, None, None),
        "arrives-early": (_at(9, 22), _at(12, 9), StayState.CONFIRMED, None, None),
        "came-in": (_at(10, 9), _at(12, 8), StayState.STARTED, _at(10, 8), None),
        "arrives": (_at(10, 13), _at(11, 9), StayState.CONFIRMED, None, None),
        "arrives-cancelled": (_at(10, 14), _at(11, 9), StayState.CANCELED, None, None),
        "maybe": (_at(10, 15), _at(12, 9), StayState.OPTIONAL, None, None),
        "enquiry": (_at(10, 16), _at(12, 9), StayState.INQUIRED, None, None),
        "late-utc": (_at(10, 22), _at(12, 10), StayState.CONFIRMED, None, None),  # the 11th
    }
    for mews_id, (start, end, state, came, left) in stays.items():
        snapshot = stay(
            mews_id,
            state=state,
            scheduled_start_utc=start,
            scheduled_end_utc=end,
            actual_start_utc=came,
            actual_end_utc=left,
            owner_mews_id="c-1",
        )
        await service.upsert_stay(upsert_stay(snapshot), consumer=C)
    await service.upsert_guest(upsert_guest(guest("c-1", first_name="Ada")), consumer=C)
    return service


async def _day(service: GuestsService, which: str, day: int = 10, **kw) -> list[str]:
    local = date(2026, 7, day)
    request = DayStaysRequest(enterprise_id=ENT, date=local, timezone="Europe/Prague", **kw)
    page = await getattr(service, which)(request, STAFF)
    assert (page.window_start_utc, page.window_end_utc) == (_at(day - 1, 22), _at(day, 22))
    return [s.mews_id for s in page.items]


async def test_the_day_lists_of_today_as_the_front_desk_sees_them(july: GuestsService) -> None:
    # Due in today or already checked in; not the one already gone, not the enquiry.
    assert await _day(july, "arrivals") == ["arrives-early", "came-in", "arrives", "maybe"]
    assert await _day(july, "arrivals", include_cancelled=True) == [
        "arrives-early",
        "came-in",
        "arrives",
        "arrives-cancelled",
        "maybe",
    ]
    # Checked in and due out today, or checked out today; the overstayer was due yesterday.
    assert await _day(july, "departures") == ["left-today", "departs"]
    # Exactly the checked-in stays: the overstayer too, no confirmed arrival, no one gone.
    assert await _day(july, "in_house") == ["overstays", "departs", "stays-on", "came-in"]

    page = await july.arrivals(DayStaysRequest(enterprise_id=ENT, date=PRAGUE_DAY), STAFF)
    assert [s.mews_id for s in page.items] == ["came-in", "arrives", "maybe", "late-utc"]
    owner = page.items[0].guests[0]
    assert (owner.customer_mews_id, owner.role, owner.first_name) == ("c-1", "owner", "Ada")
    assert owner.guest_id is not None


async def test_past_and_future_nights(july: GuestsService) -> None:
    # The night of the 9th: who was checked in then, by the check-in and check-out times
    # Mews gave (left-early checked out on the 9th, before its scheduled end).
    assert await _day(july, "in_house", day=9) == ["overstays", "departs", "left-today", "stays-on"]
    # A past day's departures: by scheduled end, checked out or still here (left-early is
    # due out on the 12th by its schedule, though it left on the 9th).
    assert await _day(july, "departures", day=9) == ["left-before", "overstays"]
    # The night of the 11th: who is expected; the overstayer's scheduled end has passed.
    assert await _day(july, "in_house", day=11) == [
        "stays-on",
        "arrives-early",
        "came-in",
        "maybe",
        "late-utc",
    ]
    # A future day's departures include the confirmed stays due out, not the optional one,
    # nor the one that already left (on the 9th).
    assert await _day(july, "departures", day=12) == [
        "came-in",
        "arrives-early",
        "late-utc",
    ]
    assert await _day(july, "arrivals", day=11) == ["late-utc"]


async def test_day_lists_page_with_a_cursor(july: GuestsService) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        request = DayStaysRequest(
            enterprise_id=ENT,
            date=PRAGUE_DAY,
            timezone="Europe/Prague",
            include_cancelled=True,
            limit=1,
            cursor=cursor,
        )
        page = await july.in_house(request, STAFF)
        seen += [s.mews_id for s in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    # Today's in house, and the cancelled stay booked for tonight.
    assert seen == ["overstays", "departs", "stays-on", "came-in", "arrives-cancelled"]
    with pytest.raises(Invalid, match="time zone"):
        await july.in_house(
            DayStaysRequest(enterprise_id=ENT, date=PRAGUE_DAY, timezone="Nope"), STAFF
        )
