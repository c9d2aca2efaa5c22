"""Orders and their items, bills, payments and product service orders: a stay's charges."""

from __future__ import annotations

import msgspec

from ..models.bills import Bill, BillsGetAll, BillsPage
from ..models.orders import (
    OrderAddResult,
    OrderItem,
    OrderItemsCancel,
    OrderItemsGetAll,
    OrderItemsPage,
    OrdersAdd,
)
from ..models.payments import (
    Payment,
    PaymentsGetAll,
    PaymentsPage,
    ProductServiceOrder,
    ProductServiceOrdersGetAll,
    ProductServiceOrdersPage,
)
from ..paging import Paged
from .paged_read import _K, PagedClient, PagedOperation


class _Empty(msgspec.Struct):
    """An answer of ``{}`` (or 204); anything in it is ignored."""


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


class OrderOperations(PagedClient):
    """Orders and the reads of a stay's charges."""

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
