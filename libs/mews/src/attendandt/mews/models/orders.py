"""``orders/add``, ``orderItems/getAll`` and ``orderItems/cancel``."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Final

from .common import (
    Amount,
    AmountParameters,
    MewsModel,
    MewsRequest,
    TimeInterval,
    floor_second,
)


class OrderOptions(MewsRequest):
    disable_item_grouping: bool | None = None


class ProductOrderParameters(MewsRequest):
    """A product that exists in Mews. ``UnitAmount`` overrides the product price."""

    product_id: str
    count: int | None = None
    unit_amount: AmountParameters | None = None
    external_identifier: str | None = None


class OrderItemParameters(MewsRequest):
    """An ad-hoc item not defined in Mews; total = ``UnitAmount`` x ``UnitCount``."""

    name: str
    unit_count: int
    unit_amount: AmountParameters
    accounting_category_id: str | None = None
    external_identifier: str | None = None


class OrdersAdd(MewsRequest):
    """Request of ``orders/add``: a charge to an account (guest profile or company).

    Mews offers no idempotency key (and only a restricted cancel): set ``ExternalIdentifier``
    on every item so an unknown outcome can be looked up (``orderItems/getAll``) before any
    resend.
    """

    service_id: str
    account_id: str
    enterprise_id: str | None = None
    options: OrderOptions | None = None
    product_orders: list[ProductOrderParameters] | None = None
    items: list[OrderItemParameters] | None = None
    consumption_utc: datetime | None = None
    notes: str | None = None
    business_segment_id: str | None = None
    bill_id: str | None = None
    linked_reservation_id: str | None = None

    def __post_init__(self) -> None:
        if self.consumption_utc is not None:
            self.consumption_utc = floor_second(self.consumption_utc)


class OrderAddResult(MewsModel):
    order_id: str


class OrderItemAccountingState:
    OPEN: Final = "Open"
    CLOSED: Final = "Closed"
    INACTIVE: Final = "Inactive"
    CANCELED: Final = "Canceled"


class OrderItemType:
    CANCELLATION_FEE: Final = "CancellationFee"
    NIGHT_REBATE: Final = "NightRebate"
    PRODUCT_ORDER_REBATE: Final = "ProductOrderRebate"
    ADDITIONAL_EXPENSE_REBATE: Final = "AdditionalExpenseRebate"
    DEPOSIT: Final = "Deposit"
    EXCHANGE_RATE_DIFFERENCE: Final = "ExchangeRateDifference"
    CUSTOM_ITEM: Final = "CustomItem"
    SERVICE_CHARGE: Final = "ServiceCharge"
    CITY_TAX: Final = "CityTax"
    CITY_TAX_DISCOUNT: Final = "CityTaxDiscount"
    SPACE_ORDER: Final = "SpaceOrder"
    PRODUCT_ORDER: Final = "ProductOrder"
    SURCHARGE: Final = "Surcharge"


class RevenueType:
    SERVICE: Final = "Service"
    PRODUCT: Final = "Product"
    ADDITIONAL: Final = "Additional"


class OrderItemOptions(MewsModel):
    canceled_with_reservation: bool | None = None


class OrderItemProductData(MewsModel):
    product_id: str | None = None
    age_category_id: str | None = None


class OrderItemData(MewsModel):
    """``{Discriminator, Rebate | Product | AllowanceDiscount | AllowanceProfits}``."""

    discriminator: str | None = None
    product: OrderItemProductData | None = None
    rebate: dict[str, Any] | None = None
    allowance_discount: dict[str, Any] | None = None
    allowance_profits: dict[str, Any] | None = None


class OrderItem(MewsModel):
    id: str
    enterprise_id: str | None = None
    account_id: str | None = None
    account_type: str | None = None
    service_id: str | None = None
    service_order_id: str | None = None
    notes: str | None = None
    bill_id: str | None = None
    accounting_category_id: str | None = None
    billing_name: str | None = None
    external_identifier: str | None = None
    unit_count: Decimal | None = None
    unit_amount: Amount | None = None
    amount: Amount | None = None
    original_amount: Amount | None = None
    revenue_type: str | None = None
    creator_profile_id: str | None = None
    updater_profile_id: str | None = None
    created_utc: datetime | None = None
    updated_utc: datetime | None = None
    consumed_utc: datetime | None = None
    canceled_utc: datetime | None = None
    closed_utc: datetime | None = None
    start_utc: datetime | None = None
    claimed_utc: datetime | None = None
    accounting_state: str | None = None
    type: str | None = None
    options: OrderItemOptions | None = None
    data: OrderItemData | None = None
    tax_exemption_reason: str | None = None
    tax_exemption_legal_reference: str | None = None


class OrderItemsGetAll(MewsRequest):
    """Filters of ``orderItems/getAll``; at least one id or time filter is required.

    ``AccountIds`` accepts 100 ids per request (the client splits longer lists).
    """

    enterprise_ids: list[str] | None = None
    order_item_ids: list[str] | None = None
    account_ids: list[str] | None = None
    service_order_ids: list[str] | None = None
    service_ids: list[str] | None = None
    bill_ids: list[str] | None = None
    created_utc: TimeInterval | None = None
    updated_utc: TimeInterval | None = None
    consumed_utc: TimeInterval | None = None
    canceled_utc: TimeInterval | None = None
    closed_utc: TimeInterval | None = None
    currency: str | None = None
    accounting_states: list[str] | None = None
    types: list[str] | None = None


class OrderItemsPage(MewsModel):
    order_items: list[OrderItem] | None = None
    cursor: str | None = None


#: ``orderItems/cancel`` takes at most this many ids per request.
MAX_CANCEL_ITEMS: Final = 10


class OrderItemsCancel(MewsRequest):
    """Request of ``orderItems/cancel`` (Restricted, beta): cancel posted order items.

    Mews grants the operation per integration; where it is not granted, or an item is on a
    closed bill, a posted item is offset by a negative item (``orders/add``) instead.
    """

    order_item_ids: list[str]
    enterprise_id: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= len(self.order_item_ids) <= MAX_CANCEL_ITEMS:
            raise ValueError(
                f"orderItems/cancel takes 1 to {MAX_CANCEL_ITEMS} ids, "
                f"not {len(self.order_item_ids)}"
            )


__all__ = [
    "MAX_CANCEL_ITEMS",
    "OrderAddResult",
    "OrderItem",
    "OrderItemAccountingState",
    "OrderItemData",
    "OrderItemOptions",
    "OrderItemParameters",
    "OrderItemProductData",
    "OrderItemType",
    "OrderItemsCancel",
    "OrderItemsGetAll",
    "OrderItemsPage",
    "OrderOptions",
    "OrdersAdd",
    "ProductOrderParameters",
    "RevenueType",
]
