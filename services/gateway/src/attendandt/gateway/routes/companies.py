"""The Mews companies of a property (corporate accounts, travel agencies, vendors' own legal
entities), for a manager linking a vendor to its company (`PATCH /vendors/{id}` with
`mews_company_id`). Those who may change vendors may see them; the vendors service answers
for the signed-in caller and scopes by property: another property is not found (404)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Router, get
from litestar.params import PathParameter, QueryParameter

from attendandt.contracts.rpc import vendors as rpc
from attendandt.gateway.permissions import Permission
from attendandt.gateway.routes.common import BackendDep, caller, needs

IdPath = Annotated[str, PathParameter(min_length=1, max_length=100)]
NamePrefix = Annotated[str | None, QueryParameter(max_length=200)]
Limit = Annotated[int, QueryParameter(ge=1, le=200)]


@get("/properties/{enterprise_id:str}/companies", **needs(Permission.VENDORS_WRITE))
async def list_companies(
    *,
    request: Request[Any, Any, Any],
    enterprise_id: IdPath,
    backend: BackendDep,
    q: NamePrefix = None,
    limit: Limit = 50,
) -> list[rpc.MewsCompanyView]:
    """The property's Mews companies whose name starts with `q` (any case), active ones
    first: what a vendor can be linked to."""
    reply = await backend.call(
        rpc.LIST_MEWS_COMPANIES,
        rpc.ListMewsCompaniesRequest(enterprise_id=enterprise_id, q=q, limit=limit),
        caller=caller(request),
    )
    return list(reply.items)


companies_router = Router(path="/", route_handlers=[list_companies], tags=["vendors"])
