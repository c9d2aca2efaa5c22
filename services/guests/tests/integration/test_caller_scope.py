"""Every query answered for its caller, on a real nats-server and Postgres: another property's
guests and stays are not found and its lists empty; a vendor user sees only the guests and
stays its vendor has bookings with (learnt from the booking events the vendors service
publishes), and only their names, rooms and stay dates."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from guests_support import (
    ENT,
    OTHER_ENT,
    STAFF,
    T0,
    Running,
    eventually,
    fetch_all,
    guest,
    settings_for,
    stay,
    upsert_guest,
    upsert_stay,
)
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncEngine

from attendandt.contracts.base import Payload, RpcMethod
from attendandt.contracts.caller import Caller
from attendandt.contracts.events import BOOKING_EVENT, BookingEvent
from attendandt.contracts.rpc.guests import (
    ARRIVALS,
    DEPARTURES,
    GET_GUEST,
    GET_STAY,
    IN_HOUSE,
    SEARCH,
    DayStaysRequest,
    GetGuestRequest,
    GetStayRequest,
    GuestView,
    SearchGuestsRequest,
)
from attendandt.contracts.snapshots import BookingSnapshot, BookingState, StayState, UserRole
from attendandt.contracts.streams import ensure_streams
from attendandt.guests.app import GuestsApp, create_app
from attendandt.guests.guest_queries import parse_search
from attendandt.platform.messaging import publish
from attendandt.platform.rpc import RpcFailure, call

C = "guests-test"
FRONT_DESK = Caller(
    user_id="u-desk",
    role=UserRole.FRONT_DESK,
    permissions=("guests:read", "guests:contact:read"),
    enterprise_ids=(ENT,),
)
OTHER_DESK = Caller(
    user_id="u-desk-2",
    role=UserRole.FRONT_DESK,
    permissions=("guests:read", "guests:contact:read"),
    enterprise_ids=(OTHER_ENT,),
)


def vendor(vendor_id: str | None) -> Caller:
    return Caller(
        user_id=f"u-{vendor_id}",
        role=UserRole.VENDOR,
        permissions=("guests:read",),
        enterprise_ids=(ENT,),
        vendor_id=vendor_id,
    )


async def rpc(running: Running, method: RpcMethod[Any, Any], request: Payload, who: Caller) -> Any:
    return await call(running.nc, method, request, caller=who, timeout=5)


async def status_of(
    running: Running, method: RpcMethod[Any, Any], request: Payload, who: Caller
) -> int:
    with pytest.raises(RpcFailure) as failed:
        await rpc(running, method, request, who)
    return failed.value.error.status


def _names(items: tuple[GuestView, ...]) -> list[str]:
    return [f"{g.first_name} {g.last_name}" for g in items]


class Hotel:
    """Two properties: Ada (room 101, with Cy as a companion), Bob (102) and Cy (103) at ENT;
    Dee at OTHER_ENT. Ids are the service's."""

    def __init__(self) -> None:
        self.guests: dict[str, str] = {}
        self.stays: dict[str, str] = {}


@pytest.fixture
async def hotel(running: Running) -> Hotel:
    service = running.app.service
    people = [
        (ENT, "c-ada", "Ada", "Lovelace", "ada@example.com", "+44 20 7946 0000"),
        (ENT, "c-bob", "Bob", "Adams", "bob@example.com", "+1 555 010 9999"),
        (ENT, "c-cy", "Cy", "Young", "cy@example.com", None),
        (OTHER_ENT, "c-dee", "Dee", "Lovelace", "dee@example.com", None),
    ]
    for ent, mews_id, first, last, email, phone in people:
        snapshot = guest(
            mews_id,
            first_name=first,
            last_name=last,
            email=email,
            phone=phone,
            notes="allergic to nuts",
            company_mews_id="co-1",
            birth_date=T0.date() - timedelta(days=12000),
        )
        await service.upsert_guest(upsert_guest(snapshot, ent), consumer=C)
    reservations = [
        (ENT, "r-ada", "c-ada", ("c-cy",), "101"),
        (ENT, "r-bob", "c-bob", (), "102"),
        (ENT, "r-cy", "c-cy", (), "103"),
        (OTHER_ENT, "r-dee", "c-dee", (), "101"),
    ]
    for ent, mews_id, owner, companions, room in reservations:
        snapshot = stay(
            mews_id,
            state=StayState.STARTED,
            owner_mews_id=owner,
            companion_mews_ids=companions,
            resource_name=room,
            company_mews_id="co-1",
            scheduled_start_utc=T0 - timedelta(days=1),
            scheduled_end_utc=T0 + timedelta(days=1),
        )
        await service.upsert_stay(upsert_stay(snapshot, ent), consumer=C)
    found = Hotel()
    for ent, mews_id, *_ in people:
        detail = await service.get_guest(GetGuestRequest(enterprise_id=ent, mews_id=mews_id), STAFF)
        found.guests[mews_id] = detail.guest.guest_id
    for ent, mews_id, *_ in reservations:
        one = await service.get_stay(GetStayRequest(enterprise_id=ent, mews_id=mews_id), STAFF)
        found.stays[mews_id] = one.stay.stay_id
    return found


