"""Charge matching in plain Python: what Mews holds of a posted charge (its order items, the
rebates offsetting them) and where that disagrees with the ledger; items carrying our
reference the ledger lacks; and the digest that keeps an unchanged charge from being
commanded again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import msgspec
import pytest

from attendandt.contracts.commands import CancellationMethod
from attendandt.contracts.reconciliation import CHARGE_REFERENCE_PREFIX, REBATE_SUFFIX
from attendandt.contracts.rpc.vendors import LedgerCharge
from attendandt.contracts.snapshots import ChargeState
from attendandt.mews.models.common import Amount
from attendandt.mews.models.orders import OrderItem, OrderItemData
from attendandt.sync.charge_matching import (
    MewsItems,
    Reading,
    mismatches,
    reading,
    record_command,
    referenced_charges,
    unknown_in_ledger,
)

T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
ORDER = "order-1"
REF = f"{CHARGE_REFERENCE_PREFIX}c-1"


def charge(**changes: Any) -> LedgerCharge:
    """Two massages at 80.00 GBP (gross pricing), posted to ORDER."""
    base = LedgerCharge(
        charge_id="c-1",
        vendor_id="v-1",
        reference=REF,
        mews_order_id=ORDER,
        mews_service_id="svc-spa",
        quantity=2,
        unit_amount=Decimal("80.00"),
        amount=Decimal("160.00"),
        currency="GBP",
        amount_is_gross=True,
        state=ChargeState.POSTED,
        posted_at=T0,
    )
    return msgspec.structs.replace(base, **changes)


def item(
    item_id: str,
    gross: str,
    *,
    count: int = 1,
    state: str = "Open",
    order: str = ORDER,
    reference: str | None = REF,
    net: str | None = None,
    currency: str = "GBP",
    rebates: str | None = None,
    item_type: str = "ProductOrder",
    created: datetime = T0,
    updated: datetime = T0,
) -> OrderItem:
    return OrderItem(
        id=item_id,
        service_order_id=order,
        external_identifier=reference,
        unit_count=Decimal(count),
        amount=Amount(
            currency=currency,
            gross_value=Decimal(gross),
            net_value=Decimal(net if net is not None else gross),
        ),
        accounting_state=state,
        type=item_type,
        data=OrderItemData(discriminator="Rebate", rebate={"RebatedItemId": rebates})
        if rebates
        else None,
        created_utc=created,
        updated_utc=updated,
    )


def staff_rebate(item_id: str, of: str, gross: str, **more: Any) -> OrderItem:
    """A rebate made by Mews's staff in Mews: negative, naming the item it offsets."""
    return item(
        item_id, f"-{gross}", reference=None, rebates=of, item_type="ProductOrderRebate", **more
    )


def our_rebate(item_id: str, gross: str, **more: Any) -> OrderItem:
    """The publisher's negative item for a manager's cancel where Mews would not cancel."""
    return item(item_id, f"-{gross}", reference=REF + REBATE_SUFFIX, **more)


def read(the_charge: LedgerCharge, *items: OrderItem) -> Reading:
    found = MewsItems()
    found.add(items)
    return reading(the_charge, found)


def kinds(the_charge: LedgerCharge, *items: OrderItem) -> list[str]:
    return [m.kind for m in mismatches(the_charge, read(the_charge, *items))]


# --- reading ---------------------------------------------------------------------------


def test_an_open_item_as_posted_reads_open_with_its_figures_and_matches() -> None:
    posted = charge()
    got = read(posted, item("i-1", "160.00", count=2, updated=T0 + timedelta(minutes=3)))
    assert (got.state, got.item_ids, got.quantity, got.amount, got.currency) == (
        "open", ("i-1",), 2, Decimal("160.00"), "GBP",
    )  # fmt: skip
    assert (got.rebated, got.rebated_in_mews, got.bill_closed) == (0, 0, False)
    assert got.updated_utc == T0 + timedelta(minutes=3)
    assert mismatches(posted, got) == []


def test_the_amount_compared_is_net_in_a_net_pricing_hotel() -> None:
    net = charge(amount_is_gross=False, amount=Decimal("133.33"))
    got = read(net, item("i-1", "160.00", net="133.33", count=2))
    assert got.amount == Decimal("133.33")
    assert mismatches(net, got) == []


