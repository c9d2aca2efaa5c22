"""orders/add, orderItems/getAll, orderItems/cancel, bills/getAll, payments/getAll and
productServiceOrders/getAll: posting charges, reading them back, taking them off a bill, and
reading what was paid against a stay.

Two ways to take a posted charge back, as Mews has them: `orderItems/cancel` (Restricted,
beta: at most 10 items, all or none; an item on a closed bill cannot be canceled, 403), and
a rebate, a negative item posted with `orders/add` (what the POS use case describes), which
the simulator accepts like any item.
"""

from __future__ import annotations

from typing import Any

from attendandt.mews_sim import hotel, money, shapes
from attendandt.mews_sim.endpoints.common import Ctx, interval_ok
from attendandt.mews_sim.errors import Forbidden, invalid
from attendandt.mews_sim.params import Params, require_any
from attendandt.mews_sim.store import Entity

ACCOUNTING_STATES = frozenset({"Open", "Closed", "Inactive", "Canceled"})
ORDER_ITEM_TYPES = frozenset(
    [
        "CancellationFee",
        "NightRebate",
        "ProductOrderRebate",
        "AdditionalExpenseRebate",
        "Deposit",
        "ExchangeRateDifference",
        "CustomItem",
        "ServiceCharge",
        "CityTax",
        "CityTaxDiscount",
        "SpaceOrder",
        "ProductOrder",
        "Surcharge",
        "TaxCorrection",
        "ResourceUpgradeFee",
        "InvoiceFee",
        "MulticurrencyFee",
        "AllowanceDiscount",
        "AllowanceBreakage",
        "AllowanceContraBreakage",
    ]
)
BILL_STATES = frozenset({"Open", "Closed"})
BILL_TYPES = frozenset({"Receipt", "Invoice"})
CORRECTION_STATES = frozenset({"Bill", "CorrectiveBill"})


def orders_add(ctx: Ctx, p: Params) -> dict[str, Any]:  # noqa: PLR0912, PLR0915 - one flat pass over the documented request fields
    store = ctx.store
    info = ctx.enterprise(p)
    service = store.services.get(p.req_id("ServiceId"), [info.id])
    if service is None:
        raise invalid("ServiceId", "The service does not exist.")
    account_id = p.opt_id("AccountId") or p.opt_id("CustomerId")
    if account_id is None:
        raise invalid("AccountId", "The value is required.")
    account = store.customers.get(account_id, [info.chain_id])
    account_type = "Customer"
    if account is None:
        account = store.companies.get(account_id, [info.chain_id])
        account_type = "Company"
    if account is None:
        raise invalid("AccountId", "The account does not exist.")
    options = p.opt_obj("Options")
    if options is not None:
        options.opt_bool("DisableItemGrouping")
    products: list[hotel.ProductLine] = []
    for entry in p.opt_objs("ProductOrders") or []:
        product = store.products.get(entry.req_id("ProductId"), [info.id])
        if product is None or product["ServiceId"] != service["Id"]:
            raise invalid("ProductOrders", "The product does not exist in the service.")
        count = entry.opt_int("Count", low=1, high=100000) or 1
        unit_params = entry.opt_obj("UnitAmount")
        unit = (
            money.from_parameters(
                unit_params, "ProductOrders", info.currency, info.default_tax_code
            )
            if unit_params is not None
            else None
        )
        entry.opt_datetime("StartUtc")
        entry.opt_datetime("EndUtc")
        products.append(
            hotel.ProductLine(
                product, count, unit, entry.opt_str("ExternalIdentifier", max_len=255)
            )
        )
    items: list[hotel.ItemLine] = []
    for entry in p.opt_objs("Items") or []:
        name = entry.req_str("Name", max_len=255)
        unit_count = entry.opt_int("UnitCount", low=1, high=100000)
        if unit_count is None:
            raise invalid("Items", "UnitCount is required.")
        unit = money.from_parameters(
            entry.req_obj("UnitAmount"), "Items", info.currency, info.default_tax_code
        )
        category_id = entry.opt_id("AccountingCategoryId")
        if (
            category_id is not None
            and store.accounting_categories.get(category_id, [info.id]) is None
        ):
            raise invalid("AccountingCategoryId", "The accounting category does not exist.")
        items.append(
            hotel.ItemLine(
                name,
                unit_count,
                unit,
                category_id,
                entry.opt_str("ExternalIdentifier", max_len=255),
            )
        )
    if not products and not items:
        raise invalid("ProductOrders", "At least one product order or item is required.")
    consumed = p.opt_datetime("ConsumptionUtc")
    notes = p.opt_str("Notes", max_len=5000)
    p.opt_id("BusinessSegmentId")
    bill = None
    bill_id = p.opt_id("BillId")
    if bill_id is not None:
        bill = store.bills.get(bill_id, [info.id])
        if bill is None or bill["AccountId"] != account["Id"]:
            raise invalid("BillId", "The bill does not exist for the account.")
        if bill["State"] != "Open":
            raise Forbidden("The bill is closed; charges cannot be added to it.")
    linked = p.opt_id("LinkedReservationId")
    if linked is not None and store.reservations.get(linked, [info.id]) is None:
        raise invalid("LinkedReservationId", "The reservation does not exist.")
    order = hotel.add_order(
        store,
        info.id,
        service=service,
        account=account,
        account_type=account_type,
        products=products,
        items=items,
        consumed=consumed,
        notes=notes,
        bill=bill,
        linked_reservation_id=linked,
    )
    return {"OrderId": order["Id"]}


