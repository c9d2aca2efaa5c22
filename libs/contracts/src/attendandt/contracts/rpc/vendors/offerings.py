"""A vendor's offerings: what it sells, and where in Mews it posts (`create_offering` ...
`list_offerings`)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import msgspec
from msgspec import UNSET, UnsetType

from attendandt.contracts.base import Payload, RpcMethod
from attendandt.contracts.rpc.vendors.fields import Currency, Id, Limit, LongText, Offset, Text


class OfferingView(msgspec.Struct, frozen=True, kw_only=True):
    offering_id: str
    vendor_id: str
    enterprise_id: str
    name: str
    description: str | None = None
    unit_price: Decimal
    currency: str
    tax_codes: tuple[str, ...] = ()
    #: True: the price includes tax (gross); False: tax is added on top (net).
    amount_is_gross: bool
    mews_service_id: str
    mews_product_id: str | None = None
    accounting_category_id: str | None = None
    is_active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class OfferingResponse(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.offering_response"
    offering: OfferingView


class OfferingPage(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.offering_page"
    items: tuple[OfferingView, ...]
    total: int
    next_offset: int | None = None


class CreateOfferingRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.create_offering_request"
    VERSION = 3
    vendor_id: Id
    name: Text
    description: LongText | None = None
    unit_price: Decimal
    #: Defaults to the hotel's currency; any other is refused.
    currency: Currency | None = None
    tax_codes: tuple[Id, ...] = ()
    amount_is_gross: bool = True
    mews_service_id: Id
    mews_product_id: Id | None = None
    accounting_category_id: Id | None = None


class UpdateOfferingRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.update_offering_request"
    VERSION = 2
    offering_id: Id
    name: Text | UnsetType = UNSET
    description: LongText | UnsetType | None = UNSET
    unit_price: Decimal | UnsetType = UNSET
    currency: Currency | UnsetType = UNSET
    tax_codes: tuple[Id, ...] | UnsetType = UNSET
    amount_is_gross: bool | UnsetType = UNSET
    mews_service_id: Id | UnsetType = UNSET
    mews_product_id: Id | UnsetType | None = UNSET
    accounting_category_id: Id | UnsetType | None = UNSET


class DeactivateOfferingRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.deactivate_offering_request"
    VERSION = 2
    offering_id: Id


class GetOfferingRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.get_offering_request"
    VERSION = 2
    offering_id: Id


class ListOfferingsRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.list_offerings_request"
    VERSION = 2
    vendor_id: Id
    include_inactive: bool = False
    limit: Limit = 50
    offset: Offset = 0


CREATE_OFFERING = RpcMethod("vendors", "create_offering", CreateOfferingRequest, OfferingResponse)
UPDATE_OFFERING = RpcMethod("vendors", "update_offering", UpdateOfferingRequest, OfferingResponse)
DEACTIVATE_OFFERING = RpcMethod(
    "vendors", "deactivate_offering", DeactivateOfferingRequest, OfferingResponse
)
GET_OFFERING = RpcMethod("vendors", "get_offering", GetOfferingRequest, OfferingResponse)
LIST_OFFERINGS = RpcMethod("vendors", "list_offerings", ListOfferingsRequest, OfferingPage)
