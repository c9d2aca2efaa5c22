"""resources/getAll, resourceCategories/getAll and resourceCategoryAssignments/getAll."""

from __future__ import annotations

from typing import Any

from attendandt.mews_sim.endpoints.common import ACTIVITY_STATES, Ctx, activity_ok, interval_ok
from attendandt.mews_sim.params import Params
from attendandt.mews_sim.store import Entity


def resources_get_all(ctx: Ctx, p: Params) -> dict[str, Any]:
    store = ctx.store
    owners = ctx.enterprises(p)
    ids = p.opt_ids("ResourceIds")
    names = p.opt_strs("Names")
    extent = p.req_obj("Extent")
    flags = {
        name: extent.opt_bool(name) or False
        for name in (
            "Resources",
            "Inactive",
            "ResourceCategories",
            "ResourceCategoryAssignments",
            "ResourceCategoryImageAssignments",
            "ResourceFeatures",
            "ResourceFeatureAssignments",
        )
    }
    created = p.interval("CreatedUtc")
    updated = p.interval("UpdatedUtc")
    limitation = p.limitation()

    def match(r: Entity) -> bool:
        return (
            (flags["Inactive"] or r["IsActive"])
            and (names is None or r["Name"] in names)
            and interval_ok(created, r["CreatedUtc"])
            and interval_ok(updated, r["UpdatedUtc"])
        )

    items, cursor = store.resources.page(owners, limitation, match, ids)
    response: dict[str, Any] = {
        "Resources": items if flags["Resources"] else [],
        "ResourceCategories": None,
        "ResourceCategoryAssignments": None,
        "ResourceCategoryImageAssignments": None,
        "ResourceFeatures": None,
        "ResourceFeatureAssignments": None,
        "Cursor": cursor,
    }
    # Deprecated extents, still answered because older clients map rooms to categories with them.
    if flags["ResourceCategoryAssignments"]:
        assignments = store.resource_category_assignments
        response["ResourceCategoryAssignments"] = [
            assignments.items[store.room_assignment[r["Id"]]]
            for r in items
            if r["Id"] in store.room_assignment
        ]
    if flags["ResourceCategories"]:
        wanted = {store.room_category.get(r["Id"]) for r in items}
        response["ResourceCategories"] = [
            c for c in store.resource_categories.of(owners) if c["Id"] in wanted
        ]
    return response


def resource_categories_get_all(ctx: Ctx, p: Params) -> dict[str, Any]:
    owners = ctx.enterprises(p)
    ids = p.opt_ids("ResourceCategoryIds")
    services = p.opt_ids("ServiceIds")
    if not services:
        p.req_ids("ServiceIds")
    # Categories carry no UpdatedUtc on the wire; the filter is validated and then ignored.
    p.interval("UpdatedUtc")
    states = p.opt_enums("ActivityStates", ACTIVITY_STATES)
    limitation = p.limitation()

    def match(c: Entity) -> bool:
        return c["ServiceId"] in (services or ()) and activity_ok(states, c)

    items, cursor = ctx.store.resource_categories.page(owners, limitation, match, ids)
    return {"ResourceCategories": items, "Cursor": cursor}


def resource_category_assignments_get_all(ctx: Ctx, p: Params) -> dict[str, Any]:
    """Which rooms are in which categories. `ResourceCategoryIds` is required (at most 1000),
    the other id filters narrow it; `UpdatedUtc` has no documented maximum length."""
    store = ctx.store
    owners = ctx.enterprises(p)
    ids = p.opt_ids("ResourceCategoryAssignmentIds")
    categories = p.req_ids("ResourceCategoryIds")
    resources = p.opt_ids("ResourceIds")
    updated = p.interval("UpdatedUtc", max_months=12 * 100)
    states = p.opt_enums("ActivityStates", ACTIVITY_STATES)
    limitation = p.limitation()
    wanted = set(categories)
    rooms = set(resources) if resources is not None else None
    if ids is None and rooms is not None:
        # Only the rooms' own assignments need looking at.
        ids = [store.room_assignment[r] for r in rooms if r in store.room_assignment]

    def match(a: Entity) -> bool:
        return (
            a["CategoryId"] in wanted
            and (rooms is None or a["ResourceId"] in rooms)
            and interval_ok(updated, a["UpdatedUtc"])
            and activity_ok(states, a)
        )

    items, cursor = store.resource_category_assignments.page(owners, limitation, match, ids)
    return {"ResourceCategoryAssignments": items, "Cursor": cursor}
