"""The hotels themselves, as Mews describes them: the caller's properties (from the guests
service, which keeps them from sync) and a property's catalogue of Mews services and products
(from the vendors service), for those who make offerings. Each listed property carries its
phase (onboarding, importing, live, stopped, refused), read from the KV entries its sync
status shows.

Every call carries the caller: the list holds the caller's properties only (every known one
for a portfolio-wide user); another property's catalogue is 404, like one that does not
exist, and one sync has not described yet is 409 ("try again shortly")."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from litestar import Request, Router, get
from litestar.params import PathParameter

from attendandt.contracts.rpc import guests as guests_rpc
from attendandt.contracts.rpc import vendors as vendors_rpc
from attendandt.gateway.permissions import Permission
from attendandt.gateway.routes.common import (
    BackendDep,
    caller,
    enterprise_for,
    needs,
    principal_of,
)
from attendandt.gateway.routes.sync import property_phase_of
from attendandt.gateway.schemas.properties import (
    CatalogueProductOut,
    CatalogueServiceOut,
    HotelCatalogue,
    PropertySummary,
)

IdPath = Annotated[str, PathParameter(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_\-]+$")]
Req = Request[Any, Any, Any]

P = Permission


@get("/properties", **needs(P.PROPERTIES_READ))
async def list_properties(request: Req, backend: BackendDep) -> list[PropertySummary]:
    """The hotels the signed-in user acts for, by name, each with its phase."""
    found = await backend.call(
        guests_rpc.LIST_PROPERTIES, guests_rpc.ListPropertiesRequest(), caller=caller(request)
    )
    # Only the properties the guests service listed for the caller: no other is read.
    phases = await asyncio.gather(
        *(property_phase_of(backend.js, p.enterprise_id) for p in found.items)
    )
    return [
        PropertySummary(
            enterprise_id=p.enterprise_id,
            name=p.name,
            short_name=p.short_name,
            time_zone=p.time_zone,
            default_currency=p.default_currency,
            pricing=p.pricing,
            default_language_code=p.default_language_code,
            phase=phase,
            integration_state=integration_state,
        )
        for p, (phase, integration_state) in zip(found.items, phases, strict=True)
    ]


@get(
    "/properties/{enterprise_id:str}/catalogue",
    **needs(P.OFFERINGS_WRITE, P.OFFERINGS_WRITE_OWN),
)
async def catalogue(request: Req, enterprise_id: IdPath, backend: BackendDep) -> HotelCatalogue:
    """The hotel's Mews services and products an offering may post to."""
    enterprise = enterprise_for(principal_of(request), enterprise_id)
    found = await backend.call(
        vendors_rpc.GET_CATALOGUE,
        vendors_rpc.GetCatalogueRequest(enterprise_id=enterprise),
        caller=caller(request),
    )
    return HotelCatalogue(
        enterprise_id=found.enterprise_id,
        default_currency=found.default_currency,
        pricing=found.pricing,
        services=[
            CatalogueServiceOut(
                mews_id=s.mews_id,
                name=s.name,
                kind=s.kind,
                is_active=s.is_active,
                products=[
                    CatalogueProductOut(
                        mews_id=p.mews_id,
                        name=p.name,
                        unit_amount=p.unit_amount,
                        currency=p.currency,
                        is_active=p.is_active,
                    )
                    for p in s.products
                ],
            )
            for s in found.services
        ],
    )


properties_router = Router(
    path="/", route_handlers=[list_properties, catalogue], tags=["properties"]
)
