"""The bills of guests in house: an open bill with a charge from the hotel's restaurant."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from attendandt.mews_sim import clock, shapes
from attendandt.mews_sim.seed.context import HotelSeed


def add_charge(
    hotel: HotelSeed,
    reservation: dict[str, Any],
    product: dict[str, Any],
    service_id: str,
    when: datetime,
) -> None:
    """An open bill with one restaurant charge for a guest in house, after check-in and
    before now."""
    store, new_id, now, ent = hotel.store, hotel.new_id, hotel.now, hotel.ent
    customer = store.customers.items[reservation["AccountId"]]
    bill = None
    for existing in store.bills.of([ent]):
        if existing["AccountId"] == customer["Id"] and existing["State"] == "Open":
            bill = existing
    at = clock.fmt(when + min(timedelta(hours=3), (now - when) / 2))
    if bill is None:
        bill = shapes.bill(
            id=new_id(),
            enterprise_id=ent,
            account_id=customer["Id"],
            account_type="Customer",
            number=None,
            created=at,
        )
        bill["OwnerData"] = shapes.bill_account_data(customer, "Customer")
        store.bills.add(bill, ent)
    order_id = new_id()
    store.orders.add(
        {
            "Id": order_id,
            "EnterpriseId": ent,
            "ServiceId": service_id,
            "AccountId": customer["Id"],
            "AccountType": "Customer",
            "LinkedReservationId": reservation["Id"],
            "State": "Confirmed",
            "Notes": None,
            "CreatedUtc": at,
            "UpdatedUtc": at,
        },
        ent,
    )
    store.order_items.add(
        shapes.order_item(
            id=new_id(),
            enterprise_id=ent,
            account_id=customer["Id"],
            account_type="Customer",
            service_id=service_id,
            order_id=order_id,
            bill_id=bill["Id"],
            accounting_category_id=product["AccountingCategoryId"],
            billing_name=product["Names"]["en-US"],
            external_identifier=None,
            unit_count=1,
            unit_amount=product["Price"],
            amount=product["Price"],
            revenue_type="Product",
            item_type="ProductOrder",
            created=at,
            consumed=at,
            notes=None,
            product_id=product["Id"],
        ),
        ent,
    )
