"""What happens in the hotel: the writes behind both the Connector API and the staff controls.

Every change goes through here so `UpdatedUtc` always moves and every change is announced to
the WebSocket and webhook channels exactly once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from attendandt.mews_sim import clock, money, shapes
from attendandt.mews_sim.errors import BadRequest, Forbidden, invalid
from attendandt.mews_sim.store import Change, Entity, Store

# Basic personal fields: the ones customers/add with OverwriteExisting rewrites, and the plain
# (non-wrapped) fields customers/update takes.
CUSTOMER_FIELDS = (
    "Title",
    "FirstName",
    "LastName",
    "SecondLastName",
    "NationalityCode",
    "PreferredLanguageCode",
    "Sex",
    "BirthDate",
    "BirthCountryCode",
    "BirthCountrySubdivisionCode",
    "BirthPlace",
    "Occupation",
    "Email",
    "Phone",
    "LoyaltyCode",
    "Notes",
    "CarRegistrationNumber",
    "DietaryRequirements",
    "TaxIdentificationNumber",
)
CANCELLABLE = frozenset({"Inquired", "Confirmed", "Optional", "Requested"})
RESOURCE_STATES = frozenset({"Dirty", "Clean", "Inspected", "OutOfService", "OutOfOrder"})


def new_id() -> str:
    return str(uuid.uuid4())


def touch(entity: Entity) -> None:
    entity["UpdatedUtc"] = clock.later_than(entity.get("UpdatedUtc"))


def local_date(store: Store, enterprise_id: str, utc: str) -> date:
    """The hotel's own date of a UTC wire time (front-office days are local days)."""
    zone = ZoneInfo(store.info[enterprise_id].time_zone)
    return clock.parse(utc).astimezone(zone).date()


# customers -----------------------------------------------------------------------------------
def find_customer_by_email(store: Store, chain_id: str, email: str) -> Entity | None:
    wanted = email.strip().lower()
    for customer in store.customers.of([chain_id]):
        found = customer.get("Email")
        if found and found.lower() == wanted:
            return customer
    return None


def customer_changed(store: Store, customer: Entity, *, created: bool = False) -> None:
    chain_id = store.customers.owner[customer["Id"]]
    store.notify(Change("customer", store.enterprises_of_chain(chain_id), customer, created))


def add_customer(
    store: Store,
    chain_id: str,
    values: dict[str, Any],
    *,
    overwrite_existing: bool,
    creator: str = shapes.CONNECTOR_PROFILE_ID,
) -> Entity:
    email = values.get("Email")
    if email:
        existing = find_customer_by_email(store, chain_id, email)
        if existing is not None:
            if not overwrite_existing:
                raise Forbidden("A customer with the same email already exists.")
            for name in CUSTOMER_FIELDS:
                if values.get(name) is not None:
                    existing[name] = values[name]
            existing["UpdaterProfileId"] = creator
            touch(existing)
            customer_changed(store, existing)
            return existing
    now = clock.now_str()
    customer_id = new_id()
    address_params = values.get("Address")
    entity = shapes.customer(
        id=customer_id,
        chain_id=chain_id,
        number=str(store.next_number(f"customer:{chain_id}", 100000)),
        last_name=values["LastName"],
        created=now,
        creator=creator,
        address_entity=shapes.address(new_id(), address_params) if address_params else None,
        classifications=list(values.get("Classifications") or []),
        options=list(values.get("Options") or []),
        company_id=values.get("CompanyId"),
        italian=(
            values.get("ItalianDestinationCode"),
            values.get("ItalianFiscalCode"),
            values.get("ItalianLotteryCode"),
        ),
    )
    for name in CUSTOMER_FIELDS:
        if values.get(name) is not None:
            entity[name] = values[name]
    entity["LanguageCode"] = entity["PreferredLanguageCode"]
    store.customers.add(entity, chain_id)
    customer_changed(store, entity, created=True)
    return entity


