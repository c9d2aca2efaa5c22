"""Each hotel's stays as reservations, with their companions and front-desk notes.

The stays themselves (dates, states, times, housekeeping) are planned in `stays`; here they
become reservations of the hotel's customers, oldest booking first.
"""

from __future__ import annotations

import bisect
import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from attendandt.mews_sim import clock, shapes
from attendandt.mews_sim.seed import stays as seed_stays
from attendandt.mews_sim.seed.catalogue import Catalogue
from attendandt.mews_sim.seed.charges import add_charge
from attendandt.mews_sim.seed.context import HotelSeed
from attendandt.mews_sim.seed.rooms import Rooms

NOTE_TEXTS = (
    "Extra pillows, please.",
    "Late arrival around 23:00.",
    "Allergic to feathers: hypoallergenic bedding.",
    "Celebrating their anniversary.",
    "Needs a parking space.",
    "Early check-in requested if possible.",
    "Quiet room away from the lift.",
    "Travelling with a small dog.",
    "Baby cot in the room.",
    "Gluten-free breakfast.",
    "Airport transfer booked for departure day.",
    "Birthday on the second night: cake at dinner.",
    "Prefers a high floor.",
    "Returning guest: welcome letter.",
    "Will pay the balance by company card at check-out.",
)
CHANNEL_NOTE_TEXTS = (
    "Booking.com: non-smoking room requested.",
    "Expedia: guest asks for a twin bed set-up.",
    "Booking.com: arriving by car, estimated arrival 18:00.",
    "Channel note: payment collected by the channel.",
)
SPECIAL_REQUEST_TEXTS = (
    "Wheelchair-accessible room.",
    "Connecting rooms with the party's other booking.",
)
COMPANION_SHARE = 0.2
NOTE_SHARE = 0.15


def _owner(
    rng: random.Random, customers_by_age: list[tuple[datetime, str]], created: datetime
) -> str:
    """A customer profile that existed when the booking was made."""
    known = bisect.bisect_right(customers_by_age, (created, "~"))
    return customers_by_age[rng.randrange(max(known, min(5, len(customers_by_age))))][1]


def add_reservations(
    hotel: HotelSeed,
    count: int,
    customers_by_age: list[tuple[datetime, str]],
    rooms: Rooms,
    catalogue: Catalogue,
) -> None:
    store, rng, ent = hotel.store, hotel.rng, hotel.ent
    stays = plan_stays(hotel, count, rooms)
    restaurant_products = catalogue.products_by_service.get("Restaurant", [])
    for number, stay in enumerate(stays, start=1):
        roll = stay.roll
        owner = _owner(rng, customers_by_age, stay.created)
        companions = _companion_count(rng, customers_by_age)
        entity = _reservation(hotel, catalogue, stay, number, owner, companions)
        store.reservations.add(entity, ent)
        add_companions(hotel, entity, stay, customers_by_age, companions)
        if rng.random() < NOTE_SHARE:
            add_notes(hotel, entity, stay)
        if stay.state == "Started" and restaurant_products and stay.actual_start:
            add_charge(
                hotel,
                entity,
                restaurant_products[int(roll * 97) % len(restaurant_products)],
                catalogue.service_ids["Restaurant"],
                stay.actual_start,
            )
    store.numbers[f"reservation:{ent}"] = 1000 + len(stays) + 1


def plan_stays(hotel: HotelSeed, count: int, rooms: Rooms) -> list[seed_stays.Stay]:
    """`count` stays in the hotel's rooms as they stand at `now`, oldest booking first; the
    rooms' housekeeping states follow them."""
    store, rng, now, spec = hotel.store, hotel.rng, hotel.now, hotel.spec
    room_categories, rooms_by_category = rooms.categories, rooms.by_category
    zone = ZoneInfo(spec.time_zone)
    today = seed_stays.local_today(now, zone)
    stays = seed_stays.plan(rng, count, today, room_categories)
    seed_stays.provisional_states(stays, today, rng)
    seed_stays.assign_rooms(stays, rooms_by_category)
    seed_stays.settle_today(stays, now, zone, rng)
    seed_stays.stamp(stays, now, zone)
    every_room = rooms.every_room()
    for room_id, (state, updated) in seed_stays.room_states(
        stays, every_room, now, zone, rng
    ).items():
        room = store.resources.items[room_id]
        room["State"] = state
        room["UpdatedUtc"] = clock.fmt(updated)
    stays.sort(key=lambda stay: stay.created)
    return stays


