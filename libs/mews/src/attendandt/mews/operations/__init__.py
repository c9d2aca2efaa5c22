"""Typed Mews operations on top of the transport: one method per Connector API operation used.

Paged reads return a ``Paged`` result (async-iterable of items) that splits the request at the
documented id and time-interval limits and follows cursors; nothing is sent until iteration.
Each family of operations (the enterprise's setup, customers, reservations, orders and
charges) is a module of its own; ``MewsClient`` has them all.
"""

from __future__ import annotations

from .configuration import (
    ENTERPRISES_GET_ALL,
    PRODUCTS_GET_ALL,
    RESOURCE_CATEGORIES_GET_ALL,
    RESOURCE_CATEGORY_ASSIGNMENTS_GET_ALL,
    RESOURCES_GET_ALL,
    SERVICES_GET_ALL,
    ConfigurationOperations,
)
from .customers import COMPANIES_GET_ALL, CUSTOMERS_GET_ALL, CustomerOperations
from .orders import (
    BILLS_GET_ALL,
    ORDER_ITEMS_GET_ALL,
    PAYMENTS_GET_ALL,
    PRODUCT_SERVICE_ORDERS_GET_ALL,
    OrderOperations,
)
from .paged_read import PagedOperation
from .reservations import (
    COMPANIONSHIPS_GET_ALL,
    RESERVATIONS_GET_ALL,
    SERVICE_ORDER_NOTES_GET_ALL,
    ReservationOperations,
)


class MewsClient(
    ConfigurationOperations, CustomerOperations, ReservationOperations, OrderOperations
):
    """Typed async client of the Mews Connector API for one ``AccessToken``.

    ```python
    async with MewsClient(credentials, environment="demo", limiter=limiter) as mews:
        config = await mews.get_configuration()
        async for customer in mews.get_customers(CustomersGetAll(customer_ids=ids)):
            ...
    ```

    Constructor arguments: see ``BaseMewsClient``.
    """


__all__ = [
    "BILLS_GET_ALL",
    "COMPANIES_GET_ALL",
    "COMPANIONSHIPS_GET_ALL",
    "CUSTOMERS_GET_ALL",
    "ENTERPRISES_GET_ALL",
    "ORDER_ITEMS_GET_ALL",
    "PAYMENTS_GET_ALL",
    "PRODUCTS_GET_ALL",
    "PRODUCT_SERVICE_ORDERS_GET_ALL",
    "RESERVATIONS_GET_ALL",
    "RESOURCES_GET_ALL",
    "RESOURCE_CATEGORIES_GET_ALL",
    "RESOURCE_CATEGORY_ASSIGNMENTS_GET_ALL",
    "SERVICES_GET_ALL",
    "SERVICE_ORDER_NOTES_GET_ALL",
    "MewsClient",
    "PagedOperation",
]
