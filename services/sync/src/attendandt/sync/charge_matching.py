"""Matching the ledger's posted charges with Mews's order items. Plain Python, no I/O.

A charge of ours is the items carrying its reference (`ExternalIdentifier`) in its Mews
order (`orders/add` answers only the OrderId, so the order is what the ledger knows). What
takes it off the bill besides cancelling: rebates, separate negative items. Mews's own
(staff made, type `…Rebate`) name the item they offset in `Data.Rebate.RebatedItemId`; the
publisher's (a manager's cancel where Mews would not cancel) carry `<reference>:rebate`.

From these `reading` sums up what Mews holds of a charge (what vendors records,
`RecordChargeInMews`), and `mismatches` says where that and the ledger disagree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import msgspec

from attendandt.contracts.commands import CancellationMethod, MewsChargeState, RecordChargeInMews
from attendandt.contracts.reconciliation import REBATE_SUFFIX, ChargeMismatch, charge_id_of
from attendandt.contracts.rpc.vendors import LedgerCharge
from attendandt.contracts.snapshots import ChargeState
from attendandt.mews.models.orders import OrderItem, OrderItemAccountingState

CENT = Decimal("0.01")
REBATE_TYPES = frozenset({"ProductOrderRebate", "AdditionalExpenseRebate", "NightRebate"})
#: States in which a charge is on the guest's bill as far as the ledger knows.
EXPECTED_ON_BILL = (ChargeState.POSTED, ChargeState.CANCEL_FAILED)
#: How a manager's cancellation took a charge back through Mews.
CANCELLED_BY_US = (
    CancellationMethod.ORDER_ITEMS_CANCELLED.value,
    CancellationMethod.REBATED.value,
)


@dataclass
class Reading:
    """What Mews holds of one charge."""

    state: MewsChargeState
    item_ids: tuple[str, ...] = ()
    quantity: int | None = None
    amount: Decimal | None = None
    currency: str | None = None
    #: Taken off by every rebate (Mews's staff's and ours), and by Mews's staff's alone.
    rebated: Decimal = Decimal(0)
    rebated_in_mews: Decimal = Decimal(0)
    bill_closed: bool = False
    updated_utc: datetime | None = None


@dataclass
class MewsItems:
    """The order items read for a pass, indexed the ways matching needs."""

    by_reference: dict[str, dict[str, OrderItem]] = field(default_factory=lambda: defaultdict(dict))
    rebates_of_item: dict[str, dict[str, OrderItem]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    seen_orders: set[str] = field(default_factory=set)
    count: int = 0

    def add(self, items: Iterable[OrderItem]) -> None:
        for item in items:
            self.count += 1
            if item.service_order_id:
                self.seen_orders.add(item.service_order_id)
            if item.external_identifier:
                self.by_reference[item.external_identifier][item.id] = item
            rebated = _rebated_item_id(item)
            if rebated is not None:
                self.rebates_of_item[rebated][item.id] = item

    def items_of(self, charge: LedgerCharge) -> list[OrderItem]:
        found = self.by_reference.get(charge.reference, {})
        return [i for i in found.values() if i.service_order_id == charge.mews_order_id]

    def our_rebates_of(self, charge: LedgerCharge) -> list[OrderItem]:
        return list(self.by_reference.get(charge.reference + REBATE_SUFFIX, {}).values())


def _rebated_item_id(item: OrderItem) -> str | None:
    rebate = item.data.rebate if item.data is not None else None
    if not rebate:
        return None
    value = rebate.get("RebatedItemId")
    return value if isinstance(value, str) else None


def _canceled(item: OrderItem) -> bool:
    return item.accounting_state == OrderItemAccountingState.CANCELED


def _value(item: OrderItem, gross: bool) -> Decimal:
    amount = item.amount
    if amount is None:
        return Decimal(0)
    value = amount.gross_value if gross else amount.net_value
    return Decimal(value if value is not None else 0)


def reading(charge: LedgerCharge, found: MewsItems) -> Reading:
    items = sorted(found.items_of(charge), key=lambda i: i.id)
    staff_rebates = {r.id: r for i in items for r in found.rebates_of_item.get(i.id, {}).values()}
    ours = {r.id: r for r in found.our_rebates_of(charge)}
    # A rebate of ours made by Mews's rebate path may also name the item: counted once.
    for rebate_id in ours:
        staff_rebates.pop(rebate_id, None)
    gross = charge.amount_is_gross
    rebated_in_mews = -sum(
        (_value(r, gross) for r in staff_rebates.values() if not _canceled(r)), Decimal(0)
    )
    rebated_ours = -sum((_value(r, gross) for r in ours.values() if not _canceled(r)), Decimal(0))
    stamps = [i.updated_utc for i in [*items, *staff_rebates.values(), *ours.values()]]
    updated = max((s for s in stamps if s is not None), default=None)
    rebated = max(rebated_in_mews + rebated_ours, Decimal(0))
    if not items:
        return Reading(state="missing", rebated=rebated, updated_utc=updated)
    ids = tuple(i.id for i in items)
    live = [i for i in items if not _canceled(i)]
    if not live:
        return Reading(
            state="canceled",
            item_ids=ids,
            rebated=rebated,
            rebated_in_mews=max(rebated_in_mews, Decimal(0)),
            updated_utc=updated,
        )
    closed = all(i.accounting_state == OrderItemAccountingState.CLOSED for i in live)
    currency = next((i.amount.currency for i in live if i.amount is not None), None)
    return Reading(
        state="closed" if closed else "open",
        item_ids=ids,
        quantity=int(sum((Decimal(i.unit_count or 0) for i in live), Decimal(0))),
        amount=sum((_value(i, gross) for i in live), Decimal(0)).quantize(CENT),
        currency=currency,
        rebated=rebated.quantize(CENT),
        rebated_in_mews=max(rebated_in_mews, Decimal(0)).quantize(CENT),
        bill_closed=closed,
        updated_utc=updated,
    )


def record_command(
    enterprise_id: str, charge: LedgerCharge, read: Reading, issued_at: datetime
) -> RecordChargeInMews | None:
    """What to tell vendors of `charge` after this reading, or None when vendors recorded the
    same already (`mews_digest`): an unchanged charge costs no message. The command id is
    the digest, so the same reading sent twice is one command."""
    command = RecordChargeInMews(
        command_id="",
        enterprise_id=enterprise_id,
        issued_at=issued_at,
        charge_id=charge.charge_id,
        state=read.state,
        order_item_ids=read.item_ids,
        quantity=read.quantity,
        amount=read.amount,
        currency=read.currency,
        rebated_amount=read.rebated,
        bill_closed=read.bill_closed,
        mews_updated_utc=read.updated_utc,
    )
    digest = command.content_digest()
    if digest == charge.mews_digest:
        return None
    return msgspec.structs.replace(
        command, command_id=f"charge-in-mews:{charge.charge_id}:{digest}"
    )


def _money(amount: Decimal | None, currency: str | None) -> str:
    return f"{amount} {currency}" if amount is not None else "none"


def _mismatch(
    charge: LedgerCharge, read: Reading, kind: str, mews: str, **more: object
) -> ChargeMismatch:
    return ChargeMismatch(
        kind=kind,  # type: ignore[arg-type]
        charge_id=charge.charge_id,
        vendor_id=charge.vendor_id,
        mews_order_id=charge.mews_order_id,
        mews_order_item_ids=read.item_ids,
        ours=f"{charge.quantity} x {charge.unit_amount} {charge.currency} ({charge.state.value})",
        mews=mews,
        **more,  # type: ignore[arg-type]
    )


def _cancelled_mismatches(charge: LedgerCharge, read: Reading) -> list[ChargeMismatch]:
    # Taken off in Mews by Mews's staff: reported as such whether or not a pass has recorded
    # it here already (the report does not depend on which ran first).
    if charge.cancel_method == CancellationMethod.CANCELLED_IN_MEWS.value:
        return [_mismatch(charge, read, "cancelled_in_mews", "canceled")]
    if charge.cancel_method == CancellationMethod.REBATED_IN_MEWS.value:
        rebated = _money(read.rebated_in_mews, charge.currency)
        return [_mismatch(charge, read, "rebated_in_mews", f"rebated {rebated}")]
    still_held = read.state in ("open", "closed") and (
        read.amount is None or read.rebated < read.amount
    )
    if charge.cancel_method in CANCELLED_BY_US and still_held:
        held = f"{read.state}, {_money(read.amount, read.currency)} less {read.rebated} rebated"
        return [_mismatch(charge, read, "not_cancelled_in_mews", held)]
    return []


def mismatches(charge: LedgerCharge, read: Reading) -> list[ChargeMismatch]:
    """Where the ledger and Mews disagree about one charge."""
    if charge.state is ChargeState.CANCELLED:
        return _cancelled_mismatches(charge, read)
    if charge.state not in EXPECTED_ON_BILL:
        return []  # being cancelled: the publisher's answer settles it
    if read.state == "missing":
        return [_mismatch(charge, read, "missing_in_mews", "no item in its order")]
    if read.state == "canceled":
        return [_mismatch(charge, read, "cancelled_in_mews", "canceled")]
    found: list[ChargeMismatch] = []
    held = f"{read.quantity} items, {_money(read.amount, read.currency)} ({read.state})"
    if read.currency != charge.currency:
        found.append(_mismatch(charge, read, "currency_differs", held))
    if read.quantity != charge.quantity:
        found.append(_mismatch(charge, read, "quantity_differs", held))
    if read.amount is not None and read.amount != charge.amount.quantize(CENT):
        found.append(
            _mismatch(
                charge,
                read,
                "amount_differs",
                held,
                our_amount=charge.amount,
                mews_amount=read.amount,
            )
        )
    if read.rebated_in_mews > 0:
        found.append(
            _mismatch(
                charge,
                read,
                "rebated_in_mews",
                f"rebated {_money(read.rebated_in_mews, charge.currency)}",
                our_amount=charge.amount,
                mews_amount=(read.amount or Decimal(0)) - read.rebated_in_mews,
            )
        )
    return found


def referenced_charges(
    found: MewsItems, created_from: datetime, created_to: datetime
) -> dict[str, list[OrderItem]]:
    """Charge id → the items created in [created_from, created_to) that carry its
    reference (or its rebate's)."""
    named: dict[str, list[OrderItem]] = defaultdict(list)
    for reference, items in found.by_reference.items():
        charge_id = charge_id_of(reference)
        if charge_id is None:
            continue
        for item in items.values():
            created = item.created_utc
            if created is not None and created_from <= created < created_to:
                named[charge_id].append(item)
    return named


def unknown_in_ledger(items_by_charge: dict[str, Sequence[OrderItem]]) -> list[ChargeMismatch]:
    return [
        ChargeMismatch(
            kind="unknown_in_ledger",
            charge_id=None,
            mews_order_id=items[0].service_order_id,
            mews_order_item_ids=tuple(sorted(i.id for i in items)),
            ours="not in the ledger",
            mews=f"{len(items)} items with reference {items[0].external_identifier}",
        )
        for _, items in sorted(items_by_charge.items())
    ]