def test_items_split_over_several_lines_add_up_and_a_cancelled_line_does_not_count() -> None:
    posted = charge()
    got = read(
        posted,
        item("i-2", "80.00"),
        item("i-1", "80.00"),
        item("i-3", "80.00", state="Canceled"),
    )
    assert got.item_ids == ("i-1", "i-2", "i-3")
    assert (got.quantity, got.amount) == (2, Decimal("160.00"))
    assert mismatches(posted, got) == []


def test_an_item_on_a_closed_bill_reads_closed_the_guests_bill_paid() -> None:
    posted = charge()
    got = read(posted, item("i-1", "160.00", count=2, state="Closed"))
    assert (got.state, got.bill_closed) == ("closed", True)
    assert mismatches(posted, got) == []


def test_only_items_of_the_charges_own_order_are_its_items() -> None:
    # Our reference on an item in another order (copied by hand, say) is not this charge.
    got = read(charge(), item("i-9", "160.00", count=2, order="order-elsewhere"))
    assert (got.state, got.item_ids) == ("missing", ())


# --- every mismatch kind ---------------------------------------------------------------


def test_missing_in_mews() -> None:
    posted = charge()
    [found] = mismatches(posted, read(posted))
    assert (found.kind, found.charge_id, found.vendor_id, found.mews_order_id) == (
        "missing_in_mews", "c-1", "v-1", ORDER,
    )  # fmt: skip
    assert found.ours == "2 x 80.00 GBP (posted)"


def test_amount_differs_with_both_amounts() -> None:
    posted = charge()
    got = read(posted, item("i-1", "180.00", count=2))
    [found] = mismatches(posted, got)
    assert found.kind == "amount_differs"
    assert (found.our_amount, found.mews_amount) == (Decimal("160.00"), Decimal("180.00"))
    assert found.mews_order_item_ids == ("i-1",)
    assert found.mews == "2 items, 180.00 GBP (open)"


def test_quantity_differs() -> None:
    assert kinds(charge(), item("i-1", "160.00", count=3)) == ["quantity_differs"]


def test_currency_differs() -> None:
    assert kinds(charge(), item("i-1", "160.00", count=2, currency="EUR")) == ["currency_differs"]


def test_repriced_and_recounted_at_once_lists_both() -> None:
    assert kinds(charge(), item("i-1", "240.00", count=3)) == [
        "quantity_differs",
        "amount_differs",
    ]


def test_cancelled_in_mews_while_posted_here() -> None:
    posted = charge()
    got = read(posted, item("i-1", "160.00", count=2, state="Canceled"))
    assert (got.state, got.item_ids, got.amount, got.quantity) == ("canceled", ("i-1",), None, None)
    [found] = mismatches(posted, got)
    assert (found.kind, found.mews) == ("cancelled_in_mews", "canceled")


def test_a_charge_mews_would_not_cancel_is_still_expected_on_the_bill() -> None:
    failed = charge(state=ChargeState.CANCEL_FAILED)
    assert kinds(failed) == ["missing_in_mews"]
    assert kinds(failed, item("i-1", "160.00", count=2)) == []


def test_cancelled_in_mews_stays_reported_after_a_pass_recorded_it() -> None:
    recorded = charge(
        state=ChargeState.CANCELLED, cancel_method=CancellationMethod.CANCELLED_IN_MEWS.value
    )
    assert kinds(recorded, item("i-1", "160.00", count=2, state="Canceled")) == [
        "cancelled_in_mews"
    ]


def test_not_cancelled_in_mews_when_our_cancel_did_not_take_it_off() -> None:
    ours = charge(
        state=ChargeState.CANCELLED,
        cancel_method=CancellationMethod.ORDER_ITEMS_CANCELLED.value,
    )
    [found] = mismatches(ours, read(ours, item("i-1", "160.00", count=2)))
    assert found.kind == "not_cancelled_in_mews"
    assert found.mews == "open, 160.00 GBP less 0.00 rebated"
    # Taken off: cancelled, or offset in full by our rebate.
    assert kinds(ours, item("i-1", "160.00", count=2, state="Canceled")) == []
    rebated = charge(state=ChargeState.CANCELLED, cancel_method=CancellationMethod.REBATED.value)
    assert kinds(rebated, item("i-1", "160.00", count=2), our_rebate("r-1", "160.00")) == []
    # Offset in part only: still held.
    assert kinds(rebated, item("i-1", "160.00", count=2), our_rebate("r-1", "60.00")) == [
        "not_cancelled_in_mews"
    ]


