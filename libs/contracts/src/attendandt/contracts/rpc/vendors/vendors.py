"""Vendors: create, change, deactivate, read and list them (`create_vendor` ... `list_vendors`)."""

from __future__ import annotations

from datetime import datetime

import msgspec
from msgspec import UNSET, UnsetType

from attendandt.contracts.base import Payload, RpcMethod
from attendandt.contracts.rpc.vendors.fields import Id, Limit, Offset, Text


class VendorView(msgspec.Struct, frozen=True, kw_only=True):
    vendor_id: str
    enterprise_id: str
    name: str
    category: str
    contact_email: str | None = None
    contact_phone: str | None = None
    is_active: bool
    #: The Mews company the vendor is linked to (its legal entity in Mews), if any.
    mews_id: str | None = None
    mews_updated_utc: datetime | None = None
    #: When vendors last learned of the linked Mews company (a link or a company change).
    synced_at: datetime | None = None
    version: int
    created_at: datetime
    updated_at: datetime


class VendorResponse(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.vendor_response"
    vendor: VendorView


class VendorPage(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.vendor_page"
    items: tuple[VendorView, ...]
    total: int
    next_offset: int | None = None


class CreateVendorRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.create_vendor_request"
    VERSION = 2
    enterprise_id: Id
    name: Text
    category: Text
    contact_email: Text | None = None
    contact_phone: Text | None = None


class UpdateVendorRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.update_vendor_request"
    VERSION = 2
    vendor_id: Id
    name: Text | UnsetType = UNSET
    category: Text | UnsetType = UNSET
    contact_email: Text | UnsetType | None = UNSET
    contact_phone: Text | UnsetType | None = UNSET
    #: Link the vendor to a Mews company of its property (one vendor per company); null
    #: unlinks it.
    mews_company_id: Id | UnsetType | None = UNSET


class DeactivateVendorRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.deactivate_vendor_request"
    VERSION = 2
    vendor_id: Id


class GetVendorRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.get_vendor_request"
    VERSION = 2
    vendor_id: Id


class ListVendorsRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.list_vendors_request"
    VERSION = 2
    enterprise_id: Id | None = None
    category: Text | None = None
    include_inactive: bool = False
    limit: Limit = 50
    offset: Offset = 0


CREATE_VENDOR = RpcMethod("vendors", "create_vendor", CreateVendorRequest, VendorResponse)
UPDATE_VENDOR = RpcMethod("vendors", "update_vendor", UpdateVendorRequest, VendorResponse)
DEACTIVATE_VENDOR = RpcMethod(
    "vendors", "deactivate_vendor", DeactivateVendorRequest, VendorResponse
)
GET_VENDOR = RpcMethod("vendors", "get_vendor", GetVendorRequest, VendorResponse)
LIST_VENDORS = RpcMethod("vendors", "list_vendors", ListVendorsRequest, VendorPage)
