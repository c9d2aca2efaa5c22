"""Notes on service orders (reservations and product orders); the order changes with them."""

from __future__ import annotations

from attendandt.mews_sim import clock, shapes
from attendandt.mews_sim.hotel.common import new_id, touch
from attendandt.mews_sim.hotel.reservations import reservation_changed
from attendandt.mews_sim.store import Change, Entity, Store


def service_order(store: Store, enterprise_id: str, order_id: str) -> Entity | None:
    """A reservation or a product order: both are service orders and both take notes."""
    return store.reservations.get(order_id, [enterprise_id]) or store.orders.get(
        order_id, [enterprise_id]
    )


def add_note(store: Store, order: Entity, text: str, note_type: str = "General") -> Entity:
    """A note on a reservation or product order; the order changes with it."""
    is_reservation = order["Id"] in store.reservations.items
    owners = store.reservations.owner if is_reservation else store.orders.owner
    enterprise_id = owners[order["Id"]]
    now = clock.now_str()
    note = shapes.service_order_note(
        id=new_id(), order_id=order["Id"], text=text, type=note_type, created=now
    )
    store.add_note(note, enterprise_id)
    touch(order)
    if is_reservation:
        reservation_changed(store, order)
    else:
        store.notify(Change("order", (enterprise_id,), order))
    return note


def update_note(store: Store, note: Entity, text: str) -> Entity:
    """A note's new text; its reservation (or order) changes with it."""
    note["Text"] = text
    touch(note)
    order_id = note["OrderId"]
    enterprise_id = store.service_order_notes.owner[note["Id"]]
    reservation = store.reservations.get(order_id)
    if reservation is not None:
        touch(reservation)
        reservation_changed(store, reservation)
    else:
        order = store.orders.get(order_id)
        if order is not None:
            touch(order)
            store.notify(Change("order", (enterprise_id,), order))
    return note