def test_a_charge_before_or_while_being_cancelled_is_no_mismatch() -> None:
    for state in (ChargeState.CANCELLING, ChargeState.PENDING, ChargeState.FAILED):
        assert kinds(charge(state=state)) == []
        assert kinds(charge(state=state), item("i-1", "99.00")) == []
    # Cancelled here before it reached Mews: nothing to hold.
    never_sent = charge(
        state=ChargeState.CANCELLED, cancel_method=CancellationMethod.NOT_IN_MEWS.value
    )
    assert kinds(never_sent) == []


# --- rebates ---------------------------------------------------------------------------


def test_a_partial_rebate_in_mews_leaves_the_charge_on_the_bill_less_the_rebate() -> None:
    posted = charge()
    got = read(posted, item("i-1", "160.00", count=2), staff_rebate("r-1", "i-1", "20.00"))
    assert (got.state, got.amount, got.rebated, got.rebated_in_mews) == (
        "open", Decimal("160.00"), Decimal("20.00"), Decimal("20.00"),
    )  # fmt: skip
    [found] = mismatches(posted, got)
    assert found.kind == "rebated_in_mews"
    assert (found.our_amount, found.mews_amount) == (Decimal("160.00"), Decimal("140.00"))
    assert found.mews == "rebated 20.00 GBP"


def test_a_whole_rebate_in_mews_offsets_all_of_it() -> None:
    posted = charge()
    got = read(posted, item("i-1", "160.00", count=2), staff_rebate("r-1", "i-1", "160.00"))
    assert got.rebated == got.rebated_in_mews == got.amount == Decimal("160.00")
    [found] = mismatches(posted, got)
    assert (found.kind, found.mews_amount) == ("rebated_in_mews", Decimal("0.00"))
    # Recorded here as cancelled by that rebate: still reported, with what was taken off.
    recorded = charge(
        state=ChargeState.CANCELLED, cancel_method=CancellationMethod.REBATED_IN_MEWS.value
    )
    [again] = mismatches(recorded, got)
    assert (again.kind, again.mews) == ("rebated_in_mews", "rebated 160.00 GBP")


def test_rebates_of_several_items_add_up_and_a_cancelled_rebate_takes_nothing_off() -> None:
    got = read(
        charge(),
        item("i-1", "80.00"),
        item("i-2", "80.00"),
        staff_rebate("r-1", "i-1", "30.00"),
        staff_rebate("r-2", "i-2", "15.00", updated=T0 + timedelta(hours=2)),
        staff_rebate("r-3", "i-2", "50.00", state="Canceled"),
        staff_rebate("r-4", "i-other", "70.00"),  # of somebody else's item
    )
    assert (got.rebated, got.rebated_in_mews) == (Decimal("45.00"), Decimal("45.00"))
    # The newest change among the items and their rebates is the reading's version.
    assert got.updated_utc == T0 + timedelta(hours=2)


def test_our_own_rebate_takes_it_off_without_being_a_rebate_in_mews() -> None:
    posted = charge()
    got = read(posted, item("i-1", "160.00", count=2), our_rebate("r-1", "160.00"))
    assert (got.rebated, got.rebated_in_mews) == (Decimal("160.00"), Decimal(0))
    assert mismatches(posted, got) == []


def test_our_rebate_that_also_names_the_item_counts_once() -> None:
    # Mews's rebate path made ours: it carries our reference and names the item it offsets.
    ours = item(
        "r-1", "-160.00", reference=REF + REBATE_SUFFIX, rebates="i-1",
        item_type="ProductOrderRebate",
    )  # fmt: skip
    got = read(charge(), item("i-1", "160.00", count=2), ours)
    assert (got.rebated, got.rebated_in_mews) == (Decimal("160.00"), Decimal(0))


def test_a_rebate_left_after_its_item_was_cancelled_reads_cancelled_with_the_rebate() -> None:
    got = read(
        charge(),
        item("i-1", "160.00", count=2, state="Canceled"),
        staff_rebate("r-1", "i-1", "40.00"),
    )
    assert (got.state, got.rebated, got.rebated_in_mews) == (
        "canceled", Decimal("40.00"), Decimal("40.00"),
    )  # fmt: skip


