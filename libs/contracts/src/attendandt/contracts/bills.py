"""A stay's bill as Mews keeps it: the order items charged to the stay, its bills and the
payments taken for it. Sync reads them (`orderItems/getAll`, `bills/getAll`,
`payments/getAll`) and commands the whole picture per stay (`UpsertStayBill`); guests keeps
the newest and answers it to hotel staff (`rpc.v1.guests.stay_bill`).

Amounts are Mews's gross values (with tax: what the guest's bill shows) as Decimal, in the
item's currency. Mews reports payments as negative amounts; here a payment's `amount` is what
was received (positive), and `balance` is what the guest still owes: the items that count
(not `Canceled`, not `Inactive`) less the payments that were charged (`Charged`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from attendandt.contracts.snapshots import Snapshot

#: Our charges' ExternalIdentifier starts so (`attendandt:charge:<charge id>`, a rebate of
#: one adds `:rebate`): how an item on a guest's bill is known to be ours.
CHARGE_REFERENCE_PREFIX = "attendandt:charge:"

#: Mews order item accounting states that do not count towards what a guest owes.
NOT_OWED_ITEM_STATES = frozenset({"Canceled", "Inactive"})
#: Mews payment states of money actually received.
RECEIVED_PAYMENT_STATES = frozenset({"Charged"})


class BillItem(Snapshot, frozen=True, kw_only=True):
    """One order item charged to the stay (Mews `OrderItem`)."""

    mews_id: str
    name: str
    quantity: Decimal
    unit_amount: Decimal | None = None
    total_amount: Decimal
    currency: str
    #: Mews accounting state verbatim: Open, Closed, Inactive, Canceled (not exhaustive).
    state: str
    #: Posted by us (its ExternalIdentifier is one of our charge references).
    ours: bool = False
    #: Our charge's id when the item is ours.
    charge_id: str | None = None
    bill_mews_id: str | None = None
    consumed_utc: datetime | None = None


class BillPayment(Snapshot, frozen=True, kw_only=True):
    """One payment taken for the stay (Mews `Payment`); `amount` is positive when received."""

    mews_id: str
    amount: Decimal
    currency: str
    #: Mews payment state verbatim: Charged, Canceled, Pending, Failed, Verifying.
    state: str
    #: Mews payment type verbatim, e.g. CashPayment, CreditCardPayment.
    type: str | None = None
    bill_mews_id: str | None = None
    charged_utc: datetime | None = None


class BillSummary(Snapshot, frozen=True, kw_only=True):
    """One Mews bill the stay's items or payments are on."""

    mews_id: str
    #: Open (the guest's running account) or Closed (settled, at check-out).
    state: str
    number: str | None = None
    closed_utc: datetime | None = None


class StayBillSnapshot(Snapshot, frozen=True, kw_only=True):
    """Everything charged and paid for one stay (Mews reservation `stay_mews_id`).

    `mews_updated_utc` is the newest UpdatedUtc among the stay's reservation, items, payments
    and bills: the version last-write-wins orders snapshots by (with the content digest)."""

    stay_mews_id: str
    mews_updated_utc: datetime
    #: The currency of the amounts (the hotel's); None while nothing was charged or paid.
    currency: str | None = None
    items: tuple[BillItem, ...] = ()
    payments: tuple[BillPayment, ...] = ()
    bills: tuple[BillSummary, ...] = ()
    total_charged: Decimal = Decimal(0)
    total_paid: Decimal = Decimal(0)
    balance: Decimal = Decimal(0)


EXAMPLE_BILL = StayBillSnapshot(
    stay_mews_id="bfee2c44-1f84-4326-a862-5289598f6e2d",
    mews_updated_utc=datetime(2026, 11, 25, 12, 30, tzinfo=UTC),
    currency="GBP",
    items=(
        BillItem(
            mews_id="9e6d4492-315b-4089-b9d6-5b1bd2eddc1b",
            name="Massage 60 min",
            quantity=Decimal(2),
            unit_amount=Decimal("80.00"),
            total_amount=Decimal("160.00"),
            currency="GBP",
            state="Open",
            ours=True,
            charge_id="c-1",
            bill_mews_id="ea087d64-3901-4eee-b0b7-9fce4c58a005",
        ),
    ),
    payments=(
        BillPayment(
            mews_id="f6313945-94c1-4e27-b402-031c2a8c989f",
            amount=Decimal("100.00"),
            currency="GBP",
            state="Charged",
            type="CashPayment",
            bill_mews_id="ea087d64-3901-4eee-b0b7-9fce4c58a005",
        ),
    ),
    bills=(BillSummary(mews_id="ea087d64-3901-4eee-b0b7-9fce4c58a005", state="Open"),),
    total_charged=Decimal("160.00"),
    total_paid=Decimal("100.00"),
    balance=Decimal("60.00"),
)