def order_items_get_all(ctx: Ctx, p: Params) -> dict[str, Any]:
    owners = ctx.enterprises(p)
    ids = p.opt_ids("OrderItemIds")
    accounts = p.opt_ids("AccountIds", max_items=100)
    service_orders = p.opt_ids("ServiceOrderIds")
    services = p.opt_ids("ServiceIds")
    bills = p.opt_ids("BillIds")
    created = p.interval("CreatedUtc")
    updated = p.interval("UpdatedUtc")
    consumed = p.interval("ConsumedUtc")
    canceled = p.interval("CanceledUtc")
    closed = p.interval("ClosedUtc")
    p.opt_str("Currency", max_len=3)
    states = p.opt_enums("AccountingStates", ACCOUNTING_STATES)
    types = p.opt_enums("Types", ORDER_ITEM_TYPES)
    limitation = p.limitation()
    require_any(
        p,
        (
            "OrderItemIds",
            "AccountIds",
            "ServiceOrderIds",
            "ServiceIds",
            "BillIds",
            "CreatedUtc",
            "UpdatedUtc",
            "ConsumedUtc",
            "CanceledUtc",
            "ClosedUtc",
        ),
        "OrderItemIds",
    )

    def match(item: Entity) -> bool:
        return (
            (accounts is None or item["AccountId"] in accounts)
            and (service_orders is None or item["ServiceOrderId"] in service_orders)
            and (services is None or item["ServiceId"] in services)
            and (bills is None or item["BillId"] in bills)
            and interval_ok(created, item["CreatedUtc"])
            and interval_ok(updated, item["UpdatedUtc"])
            and interval_ok(consumed, item["ConsumedUtc"])
            and interval_ok(canceled, item["CanceledUtc"])
            and interval_ok(closed, item["ClosedUtc"])
            and (states is None or item["AccountingState"] in states)
            and (types is None or item["Type"] in types)
        )

    items, cursor = ctx.store.order_items.page(owners, limitation, match, ids)
    return {"OrderItems": items, "Cursor": cursor}


#: `OrderItemIds` of `orderItems/cancel`: "required, max 10 items".
MAX_CANCEL_ITEMS = 10


def order_items_cancel(ctx: Ctx, p: Params) -> dict[str, Any]:
    enterprise_id = ctx.enterprise(p).id
    ids = p.req_ids("OrderItemIds", max_items=MAX_CANCEL_ITEMS)
    items: list[Entity] = []
    for item_id in dict.fromkeys(ids):
        item = ctx.store.order_items.get(item_id, [enterprise_id])
        if item is None:
            raise invalid("OrderItemIds", f"The order item {item_id} does not exist.")
        items.append(item)
    hotel.cancel_order_items(ctx.store, items)
    return {}


def bills_get_all(ctx: Ctx, p: Params) -> dict[str, Any]:
    store = ctx.store
    owners = ctx.enterprises(p)
    ids = p.opt_ids("BillIds")
    customers = p.opt_ids("CustomerIds")
    issued = p.interval("IssuedUtc")
    paid = p.interval("PaidUtc")
    due = p.interval("DueUtc")
    created = p.interval("CreatedUtc")
    updated = p.interval("UpdatedUtc")
    closed = p.interval("ClosedUtc")  # deprecated: the closing time is the issue time
    state = p.opt_enum("State", BILL_STATES)
    bill_type = p.opt_enum("Type", BILL_TYPES)
    corrections = p.opt_enums("CorrectionState", CORRECTION_STATES)
    extent = p.opt_obj("Extent")
    with_items = bool(extent and extent.opt_bool("Items"))
    limitation = p.limitation()
    require_any(
        p,
        (
            "BillIds",
            "CustomerIds",
            "IssuedUtc",
            "PaidUtc",
            "DueUtc",
            "CreatedUtc",
            "UpdatedUtc",
            "ClosedUtc",
        ),
        "BillIds",
    )
    wanted_corrections = corrections or (["Bill", "CorrectiveBill"] if ids else ["Bill"])

    def match(bill: Entity) -> bool:
        return (
            (
                customers is None
                or bill["AccountId"] in customers
                or any(a in customers for a in bill["AssociatedAccountIds"])
            )
            and interval_ok(issued, bill["IssuedUtc"])
            and interval_ok(paid, bill["PaidUtc"])
            and interval_ok(due, bill["DueUtc"])
            and interval_ok(created, bill["CreatedUtc"])
            and interval_ok(updated, bill["UpdatedUtc"])
            and (
                closed is None or (bill["State"] == "Closed" and closed.contains(bill["IssuedUtc"]))
            )
            and (state is None or bill["State"] == state)
            and (bill_type is None or bill["Type"] == bill_type)
            and bill["CorrectionState"] in wanted_corrections
        )

    items, cursor = store.bills.page(owners, limitation, match, ids)
    if with_items:
        ids_on_page = {b["Id"] for b in items}
        by_bill: dict[str, list[Entity]] = {}
        for item in store.order_items.of(owners):
            if item["BillId"] in ids_on_page:
                by_bill.setdefault(item["BillId"], []).append(item)
        items = [{**b, "OrderItems": by_bill.get(b["Id"], [])} for b in items]
    return {"Bills": items, "Cursor": cursor}


