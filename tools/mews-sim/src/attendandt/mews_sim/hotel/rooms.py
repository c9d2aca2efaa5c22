"""Rooms: whether one is free for an interval, finding a free one, housekeeping states."""

from __future__ import annotations

from attendandt.mews_sim.errors import invalid
from attendandt.mews_sim.hotel.common import touch
from attendandt.mews_sim.store import Change, Entity, Store

RESOURCE_STATES = frozenset({"Dirty", "Clean", "Inspected", "OutOfService", "OutOfOrder"})


def resource_changed(store: Store, resource: Entity) -> None:
    store.notify(Change("resource", (resource["EnterpriseId"],), resource))


def is_free(  # noqa: PLR0917 - mirrors the filter's fields
    store: Store,
    enterprise_id: str,
    resource_id: str,
    start: str,
    end: str,
    ignore: str | None = None,
) -> bool:
    for other in store.reservations.of([enterprise_id]):
        if (
            other["AssignedResourceId"] == resource_id
            and other["Id"] != ignore
            and other["State"] in ("Confirmed", "Started", "Optional")
            and other["ScheduledStartUtc"] < end
            and other["ScheduledEndUtc"] > start
        ):
            return False
    return True


def free_room(  # noqa: PLR0917 - mirrors the filter's fields
    store: Store,
    enterprise_id: str,
    category_id: str,
    start: str,
    end: str,
    ignore: str | None = None,
) -> str | None:
    busy: set[str] = set()
    for other in store.reservations.of([enterprise_id]):
        if (
            other["AssignedResourceId"] is not None
            and other["Id"] != ignore
            and other["State"] in ("Confirmed", "Started", "Optional")
            and other["ScheduledStartUtc"] < end
            and other["ScheduledEndUtc"] > start
        ):
            busy.add(other["AssignedResourceId"])
    for resource in store.resources.of([enterprise_id]):
        rid = resource["Id"]
        if (
            store.room_category.get(rid) == category_id
            and rid not in busy
            and resource["State"]
            not in (
                "OutOfOrder",
                "OutOfService",
            )
        ):
            return str(rid)
    return None


def set_resource_state(store: Store, resource: Entity, state: str) -> None:
    if state not in RESOURCE_STATES:
        raise invalid("State")
    resource["State"] = state
    touch(resource)
    resource_changed(store, resource)
