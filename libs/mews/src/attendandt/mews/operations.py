"""Typed Mews operations on top of the transport: one method per Connector API operation used.

Paged reads return a ``Paged`` result (async-iterable of items) that splits the request at the
documented id and time-interval limits and follows cursors; nothing is sent until iteration.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

import msgspec

from .batching import expand
from .client import BaseMewsClient
from .models.bills import Bill, BillsGetAll, BillsPage
from .models.companies import CompaniesGetAll, CompaniesPage, Company
from .models.companionships import Companionship, CompanionshipsGetAll, CompanionshipsPage
from .models.customers import (
    Customer,
    CustomersAdd,
    CustomerSearchResult,
    CustomersGetAll,
    CustomersPage,
    CustomersSearch,
    CustomersSearchResponse,
    CustomersUpdate,
)
from .models.enterprises import (
    Configuration,
    ConfigurationGet,
    Enterprise,
    EnterprisesGetAll,
    EnterprisesPage,
)
from .models.orders import (
    OrderAddResult,
    OrderItem,
    OrderItemsCancel,
    OrderItemsGetAll,
    OrderItemsPage,
    OrdersAdd,
)
from .models.payments import (
    Payment,
    PaymentsGetAll,
    PaymentsPage,
    ProductServiceOrder,
    ProductServiceOrdersGetAll,
    ProductServiceOrdersPage,
)
from .models.reservations import Reservation, ReservationsGetAll, ReservationsPage
from .models.resource_categories import (
    ResourceCategoriesGetAll,
    ResourceCategoriesPage,
    ResourceCategory,
    ResourceCategoryAssignment,
    ResourceCategoryAssignmentsGetAll,
    ResourceCategoryAssignmentsPage,
)
from .models.resources import Resource, ResourcesGetAll, ResourcesPage
from .models.service_order_notes import (
    ServiceOrderNote,
    ServiceOrderNotesAdd,
    ServiceOrderNotesGetAll,
    ServiceOrderNotesPage,
    ServiceOrderNotesResult,
    ServiceOrderNotesUpdate,
)
from .models.services import (
    Product,
    ProductsGetAll,
    ProductsPage,
    Service,
    ServicesGetAll,
    ServicesPage,
)
from .paging import (
    CursorPage,
    Limitation,
    Paged,
    check_page_size,
    iterate_pages,
)


class _Empty(msgspec.Struct):
    """An answer of ``{}`` (or 204); anything in it is ignored."""


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


RequestT = TypeVar("RequestT", bound=msgspec.Struct)
PageT = TypeVar("PageT", bound=CursorPage)
ItemT = TypeVar("ItemT", bound=_HasId)

_K = 1000


@dataclass(frozen=True)
class PagedOperation(Generic[RequestT, PageT, ItemT]):
    """What the client must know to page and split one ``getAll`` operation."""

    path: str
    page_type: type[PageT]
    items: Callable[[PageT], Sequence[ItemT] | None]
    id_limits: Mapping[str, int] = field(default_factory=dict)
    interval_fields: tuple[str, ...] = ()
    # Interval filters matched by intersection (not by a single instant): an entity may match
    # two adjacent windows, so results of a split request are de-duplicated by Id.
    overlapping_intervals: tuple[str, ...] = ()

    @property
    def identity_field(self) -> str | None:
        """The filter naming entities by their own id: at most one item comes back per id."""
        return _IDENTITY_FIELDS.get(self.path)


_IDENTITY_FIELDS = {
    "enterprises/getAll": "enterprise_ids",
    "customers/getAll": "customer_ids",
    "companies/getAll": "ids",
    "reservations/getAll/2023-06-06": "reservation_ids",
    "resources/getAll": "resource_ids",
    "resourceCategories/getAll": "resource_category_ids",
    "resourceCategoryAssignments/getAll": "resource_category_assignment_ids",
    "services/getAll": "service_ids",
    "products/getAll": "product_ids",
    "orderItems/getAll": "order_item_ids",
    "bills/getAll": "bill_ids",
    "payments/getAll": "payment_ids",
    "productServiceOrders/getAll": "product_service_order_ids",
    "companionships/getAll": "companionship_ids",
    "serviceOrderNotes/getAll": "service_order_note_ids",
}


ENTERPRISES_GET_ALL: PagedOperation[EnterprisesGetAll, EnterprisesPage, Enterprise] = (
    PagedOperation(
        "enterprises/getAll",
        EnterprisesPage,
        lambda page: page.enterprises,
        {"enterprise_ids": _K, "external_identifiers": _K},
        ("linked_utc", "updated_utc"),
    )
)
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
RESERVATIONS_GET_ALL: PagedOperation[ReservationsGetAll, ReservationsPage, Reservation] = (
    PagedOperation(
        "reservations/getAll/2023-06-06",
        ReservationsPage,
        lambda page: page.reservations,
        {
            "enterprise_ids": _K,
            "reservation_ids": _K,
            "service_ids": _K,
            "reservation_group_ids": _K,
            "account_ids": _K,
            "partner_company_ids": 100,
            "travel_agency_ids": 100,
            "numbers": _K,
            "channel_numbers": 100,
            "assigned_resource_ids": _K,
            "availability_block_ids": 100,
        },
        (
            "created_utc",
            "updated_utc",
            "colliding_utc",
            "scheduled_start_utc",
            "actual_start_utc",
            "scheduled_end_utc",
            "actual_end_utc",
        ),
        overlapping_intervals=("colliding_utc",),
    )
)
RESOURCES_GET_ALL: PagedOperation[ResourcesGetAll, ResourcesPage, Resource] = PagedOperation(
    "resources/getAll",
    ResourcesPage,
    lambda page: page.resources,
    {"enterprise_ids": _K, "resource_ids": _K, "names": _K},
    ("created_utc", "updated_utc"),
)
RESOURCE_CATEGORIES_GET_ALL: PagedOperation[
    ResourceCategoriesGetAll, ResourceCategoriesPage, ResourceCategory
] = PagedOperation(
    "resourceCategories/getAll",
    ResourceCategoriesPage,
    lambda page: page.resource_categories,
    {"enterprise_ids": _K, "resource_category_ids": _K, "service_ids": _K},
    ("updated_utc",),
)
# Its UpdatedUtc has no documented maximum length: not windowed.
RESOURCE_CATEGORY_ASSIGNMENTS_GET_ALL: PagedOperation[
    ResourceCategoryAssignmentsGetAll, ResourceCategoryAssignmentsPage, ResourceCategoryAssignment
] = PagedOperation(
    "resourceCategoryAssignments/getAll",
    ResourceCategoryAssignmentsPage,
    lambda page: page.resource_category_assignments,
    {
        "enterprise_ids": _K,
        "resource_category_assignment_ids": _K,
        "resource_category_ids": _K,
        "resource_ids": _K,
    },
)
SERVICES_GET_ALL: PagedOperation[ServicesGetAll, ServicesPage, Service] = PagedOperation(
    "services/getAll",
    ServicesPage,
    lambda page: page.services,
    {"enterprise_ids": _K, "service_ids": _K},
    ("updated_utc",),
)
PRODUCTS_GET_ALL: PagedOperation[ProductsGetAll, ProductsPage, Product] = PagedOperation(
    "products/getAll",
    ProductsPage,
    lambda page: page.products,
    {"service_ids": _K, "product_ids": _K, "enterprise_ids": _K},
    ("updated_utc",),
)
ORDER_ITEMS_GET_ALL: PagedOperation[OrderItemsGetAll, OrderItemsPage, OrderItem] = PagedOperation(
    "orderItems/getAll",
    OrderItemsPage,
    lambda page: page.order_items,
    {
        "enterprise_ids": _K,
        "order_item_ids": _K,
        "account_ids": 100,
        "service_order_ids": _K,
        "service_ids": _K,
        "bill_ids": _K,
        "accounting_states": _K,
        "types": _K,
    },
    ("created_utc", "updated_utc", "consumed_utc", "canceled_utc", "closed_utc"),
)
BILLS_GET_ALL: PagedOperation[BillsGetAll, BillsPage, Bill] = PagedOperation(
    "bills/getAll",
    BillsPage,
    lambda page: page.bills,
    {"enterprise_ids": _K, "bill_ids": _K, "customer_ids": _K},
    ("issued_utc", "paid_utc", "due_utc", "created_utc", "updated_utc"),
)
PAYMENTS_GET_ALL: PagedOperation[PaymentsGetAll, PaymentsPage, Payment] = PagedOperation(
    "payments/getAll",
    PaymentsPage,
    lambda page: page.payments,
    {
        "enterprise_ids": _K,
        "payment_ids": _K,
        "account_ids": 100,
        "bill_ids": _K,
        "reservation_ids": _K,
    },
    ("created_utc", "updated_utc", "charged_utc", "closed_utc", "settlement_utc"),
)
PRODUCT_SERVICE_ORDERS_GET_ALL: PagedOperation[
    ProductServiceOrdersGetAll, ProductServiceOrdersPage, ProductServiceOrder
] = PagedOperation(
    "productServiceOrders/getAll",
    ProductServiceOrdersPage,
    lambda page: page.product_service_orders,
    {
        "enterprise_ids": _K,
        "product_service_order_ids": _K,
        "service_ids": _K,
        "account_ids": _K,
        "linked_reservation_ids": _K,
    },
    ("updated_utc",),
)
COMPANIONSHIPS_GET_ALL: PagedOperation[CompanionshipsGetAll, CompanionshipsPage, Companionship] = (
    PagedOperation(
        "companionships/getAll",
        CompanionshipsPage,
        lambda page: page.companionships,
        {
            "enterprise_ids": _K,
            "companionship_ids": _K,
            "customer_ids": _K,
            "reservation_ids": _K,
            "reservation_group_ids": _K,
        },
        ("updated_utc",),
    )
)
SERVICE_ORDER_NOTES_GET_ALL: PagedOperation[
    ServiceOrderNotesGetAll, ServiceOrderNotesPage, ServiceOrderNote
] = PagedOperation(
    "serviceOrderNotes/getAll",
    ServiceOrderNotesPage,
    lambda page: page.service_order_notes,
    {"enterprise_ids": _K, "service_order_ids": _K, "service_order_note_ids": _K},
    ("updated_utc",),
)


class MewsClient(BaseMewsClient):
    """Typed async client of the Mews Connector API for one ``AccessToken``.

    ```python
    async with MewsClient(credentials, environment="demo", limiter=limiter) as mews:
        config = await mews.get_configuration()
        async for customer in mews.get_customers(CustomersGetAll(customer_ids=ids)):
            ...
    ```

    Constructor arguments: see ``BaseMewsClient``.
    """

    # -- generic paged read ----------------------------------------------------------------------

    def paged(
        self,
        operation: PagedOperation[RequestT, PageT, ItemT],
        request: RequestT,
        *,
        page_size: int | None = None,
    ) -> Paged[ItemT]:
        """Split ``request`` at the operation's limits and page through every part in turn."""
        size = check_page_size(page_size if page_size is not None else self.page_size)
        parts = expand(
            request,
            id_limits=operation.id_limits,
            interval_fields=operation.interval_fields,
            max_months=self.max_interval_months,
        )
        dedupe = len(parts) > 1 and any(
            getattr(part, name) != getattr(request, name)
            for part in parts
            for name in operation.overlapping_intervals
        )

        async def pages() -> AsyncIterator[list[ItemT]]:
            seen: set[str] = set()
            for part in parts:

                async def fetch(limitation: Limitation, part: RequestT = part) -> PageT:
                    return await self.call(
                        operation.path,
                        part,
                        operation.page_type,
                        extra={"Limitation": msgspec.to_builtins(limitation)},
                    )

                # Every requested id came back: no further page can hold anything, so the
                # empty page the Cursor rule would ask for next is not requested.
                named = getattr(part, operation.identity_field or "", None)
                limit = len(named) if named else None
                async for page in iterate_pages(
                    fetch, operation.items, page_size=size, limit=limit
                ):
                    if not dedupe:
                        yield page
                        continue
                    fresh = [item for item in page if item.id not in seen]
                    seen.update(item.id for item in fresh)
                    if fresh:
                        yield fresh

        return Paged(pages)

    # -- configuration and enterprises -----------------------------------------------------------

    async def get_configuration(self, request: ConfigurationGet | None = None) -> Configuration:
        """``configuration/get``: the enterprise, its time zone and pricing, and ``NowUtc``."""
        return await self.call("configuration/get", request, Configuration)

    def get_enterprises(
        self, request: EnterprisesGetAll | None = None, *, page_size: int | None = None
    ) -> Paged[Enterprise]:
        """``enterprises/getAll`` (portfolio tokens see several)."""
        return self.paged(ENTERPRISES_GET_ALL, request or EnterprisesGetAll(), page_size=page_size)

    # -- customers -------------------------------------------------------------------------------

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

    # -- companies, reservations, resources ------------------------------------------------------

    def get_companies(
        self, request: CompaniesGetAll, *, page_size: int | None = None
    ) -> Paged[Company]:
        """``companies/getAll``."""
        return self.paged(COMPANIES_GET_ALL, request, page_size=page_size)

    def get_reservations(
        self, request: ReservationsGetAll, *, page_size: int | None = None
    ) -> Paged[Reservation]:
        """``reservations/getAll/2023-06-06``."""
        return self.paged(RESERVATIONS_GET_ALL, request, page_size=page_size)

    def get_resources(
        self, request: ResourcesGetAll | None = None, *, page_size: int | None = None
    ) -> Paged[Resource]:
        """``resources/getAll``."""
        return self.paged(RESOURCES_GET_ALL, request or ResourcesGetAll(), page_size=page_size)

    def get_resource_categories(
        self, request: ResourceCategoriesGetAll, *, page_size: int | None = None
    ) -> Paged[ResourceCategory]:
        """``resourceCategories/getAll``: the room types of services (``ServiceIds``
        required; id lists split per 1000)."""
        return self.paged(RESOURCE_CATEGORIES_GET_ALL, request, page_size=page_size)

    def get_resource_category_assignments(
        self, request: ResourceCategoryAssignmentsGetAll, *, page_size: int | None = None
    ) -> Paged[ResourceCategoryAssignment]:
        """``resourceCategoryAssignments/getAll``: which rooms are in which categories
        (``ResourceCategoryIds`` required; ``ResourceIds`` narrows; id lists split per 1000)."""
        return self.paged(RESOURCE_CATEGORY_ASSIGNMENTS_GET_ALL, request, page_size=page_size)

    def get_companionships(
        self, request: CompanionshipsGetAll, *, page_size: int | None = None
    ) -> Paged[Companionship]:
        """``companionships/getAll``: the customers on reservations (by ``ReservationIds``,
        ``CustomerIds``, ...; id lists split per 1000)."""
        return self.paged(COMPANIONSHIPS_GET_ALL, request, page_size=page_size)

    def get_service_order_notes(
        self, request: ServiceOrderNotesGetAll, *, page_size: int | None = None
    ) -> Paged[ServiceOrderNote]:
        """``serviceOrderNotes/getAll``: the notes of reservations or orders
        (``ServiceOrderIds`` split per 1000)."""
        return self.paged(SERVICE_ORDER_NOTES_GET_ALL, request, page_size=page_size)

    async def add_service_order_notes(
        self, request: ServiceOrderNotesAdd
    ) -> list[ServiceOrderNote]:
        """``serviceOrderNotes/add`` (write: never retried; may raise ``MewsOutcomeUnknown``)."""
        result = await self.call(
            "serviceOrderNotes/add", request, ServiceOrderNotesResult, write=True
        )
        return result.service_order_notes or []

    async def update_service_order_notes(
        self, request: ServiceOrderNotesUpdate
    ) -> list[ServiceOrderNote]:
        """``serviceOrderNotes/update`` (write: never retried; may raise
        ``MewsOutcomeUnknown``)."""
        result = await self.call(
            "serviceOrderNotes/update", request, ServiceOrderNotesResult, write=True
        )
        return result.service_order_notes or []

    # -- services, products, orders, bills -------------------------------------------------------

    def get_services(
        self, request: ServicesGetAll | None = None, *, page_size: int | None = None
    ) -> Paged[Service]:
        """``services/getAll``."""
        return self.paged(SERVICES_GET_ALL, request or ServicesGetAll(), page_size=page_size)

    def get_products(
        self, request: ProductsGetAll, *, page_size: int | None = None
    ) -> Paged[Product]:
        """``products/getAll`` (``Products`` only; ``CustomerProducts`` is not iterated)."""
        return self.paged(PRODUCTS_GET_ALL, request, page_size=page_size)

    async def add_order(self, request: OrdersAdd) -> OrderAddResult:
        """``orders/add`` (write: never retried; may raise ``MewsOutcomeUnknown``)."""
        return await self.call("orders/add", request, OrderAddResult, write=True)

    def get_order_items(
        self, request: OrderItemsGetAll, *, page_size: int | None = None
    ) -> Paged[OrderItem]:
        """``orderItems/getAll``."""
        return self.paged(ORDER_ITEMS_GET_ALL, request, page_size=page_size)

    async def cancel_order_items(self, request: OrderItemsCancel) -> None:
        """``orderItems/cancel`` (Restricted; at most 10 ids; write: never retried, may raise
        ``MewsOutcomeUnknown``: read the items' ``AccountingState`` before sending again)."""
        await self.call("orderItems/cancel", request, _Empty, write=True)

    def get_bills(self, request: BillsGetAll, *, page_size: int | None = None) -> Paged[Bill]:
        """``bills/getAll``."""
        return self.paged(BILLS_GET_ALL, request, page_size=page_size)

    def get_payments(
        self, request: PaymentsGetAll, *, page_size: int | None = None
    ) -> Paged[Payment]:
        """``payments/getAll`` (``AccountIds`` split by 100, other id lists by 1000)."""
        return self.paged(PAYMENTS_GET_ALL, request, page_size=page_size)

    def get_product_service_orders(
        self, request: ProductServiceOrdersGetAll, *, page_size: int | None = None
    ) -> Paged[ProductServiceOrder]:
        """``productServiceOrders/getAll``: orders of products and items, each with the
        reservation it is linked to (``LinkedReservationIds`` finds a stay's charges)."""
        return self.paged(PRODUCT_SERVICE_ORDERS_GET_ALL, request, page_size=page_size)


__all__ = [
    "BILLS_GET_ALL",
    "COMPANIES_GET_ALL",
    "COMPANIONSHIPS_GET_ALL",
    "CUSTOMERS_GET_ALL",
    "ENTERPRISES_GET_ALL",
    "ORDER_ITEMS_GET_ALL",
    "PRODUCTS_GET_ALL",
    "RESERVATIONS_GET_ALL",
    "RESOURCES_GET_ALL",
    "RESOURCE_CATEGORIES_GET_ALL",
    "RESOURCE_CATEGORY_ASSIGNMENTS_GET_ALL",
    "SERVICES_GET_ALL",
    "SERVICE_ORDER_NOTES_GET_ALL",
    "MewsClient",
    "PagedOperation",
]