# --- items of ours not in the ledger ---------------------------------------------------


def test_items_carrying_our_reference_are_named_by_charge_within_the_window() -> None:
    found = MewsItems()
    found.add(
        [
            item("i-1", "80.00", reference=f"{CHARGE_REFERENCE_PREFIX}c-7", order="o-7"),
            item("r-1", "-80.00", reference=f"{CHARGE_REFERENCE_PREFIX}c-7{REBATE_SUFFIX}",
                 order="o-7b"),
            item("i-2", "50.00", reference=f"{CHARGE_REFERENCE_PREFIX}c-8",
                 created=T0 - timedelta(days=2)),  # before the window
            item("i-3", "50.00", reference=f"{CHARGE_REFERENCE_PREFIX}c-9",
                 created=T0 + timedelta(days=1)),  # at its end: excluded
            item("i-4", "50.00", reference="another-system:42"),
            item("i-5", "50.00", reference=None),
        ]
    )  # fmt: skip
    named = referenced_charges(found, T0 - timedelta(days=1), T0 + timedelta(days=1))
    assert {cid: sorted(i.id for i in items) for cid, items in named.items()} == {
        "c-7": ["i-1", "r-1"]
    }
    [unknown] = unknown_in_ledger({"c-7": named["c-7"]})
    assert (unknown.kind, unknown.charge_id, unknown.mews_order_item_ids) == (
        "unknown_in_ledger", None, ("i-1", "r-1"),
    )  # fmt: skip
    assert unknown.ours == "not in the ledger"
    assert f"2 items with reference {CHARGE_REFERENCE_PREFIX}c-7" in (unknown.mews or "")


def test_unknown_items_are_listed_one_per_charge_in_charge_order() -> None:
    a = item("i-a", "10.00", reference=f"{CHARGE_REFERENCE_PREFIX}c-a", order="o-a")
    b = item("i-b", "10.00", reference=f"{CHARGE_REFERENCE_PREFIX}c-b", order="o-b")
    listed = unknown_in_ledger({"c-b": [b], "c-a": [a]})
    assert [m.mews_order_id for m in listed] == ["o-a", "o-b"]


# --- the digest: an unchanged charge is not commanded again ----------------------------


def test_the_first_reading_of_a_charge_is_commanded_with_its_digest_as_id() -> None:
    posted = charge()
    got = read(posted, item("i-1", "160.00", count=2, state="Canceled"))
    command = record_command("ent-1", posted, got, T0)
    assert command is not None
    assert command.command_id == f"charge-in-mews:c-1:{command.content_digest()}"
    assert (command.enterprise_id, command.charge_id, command.state) == (
        "ent-1", "c-1", "canceled",
    )  # fmt: skip
    assert (command.order_item_ids, command.issued_at) == (("i-1",), T0)


def test_a_reading_vendors_recorded_already_sends_nothing_whenever_it_is_read() -> None:
    posted = charge()
    first = record_command("ent-1", posted, read(posted, item("i-1", "160.00", count=2)), T0)
    assert first is not None
    recorded = charge(mews_digest=first.content_digest())
    # Read again an hour later: the same picture (the read time is not part of it).
    later = record_command(
        "ent-1", recorded, read(recorded, item("i-1", "160.00", count=2)), T0 + timedelta(hours=1)
    )
    assert later is None


@pytest.mark.parametrize(
    "changed",
    [
        pytest.param((item("i-1", "160.00", count=2, state="Canceled"),), id="cancelled"),
        pytest.param(
            (item("i-1", "160.00", count=2), staff_rebate("r-1", "i-1", "20.00")), id="rebated"
        ),
        pytest.param((item("i-1", "180.00", count=2),), id="repriced"),
        pytest.param((item("i-1", "160.00", count=2, state="Closed"),), id="bill closed"),
        pytest.param((), id="gone"),
    ],
)
def test_a_changed_reading_is_commanded_again_under_another_id(
    changed: tuple[OrderItem, ...],
) -> None:
    posted = charge()
    first = record_command("ent-1", posted, read(posted, item("i-1", "160.00", count=2)), T0)
    assert first is not None
    recorded = charge(mews_digest=first.content_digest())
    again = record_command("ent-1", recorded, read(recorded, *changed), T0)
    assert again is not None
    assert again.command_id != first.command_id
