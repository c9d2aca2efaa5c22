"""Reservations: booked, cancelled, checked in and out, moved; companions added."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from attendandt.mews_sim import clock, shapes
from attendandt.mews_sim.errors import BadRequest, Forbidden, invalid
from attendandt.mews_sim.hotel.bills import close_bill
from attendandt.mews_sim.hotel.common import local_date, new_id, touch
from attendandt.mews_sim.hotel.rooms import free_room, is_free, set_resource_state
from attendandt.mews_sim.store import Change, Entity, Store

CANCELLABLE = frozenset({"Inquired", "Confirmed", "Optional", "Requested"})


def reservation_changed(store: Store, reservation: Entity, *, created: bool = False) -> None:
    enterprise_id = store.reservations.owner[reservation["Id"]]
    store.notify(Change("reservation", (enterprise_id,), reservation, created))


def bookable_service(store: Store, enterprise_id: str) -> Entity:
    for service in store.services.of([enterprise_id]):
        if service["Data"]["Discriminator"] == "Bookable":
            return service
    raise BadRequest("The enterprise has no bookable service.")


@dataclass
class NewReservation:
    customer_id: str
    start: str
    end: str
    state: str = "Confirmed"
    category_id: str | None = None
    rate_id: str | None = None
    booker_id: str | None = None
    adults: int = 2
    children: int = 0
    origin: str = "Connector"
    channel_number: str | None = None
    group_id: str | None = None


def add_reservation(
    store: Store, enterprise_id: str, spec: NewReservation, service: Entity | None = None
) -> Entity:
    service = service or bookable_service(store, enterprise_id)
    if spec.end <= spec.start:
        raise invalid("EndUtc", "The reservation must end after it starts.")
    categories = [
        c for c in store.resource_categories.of([enterprise_id]) if c["ServiceId"] == service["Id"]
    ]
    category_id = spec.category_id or (categories[0]["Id"] if categories else None)
    if category_id is None or store.resource_categories.get(category_id, [enterprise_id]) is None:
        raise invalid("RequestedCategoryId")
    rates = [r for r in store.rates.of([enterprise_id]) if r["ServiceId"] == service["Id"]]
    rate_id = spec.rate_id or next(
        (r["Id"] for r in rates if r["IsDefault"]), rates[0]["Id"] if rates else None
    )
    if rate_id is None or store.rates.get(rate_id, [enterprise_id]) is None:
        raise invalid("RateId")
    now = clock.now_str()
    assigned = None
    if spec.state in ("Confirmed", "Optional", "Started"):
        assigned = free_room(store, enterprise_id, category_id, spec.start, spec.end)
    adult, child = store.age_categories[enterprise_id][:2]
    counts = [{"AgeCategoryId": adult, "Count": spec.adults}]
    if spec.children:
        counts.append({"AgeCategoryId": child, "Count": spec.children})
    entity = shapes.reservation(
        id=new_id(),
        service_id=service["Id"],
        account_id=spec.customer_id,
        number=str(store.next_number(f"reservation:{enterprise_id}")),
        state=spec.state,
        created=now,
        updated=now,
        rate_id=rate_id,
        group_id=spec.group_id or new_id(),
        category_id=category_id,
        start=spec.start,
        end=spec.end,
        person_counts=counts,
        assigned_resource_id=assigned,
        origin=spec.origin,
        booker_id=spec.booker_id,
        channel_number=spec.channel_number,
    )
    store.reservations.add(entity, enterprise_id)
    reservation_changed(store, entity, created=True)
    return entity


def cancel_reservation(store: Store, reservation: Entity, reason: str = "Other") -> None:
    if reservation["State"] not in CANCELLABLE:
        raise Forbidden(f"A reservation in state {reservation['State']} cannot be canceled.")
    now = clock.now_str()
    reservation["State"] = "Canceled"
    reservation["CancelledUtc"] = now
    reservation["CancellationReason"] = reason
    touch(reservation)
    reservation_changed(store, reservation)


def start_reservation(store: Store, reservation: Entity, *, via_connector: bool) -> None:
    if reservation["State"] != "Confirmed":
        raise Forbidden(f"A reservation in state {reservation['State']} cannot be started.")
    now = clock.now_str()
    enterprise_id = store.reservations.owner[reservation["Id"]]
    if local_date(store, enterprise_id, reservation["ScheduledStartUtc"]) > local_date(
        store, enterprise_id, now
    ):
        raise Forbidden("The reservation cannot be started before its arrival day.")
    if reservation["AssignedResourceId"] is None:
        room = free_room(
            store,
            enterprise_id,
            reservation["RequestedResourceCategoryId"],
            reservation["ScheduledStartUtc"],
            reservation["ScheduledEndUtc"],
        )
        if room is None:
            raise Forbidden("The reservation has no assigned resource.")
        reservation["AssignedResourceId"] = room
    reservation["State"] = "Started"
    reservation["ActualStartUtc"] = now
    reservation["StartUtc"] = min(now, reservation["ScheduledStartUtc"])
    reservation["Options"] = {
        "OwnerCheckedIn": True,
        "AllCompanionsCheckedIn": True,
        "AnyCompanionCheckedIn": True,
        "ConnectorCheckIn": via_connector,
    }
    touch(reservation)
    reservation_changed(store, reservation)


def process_reservation(
    store: Store, reservation: Entity, *, close_bills: bool = False, allow_open_balance: bool = True
) -> None:
    if reservation["State"] != "Started":
        raise Forbidden(f"A reservation in state {reservation['State']} cannot be processed.")
    enterprise_id = store.reservations.owner[reservation["Id"]]
    open_bills = [
        b
        for b in store.bills.of([enterprise_id])
        if b["AccountId"] == reservation["AccountId"] and b["State"] == "Open"
    ]
    has_balance = any(
        item["BillId"] in {b["Id"] for b in open_bills}
        for item in store.order_items.of([enterprise_id])
        if item["AccountId"] == reservation["AccountId"]
    )
    if has_balance and not close_bills and not allow_open_balance:
        raise Forbidden("The reservation owner has an open balance.")
    if close_bills:
        for bill in open_bills:
            close_bill(store, bill)
    now = clock.now_str()
    reservation["State"] = "Processed"
    reservation["ActualEndUtc"] = now
    touch(reservation)
    reservation_changed(store, reservation)
    room = store.resources.get(reservation["AssignedResourceId"])
    if room is not None and room["State"] != "Dirty":
        set_resource_state(store, room, "Dirty")


def update_reservation(store: Store, reservation: Entity, changes: dict[str, Any]) -> None:
    """Dates, room and details. A checked-out or cancelled stay is history and cannot move;
    a guest in house keeps their arrival. When new dates clash with the stay's room (one it
    was given, not one asked for now), it moves to a free room of its category, or, before
    check-in, waits for one unassigned, as a front desk would."""
    enterprise_id = store.reservations.owner[reservation["Id"]]
    state = reservation["State"]
    start: str = changes.get("ScheduledStartUtc") or reservation["ScheduledStartUtc"]
    end: str = changes.get("ScheduledEndUtc") or reservation["ScheduledEndUtc"]
    if end <= start:
        raise invalid("ScheduledEndUtc", "The reservation must end after it starts.")
    moved = (start, end) != (reservation["ScheduledStartUtc"], reservation["ScheduledEndUtc"])
    if moved and state in ("Processed", "Canceled"):
        raise Forbidden(f"A reservation in state {state} cannot change its dates.")
    if state == "Started" and start != reservation["ScheduledStartUtc"]:
        raise Forbidden("A started reservation cannot change its start.")
    asked = "AssignedResourceId" in changes
    room = changes["AssignedResourceId"] if asked else reservation["AssignedResourceId"]
    if room is not None:
        if store.resources.get(room, [enterprise_id]) is None:
            raise invalid("AssignedResourceId")
        if not is_free(store, enterprise_id, room, start, end, ignore=reservation["Id"]):
            if asked or state in ("Processed", "Canceled"):
                raise Forbidden("The resource is occupied in that interval.")
            category = reservation["RequestedResourceCategoryId"]
            room = free_room(store, enterprise_id, category, start, end, ignore=reservation["Id"])
            if room is None and state == "Started":
                raise Forbidden("No free resource for the guest in house in that interval.")
    reservation["ScheduledStartUtc"] = start
    reservation["ScheduledEndUtc"] = end
    reservation["StartUtc"] = (
        start if reservation["ActualStartUtc"] is None else reservation["StartUtc"]
    )
    reservation["EndUtc"] = end
    reservation["AssignedResourceId"] = room
    for name in ("Purpose", "ChannelNumber", "RequestedResourceCategoryId", "RateId"):
        if name in changes:
            reservation[name] = changes[name]
    touch(reservation)
    reservation_changed(store, reservation)


def add_companion(store: Store, reservation: Entity, customer: Entity) -> Entity:
    """Another guest on the stay (reservations/addCompanion): only while there is room for
    them (the owner and companions fewer than the persons booked)."""
    if reservation["State"] == "Canceled":
        raise Forbidden("A canceled reservation cannot have companions added.")
    companions = store.companions(reservation["Id"])
    on_stay = {reservation["AccountId"], *(c["CustomerId"] for c in companions)}
    if customer["Id"] in on_stay:
        raise Forbidden("The customer is already on the reservation.")
    persons = sum(count["Count"] for count in reservation["PersonCounts"])
    if len(on_stay) >= persons:
        raise Forbidden("The reservation has no space for another companion.")
    enterprise_id = store.reservations.owner[reservation["Id"]]
    companionship = shapes.companionship(
        id=new_id(),
        customer_id=customer["Id"],
        reservation_group_id=reservation["GroupId"],
        reservation_id=reservation["Id"],
    )
    touch(reservation)
    store.add_companionship(companionship, enterprise_id, reservation["UpdatedUtc"])
    reservation_changed(store, reservation)
    return companionship
