"""companionships/getAll: who else stays on which reservation."""

from __future__ import annotations

from typing import Any

from attendandt.mews_sim.endpoints.common import Ctx, interval_ok
from attendandt.mews_sim.endpoints.legacy import legacy_reservation
from attendandt.mews_sim.errors import BadRequest
from attendandt.mews_sim.params import Params, require_any
from attendandt.mews_sim.store import Entity

ID_FILTERS = ("CompanionshipIds", "CustomerIds", "ReservationIds", "ReservationGroupIds")


def companionships_get_all(ctx: Ctx, p: Params) -> dict[str, Any]:
    store = ctx.store
    owners = ctx.enterprises(p)
    ids = p.opt_ids("CompanionshipIds")
    customers = p.opt_ids("CustomerIds")
    reservations = p.opt_ids("ReservationIds")
    groups = p.opt_ids("ReservationGroupIds")
    updated = p.interval("UpdatedUtc")
    extent = p.req_obj("Extent")
    want_customers = extent.opt_bool("Customers") or False
    want_reservations = extent.opt_bool("Reservations") or False
    want_groups = extent.opt_bool("ReservationGroups") or False
    limitation = p.limitation()
    if updated is not None and not any(p.has(name) for name in ID_FILTERS):
        raise BadRequest("Invalid UpdatedUtc. It must be used together with another filter.")
    require_any(p, ID_FILTERS, "CompanionshipIds")
    if ids is None and reservations is not None:
        # Only the reservations' own companionships need looking at.
        ids = [c for r in reservations for c in store.companions_of.get(r, ())]

    def match(c: Entity) -> bool:
        return (
            (customers is None or c["CustomerId"] in customers)
            and (reservations is None or c["ReservationId"] in reservations)
            and (groups is None or c["ReservationGroupId"] in groups)
            and interval_ok(updated, store.companionship_updated[c["Id"]])
        )

    items, cursor = store.companionships.page(owners, limitation, match, ids)
    response: dict[str, Any] = {
        "Companionships": items,
        "Customers": None,
        "Reservations": None,
        "ReservationGroups": None,
        "Cursor": cursor,
    }
    if want_customers:
        customer_ids = dict.fromkeys(c["CustomerId"] for c in items)
        response["Customers"] = [
            store.customers.items[i] for i in customer_ids if i in store.customers.items
        ]
    if want_reservations:
        reservation_ids = dict.fromkeys(c["ReservationId"] for c in items)
        response["Reservations"] = [
            legacy_reservation(store.reservations.items[i], store.companions(i))
            for i in reservation_ids
            if i in store.reservations.items
        ]
    if want_groups:
        # Reservation groups carry no name in the simulated hotel.
        group_ids = dict.fromkeys(c["ReservationGroupId"] for c in items)
        response["ReservationGroups"] = [{"Id": g, "Name": None} for g in group_ids]
    return response
