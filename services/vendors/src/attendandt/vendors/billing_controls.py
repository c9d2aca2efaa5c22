"""Billing controls: a property's limits (`billing.Limits`, kept per property, defaults
else) and a manager's decision on a charge the limits held (approve: posted to Mews;
reject). Each decision and change is audited; for those the gateway grants the billing
permissions."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from attendandt.contracts.caller import Caller
from attendandt.contracts.rpc import vendors as rpc
from attendandt.contracts.snapshots import ChargeState
from attendandt.platform.rpc import Conflict, Forbidden, Invalid, NotFound
from attendandt.vendors import access, billing, validation, views
from attendandt.vendors.core import Core
from attendandt.vendors.records import ChargeRecord
from attendandt.vendors.unit_of_work import UnitOfWork
from attendandt.vendors.validation import MAX_UNIT_AMOUNT
from attendandt.vendors.views import charge_view

log = logging.getLogger(__name__)


async def limits_of(uow: UnitOfWork, enterprise_id: str) -> billing.Limits:
    stored = await uow.charges.get_billing_settings(enterprise_id)
    if stored is None:
        return billing.DEFAULT_LIMITS
    return billing.Limits(
        max_charge_amount=stored.max_charge_amount,
        max_daily_amount_per_vendor=stored.max_daily_amount_per_vendor,
        checkout_grace_hours=stored.checkout_grace_hours,
    )


@dataclass(frozen=True)
class BillingControls:
    core: Core

    async def _held_charge(self, uow: UnitOfWork, caller: Caller, charge_id: str) -> ChargeRecord:
        """The charge a manager decides on, locked; another property's is not found."""
        if not caller.can(rpc.APPROVE_CHARGES_PERMISSION):
            raise Forbidden(f"{caller.role.value} may not approve or reject charges")
        return await access.charge(uow, caller, charge_id, lock=True)

    async def approve_charge(
        self, request: rpc.ApproveChargeRequest, caller: Caller
    ) -> rpc.ChargeResponse:
        """Send a held charge to Mews. Two managers approving at once: the row lock makes the
        second wait and then find it approved, and the update is conditional on the state as
        well, so exactly one PostCharge is queued; approving again answers the charge as is."""
        async with self.core.units() as uow:
            charge = await self._held_charge(uow, caller, request.charge_id)
            if charge.state != ChargeState.PENDING_APPROVAL:
                if charge.approved_by is not None:
                    return rpc.ChargeResponse(charge=charge_view(charge))
                raise Conflict(
                    f"charge {charge.id} is {charge.state}: only a charge pending approval "
                    "can be approved"
                )
            now = self.core.clock()
            decided = await self._decide(
                uow,
                caller,
                charge,
                "approved",
                {
                    "state": ChargeState.PENDING.value,
                    "approved_by": caller.user_id,
                    "approved_at": now,
                },
                at=now,
                detail=charge.approval_reason,
            )
            await self.core.announce.send_to_mews(uow, decided)
            await uow.commit()
        log.info(
            "charge approved",
            extra={"charge_id": decided.id, "approved_by": caller.user_id},
        )
        return rpc.ChargeResponse(charge=charge_view(decided))

    async def reject_charge(
        self, request: rpc.RejectChargeRequest, caller: Caller
    ) -> rpc.ChargeResponse:
        reason = validation.not_blank(request.reason, "reason")
        async with self.core.units() as uow:
            charge = await self._held_charge(uow, caller, request.charge_id)
            if charge.state != ChargeState.PENDING_APPROVAL:
                if charge.state == ChargeState.REJECTED:
                    return rpc.ChargeResponse(charge=charge_view(charge))
                raise Conflict(
                    f"charge {charge.id} is {charge.state}: only a charge pending approval "
                    "can be rejected"
                )
            now = self.core.clock()
            decided = await self._decide(
                uow,
                caller,
                charge,
                "rejected",
                {
                    "state": ChargeState.REJECTED.value,
                    "rejected_by": caller.user_id,
                    "rejected_at": now,
                    "rejection_reason": reason,
                },
                at=now,
                detail=reason,
            )
            await uow.commit()
        return rpc.ChargeResponse(charge=charge_view(decided))

    async def _decide(
        self,
        uow: UnitOfWork,
        caller: Caller,
        charge: ChargeRecord,
        verb: str,
        changes: dict[str, Any],
        *,
        at: datetime,
        detail: str | None,
    ) -> ChargeRecord:
        """A manager's decision on a held charge: applied only while it is still held (the
        update is conditional on the state), audited and announced in the same transaction."""
        decided = await uow.charges.decide_charge(
            charge.id, from_state=ChargeState.PENDING_APPROVAL.value, changes=changes
        )
        if decided is None:  # decided by someone else between the read and the update
            raise Conflict(f"charge {charge.id} was decided by someone else meanwhile")
        await uow.charges.add_billing_audit(
            enterprise_id=decided.enterprise_id,
            action=f"charge_{verb}",
            user_id=caller.user_id,
            at=at,
            charge_id=decided.id,
            detail=detail,
        )
        await self.core.announce.charge(uow, decided, verb)
        return decided

    def _settings_enterprise(self, caller: Caller, requested: str | None) -> str:
        if not caller.can(rpc.BILLING_SETTINGS_PERMISSION):
            raise Forbidden(f"{caller.role.value} may not see or change billing settings")
        if requested is None:
            if caller.enterprise_ids is None or len(caller.enterprise_ids) != 1:
                raise Invalid("enterprise_id is required for a user of several properties")
            return caller.enterprise_ids[0]
        enterprise_id = validation.enterprise(requested)
        if not caller.may_act_for(enterprise_id):
            raise NotFound(f"property {enterprise_id} not found")
        return enterprise_id

    async def get_billing_settings(
        self, request: rpc.GetBillingSettingsRequest, caller: Caller
    ) -> rpc.BillingSettingsResponse:
        enterprise_id = self._settings_enterprise(caller, request.enterprise_id)
        async with self.core.units() as uow:
            stored = await uow.charges.get_billing_settings(enterprise_id)
        return views.settings_response(enterprise_id, stored)

    async def update_billing_settings(
        self, request: rpc.UpdateBillingSettingsRequest, caller: Caller
    ) -> rpc.BillingSettingsResponse:
        enterprise_id = self._settings_enterprise(caller, request.enterprise_id)
        wanted = validation.set_fields(
            request,
            ("max_charge_amount", "max_daily_amount_per_vendor", "checkout_grace_hours"),
        )
        async with self.core.units() as uow:
            current = await limits_of(uow, enterprise_id)
            limits = billing.Limits(**{**current.__dict__, **wanted})
            try:
                billing.validate_limits(limits, MAX_UNIT_AMOUNT)
            except ValueError as exc:
                raise Invalid(str(exc)) from None
            now = self.core.clock()
            stored = await uow.charges.put_billing_settings(
                {
                    "enterprise_id": enterprise_id,
                    "max_charge_amount": limits.max_charge_amount,
                    "max_daily_amount_per_vendor": limits.max_daily_amount_per_vendor,
                    "checkout_grace_hours": limits.checkout_grace_hours,
                    "updated_by": caller.user_id,
                    "updated_at": now,
                }
            )
            await uow.charges.add_billing_audit(
                enterprise_id=enterprise_id,
                action="billing_settings_changed",
                user_id=caller.user_id,
                at=now,
                detail=(
                    f"max_charge_amount={limits.max_charge_amount} "
                    f"max_daily_amount_per_vendor={limits.max_daily_amount_per_vendor} "
                    f"checkout_grace_hours={limits.checkout_grace_hours}"
                ),
            )
            await uow.commit()
        return views.settings_response(enterprise_id, stored)
