"""Mews order items, payments and bills → one `StayBillSnapshot` per stay. Pure functions.

An item belongs to a stay when it is on the reservation itself (its `ServiceOrderId`) or on
a product order linked to the reservation (`LinkedReservationId`, how charges are posted); a
payment when Mews names the reservation on it. The snapshot lists them in a stable order
(the same Mews content always makes the same snapshot, whatever order Mews paged it in).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from attendandt.contracts.bills import (
    CHARGE_REFERENCE_PREFIX,
    NOT_OWED_ITEM_STATES,
    RECEIVED_PAYMENT_STATES,
    BillItem,
    BillPayment,
    BillSummary,
    StayBillSnapshot,
)
from attendandt.contracts.commands import UpsertStayBill
from attendandt.mews.models import Bill, OrderItem, Payment
from attendandt.sync.mapping import utc_tag

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_REBATE_SUFFIX = ":rebate"


def charge_of(external_identifier: str | None) -> str | None:
    """Our charge's id when the item was posted by us (a rebate of it included)."""
    if not external_identifier or not external_identifier.startswith(CHARGE_REFERENCE_PREFIX):
        return None
    charge = external_identifier[len(CHARGE_REFERENCE_PREFIX) :]
    return charge.removesuffix(_REBATE_SUFFIX) or None


def bill_item(item: OrderItem) -> BillItem | None:
    amount = item.amount
    if amount is None or amount.gross_value is None or not amount.currency:
        return None
    charge = charge_of(item.external_identifier)
    unit = item.unit_amount.gross_value if item.unit_amount is not None else None
    return BillItem(
        mews_id=item.id,
        name=item.billing_name or item.type or "Item",
        quantity=item.unit_count if item.unit_count is not None else Decimal(1),
        unit_amount=unit,
        total_amount=amount.gross_value,
        currency=amount.currency,
        state=item.accounting_state or "Open",
        ours=charge is not None,
        charge_id=charge,
        bill_mews_id=item.bill_id,
        consumed_utc=item.consumed_utc,
    )


def bill_payment(payment: Payment) -> BillPayment | None:
    amount = payment.amount
    if amount is None or amount.gross_value is None or not amount.currency:
        return None
    return BillPayment(
        mews_id=payment.id,
        # Mews reports money received as a negative amount (it offsets the items).
        amount=-amount.gross_value,
        currency=amount.currency,
        state=payment.state or "Charged",
        type=payment.type,
        bill_mews_id=payment.bill_id,
        charged_utc=payment.charged_utc or payment.created_utc,
    )


@dataclass
class _Stay:
    items: list[OrderItem] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)


def stay_bills(
    reservation_ids: Iterable[str],
    linked_orders: Mapping[str, str],
    items: Iterable[OrderItem],
    payments: Iterable[Payment],
    bills: Iterable[Bill],
) -> list[StayBillSnapshot]:
    """One snapshot per stay with anything charged or paid; `linked_orders` maps a product
    order's id to the reservation it is linked to."""
    wanted = set(reservation_ids)
    stays: dict[str, _Stay] = defaultdict(_Stay)
    for item in items:
        order = item.service_order_id or ""
        owner = order if order in wanted else linked_orders.get(order)
        if owner in wanted:
            stays[owner].items.append(item)
    for payment in payments:
        if payment.reservation_id in wanted:
            stays[payment.reservation_id].payments.append(payment)
    by_id = {b.id: b for b in bills}
    return [snapshot(stay_id, found, by_id) for stay_id, found in sorted(stays.items())]


def snapshot(stay_id: str, found: _Stay, bills: Mapping[str, Bill]) -> StayBillSnapshot:
    items = sorted(
        (i for i in map(bill_item, found.items) if i is not None),
        key=lambda i: (i.consumed_utc or _EPOCH, i.mews_id),
    )
    payments = sorted(
        (p for p in map(bill_payment, found.payments) if p is not None),
        key=lambda p: (p.charged_utc or _EPOCH, p.mews_id),
    )
    bill_ids = sorted(
        {i.bill_mews_id for i in items if i.bill_mews_id}
        | {p.bill_mews_id for p in payments if p.bill_mews_id}
    )
    summaries = tuple(
        BillSummary(
            mews_id=bill.id,
            state=bill.state or "Open",
            number=bill.number,
            closed_utc=bill.issued_utc if bill.state == "Closed" else None,
        )
        for bill in (bills[b] for b in bill_ids if b in bills)
    )
    currencies = Counter([i.currency for i in items] + [p.currency for p in payments])
    currency = currencies.most_common(1)[0][0] if currencies else None
    charged = sum(
        (
            i.total_amount
            for i in items
            if i.currency == currency and i.state not in NOT_OWED_ITEM_STATES
        ),
        Decimal(0),
    )
    paid = sum(
        (
            p.amount
            for p in payments
            if p.currency == currency and p.state in RECEIVED_PAYMENT_STATES
        ),
        Decimal(0),
    )
    versions = [i.updated_utc for i in found.items] + [p.updated_utc for p in found.payments]
    versions += [bills[b].updated_utc for b in bill_ids if b in bills]
    updated = max((v for v in versions if v is not None), default=_EPOCH)
    return StayBillSnapshot(
        stay_mews_id=stay_id,
        mews_updated_utc=updated,
        currency=currency,
        items=tuple(items),
        payments=tuple(payments),
        bills=summaries,
        total_charged=charged,
        total_paid=paid,
        balance=charged - paid,
    )


def upsert_stay_bill(
    enterprise_id: str, bill: StayBillSnapshot, issued_at: datetime
) -> UpsertStayBill:
    """The command id is the version (newest UpdatedUtc and the content's digest): the same
    picture read twice is one command."""
    version = utc_tag(bill.mews_updated_utc, bill.digest())
    return UpsertStayBill(
        command_id=f"bill:{enterprise_id}:{bill.stay_mews_id}:{version}",
        enterprise_id=enterprise_id,
        issued_at=issued_at,
        bill=bill,
    )
