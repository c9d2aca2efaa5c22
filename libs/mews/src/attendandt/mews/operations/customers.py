"""Customers (guests) and companies."""

from __future__ import annotations

from ..models.companies import CompaniesGetAll, CompaniesPage, Company
from ..models.customers import (
    Customer,
    CustomersAdd,
    CustomerSearchResult,
    CustomersGetAll,
    CustomersPage,
    CustomersSearch,
    CustomersSearchResponse,
    CustomersUpdate,
)
from ..paging import Paged
from .paged_read import _K, PagedClient, PagedOperation

CUSTOMERS_GET_ALL: PagedOperation[CustomersGetAll, CustomersPage, Customer] = PagedOperation(
    "customers/getAll",
    CustomersPage,
    lambda page: page.customers,
    {
        "chain_ids": _K,
        "customer_ids": _K,
        "company_ids": 1,
        "emails": _K,
        "first_names": _K,
        "last_names": _K,
        "loyalty_codes": _K,
    },
    ("created_utc", "updated_utc", "deleted_utc"),
)
COMPANIES_GET_ALL: PagedOperation[CompaniesGetAll, CompaniesPage, Company] = PagedOperation(
    "companies/getAll",
    CompaniesPage,
    lambda page: page.companies,
    {
        "chain_ids": _K,
        "ids": _K,
        "mother_company_ids": _K,
        "external_identifiers": _K,
        "names": _K,
    },
    ("created_utc", "updated_utc"),
)


class CustomerOperations(PagedClient):
    """Reads and writes of customers; reads of companies."""

    def get_customers(
        self, request: CustomersGetAll, *, page_size: int | None = None
    ) -> Paged[Customer]:
        """``customers/getAll``."""
        return self.paged(CUSTOMERS_GET_ALL, request, page_size=page_size)

    async def add_customer(self, request: CustomersAdd) -> Customer:
        """``customers/add`` (write: never retried; may raise ``MewsOutcomeUnknown``)."""
        return await self.call("customers/add", request, Customer, write=True)

    async def update_customer(self, request: CustomersUpdate) -> Customer:
        """``customers/update`` (write: never retried; may raise ``MewsOutcomeUnknown``)."""
        return await self.call("customers/update", request, Customer, write=True)

    async def search_customers(self, request: CustomersSearch) -> list[CustomerSearchResult]:
        """``customers/search``: customers active in the enterprise now (not paged)."""
        response = await self.call("customers/search", request, CustomersSearchResponse)
        return response.customers or []

    def get_companies(
        self, request: CompaniesGetAll, *, page_size: int | None = None
    ) -> Paged[Company]:
        """``companies/getAll``."""
        return self.paged(COMPANIES_GET_ALL, request, page_size=page_size)