def _companion_count(rng: random.Random, customers_by_age: list[tuple[datetime, str]]) -> int:
    """How many other guests share the stay: none on most, one or two on some."""
    companions = 0
    if rng.random() < COMPANION_SHARE and len(customers_by_age) > 3:
        companions = 1 if rng.random() < 0.7 else 2
    return companions


def _reservation(  # noqa: PLR0917 - internal helper of the seed
    hotel: HotelSeed,
    catalogue: Catalogue,
    stay: seed_stays.Stay,
    number: int,
    owner: str,
    companions: int,
) -> dict[str, Any]:
    new_id, rate_ids = hotel.new_id, catalogue.rate_ids
    accommodation = catalogue.accommodation
    adult, child = hotel.store.age_categories[hotel.ent]
    roll = stay.roll
    children = 1 if roll > 0.85 else 0
    adults = max(1 + int(roll * 10) % 2, 1 + companions - children)
    return shapes.reservation(
        id=new_id(),
        service_id=accommodation,
        account_id=owner,
        number=str(1000 + number),
        state=stay.state,
        created=clock.fmt(stay.created),
        updated=clock.fmt(stay.updated),
        rate_id=rate_ids[int(roll * 1000) % len(rate_ids)],
        group_id=new_id(),
        category_id=stay.category_id,
        start=clock.fmt(stay.start),
        end=clock.fmt(stay.end),
        person_counts=[{"AgeCategoryId": adult, "Count": adults}]
        + ([{"AgeCategoryId": child, "Count": children}] if children else []),
        assigned_resource_id=stay.room,
        origin="ChannelManager" if roll < 0.4 else "Commander" if roll < 0.8 else "Distributor",
        commander_origin="Phone" if 0.4 <= roll < 0.8 else None,
        channel_number=f"BK{int(roll * 1e8):08d}" if roll < 0.4 else None,
        purpose="Business" if roll > 0.8 else "Leisure",
        actual_start=clock.fmt(stay.actual_start) if stay.actual_start else None,
        actual_end=clock.fmt(stay.actual_end) if stay.actual_end else None,
        cancelled=clock.fmt(stay.cancelled) if stay.cancelled else None,
        cancellation_reason=stay.reason,
    )


def add_companions(
    hotel: HotelSeed,
    reservation: dict[str, Any],
    stay: seed_stays.Stay,
    customers_by_age: list[tuple[datetime, str]],
    count: int,
) -> None:
    """Other guests on the stay, added at booking or, for guests in house, at check-in."""
    store, rng, new_id, enterprise_id = hotel.store, hotel.rng, hotel.new_id, hotel.ent
    chosen: list[str] = []
    while len(chosen) < count:
        candidate = customers_by_age[rng.randrange(len(customers_by_age))][1]
        if candidate != reservation["AccountId"] and candidate not in chosen:
            chosen.append(candidate)
    at = stay.actual_start if stay.actual_start is not None else stay.created
    for customer_id in chosen:
        store.add_companionship(
            shapes.companionship(
                id=new_id(),
                customer_id=customer_id,
                reservation_group_id=reservation["GroupId"],
                reservation_id=reservation["Id"],
            ),
            enterprise_id,
            clock.fmt(min(at, stay.updated)),
        )


def add_notes(hotel: HotelSeed, reservation: dict[str, Any], stay: seed_stays.Stay) -> None:
    """Front-desk notes written when the booking came in (never after its last change)."""
    store, rng, new_id, enterprise_id = hotel.store, hotel.rng, hotel.new_id, hotel.ent
    texts: list[tuple[str, str]] = []
    if reservation["Origin"] == "ChannelManager" and rng.random() < 0.5:
        texts.append((rng.choice(CHANNEL_NOTE_TEXTS), "ChannelManager"))
    if rng.random() < 0.1:
        texts.append((rng.choice(SPECIAL_REQUEST_TEXTS), "SpecialRequest"))
    if not texts or rng.random() < 0.3:
        texts.append((rng.choice(NOTE_TEXTS), "General"))
    written = min(stay.created + timedelta(minutes=2), stay.updated)
    for text, kind in texts:
        store.add_note(
            shapes.service_order_note(
                id=new_id(),
                order_id=reservation["Id"],
                text=text,
                type=kind,
                created=clock.fmt(written),
            ),
            enterprise_id,
        )
