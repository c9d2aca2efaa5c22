"""services/getAll, products/getAll, rates/getAll, accountingCategories/getAll."""

from __future__ import annotations

from typing import Any

from attendandt.mews_sim.endpoints.common import ACTIVITY_STATES, Ctx, activity_ok, interval_ok
from attendandt.mews_sim.params import Params
from attendandt.mews_sim.store import Entity

SERVICE_TYPES = frozenset({"Bookable", "Additional"})


def services_get_all(ctx: Ctx, p: Params) -> dict[str, Any]:
    owners = ctx.enterprises(p)
    ids = p.opt_ids("ServiceIds")
    service_type = p.opt_enum("ServiceType", SERVICE_TYPES)
    updated = p.interval("UpdatedUtc")
    limitation = p.limitation()

    def match(s: Entity) -> bool:
        return (service_type is None or s["Data"]["Discriminator"] == service_type) and interval_ok(
            updated, s["UpdatedUtc"]
        )

    items, cursor = ctx.store.services.page(owners, limitation, match, ids)
    return {"Services": items, "Cursor": cursor}


def products_get_all(ctx: Ctx, p: Params) -> dict[str, Any]:
    owners = ctx.enterprises(p)
    services = p.req_ids("ServiceIds")
    ids = p.opt_ids("ProductIds")
    updated = p.interval("UpdatedUtc")
    p.opt_bool("IncludeDefault")
    limitation = p.limitation()

    def match(product: Entity) -> bool:
        return product["ServiceId"] in services and interval_ok(updated, product["UpdatedUtc"])

    items, cursor = ctx.store.products.page(owners, limitation, match, ids)
    return {"Products": items, "CustomerProducts": [], "Cursor": cursor}


def rates_get_all(ctx: Ctx, p: Params) -> dict[str, Any]:
    store = ctx.store
    owners = ctx.enterprises(p)
    services = p.req_ids("ServiceIds")
    ids = p.opt_ids("RateIds")
    updated = p.interval("UpdatedUtc")
    external = p.opt_strs("ExternalIdentifiers")
    states = p.opt_enums("ActivityStates", ACTIVITY_STATES)
    extent = p.opt_obj("Extent")
    want_rates = want_groups = True
    want_blocks = False
    if extent is not None:
        want_rates = extent.opt_bool("Rates") or False
        want_groups = extent.opt_bool("RateGroups") or False
        want_blocks = extent.opt_bool("AvailabilityBlockAssignments") or False
    limitation = p.limitation()

    def match(rate: Entity) -> bool:
        return (
            rate["ServiceId"] in services
            and interval_ok(updated, rate["UpdatedUtc"])
            and (external is None or rate["ExternalIdentifier"] in external)
            and activity_ok(states, rate)
        )

    items, cursor = store.rates.page(owners, limitation, match, ids)
    response: dict[str, Any] = {"Rates": items if want_rates else [], "Cursor": cursor}
    if want_groups:
        group_ids = {r["GroupId"] for r in items}
        response["RateGroups"] = [g for g in store.rate_groups.of(owners) if g["Id"] in group_ids]
    if want_blocks:
        response["AvailabilityBlockAssignments"] = []
    return response


def accounting_categories_get_all(ctx: Ctx, p: Params) -> dict[str, Any]:
    owners = ctx.enterprises(p)
    ids = p.opt_ids("AccountingCategoryIds")
    updated = p.interval("UpdatedUtc")
    states = p.opt_enums("ActivityStates", ACTIVITY_STATES)
    limitation = p.limitation()

    def match(c: Entity) -> bool:
        return interval_ok(updated, c["UpdatedUtc"]) and activity_ok(states, c)

    items, cursor = ctx.store.accounting_categories.page(owners, limitation, match, ids)
    return {"AccountingCategories": items, "Cursor": cursor}
