"""Builders for entities in the Mews wire shape (field names and order as documented).

One module per family of entities: `enterprises`, `accounts` (customers, companies),
`services` (services, products, accounting categories, rates), `resources` (rooms and their
categories), `reservations` (with companionships and notes) and `accounting` (bills, order
items, payments, product service orders); `common` holds what they share.
"""

from attendandt.mews_sim.shapes.accounting import (
    bill,
    bill_account_data,
    order_item,
    payment,
    product_service_order,
)
from attendandt.mews_sim.shapes.accounts import company, customer
from attendandt.mews_sim.shapes.common import (
    CONNECTOR_PROFILE_ID,
    NO_PROMOTIONS,
    STAFF_PROFILE_ID,
    Entity,
    address,
)
from attendandt.mews_sim.shapes.enterprises import enterprise
from attendandt.mews_sim.shapes.reservations import (
    companionship,
    reservation,
    service_order_note,
)
from attendandt.mews_sim.shapes.resources import (
    resource,
    resource_category,
    resource_category_assignment,
)
from attendandt.mews_sim.shapes.services import (
    accounting_category,
    product,
    rate,
    rate_group,
    service,
)

__all__ = [
    "CONNECTOR_PROFILE_ID",
    "NO_PROMOTIONS",
    "STAFF_PROFILE_ID",
    "Entity",
    "accounting_category",
    "address",
    "bill",
    "bill_account_data",
    "companionship",
    "company",
    "customer",
    "enterprise",
    "order_item",
    "payment",
    "product",
    "product_service_order",
    "rate",
    "rate_group",
    "reservation",
    "resource",
    "resource_category",
    "resource_category_assignment",
    "service",
    "service_order_note",
]