def update_customer(
    store: Store,
    customer: Entity,
    values: dict[str, Any],
    *,
    updater: str = shapes.CONNECTOR_PROFILE_ID,
) -> Entity:
    chain_id = store.customers.owner[customer["Id"]]
    email = values.get("Email")
    if email:
        other = find_customer_by_email(store, chain_id, email)
        if other is not None and other["Id"] != customer["Id"]:
            raise Forbidden("Another customer with the same email already exists.")
    for name in CUSTOMER_FIELDS:
        # Blank values leave the field untouched: customers/update cannot clear fields.
        if values.get(name) not in (None, ""):
            customer[name] = values[name]
    for name in ("Classifications", "Options"):
        if values.get(name) is not None:
            customer[name] = list(values[name])
    if values.get("CompanyId"):
        customer["CompanyId"] = values["CompanyId"]
    if values.get("Address") is not None:
        address_id = customer["AddressId"] or new_id()
        customer["Address"] = shapes.address(address_id, values["Address"])
        customer["AddressId"] = address_id
    for name in ("ItalianDestinationCode", "ItalianFiscalCode", "ItalianLotteryCode"):
        if name in values:
            customer[name] = values[name]
    customer["UpdaterProfileId"] = updater
    touch(customer)
    customer_changed(store, customer)
    return customer


# reservations --------------------------------------------------------------------------------
def reservation_changed(store: Store, reservation: Entity, *, created: bool = False) -> None:
    enterprise_id = store.reservations.owner[reservation["Id"]]
    store.notify(Change("reservation", (enterprise_id,), reservation, created))


def resource_changed(store: Store, resource: Entity) -> None:
    store.notify(Change("resource", (resource["EnterpriseId"],), resource))


def bookable_service(store: Store, enterprise_id: str) -> Entity:
    for service in store.services.of([enterprise_id]):
        if service["Data"]["Discriminator"] == "Bookable":
            return service
    raise BadRequest("The enterprise has no bookable service.")


def is_free(  # noqa: PLR0917 - mirrors the filter's fields
    store: Store,
    enterprise_id: str,
    resource_id: str,
    start: str,
    end: str,
    ignore: str | None = None,
) -> bool:
    for other in store.reservations.of([enterprise_id]):
        if (
            other["AssignedResourceId"] == resource_id
            and other["Id"] != ignore
            and other["State"] in ("Confirmed", "Started", "Optional")
            and other["ScheduledStartUtc"] < end
            and other["ScheduledEndUtc"] > start
        ):
            return False
    return True


def free_room(  # noqa: PLR0917 - mirrors the filter's fields
    store: Store,
    enterprise_id: str,
    category_id: str,
    start: str,
    end: str,
    ignore: str | None = None,
) -> str | None:
    busy: set[str] = set()
    for other in store.reservations.of([enterprise_id]):
        if (
            other["AssignedResourceId"] is not None
            and other["Id"] != ignore
            and other["State"] in ("Confirmed", "Started", "Optional")
            and other["ScheduledStartUtc"] < end
            and other["ScheduledEndUtc"] > start
        ):
            busy.add(other["AssignedResourceId"])
    for resource in store.resources.of([enterprise_id]):
        rid = resource["Id"]
        if (
            store.room_category.get(rid) == category_id
            and rid not in busy
            and resource["State"]
            not in (
                "OutOfOrder",
                "OutOfService",
            )
        ):
            return str(rid)
    return None


@dataclass
class NewReservation:
    customer_id: str
    start: str
    end: str
    state: str = "Confirmed"
    category_id: str | None = None
    rate_id: str | None = None
    booker_id: str | None = None
    adults: int = 2
    children: int = 0
    origin: str = "Connector"
    channel_number: str | None = None
    group_id: str | None = None


def add_reservation(
    store: Store, enterprise_id: str, spec: NewReservation, service: Entity | None = None
) -> Entity:
    service = service or bookable_service(store, enterprise_id)
    if spec.end <= spec.start:
        raise invalid("EndUtc", "The reservation must end after it starts.")
    categories = [
        c for c in store.resource_categories.of([enterprise_id]) if c["ServiceId"] == service["Id"]
    ]
    category_id = spec.category_id or (categories[0]["Id"] if categories else None)
    if category_id is None or store.resource_categories.get(category_id, [enterprise_id]) is None:
        raise invalid("RequestedCategoryId")
    rates = [r for r in store.rates.of([enterprise_id]) if r["ServiceId"] == service["Id"]]
    rate_id = spec.rate_id or next(
        (r["Id"] for r in rates if r["IsDefault"]), rates[0]["Id"] if rates else None
    )
    if rate_id is None or store.rates.get(rate_id, [enterprise_id]) is None:
        raise invalid("RateId")
    now = clock.now_str()
    assigned = None
    if spec.state in ("Confirmed", "Optional", "Started"):
        assigned = free_room(store, enterprise_id, category_id, spec.start, spec.end)
    adult, child = store.age_categories[enterprise_id][:2]
    counts = [{"AgeCategoryId": adult, "Count": spec.adults}]
    if spec.children:
        counts.append({"AgeCategoryId": child, "Count": spec.children})
    entity = shapes.reservation(
        id=new_id(),
        service_id=service["Id"],
        account_id=spec.customer_id,
        number=str(store.next_number(f"reservation:{enterprise_id}")),
        state=spec.state,
        created=now,
        updated=now,
        rate_id=rate_id,
        group_id=spec.group_id or new_id(),
        category_id=category_id,
        start=spec.start,
        end=spec.end,
        person_counts=counts,
        assigned_resource_id=assigned,
        origin=spec.origin,
        booker_id=spec.booker_id,
        channel_number=spec.channel_number,
    )
    store.reservations.add(entity, enterprise_id)
    reservation_changed(store, entity, created=True)
    return entity


