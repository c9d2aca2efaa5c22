"""companies/getAll."""

from __future__ import annotations

from typing import Any

from attendandt.mews_sim.endpoints.common import ACTIVITY_STATES, Ctx, activity_ok, interval_ok
from attendandt.mews_sim.params import Params
from attendandt.mews_sim.store import Entity


def companies_get_all(ctx: Ctx, p: Params) -> dict[str, Any]:
    owners = ctx.chains(p)
    mothers = p.opt_ids("MotherCompanyIds")
    created = p.interval("CreatedUtc")
    updated = p.interval("UpdatedUtc")
    ids = p.opt_ids("Ids")
    external = p.opt_strs("ExternalIdentifiers")
    names = p.opt_strs("Names")
    states = p.opt_enums("ActivityStates", ACTIVITY_STATES)
    limitation = p.limitation()

    def match(c: Entity) -> bool:
        return (
            (mothers is None or c["MotherCompanyId"] in mothers)
            and interval_ok(created, c["CreatedUtc"])
            and interval_ok(updated, c["UpdatedUtc"])
            and (external is None or c["ExternalIdentifier"] in external)
            and (names is None or c["Name"] in names)
            and activity_ok(states, c)
        )

    items, cursor = ctx.store.companies.page(owners, limitation, match, ids)
    return {"Companies": items, "Cursor": cursor}