async def book(
    running: Running,
    *,
    booking_id: str,
    vendor_id: str,
    guest_id: str,
    stay_id: str | None,
    state: BookingState = BookingState.REQUESTED,
    version: int = 1,
    enterprise: str = ENT,
) -> None:
    """A booking event as the vendors service publishes it (its outbox: subject, payload and
    message id as `VendorsService._announce_booking` makes them)."""
    event_id = f"booking:{booking_id}:{version}"
    event = BookingEvent(
        event_id=event_id,
        enterprise_id=enterprise,
        occurred_at=T0 + timedelta(minutes=version),
        event=state.value,
        booking=BookingSnapshot(
            booking_id=booking_id,
            vendor_id=vendor_id,
            offering_id="o-1",
            guest_id=guest_id,
            stay_id=stay_id,
            quantity=1,
            state=state,
        ),
    )
    await publish(
        running.js, BOOKING_EVENT, event, msg_id=event_id, enterprise=enterprise, event=state.value
    )


async def test_property_staff_see_their_property_only(running: Running, hotel: Hotel) -> None:
    own = await rpc(running, SEARCH, SearchGuestsRequest(enterprise_id=ENT), FRONT_DESK)
    assert _names(own.items) == ["Bob Adams", "Ada Lovelace", "Cy Young"]
    assert own.items[1].email == "ada@example.com"  # staff see contact details

    # The other property: its lists are empty, its guests and stays not found, by any id.
    other = SearchGuestsRequest(enterprise_id=OTHER_ENT, query="lovelace")
    assert (await rpc(running, SEARCH, other, FRONT_DESK)).items == ()
    dee, dee_stay = hotel.guests["c-dee"], hotel.stays["r-dee"]
    for request in (
        GetGuestRequest(enterprise_id=OTHER_ENT, guest_id=dee),
        GetGuestRequest(enterprise_id=OTHER_ENT, mews_id="c-dee"),
        GetGuestRequest(enterprise_id=ENT, guest_id=dee),  # its id under our own property
    ):
        assert await status_of(running, GET_GUEST, request, FRONT_DESK) == 404
    for stay_request in (
        GetStayRequest(enterprise_id=OTHER_ENT, stay_id=dee_stay),
        GetStayRequest(enterprise_id=ENT, stay_id=dee_stay),
    ):
        assert await status_of(running, GET_STAY, stay_request, FRONT_DESK) == 404
    day = DayStaysRequest(enterprise_id=OTHER_ENT, date=T0.date())
    for method in (ARRIVALS, DEPARTURES, IN_HOUSE):
        assert (await rpc(running, method, day, FRONT_DESK)).items == ()

    # The other property's own staff see it; and not ours.
    theirs = await rpc(running, IN_HOUSE, day, OTHER_DESK)
    assert [s.stay_id for s in theirs.items] == [dee_stay]
    ada = GetGuestRequest(enterprise_id=ENT, guest_id=hotel.guests["c-ada"])
    assert await status_of(running, GET_GUEST, ada, OTHER_DESK) == 404


async def test_portfolio_wide_callers_see_every_property(running: Running, hotel: Hotel) -> None:
    for ent, names in ((ENT, ["Ada Lovelace"]), (OTHER_ENT, ["Dee Lovelace"])):
        page = await rpc(
            running, SEARCH, SearchGuestsRequest(enterprise_id=ent, query="lov"), STAFF
        )
        assert _names(page.items) == names
    dee = await rpc(
        running, GET_GUEST, GetGuestRequest(enterprise_id=OTHER_ENT, mews_id="c-dee"), STAFF
    )
    assert dee.guest.email == "dee@example.com"