def cancel_reservation(store: Store, reservation: Entity, reason: str = "Other") -> None:
    if reservation["State"] not in CANCELLABLE:
        raise Forbidden(f"A reservation in state {reservation['State']} cannot be canceled.")
    now = clock.now_str()
    reservation["State"] = "Canceled"
    reservation["CancelledUtc"] = now
    reservation["CancellationReason"] = reason
    touch(reservation)
    reservation_changed(store, reservation)


def start_reservation(store: Store, reservation: Entity, *, via_connector: bool) -> None:
    if reservation["State"] != "Confirmed":
        raise Forbidden(f"A reservation in state {reservation['State']} cannot be started.")
    now = clock.now_str()
    enterprise_id = store.reservations.owner[reservation["Id"]]
    if local_date(store, enterprise_id, reservation["ScheduledStartUtc"]) > local_date(
        store, enterprise_id, now
    ):
        raise Forbidden("The reservation cannot be started before its arrival day.")
    if reservation["AssignedResourceId"] is None:
        room = free_room(
            store,
            enterprise_id,
            reservation["RequestedResourceCategoryId"],
            reservation["ScheduledStartUtc"],
            reservation["ScheduledEndUtc"],
        )
        if room is None:
            raise Forbidden("The reservation has no assigned resource.")
        reservation["AssignedResourceId"] = room
    reservation["State"] = "Started"
    reservation["ActualStartUtc"] = now
    reservation["StartUtc"] = min(now, reservation["ScheduledStartUtc"])
    reservation["Options"] = {
        "OwnerCheckedIn": True,
        "AllCompanionsCheckedIn": True,
        "AnyCompanionCheckedIn": True,
        "ConnectorCheckIn": via_connector,
    }
    touch(reservation)
    reservation_changed(store, reservation)


def process_reservation(
    store: Store, reservation: Entity, *, close_bills: bool = False, allow_open_balance: bool = True
) -> None:
    if reservation["State"] != "Started":
        raise Forbidden(f"A reservation in state {reservation['State']} cannot be processed.")
    enterprise_id = store.reservations.owner[reservation["Id"]]
    open_bills = [
        b
        for b in store.bills.of([enterprise_id])
        if b["AccountId"] == reservation["AccountId"] and b["State"] == "Open"
    ]
    has_balance = any(
        item["BillId"] in {b["Id"] for b in open_bills}
        for item in store.order_items.of([enterprise_id])
        if item["AccountId"] == reservation["AccountId"]
    )
    if has_balance and not close_bills and not allow_open_balance:
        raise Forbidden("The reservation owner has an open balance.")
    if close_bills:
        for bill in open_bills:
            close_bill(store, bill)
    now = clock.now_str()
    reservation["State"] = "Processed"
    reservation["ActualEndUtc"] = now
    touch(reservation)
    reservation_changed(store, reservation)
    room = store.resources.get(reservation["AssignedResourceId"])
    if room is not None and room["State"] != "Dirty":
        set_resource_state(store, room, "Dirty")


