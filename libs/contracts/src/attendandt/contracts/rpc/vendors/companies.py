"""The Mews companies of a property a vendor can be linked to (`list_mews_companies`)."""

from __future__ import annotations

from typing import Annotated

import msgspec

from attendandt.contracts.base import Payload, RpcMethod
from attendandt.contracts.rpc.vendors.fields import Id, Limit


class MewsCompanyView(msgspec.Struct, frozen=True, kw_only=True):
    """A Mews company of a property, as a vendor can be linked to it."""

    mews_id: str
    name: str
    is_active: bool


class ListMewsCompaniesRequest(Payload, frozen=True, kw_only=True):
    """The Mews companies of one property a vendor can be linked to, by name prefix
    (case-insensitive), active ones first."""

    SCHEMA = "vendors.list_mews_companies_request"
    enterprise_id: Id
    q: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    limit: Limit = 50


class MewsCompanyPage(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.mews_company_page"
    items: tuple[MewsCompanyView, ...]


LIST_MEWS_COMPANIES = RpcMethod(
    "vendors", "list_mews_companies", ListMewsCompaniesRequest, MewsCompanyPage
)
