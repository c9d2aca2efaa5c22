"""Each hotel's rooms: its room categories (named in its language) and the rooms in them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from attendandt.mews_sim import shapes
from attendandt.mews_sim.seed.context import HotelSeed
from attendandt.mews_sim.seed.ids import ID_NAMESPACE


@dataclass(frozen=True)
class Rooms:
    """Each category with its share of the rooms, and the rooms of each category."""

    categories: list[tuple[str, float]]
    by_category: dict[str, list[str]]

    def every_room(self) -> list[str]:
        return [r for rooms in self.by_category.values() for r in rooms]


def add_rooms(hotel: HotelSeed, accommodation: str, room_count: int) -> Rooms:
    room_categories = add_room_categories(hotel, accommodation)
    return Rooms(room_categories, add_room_resources(hotel, room_categories, room_count))


def add_room_categories(hotel: HotelSeed, accommodation: str) -> list[tuple[str, float]]:
    store, new_id, ent, spec = hotel.store, hotel.new_id, hotel.ent, hotel.spec
    room_categories: list[tuple[str, float]] = []
    for ordering, category in enumerate(spec.room_categories):
        category_id = new_id()
        room_categories.append((category_id, category.weight))
        store.resource_categories.add(
            shapes.resource_category(
                id=category_id,
                enterprise_id=ent,
                service_id=accommodation,
                name=category.name,
                short_name=category.short_name,
                type=category.type,
                capacity=category.capacity,
                ordering=ordering,
                classification=category.classification,
                language=spec.language,
                translations=dict(category.translations),
            ),
            ent,
        )
    return room_categories


def add_room_resources(
    hotel: HotelSeed, room_categories: list[tuple[str, float]], room_count: int
) -> dict[str, list[str]]:
    """`room_count` rooms over floors of 20, each category its share of them; all clean until
    the stays are seeded."""
    store, new_id, ent, setup_time = hotel.store, hotel.new_id, hotel.ent, hotel.setup_time
    rooms_by_category: dict[str, list[str]] = {c: [] for c, _ in room_categories}
    cumulative = 0.0
    bounds = []
    for category_id, weight in room_categories:
        cumulative += weight
        bounds.append((category_id, cumulative))
    for n in range(room_count):
        floor = 2 + n // 20
        name = f"{floor}{n % 20 + 1:02d}"
        fraction = (n + 0.5) / room_count
        category_id = next(c for c, b in bounds if fraction <= b)
        room_id = new_id()
        store.resources.add(
            shapes.resource(
                id=room_id,
                enterprise_id=ent,
                name=name,
                floor=str(floor),
                # Housekeeping follows the stays: set once they are seeded.
                state="Clean",
                created=setup_time,
            ),
            ent,
        )
        # Derived from the room, not drawn from `rng`: the rest of the seed stays as it was.
        store.assign_category(
            shapes.resource_category_assignment(
                id=str(uuid.uuid5(ID_NAMESPACE, f"category-assignment-{room_id}")),
                resource_id=room_id,
                category_id=category_id,
                created=setup_time,
            ),
            ent,
        )
        rooms_by_category[category_id].append(room_id)
    return rooms_by_category