async def test_a_vendor_sees_only_its_booked_guests_and_stays_and_only_names_rooms_dates(
    running: Running, hotel: Hotel, engine: AsyncEngine
) -> None:
    ada, bob, cy = hotel.guests["c-ada"], hotel.guests["c-bob"], hotel.guests["c-cy"]
    ada_stay, bob_stay = hotel.stays["r-ada"], hotel.stays["r-bob"]
    spa, gym, florist = (f"v-{name}-{uuid.uuid4().hex[:6]}" for name in ("spa", "gym", "fl"))
    spa_booking = f"b-{uuid.uuid4()}"

    # Before any booking the vendor sees nobody.
    everyone = SearchGuestsRequest(enterprise_id=ENT)
    assert (await rpc(running, SEARCH, everyone, vendor(spa))).items == ()

    # The spa books Ada on her stay (requested, confirmed, the first event published twice,
    # and once more under a new message id as a relay retry would); the gym books Bob.
    await book(running, booking_id=spa_booking, vendor_id=spa, guest_id=ada, stay_id=ada_stay)
    await book(running, booking_id=spa_booking, vendor_id=spa, guest_id=ada, stay_id=ada_stay)
    await book(
        running,
        booking_id=spa_booking,
        vendor_id=spa,
        guest_id=ada,
        stay_id=ada_stay,
        state=BookingState.CONFIRMED,
        version=2,
    )
    gym_booking = f"b-{uuid.uuid4()}"
    await book(running, booking_id=gym_booking, vendor_id=gym, guest_id=bob, stay_id=bob_stay)

    async def spa_sees() -> Any:
        page = await rpc(running, SEARCH, everyone, vendor(spa))
        return page if page.items else None

    page = await eventually(spa_sees)
    [seen] = page.items
    assert (seen.guest_id, seen.first_name, seen.last_name) == (ada, "Ada", "Lovelace")
    personal = (
        seen.email,
        seen.phone,
        seen.birth_date,
        seen.notes,
        seen.company_mews_id,
        seen.classifications,
    )
    assert personal == (None, None, None, None, None, ())
    rows = await fetch_all(
        engine,
        "select booking_id, vendor_id, guest_id, stay_id from guests.vendor_bookings"
        " where booking_id = :b",
        b=spa_booking,
    )
    assert [tuple(r) for r in rows] == [(spa_booking, spa, ada, ada_stay)]

    # Her detail: her stay with the spa only, no timeline, no companion it has no booking with.
    detail = await rpc(
        running, GET_GUEST, GetGuestRequest(enterprise_id=ENT, guest_id=ada), vendor(spa)
    )
    assert detail.timeline == ()
    [her_stay] = detail.stays
    assert (her_stay.stay_id, her_stay.resource_name) == (ada_stay, "101")
    assert her_stay.scheduled_start_utc == T0 - timedelta(days=1)
    assert her_stay.company_mews_id is None
    assert [g.guest_id for g in her_stay.guests] == [ada]  # Cy, her companion, left out
    one = await rpc(
        running, GET_STAY, GetStayRequest(enterprise_id=ENT, stay_id=ada_stay), vendor(spa)
    )
    assert [g.first_name for g in one.stay.guests] == ["Ada"]

    # Bob (the gym's) and Cy (nobody's) are not found for the spa, as guests or stays.
    for guest_id in (bob, cy):
        request = GetGuestRequest(enterprise_id=ENT, guest_id=guest_id)
        assert await status_of(running, GET_GUEST, request, vendor(spa)) == 404
    for stay_id in (bob_stay, hotel.stays["r-cy"]):
        stay_request = GetStayRequest(enterprise_id=ENT, stay_id=stay_id)
        assert await status_of(running, GET_STAY, stay_request, vendor(spa)) == 404
    day = DayStaysRequest(enterprise_id=ENT, date=T0.date())
    in_house = await rpc(running, IN_HOUSE, day, vendor(spa))
    assert [s.stay_id for s in in_house.items] == [ada_stay]
    gym_in_house = await rpc(running, IN_HOUSE, day, vendor(gym))
    assert [s.stay_id for s in gym_in_house.items] == [bob_stay]
    # Staff still see every stay of the day.
    assert len((await rpc(running, IN_HOUSE, day, FRONT_DESK)).items) == 3

    # The vendor's search finds by name and room, never by email or phone (a hit would tell).
    for query, found in (("ada", ["Ada Lovelace"]), ("101", ["Ada Lovelace"]), ("cy", [])):
        request = SearchGuestsRequest(enterprise_id=ENT, query=query)
        assert _names((await rpc(running, SEARCH, request, vendor(spa))).items) == found
    for query in ("ada@example.com", "ada@", "7946 0000"):
        request = SearchGuestsRequest(enterprise_id=ENT, query=query)
        assert (await rpc(running, SEARCH, request, vendor(spa))).items == ()
        assert (await rpc(running, SEARCH, request, FRONT_DESK)).items != ()

    # A vendor with no bookings sees nobody; a vendor user without a vendor is refused.
    assert (await rpc(running, SEARCH, everyone, vendor(florist))).items == ()
    assert await status_of(running, SEARCH, everyone, vendor(None)) == 403


