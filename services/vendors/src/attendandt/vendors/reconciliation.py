"""Posted charges against Mews: the ledger sync's reconciliation reads, and what it found.

- `posted_charges` (`rpc.v1.vendors.posted_charges`, sync on no user's behalf): the
  property's charges that reached Mews, by id, with the Mews services its offerings post to.
- `record_charge_in_mews` (`cmd.v1.vendors.record_charge_in_mews`, once per command id):
  what Mews holds of a charge, last write wins on the Mews version. A posted charge (or one
  whose cancellation failed) that Mews's staff cancelled becomes cancelled
  (`charge.cancelled`); one they offset with rebates announces `charge.rebated`, and is
  cancelled when offset in full. A charge being cancelled here is left to the publisher's
  answer; either way what Mews holds is kept (the bill's state is what settlement shows).

Plain Python over the repository, like `service`.
"""

from __future__ import annotations

from decimal import Decimal

from attendandt.contracts.commands import CancellationMethod, RecordChargeInMews
from attendandt.contracts.rpc import vendors as rpc
from attendandt.contracts.snapshots import ChargeState
from attendandt.platform.consumer import Rejected
from attendandt.platform.rpc import Invalid
from attendandt.vendors import validation
from attendandt.vendors.inbound import charge_commanded
from attendandt.vendors.records import ChargeRecord
from attendandt.vendors.service import VendorsService
from attendandt.vendors.unit_of_work import UnitOfWork

RECORD_CHARGE_IN_MEWS_CONSUMER = "vendors-record-charge-in-mews"
#: Who the audit names for a change made by Mews's staff in Mews.
MEWS_STAFF = "mews"
#: Charges whose state a change made in Mews moves: those on the bill as far as we know.
ON_THE_BILL = (ChargeState.POSTED, ChargeState.CANCEL_FAILED)


def ledger_charge(c: ChargeRecord) -> rpc.LedgerCharge:
    assert c.mews_order_id is not None
    return rpc.LedgerCharge(
        charge_id=c.id,
        vendor_id=c.vendor_id,
        reference=c.reference,
        mews_order_id=c.mews_order_id,
        mews_service_id=c.mews_service_id,
        quantity=c.quantity,
        unit_amount=c.unit_amount,
        amount=c.amount,
        currency=c.currency,
        amount_is_gross=c.amount_is_gross,
        state=ChargeState(c.state),
        posted_at=c.posted_at,
        cancel_method=c.cancel_method,
        mews_digest=c.mews_digest,
    )


def _older(c: ChargeRecord, command: RecordChargeInMews) -> bool:
    """Whether `command` holds an older (or the same) reading than the one recorded."""
    if c.mews_read_at is None:
        return False
    ours, theirs = c.mews_updated_utc, command.mews_updated_utc
    if ours is not None and theirs is not None and ours != theirs:
        return theirs < ours
    # Same Mews version (Mews stamps whole seconds) or none: the later reading wins.
    return command.issued_at <= c.mews_read_at


class ChargesInMews:
    """Shares the vendors service's database, clock and charge announcements."""

    def __init__(self, vendors: VendorsService) -> None:
        self.vendors = vendors

    async def posted_charges(self, request: rpc.PostedChargesRequest) -> rpc.PostedCharges:
        enterprise_id = validation.enterprise(request.enterprise_id)
        if request.to_utc <= request.from_utc:
            raise Invalid("to_utc must be after from_utc")
        async with self.vendors.units() as uow:
            rows = await uow.charges.ledger(
                enterprise_id,
                from_utc=request.from_utc,
                to_utc=request.to_utc,
                charge_ids=request.charge_ids,
                after=request.after,
                limit=request.limit,
            )
            services = await uow.charges.offering_service_ids(enterprise_id)
        return rpc.PostedCharges(
            items=tuple(ledger_charge(c) for c in rows),
            next_after=rows[-1].id if len(rows) == request.limit else None,
            service_ids=tuple(services),
        )

    async def record_charge_in_mews(self, command: RecordChargeInMews) -> None:
        async with self.vendors.units() as uow:
            await self._record_charge_in_mews(uow, command)
            await uow.commit()

    async def _record_charge_in_mews(self, uow: UnitOfWork, command: RecordChargeInMews) -> None:
        vendors = self.vendors
        charge = await charge_commanded(uow, RECORD_CHARGE_IN_MEWS_CONSUMER, command)
        if charge is None:
            return
        if charge.mews_order_id is None:
            raise Rejected(f"charge {command.charge_id} has not reached Mews")
        digest = command.content_digest()
        if _older(charge, command) or charge.mews_digest == digest:
            return
        rebated_before = charge.mews_rebated_amount or Decimal(0)
        changes = {
            "mews_order_item_ids": list(command.order_item_ids),
            "mews_state": command.state,
            "mews_quantity": command.quantity,
            "mews_amount": command.amount,
            "mews_currency": command.currency,
            "mews_rebated_amount": command.rebated_amount,
            "mews_bill_closed": command.bill_closed,
            "mews_updated_utc": command.mews_updated_utc,
            "mews_read_at": command.issued_at,
            "mews_digest": digest,
        }
        state = ChargeState(charge.state)
        rebated_more = command.rebated_amount > rebated_before
        on_the_bill = state in ON_THE_BILL
        now = vendors.clock()
        if on_the_bill and command.state == "canceled":
            await vendors.cancellations.cancelled(
                uow,
                charge,
                changes,
                CancellationMethod.CANCELLED_IN_MEWS,
                at=now,
                actor=MEWS_STAFF,
            )
            return
        offset_in_full = command.amount is not None and command.rebated_amount >= command.amount
        if on_the_bill and rebated_more and offset_in_full:
            await vendors.cancellations.cancelled(
                uow,
                charge,
                changes,
                CancellationMethod.REBATED_IN_MEWS,
                at=now,
                actor=MEWS_STAFF,
                event="rebated",
            )
            return
        charge = await uow.charges.change_charge(charge.id, changes)
        if rebated_more and state is not ChargeState.CANCELLED:
            await uow.charges.add_billing_audit(
                enterprise_id=charge.enterprise_id,
                action="charge_rebated",
                user_id=MEWS_STAFF,
                at=now,
                charge_id=charge.id,
                detail=f"{command.rebated_amount} {charge.currency} rebated in Mews",
            )
            await vendors.core.announce.charge(uow, charge, "rebated")
