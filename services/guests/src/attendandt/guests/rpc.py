"""Request-reply for the gateway on `rpc.v1.guests.<method>` (core NATS, queue group
`guests`, so replicas share the calls). Decoding, the caller (from its header) and error
statuses are `platform.rpc`'s; the answers are the service's. No SQL here.

Every method is answered for the caller the gateway names (`answer_for_caller`) except
`mews_versions`, which sync calls for reconciliation on no user's behalf.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from attendandt.contracts.base import Payload, RpcMethod
from attendandt.contracts.caller import Caller
from attendandt.contracts.rpc.guests import (
    ARRIVALS,
    DEPARTURES,
    EDIT_GUEST,
    GET_EDIT_RULES,
    GET_GUEST,
    GET_STAY,
    IN_HOUSE,
    LIST_PROPERTIES,
    MEWS_VERSIONS,
    PUBLIC_STAY,
    RESOLVE_CONFLICTS,
    SEARCH,
    SET_EDIT_RULES,
    STAY_BILL,
    WRITE_STAY_NOTE,
    GetGuestRequest,
    GuestDetail,
    GuestPage,
    SearchGuestsRequest,
)
from attendandt.contracts.rpc.privacy import AccessAction
from attendandt.guests.service import GuestsService
from attendandt.platform.runtime import Runtime

#: Records who read which guests' personal data, and how (the access log).
AccessAudit = Callable[[Caller, str, list[str], AccessAction], Awaitable[None]]


def register_rpc(
    runtime: Runtime,
    service: GuestsService,
    *,
    workers: int = 16,
    audit: AccessAudit | None = None,
) -> None:
    async def search(request: SearchGuestsRequest, caller: Caller) -> GuestPage:
        page = await service.search(request, caller)
        if audit is not None:
            await audit(caller, request.enterprise_id, [g.guest_id for g in page.items], "search")
        return page

    async def get_guest(request: GetGuestRequest, caller: Caller) -> GuestDetail:
        detail = await service.get_guest(request, caller)
        if audit is not None:
            action: AccessAction = "export" if request.purpose == "export" else "detail"
            await audit(caller, request.enterprise_id, [detail.guest.guest_id], action)
        return detail

    for_caller: list[tuple[RpcMethod[Any, Any], Callable[[Any, Caller], Awaitable[Payload]]]] = [
        (SEARCH, search),
        (GET_GUEST, get_guest),
        (GET_STAY, service.get_stay),
        (ARRIVALS, service.arrivals),
        (DEPARTURES, service.departures),
        (IN_HOUSE, service.in_house),
        (LIST_PROPERTIES, service.list_properties),
        (PUBLIC_STAY, service.public_stay),
        (STAY_BILL, service.stay_bill),
        (EDIT_GUEST, service.edit_guest),
        (RESOLVE_CONFLICTS, service.resolve_conflicts),
        (GET_EDIT_RULES, service.edit_rules),
        (SET_EDIT_RULES, service.set_edit_rules),
        (WRITE_STAY_NOTE, service.write_stay_note),
    ]
    # workers > 1: calls are answered concurrently, not one after another per method.
    for method, handler in for_caller:
        runtime.answer(method, handler, workers=workers)
    runtime.answer(MEWS_VERSIONS, service.mews_versions, for_caller=False, workers=workers)
