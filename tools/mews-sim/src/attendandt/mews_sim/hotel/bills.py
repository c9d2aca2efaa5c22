"""Bills: the account's open bill, closing it, and payments taken at the desk onto it."""

from __future__ import annotations

from decimal import Decimal

from attendandt.mews_sim import clock, money, shapes
from attendandt.mews_sim.errors import Forbidden, invalid
from attendandt.mews_sim.hotel.common import new_id, touch
from attendandt.mews_sim.store import Change, Entity, Store


def open_bill_for(store: Store, enterprise_id: str, account: Entity, account_type: str) -> Entity:
    for bill in store.bills.of([enterprise_id]):
        if bill["AccountId"] == account["Id"] and bill["State"] == "Open":
            return bill
    return add_bill(store, enterprise_id, account, account_type)


def add_bill(
    store: Store, enterprise_id: str, account: Entity, account_type: str, name: str | None = None
) -> Entity:
    bill = shapes.bill(
        id=new_id(),
        enterprise_id=enterprise_id,
        account_id=account["Id"],
        account_type=account_type,
        number=None,
        created=clock.now_str(),
        name=name,
    )
    bill["OwnerData"] = shapes.bill_account_data(account, account_type)
    store.bills.add(bill, enterprise_id)
    return bill


def close_bill(store: Store, bill: Entity) -> None:
    if bill["State"] != "Open":
        raise Forbidden("The bill is already closed.")
    enterprise_id = store.bills.owner[bill["Id"]]
    now = clock.now_str()
    bill["State"] = "Closed"
    bill["IssuedUtc"] = now
    bill["Number"] = str(store.next_number(f"bill:{enterprise_id}"))
    touch(bill)
    for item in store.order_items.of([enterprise_id]):
        if item["BillId"] == bill["Id"]:
            item["AccountingState"] = "Closed"
            item["ClosedUtc"] = now
            touch(item)
    for payment in store.payments.of([enterprise_id]):
        if payment["BillId"] == bill["Id"] and payment["AccountingState"] == "Open":
            payment["AccountingState"] = "Closed"
            payment["ClosedUtc"] = now
            touch(payment)
            store.notify(Change("payment", (enterprise_id,), payment))


#: Payment types a member of staff can take at the desk (`payments/getAll` Payment type).
DESK_PAYMENT_TYPES = frozenset(
    {"CashPayment", "CreditCardPayment", "ExternalPayment", "AlternativePayment", "Payment"}
)


def add_payment(
    store: Store,
    reservation: Entity,
    gross: Decimal,
    *,
    payment_type: str = "CashPayment",
    notes: str | None = None,
) -> Entity:
    """Money received at the desk for a stay: on its owner's open bill (a new one if the
    owner has none), linked to the reservation; stored negative, as Mews does."""
    if gross <= 0:
        raise invalid("amount", "A payment must be a positive amount.")
    if payment_type not in DESK_PAYMENT_TYPES:
        raise invalid("type", "Unknown payment type.")
    enterprise_id = store.reservations.owner[reservation["Id"]]
    info = store.info[enterprise_id]
    owner = store.customers.get(reservation["AccountId"])
    if owner is None:
        raise invalid("reservation", "The reservation's owner is not a customer.")
    bill = open_bill_for(store, enterprise_id, owner, "Customer")
    entity = shapes.payment(
        id=new_id(),
        enterprise_id=enterprise_id,
        account_id=owner["Id"],
        account_type="Customer",
        bill_id=bill["Id"],
        reservation_id=reservation["Id"],
        amount=money.untaxed(info.currency, -gross),
        payment_type=payment_type,
        created=clock.now_str(),
        notes=notes,
    )
    store.payments.add(entity, enterprise_id)
    touch(bill)
    store.notify(Change("payment", (enterprise_id,), entity, True))
    return entity
