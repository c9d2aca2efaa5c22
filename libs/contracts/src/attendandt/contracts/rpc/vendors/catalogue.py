"""The hotel's catalogue: its Mews services and products, what an offering may post to
(`get_catalogue`)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import msgspec

from attendandt.contracts.base import Payload, RpcMethod
from attendandt.contracts.rpc.vendors.fields import Id


class CatalogueProductView(msgspec.Struct, frozen=True, kw_only=True):
    mews_id: str
    name: str
    is_active: bool
    #: The Mews price, with tax when the hotel's pricing is gross, without when net.
    unit_amount: Decimal | None = None
    currency: str | None = None
    accounting_category_id: str | None = None


class CatalogueServiceView(msgspec.Struct, frozen=True, kw_only=True):
    mews_id: str
    name: str
    #: "additional" services take vendors' charges; "bookable" ones are stays.
    kind: str
    is_active: bool
    ordering: int = 0
    products: tuple[CatalogueProductView, ...] = ()


class GetCatalogueRequest(Payload, frozen=True, kw_only=True):
    """A property's Mews services and products, for whoever manages offerings there."""

    SCHEMA = "vendors.get_catalogue_request"
    enterprise_id: Id


class CatalogueResponse(Payload, frozen=True, kw_only=True):
    """Services by Mews ordering then name; products by name."""

    SCHEMA = "vendors.catalogue_response"
    enterprise_id: str
    name: str
    default_currency: str
    currencies: tuple[str, ...] = ()
    pricing: str
    services: tuple[CatalogueServiceView, ...] = ()
    #: The newest Mews UpdatedUtc the catalogue holds, and when sync last changed it.
    mews_updated_utc: datetime | None = None
    synced_at: datetime


GET_CATALOGUE = RpcMethod("vendors", "get_catalogue", GetCatalogueRequest, CatalogueResponse)
