"""``payments/getAll`` and ``productServiceOrders/getAll``: what was paid against a stay, and
the orders (charges) linked to it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from .common import Amount, MewsModel, MewsRequest, TimeInterval


class PaymentState:
    CHARGED: Final = "Charged"
    CANCELED: Final = "Canceled"
    PENDING: Final = "Pending"
    FAILED: Final = "Failed"
    VERIFYING: Final = "Verifying"


class Payment(MewsModel):
    """A payment; its ``Amount`` is negative (it offsets the bill's items)."""

    id: str
    enterprise_id: str | None = None
    account_id: str | None = None
    account_type: str | None = None
    payment_request_id: str | None = None
    bill_id: str | None = None
    reservation_id: str | None = None
    accounting_category_id: str | None = None
    amount: Amount | None = None
    original_amount: Amount | None = None
    notes: str | None = None
    settlement_id: str | None = None
    consumed_utc: datetime | None = None
    closed_utc: datetime | None = None
    charged_utc: datetime | None = None
    created_utc: datetime | None = None
    updated_utc: datetime | None = None
    settlement_utc: datetime | None = None
    accounting_state: str | None = None
    state: str | None = None
    identifier: str | None = None
    type: str | None = None
    kind: str | None = None
    data: dict[str, Any] | None = None
    payment_origin: str | None = None


class PaymentsGetAll(MewsRequest):
    """Filters of ``payments/getAll``: at least one of the ids or intervals is required;
    ``AccountIds`` at most 100, the other id lists at most 1000 (the client splits)."""

    enterprise_ids: list[str] | None = None
    payment_ids: list[str] | None = None
    account_ids: list[str] | None = None
    bill_ids: list[str] | None = None
    reservation_ids: list[str] | None = None
    created_utc: TimeInterval | None = None
    updated_utc: TimeInterval | None = None
    charged_utc: TimeInterval | None = None
    closed_utc: TimeInterval | None = None
    settlement_utc: TimeInterval | None = None
    currency: str | None = None
    accounting_states: list[str] | None = None
    states: list[str] | None = None
    type: str | None = None


class PaymentsPage(MewsModel):
    payments: list[Payment] | None = None
    cursor: str | None = None


class ProductServiceOrder(MewsModel):
    id: str
    service_id: str | None = None
    account_id: str | None = None
    account_type: str | None = None
    booker_id: str | None = None
    number: str | None = None
    state: str | None = None
    origin: str | None = None
    created_utc: datetime | None = None
    updated_utc: datetime | None = None
    cancelled_utc: datetime | None = None
    linked_reservation_id: str | None = None


class ProductServiceOrdersGetAll(MewsRequest):
    """Filters of ``productServiceOrders/getAll``; ``ServiceIds`` is required."""

    service_ids: list[str]
    enterprise_ids: list[str] | None = None
    product_service_order_ids: list[str] | None = None
    account_ids: list[str] | None = None
    linked_reservation_ids: list[str] | None = None
    updated_utc: TimeInterval | None = None
    states: list[str] | None = None


class ProductServiceOrdersPage(MewsModel):
    product_service_orders: list[ProductServiceOrder] | None = None
    cursor: str | None = None


__all__ = [
    "Payment",
    "PaymentState",
    "PaymentsGetAll",
    "PaymentsPage",
    "ProductServiceOrder",
    "ProductServiceOrdersGetAll",
    "ProductServiceOrdersPage",
]