def update_reservation(store: Store, reservation: Entity, changes: dict[str, Any]) -> None:
    """Dates, room and details. A checked-out or cancelled stay is history and cannot move;
    a guest in house keeps their arrival. When new dates clash with the stay's room (one it
    was given, not one asked for now), it moves to a free room of its category, or, before
    check-in, waits for one unassigned, as a front desk would."""
    enterprise_id = store.reservations.owner[reservation["Id"]]
    state = reservation["State"]
    start: str = changes.get("ScheduledStartUtc") or reservation["ScheduledStartUtc"]
    end: str = changes.get("ScheduledEndUtc") or reservation["ScheduledEndUtc"]
    if end <= start:
        raise invalid("ScheduledEndUtc", "The reservation must end after it starts.")
    moved = (start, end) != (reservation["ScheduledStartUtc"], reservation["ScheduledEndUtc"])
    if moved and state in ("Processed", "Canceled"):
        raise Forbidden(f"A reservation in state {state} cannot change its dates.")
    if state == "Started" and start != reservation["ScheduledStartUtc"]:
        raise Forbidden("A started reservation cannot change its start.")
    asked = "AssignedResourceId" in changes
    room = changes["AssignedResourceId"] if asked else reservation["AssignedResourceId"]
    if room is not None:
        if store.resources.get(room, [enterprise_id]) is None:
            raise invalid("AssignedResourceId")
        if not is_free(store, enterprise_id, room, start, end, ignore=reservation["Id"]):
            if asked or state in ("Processed", "Canceled"):
                raise Forbidden("The resource is occupied in that interval.")
            category = reservation["RequestedResourceCategoryId"]
            room = free_room(store, enterprise_id, category, start, end, ignore=reservation["Id"])
            if room is None and state == "Started":
                raise Forbidden("No free resource for the guest in house in that interval.")
    reservation["ScheduledStartUtc"] = start
    reservation["ScheduledEndUtc"] = end
    reservation["StartUtc"] = (
        start if reservation["ActualStartUtc"] is None else reservation["StartUtc"]
    )
    reservation["EndUtc"] = end
    reservation["AssignedResourceId"] = room
    for name in ("Purpose", "ChannelNumber", "RequestedResourceCategoryId", "RateId"):
        if name in changes:
            reservation[name] = changes[name]
    touch(reservation)
    reservation_changed(store, reservation)


def set_resource_state(store: Store, resource: Entity, state: str) -> None:
    if state not in RESOURCE_STATES:
        raise invalid("State")
    resource["State"] = state
    touch(resource)
    resource_changed(store, resource)


# companions and notes ------------------------------------------------------------------------
def add_companion(store: Store, reservation: Entity, customer: Entity) -> Entity:
    """Another guest on the stay (reservations/addCompanion): only while there is room for
    them (the owner and companions fewer than the persons booked)."""
    if reservation["State"] == "Canceled":
        raise Forbidden("A canceled reservation cannot have companions added.")
    companions = store.companions(reservation["Id"])
    on_stay = {reservation["AccountId"], *(c["CustomerId"] for c in companions)}
    if customer["Id"] in on_stay:
        raise Forbidden("The customer is already on the reservation.")
    persons = sum(count["Count"] for count in reservation["PersonCounts"])
    if len(on_stay) >= persons:
        raise Forbidden("The reservation has no space for another companion.")
    enterprise_id = store.reservations.owner[reservation["Id"]]
    companionship = shapes.companionship(
        id=new_id(),
        customer_id=customer["Id"],
        reservation_group_id=reservation["GroupId"],
        reservation_id=reservation["Id"],
    )
    touch(reservation)
    store.add_companionship(companionship, enterprise_id, reservation["UpdatedUtc"])
    reservation_changed(store, reservation)
    return companionship


def service_order(store: Store, enterprise_id: str, order_id: str) -> Entity | None:
    """A reservation or a product order: both are service orders and both take notes."""
    return store.reservations.get(order_id, [enterprise_id]) or store.orders.get(
        order_id, [enterprise_id]
    )


def add_note(store: Store, order: Entity, text: str, note_type: str = "General") -> Entity:
    """A note on a reservation or product order; the order changes with it."""
    is_reservation = order["Id"] in store.reservations.items
    owners = store.reservations.owner if is_reservation else store.orders.owner
    enterprise_id = owners[order["Id"]]
    now = clock.now_str()
    note = shapes.service_order_note(
        id=new_id(), order_id=order["Id"], text=text, type=note_type, created=now
    )
    store.add_note(note, enterprise_id)
    touch(order)
    if is_reservation:
        reservation_changed(store, order)
    else:
        store.notify(Change("order", (enterprise_id,), order))
    return note


def update_note(store: Store, note: Entity, text: str) -> Entity:
    """A note's new text; its reservation (or order) changes with it."""
    note["Text"] = text
    touch(note)
    order_id = note["OrderId"]
    enterprise_id = store.service_order_notes.owner[note["Id"]]
    reservation = store.reservations.get(order_id)
    if reservation is not None:
        touch(reservation)
        reservation_changed(store, reservation)
    else:
        order = store.orders.get(order_id)
        if order is not None:
            touch(order)
            store.notify(Change("order", (enterprise_id,), order))
    return note


# orders and bills ----------------------------------------------------------------------------
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


def days_from(anchor: str, days: float) -> str:
    return clock.fmt(clock.parse(anchor) + timedelta(days=days))
