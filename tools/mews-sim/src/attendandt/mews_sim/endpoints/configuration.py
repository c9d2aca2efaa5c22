"""configuration/get and enterprises/getAll."""

from __future__ import annotations

from typing import Any

from attendandt.mews_sim import clock
from attendandt.mews_sim.endpoints.common import Ctx, in_any, interval_ok, paged
from attendandt.mews_sim.params import Params


def configuration_get(ctx: Ctx, p: Params) -> dict[str, Any]:
    # A portfolio token without EnterpriseId gets the portfolio's own enterprise.
    enterprise = dict(ctx.store.enterprises.items[ctx.enterprise(p, own_by_default=True).id])
    enterprise.pop("LinkedUtc", None)
    return {
        "NowUtc": clock.now_str(),
        "Enterprise": enterprise,
        "Service": None,
        "PaymentCardStorage": None,
        "IsIdentityDocumentNumberRequired": False,
    }


def enterprises_get_all(ctx: Ctx, p: Params) -> dict[str, Any]:
    owners = ctx.enterprises(p)
    ids = p.opt_ids("EnterpriseIds")
    external = p.opt_strs("ExternalIdentifiers")
    linked = p.interval("LinkedUtc")
    updated = p.interval("UpdatedUtc")
    limitation = p.limitation()

    def match(e: dict[str, Any]) -> bool:
        return (
            in_any(e["ExternalIdentifier"], external)
            and interval_ok(linked, e["LinkedUtc"])
            and interval_ok(updated, e["UpdatedUtc"])
        )

    items, cursor = ctx.store.enterprises.page(owners, limitation, match, ids)
    return paged("Enterprises", items, cursor)
