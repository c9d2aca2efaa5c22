"""The hotels the caller acts for, as Mews describes them (`list_properties`)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from attendandt.contracts.base import Payload, RpcMethod
from attendandt.contracts.rpc.guests.parts import _Part


class PropertyView(_Part, frozen=True, kw_only=True):
    """A hotel as Mews describes it, and when sync last told us."""

    enterprise_id: str
    name: str
    short_name: str | None = None
    time_zone: str
    default_currency: str
    currencies: tuple[str, ...] = ()
    pricing: Literal["gross", "net"]
    default_language_code: str | None = None
    address_line1: str | None = None
    city: str | None = None
    postal_code: str | None = None
    country_code: str | None = None
    chain_name: str | None = None
    mews_updated_utc: datetime | None = None
    synced_at: datetime


class ListPropertiesRequest(Payload, frozen=True, kw_only=True):
    """The properties the caller acts for (every known one for a portfolio-wide caller)."""

    SCHEMA = "guests.list_properties_request"


class PropertyList(Payload, frozen=True, kw_only=True):
    """Ordered by name, then enterprise id. A property sync has not described yet is absent."""

    SCHEMA = "guests.property_list"
    items: tuple[PropertyView, ...]


LIST_PROPERTIES = RpcMethod("guests", "list_properties", ListPropertiesRequest, PropertyList)
