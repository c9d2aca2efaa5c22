"""A guest's personal data under control: erasure requests with their receipts, and the
log of who read a guest's personal data. The guests service keeps both and answers for the
caller (another property's guest or request is 404)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Router, get, post
from litestar.params import JSONBody, PathParameter, QueryParameter
from litestar.status_codes import HTTP_202_ACCEPTED

from attendandt.contracts.rpc import privacy as privacy_rpc
from attendandt.contracts.rpc.users import Principal
from attendandt.gateway.permissions import Permission
from attendandt.gateway.problems import ProblemException
from attendandt.gateway.routes.common import (
    BackendDep,
    caller,
    enterprise_for,
    needs,
    principal_of,
)

IdPath = Annotated[str, PathParameter(min_length=1, max_length=100)]
EnterpriseQuery = Annotated[
    str | None,
    QueryParameter(
        name="enterprise_id",
        min_length=1,
        max_length=100,
        description="Required for portfolio-wide users on an erase; on lists, one property.",
    ),
]
Limit = Annotated[int, QueryParameter(ge=1, le=200)]
Offset = Annotated[int, QueryParameter(ge=0)]


class ErasureAsk(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Why the guest is erased (kept with the request, for the auditor)."""

    reason: Annotated[str, msgspec.Meta(min_length=3, max_length=500)]


def _list_scope(principal: Principal, requested: str | None) -> str | None:
    """A list's property: any for a portfolio-wide user; a property's users only their own
    (another is "not found", as everywhere)."""
    if principal.enterprise_id is not None and requested not in (None, principal.enterprise_id):
        raise ProblemException(404, f"enterprise {requested} not found")
    return requested


@post(
    "/guests/{guest_id:str}/erase",
    status_code=HTTP_202_ACCEPTED,
    **needs(Permission.GUESTS_ERASE),
)
async def erase_guest(
    *,
    request: Request[Any, Any, Any],
    backend: BackendDep,
    guest_id: IdPath,
    data: JSONBody[ErasureAsk],
    enterprise_id: EnterpriseQuery = None,
) -> privacy_rpc.ErasureView:
    """Erase a guest: the request is recorded and sent to every service holding the guest;
    it stays `pending` until each has answered with its receipt (`waiting_for` names those
    that have not). Asking again answers the same request (`created` false). Admins, and
    managers of the guest's property."""
    return await backend.call(
        privacy_rpc.REQUEST_ERASURE,
        privacy_rpc.RequestErasureRequest(
            enterprise_id=enterprise_for(principal_of(request), enterprise_id),
            guest_id=guest_id,
            reason=data.reason,
        ),
        caller=caller(request),
    )


@get("/guests/erasures", **needs(Permission.GUESTS_ERASE))
async def list_erasures(
    *,
    request: Request[Any, Any, Any],
    backend: BackendDep,
    enterprise_id: EnterpriseQuery = None,
    erasure_state: Annotated[
        Literal["pending", "done"] | None, QueryParameter(name="state")
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> privacy_rpc.ErasurePage:
    """Erasure requests of the caller's properties, newest first, with their receipts."""
    return await backend.call(
        privacy_rpc.LIST_ERASURES,
        privacy_rpc.ListErasuresRequest(
            enterprise_id=_list_scope(principal_of(request), enterprise_id),
            state=erasure_state,
            limit=limit,
            offset=offset,
        ),
        caller=caller(request),
    )


@get("/guests/erasures/{request_id:str}", **needs(Permission.GUESTS_ERASE))
async def get_erasure(
    *,
    request: Request[Any, Any, Any],
    backend: BackendDep,
    request_id: IdPath,
) -> privacy_rpc.ErasureView:
    """One erasure request, with each part's receipt or the parts still awaited."""
    return await backend.call(
        privacy_rpc.GET_ERASURE,
        privacy_rpc.GetErasureRequest(request_id=request_id),
        caller=caller(request),
    )


@get("/audit/guest-access", **needs(Permission.AUDIT_READ))
async def guest_access_log(
    *,
    request: Request[Any, Any, Any],
    backend: BackendDep,
    guest_id: Annotated[str | None, QueryParameter(min_length=1, max_length=100)] = None,
    enterprise_id: EnterpriseQuery = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> privacy_rpc.GuestAccessPage:
    """Who read a guest's personal data (a detail view, an export, a search listing it), and
    when: admins, for their properties."""
    return await backend.call(
        privacy_rpc.GUEST_ACCESS_LOG,
        privacy_rpc.GuestAccessRequest(
            enterprise_id=_list_scope(principal_of(request), enterprise_id),
            guest_id=guest_id,
            limit=limit,
            offset=offset,
        ),
        caller=caller(request),
    )


@get("/audit/retention-runs", **needs(Permission.AUDIT_READ))
async def retention_runs(
    *,
    request: Request[Any, Any, Any],
    backend: BackendDep,
    enterprise_id: EnterpriseQuery = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> privacy_rpc.RetentionRunPage:
    """The retention sweeps' reports, newest first: when each ran, its limit in months and
    cutoff, how many guests past it were erased and their erasure requests. Admins, for
    their properties."""
    return await backend.call(
        privacy_rpc.RETENTION_RUNS,
        privacy_rpc.RetentionRunsRequest(
            enterprise_id=_list_scope(principal_of(request), enterprise_id),
            limit=limit,
            offset=offset,
        ),
        caller=caller(request),
    )


privacy_router = Router(
    path="/",
    route_handlers=[erase_guest, list_erasures, get_erasure, guest_access_log, retention_runs],
    tags=["privacy"],
)
