"""Orders and their items: posting, cancelling, rebating and correcting charges."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from attendandt.mews_sim import clock, money, shapes
from attendandt.mews_sim.errors import Forbidden, invalid
from attendandt.mews_sim.hotel.bills import open_bill_for
from attendandt.mews_sim.hotel.common import new_id, touch
from attendandt.mews_sim.store import Change, Entity, Store


@dataclass
class ProductLine:
    product: Entity
    count: int
    unit_amount: Entity | None
    external_identifier: str | None


@dataclass
class ItemLine:
    name: str
    count: int
    unit_amount: Entity
    accounting_category_id: str | None
    external_identifier: str | None


def add_order(
    store: Store,
    enterprise_id: str,
    *,
    service: Entity,
    account: Entity,
    account_type: str,
    products: list[ProductLine],
    items: list[ItemLine],
    consumed: str | None,
    notes: str | None,
    bill: Entity | None,
    linked_reservation_id: str | None,
) -> Entity:
    now = clock.now_str()
    bill = bill or open_bill_for(store, enterprise_id, account, account_type)
    order = {
        "Id": new_id(),
        "EnterpriseId": enterprise_id,
        "ServiceId": service["Id"],
        "AccountId": account["Id"],
        "AccountType": account_type,
        "LinkedReservationId": linked_reservation_id,
        "State": "Confirmed",
        "Notes": notes,
        "CreatedUtc": now,
        "UpdatedUtc": now,
    }
    store.orders.add(order, enterprise_id)
    consumed_at = consumed or now
    common = {
        "enterprise_id": enterprise_id,
        "account_id": account["Id"],
        "account_type": account_type,
        "service_id": service["Id"],
        "order_id": order["Id"],
        "bill_id": bill["Id"],
        "created": now,
        "consumed": consumed_at,
        "notes": notes,
    }
    for line in products:
        unit = line.unit_amount or line.product["Price"]
        store.order_items.add(
            shapes.order_item(
                id=new_id(),
                accounting_category_id=line.product["AccountingCategoryId"],
                billing_name=line.product["Names"].get("en-US"),
                external_identifier=line.external_identifier,
                unit_count=line.count,
                unit_amount=unit,
                amount=money.scaled(unit, line.count),
                revenue_type="Product",
                item_type="ProductOrder",
                product_id=line.product["Id"],
                **common,
            ),
            enterprise_id,
        )
    for item in items:
        store.order_items.add(
            shapes.order_item(
                id=new_id(),
                accounting_category_id=item.accounting_category_id,
                billing_name=item.name,
                external_identifier=item.external_identifier,
                unit_count=item.count,
                unit_amount=item.unit_amount,
                amount=money.scaled(item.unit_amount, item.count),
                revenue_type="Additional",
                item_type="CustomItem",
                product_id=None,
                **common,
            ),
            enterprise_id,
        )
    touch(bill)
    store.notify(Change("order", (enterprise_id,), order, True))
    return order


#: Order items `orderItems/cancel` can cancel: not yet closed on a bill.
CANCELLABLE_ITEMS = frozenset({"Open", "Inactive"})


def cancel_order_items(store: Store, items: list[Entity]) -> None:
    """Cancel every item or none: an item already canceled, or on a closed bill, refuses
    the whole request (Mews: a closed bill's items are offset by a rebate instead)."""
    for item in items:
        if item["AccountingState"] == "Canceled":
            raise invalid("OrderItemIds", f"The order item {item['Id']} is already canceled.")
        if item["AccountingState"] not in CANCELLABLE_ITEMS:
            raise Forbidden(
                f"The order item {item['Id']} is on a closed bill and cannot be canceled; "
                "post a rebate instead."
            )
    now = clock.now_str()
    bills: dict[str, Entity] = {}
    for item in items:
        item["AccountingState"] = "Canceled"
        item["CanceledUtc"] = now
        touch(item)
        bill = store.bills.items.get(item["BillId"]) if item["BillId"] else None
        if bill is not None:
            bills[bill["Id"]] = bill
    for bill in bills.values():
        touch(bill)


REBATE_TYPES = {"ProductOrder": "ProductOrderRebate", "CustomItem": "AdditionalExpenseRebate"}


def rebate_order_item(store: Store, item: Entity, gross: Decimal | None) -> Entity:
    """What Mews's staff do to take (part of) a posted item off a bill: a negative item of
    type `…Rebate` naming it (`Data.Rebate.RebatedItemId`), in the same order, on the
    item's open bill (a closed one: the account's open bill)."""
    if item["AccountingState"] == "Canceled":
        raise invalid("OrderItemId", f"The order item {item['Id']} is canceled.")
    enterprise_id = store.order_items.owner[item["Id"]]
    unit = item["UnitAmount"]
    code = unit["TaxValues"][0]["Code"] if unit["TaxValues"] else "UK-Z"
    whole = Decimal(str(item["Amount"]["GrossValue"]))
    value = whole if gross is None else gross
    if not Decimal(0) < value <= whole:
        raise invalid("GrossValue", "A rebate takes off more than nothing and at most the item.")
    negative = money.amount(unit["Currency"], code, gross=-value)
    bill = store.bills.items.get(item["BillId"]) if item["BillId"] else None
    if bill is None or bill["State"] != "Open":
        account = store.customers.items.get(item["AccountId"]) or store.companies.items.get(
            item["AccountId"]
        )
        if account is None:
            raise invalid("OrderItemId", "The item's account does not exist.")
        bill = open_bill_for(store, enterprise_id, account, item["AccountType"])
    now = clock.now_str()
    rebate = shapes.order_item(
        id=new_id(),
        enterprise_id=enterprise_id,
        account_id=item["AccountId"],
        account_type=item["AccountType"],
        service_id=item["ServiceId"],
        order_id=item["ServiceOrderId"],
        bill_id=bill["Id"],
        accounting_category_id=item["AccountingCategoryId"],
        billing_name=f"Rebate: {item['BillingName'] or 'item'}",
        external_identifier=None,
        unit_count=1,
        unit_amount=negative,
        amount=negative,
        revenue_type=item["RevenueType"],
        item_type=REBATE_TYPES.get(item["Type"], "AdditionalExpenseRebate"),
        created=now,
        consumed=now,
        notes=None,
        product_id=None,
    )
    product = (item.get("Data") or {}).get("Product") or {}
    rebate["Data"] = {
        "Discriminator": "Rebate",
        "Rebate": {"ProductId": product.get("ProductId"), "RebatedItemId": item["Id"]},
        "Product": None,
    }
    store.order_items.add(rebate, enterprise_id)
    touch(bill)
    return rebate


def change_order_item_amount(
    item: Entity, unit_gross: Decimal | None, unit_count: int | None
) -> Entity:
    """Staff correct a posted item's price or count (what a mismatch looks like to us)."""
    if item["AccountingState"] not in CANCELLABLE_ITEMS:
        raise Forbidden(f"The order item {item['Id']} is closed or canceled.")
    unit = item["UnitAmount"]
    code = unit["TaxValues"][0]["Code"] if unit["TaxValues"] else "UK-Z"
    gross = unit_gross if unit_gross is not None else Decimal(str(unit["GrossValue"]))
    count = unit_count if unit_count is not None else item["UnitCount"]
    item["UnitAmount"] = money.amount(unit["Currency"], code, gross=gross)
    item["UnitCount"] = count
    item["Amount"] = money.amount(unit["Currency"], code, gross=gross, count=count)
    touch(item)
    return item
