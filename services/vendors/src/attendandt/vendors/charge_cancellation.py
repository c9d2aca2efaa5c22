"""A manager's cancellation of a charge (the rules are `cancellation`'s): at once when it
never reached Mews, else taken back from the guest's bill by the publisher. `cancelled` is
the one way a charge becomes cancelled (by a manager, by Mews's answer, or by a change made
in Mews, see `reconciliation`); a fulfilled booking's charge cancelled refunds the booking."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from attendandt.contracts.caller import Caller
from attendandt.contracts.commands import CancellationMethod, RecordChargeResult
from attendandt.contracts.rpc import vendors as rpc
from attendandt.contracts.snapshots import BookingState, ChargeState
from attendandt.platform.rpc import Conflict, Forbidden
from attendandt.vendors import access, cancellation, validation
from attendandt.vendors.bookings import may_become, move
from attendandt.vendors.core import Core
from attendandt.vendors.records import ChargeRecord
from attendandt.vendors.unit_of_work import UnitOfWork
from attendandt.vendors.views import charge_view

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChargeCancellations:
    core: Core

    async def cancel_charge(
        self, request: rpc.CancelChargeRequest, caller: Caller
    ) -> rpc.ChargeResponse:
        """Cancel a charge with the reason: at once when it never reached Mews, else taken
        back from the guest's bill by the publisher (cancelling, then cancelled or
        cancel_failed). Asking again while under way or done answers the charge as it is."""
        if not caller.can(rpc.CANCEL_CHARGES_PERMISSION):
            raise Forbidden(f"{caller.role.value} may not cancel charges")
        reason = validation.not_blank(request.reason, "reason")
        async with self.core.units() as uow:
            charge = await access.charge(uow, caller, request.charge_id, lock=True)
            try:
                step = cancellation.step_for(
                    ChargeState(charge.state), failure_permanent=charge.failure_permanent
                )
            except cancellation.NothingToCancel as refused:
                raise Conflict(
                    f"charge {charge.id} cannot be cancelled: {refused.detail}"
                ) from None
            if step is cancellation.Step.ANSWER_AS_IS:
                return rpc.ChargeResponse(charge=charge_view(charge))
            now = self.core.clock()
            asked: dict[str, Any] = {
                "cancel_reason": reason,
                "cancel_requested_by": caller.user_id,
                "cancel_requested_at": now,
                "cancel_failure_reason": None,
            }
            await uow.charges.add_billing_audit(
                enterprise_id=charge.enterprise_id,
                action="charge_cancel_requested",
                user_id=caller.user_id,
                at=now,
                charge_id=charge.id,
                detail=reason,
            )
            if step is cancellation.Step.CANCEL_WITHOUT_MEWS:
                charge = await self.cancelled(
                    uow,
                    charge,
                    asked,
                    CancellationMethod.NOT_IN_MEWS,
                    at=now,
                    actor=caller.user_id,
                )
            elif step is cancellation.Step.WAIT_FOR_POSTING:
                charge = await uow.charges.change_charge(
                    charge.id, {**asked, "state": ChargeState.CANCELLING.value}
                )
                await self.core.announce.charge(uow, charge, "cancelling")
            else:
                charge = await uow.charges.change_charge(
                    charge.id,
                    {
                        **asked,
                        "state": ChargeState.CANCELLING.value,
                        "cancel_attempts": charge.cancel_attempts + 1,
                    },
                )
                await self.core.announce.charge(uow, charge, "cancelling")
                await self.core.announce.take_back_from_mews(uow, charge)
            await uow.commit()
        log.info(
            "charge cancellation asked",
            extra={"charge_id": charge.id, "by": caller.user_id, "state": charge.state},
        )
        return rpc.ChargeResponse(charge=charge_view(charge))

    async def cancelled(
        self,
        uow: UnitOfWork,
        charge: ChargeRecord,
        changes: dict[str, Any],
        method: CancellationMethod,
        *,
        at: datetime,
        actor: str = cancellation.MEWS_ACTOR,
        event: str = "cancelled",
    ) -> ChargeRecord:
        """Cancelled for good: audited (`actor`: the manager when no Mews was needed),
        announced (`event`), and its booking (fulfilled) refunded."""
        charge = await uow.charges.change_charge(
            charge.id,
            {
                **changes,
                "state": ChargeState.CANCELLED.value,
                "cancelled_at": at,
                "cancel_method": method.value,
                "cancel_failure_reason": None,
            },
        )
        await uow.charges.add_billing_audit(
            enterprise_id=charge.enterprise_id,
            action="charge_cancelled",
            user_id=actor,
            at=at,
            charge_id=charge.id,
            detail=method.value,
        )
        await self.core.announce.charge(uow, charge, event)
        if charge.booking_id is not None:
            booking = await uow.bookings.get_booking(charge.booking_id, lock=True)
            if booking is not None and may_become(booking, BookingState.REFUNDED):
                await move(
                    self.core,
                    uow,
                    booking,
                    to=BookingState.REFUNDED,
                    reason=charge.cancel_reason,
                )
        return charge

    async def posting_answered_while_cancelling(
        self, uow: UnitOfWork, charge: ChargeRecord, command: RecordChargeResult
    ) -> None:
        """A manager cancelled the charge while it was being posted: now that Mews answered,
        take it back (posted, or maybe posted), or cancel it without Mews (refused for good)."""
        if command.posted:
            charge = await uow.charges.change_charge(
                charge.id,
                {
                    "mews_order_id": command.mews_order_id,
                    "posted_at": self.core.clock(),
                    "cancel_attempts": charge.cancel_attempts + 1,
                },
            )
            await self.core.announce.take_back_from_mews(uow, charge)
        elif command.permanent:
            await self.cancelled(
                uow,
                charge,
                {"failure_reason": command.failure_reason, "failure_permanent": True},
                CancellationMethod.NOT_IN_MEWS,
                at=self.core.clock(),
            )
        else:
            charge = await uow.charges.change_charge(
                charge.id,
                {
                    "failure_reason": command.failure_reason,
                    "cancel_attempts": charge.cancel_attempts + 1,
                },
            )
            await self.core.announce.take_back_from_mews(uow, charge)