PAYMENT_STATES = frozenset({"Charged", "Canceled", "Pending", "Failed", "Verifying"})
PAYMENT_TYPES = frozenset(
    {
        "Payment",
        "CreditCardPayment",
        "AlternativePayment",
        "CashPayment",
        "InvoicePayment",
        "ExternalPayment",
        "GhostPayment",
        "TaxDeductedPayment",
    }
)


def payments_get_all(ctx: Ctx, p: Params) -> dict[str, Any]:
    owners = ctx.enterprises(p)
    ids = p.opt_ids("PaymentIds")
    accounts = p.opt_ids("AccountIds", max_items=100)
    bills = p.opt_ids("BillIds")
    reservations = p.opt_ids("ReservationIds")
    created = p.interval("CreatedUtc")
    updated = p.interval("UpdatedUtc")
    charged = p.interval("ChargedUtc")
    closed = p.interval("ClosedUtc")
    settled = p.interval("SettlementUtc")
    p.opt_str("Currency", max_len=3)
    accounting_states = p.opt_enums("AccountingStates", ACCOUNTING_STATES)
    states = p.opt_enums("States", PAYMENT_STATES)
    payment_type = p.opt_enum("Type", PAYMENT_TYPES)
    limitation = p.limitation()
    require_any(
        p,
        (
            "PaymentIds",
            "AccountIds",
            "BillIds",
            "ReservationIds",
            "CreatedUtc",
            "UpdatedUtc",
            "ChargedUtc",
            "ClosedUtc",
        ),
        "PaymentIds",
    )

    def match(payment: Entity) -> bool:
        return (
            (accounts is None or payment["AccountId"] in accounts)
            and (bills is None or payment["BillId"] in bills)
            and (reservations is None or payment["ReservationId"] in reservations)
            and interval_ok(created, payment["CreatedUtc"])
            and interval_ok(updated, payment["UpdatedUtc"])
            and interval_ok(charged, payment["ChargedUtc"])
            and interval_ok(closed, payment["ClosedUtc"])
            and interval_ok(settled, payment["SettlementUtc"])
            and (accounting_states is None or payment["AccountingState"] in accounting_states)
            and (states is None or payment["State"] in states)
            and (payment_type is None or payment["Type"] == payment_type)
        )

    items, cursor = ctx.store.payments.page(owners, limitation, match, ids)
    return {"Payments": items, "Cursor": cursor}


SERVICE_ORDER_STATES = frozenset(
    {"Inquired", "Requested", "Optional", "Confirmed", "Started", "Processed", "Canceled"}
)


def product_service_orders_get_all(ctx: Ctx, p: Params) -> dict[str, Any]:
    """Orders of products and items (`orders/add`), with the reservation each is linked to."""
    store = ctx.store
    owners = ctx.enterprises(p)
    ids = p.opt_ids("ProductServiceOrderIds")
    services = p.req_ids("ServiceIds")
    accounts = p.opt_ids("AccountIds")
    linked = p.opt_ids("LinkedReservationIds")
    updated = p.interval("UpdatedUtc")
    states = p.opt_enums("States", SERVICE_ORDER_STATES)
    limitation = p.limitation()

    def match(order: Entity) -> bool:
        return (
            order["ServiceId"] in services
            and (accounts is None or order["AccountId"] in accounts)
            and (linked is None or order.get("LinkedReservationId") in linked)
            and interval_ok(updated, order["UpdatedUtc"])
            and (states is None or order["State"] in states)
        )

    orders, cursor = store.orders.page(owners, limitation, match, ids)
    shaped = [
        shapes.product_service_order(order, str(1000 + store.orders.pos[order["Id"]]))
        for order in orders
    ]
    return {"ProductServiceOrders": shaped, "Cursor": cursor}
