"""The Connector API operations, by exact path below `/api/connector/v1/`."""

from __future__ import annotations

from attendandt.mews_sim.endpoints import (
    accounting,
    companies,
    companionships,
    configuration,
    customers,
    reservations,
    resources,
    serviceordernotes,
    services,
)
from attendandt.mews_sim.endpoints.common import Ctx, Operation

OPERATIONS: dict[str, Operation] = {
    "configuration/get": configuration.configuration_get,
    "enterprises/getAll": configuration.enterprises_get_all,
    "customers/getAll": customers.customers_get_all,
    "customers/add": customers.customers_add,
    "customers/update": customers.customers_update,
    "customers/search": customers.customers_search,
    "companies/getAll": companies.companies_get_all,
    "reservations/getAll/2023-06-06": reservations.reservations_get_all,
    "reservations/add": reservations.reservations_add,
    "reservations/cancel": reservations.reservations_cancel,
    "reservations/start": reservations.reservations_start,
    "reservations/process": reservations.reservations_process,
    "reservations/addCompanion": reservations.reservations_add_companion,
    "companionships/getAll": companionships.companionships_get_all,
    "serviceOrderNotes/getAll": serviceordernotes.service_order_notes_get_all,
    "serviceOrderNotes/add": serviceordernotes.service_order_notes_add,
    "serviceOrderNotes/update": serviceordernotes.service_order_notes_update,
    "resources/getAll": resources.resources_get_all,
    "resourceCategories/getAll": resources.resource_categories_get_all,
    "resourceCategoryAssignments/getAll": resources.resource_category_assignments_get_all,
    "services/getAll": services.services_get_all,
    "products/getAll": services.products_get_all,
    "rates/getAll": services.rates_get_all,
    "accountingCategories/getAll": services.accounting_categories_get_all,
    "orders/add": accounting.orders_add,
    "orderItems/getAll": accounting.order_items_get_all,
    "orderItems/cancel": accounting.order_items_cancel,
    "bills/getAll": accounting.bills_get_all,
    "payments/getAll": accounting.payments_get_all,
    "productServiceOrders/getAll": accounting.product_service_orders_get_all,
}

__all__ = ["OPERATIONS", "Ctx", "Operation"]