async def test_a_vendors_bookings_at_another_property_show_nothing_here(
    running: Running, hotel: Hotel
) -> None:
    """A booking event names its property: one published for OTHER_ENT does not open
    anything at ENT, and a vendor user of ENT cannot ask about OTHER_ENT."""
    spa = f"v-spa-{uuid.uuid4().hex[:6]}"
    dee, dee_stay = hotel.guests["c-dee"], hotel.stays["r-dee"]
    await book(
        running,
        booking_id=f"b-{uuid.uuid4()}",
        vendor_id=spa,
        guest_id=dee,
        stay_id=dee_stay,
        enterprise=OTHER_ENT,
    )
    # A marker booking at ENT, published after: once it shows, the other one was processed.
    ada = hotel.guests["c-ada"]
    await book(running, booking_id=f"b-{uuid.uuid4()}", vendor_id=spa, guest_id=ada, stay_id=None)

    async def spa_sees() -> Any:
        page = await rpc(running, SEARCH, SearchGuestsRequest(enterprise_id=ENT), vendor(spa))
        return page if page.items else None

    assert [g.guest_id for g in (await eventually(spa_sees)).items] == [ada]
    request = GetGuestRequest(enterprise_id=OTHER_ENT, guest_id=dee)
    assert await status_of(running, GET_GUEST, request, vendor(spa)) == 404
    # Ada's booking names no stay: the spa sees her, but none of her stays.
    detail = await rpc(
        running, GET_GUEST, GetGuestRequest(enterprise_id=ENT, guest_id=ada), vendor(spa)
    )
    assert detail.stays == ()


def test_a_vendors_search_never_matches_contact_details() -> None:
    staff = parse_search("+44 20 7946 0000")
    narrow = parse_search("+44 20 7946 0000", personal=False)
    assert staff is not None
    assert narrow is not None
    assert (staff.phone_reversed, staff.email) == ("000064970244", True)
    assert (narrow.phone_reversed, narrow.email) == (None, False)


async def test_bookings_published_while_the_service_is_down_are_applied_after_a_restart(
    nats_url: str, nats_client: NatsClient, jetstream: JetStreamContext, guests_url: str
) -> None:
    """The booking events reach the guests service through its durable consumer: a booking
    published while no guests process runs opens the guest to its vendor once one starts."""
    await ensure_streams(jetstream)
    spa = f"v-spa-{uuid.uuid4().hex[:6]}"
    ada_id = ""
    async with _serving(nats_url, guests_url) as app:
        service = app.service
        await service.upsert_guest(upsert_guest(guest("c-ada", first_name="Ada")), consumer=C)
        detail = await service.get_guest(GetGuestRequest(enterprise_id=ENT, mews_id="c-ada"), STAFF)
        ada_id = detail.guest.guest_id
    running = Running(app=app, js=jetstream, nc=nats_client)
    await book(
        running, booking_id=f"b-{uuid.uuid4()}", vendor_id=spa, guest_id=ada_id, stay_id=None
    )

    async with _serving(nats_url, guests_url):

        async def spa_sees() -> Any:
            request = SearchGuestsRequest(enterprise_id=ENT)
            page = await rpc(running, SEARCH, request, vendor(spa))
            return page if page.items else None

        assert [g.guest_id for g in (await eventually(spa_sees)).items] == [ada_id]


@contextlib.asynccontextmanager
async def _serving(nats_url: str, guests_url: str) -> AsyncIterator[GuestsApp]:
    app = create_app(settings_for(nats_url, guests_url))
    stop = asyncio.Event()
    task = asyncio.create_task(app.run(stop))
    started = asyncio.create_task(app.started.wait())
    done, _ = await asyncio.wait({task, started}, timeout=20, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        task.result()
    try:
        yield app
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)
