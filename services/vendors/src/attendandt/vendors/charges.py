"""Charges: what a guest is billed for a vendor's offering, made by staff or by a vendor
(`create_charge`) or by fulfilling a booking (`Bookings.fulfil_booking`). A charge the
billing rules (`billing`) let go is posted to Mews at once (`PostCharge` in the outbox);
else it is held for a manager (`billing_controls`). Also the vendor's settlement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from attendandt.contracts.caller import Caller
from attendandt.contracts.rpc import vendors as rpc
from attendandt.contracts.snapshots import ChargeState, StayState, UserRole
from attendandt.platform.rpc import Conflict, Invalid
from attendandt.vendors import access, billing, billing_controls, idempotency, validation
from attendandt.vendors.access import MANAGERS
from attendandt.vendors.core import Core, new_id
from attendandt.vendors.outgoing import charge_reference
from attendandt.vendors.records import ChargeRecord, OfferingRecord, StayRef
from attendandt.vendors.stays import CLOSED_STAYS_FOR_CHARGES, Stays
from attendandt.vendors.unit_of_work import UnitOfWork
from attendandt.vendors.views import charge_view, page_of, settlement_line


@dataclass(frozen=True)
class Charges:
    core: Core
    stays: Stays

    async def make(
        self,
        uow: UnitOfWork,
        *,
        offering: OfferingRecord,
        stay: StayRef,
        booking_id: str | None,
        guest_id: str,
        description: str,
        quantity: int,
        unit_amount: Decimal,
        consumed_at: datetime | None,
        notes: str | None,
        created_by: str,
        role: UserRole,
        booked: bool,
        agreed_unit_amount: Decimal,
    ) -> ChargeRecord:
        """A charge and its event in the caller's unit of work; with the order for Mews when
        the billing rules let it go (pending), else held for a manager (pending_approval)."""
        decision = await self._billing_decision(
            uow,
            offering=offering,
            stay=stay,
            role=role,
            booked=booked,
            agreed_unit_amount=agreed_unit_amount,
            unit_amount=unit_amount,
            quantity=quantity,
        )
        charge_id = new_id()
        assert stay.owner_mews_customer_id is not None
        charge = await uow.charges.insert_charge(
            {
                "id": charge_id,
                "enterprise_id": offering.enterprise_id,
                "vendor_id": offering.vendor_id,
                "offering_id": offering.id,
                "booking_id": booking_id,
                "guest_id": guest_id,
                "stay_id": stay.stay_id,
                "description": description,
                "quantity": quantity,
                "unit_amount": unit_amount,
                "currency": offering.currency,
                "amount": unit_amount * quantity,
                "tax_codes": list(offering.tax_codes),
                "amount_is_gross": offering.amount_is_gross,
                "mews_service_id": offering.mews_service_id,
                "mews_product_id": offering.mews_product_id,
                "accounting_category_id": offering.accounting_category_id,
                "mews_account_id": stay.owner_mews_customer_id,
                "mews_reservation_id": stay.mews_reservation_id,
                "consumed_at": consumed_at,
                "notes": notes,
                "reference": charge_reference(charge_id),
                "state": (
                    ChargeState.PENDING_APPROVAL if decision.needs_approval else ChargeState.PENDING
                ).value,
                "approval_reason": decision.approval_reason,
                "created_by": created_by,
                "created_at": self.core.clock(),
            }
        )
        await self.core.announce.charge(uow, charge, "created")
        if not decision.needs_approval:
            await self.core.announce.send_to_mews(uow, charge)
        return charge

    async def _billing_decision(
        self,
        uow: UnitOfWork,
        *,
        offering: OfferingRecord,
        stay: StayRef,
        role: UserRole,
        booked: bool,
        agreed_unit_amount: Decimal,
        unit_amount: Decimal,
        quantity: int,
    ) -> billing.Decision:
        """The billing rules (see `billing`) on this charge's facts; a refusal becomes the
        service error the caller sees (422 out of bounds, 409 because of the current state)."""
        # Charges of one vendor are decided one at a time: the daily total cannot be passed
        # by two charges made at once.
        await uow.charges.lock_vendor_charges(offering.vendor_id)
        now = self.core.clock()
        limits = await billing_controls.limits_of(uow, offering.enterprise_id)
        day_total = await uow.charges.vendor_total_since(
            offering.vendor_id,
            offering.currency,
            now - billing.DAY,
            excluded_states=(ChargeState.REJECTED.value, ChargeState.CANCELLED.value),
        )
        facts = billing.ChargeFacts(
            role=role,
            booked=booked,
            agreed_unit_amount=agreed_unit_amount,
            unit_amount=unit_amount,
            quantity=quantity,
            currency=offering.currency,
            stay_id=stay.stay_id,
            stay_state=StayState(stay.state),
            stay_end_utc=stay.end_utc,
            now=now,
            vendor_day_total=day_total,
        )
        try:
            return billing.decide(facts, limits)
        except billing.Refused as refused:
            raise (Conflict if refused.conflict else Invalid)(refused.detail) from None

    async def create_charge(
        self, request: rpc.CreateChargeRequest, caller: Caller
    ) -> rpc.ChargeResponse:
        return await self.stays.with_fresh_stay(
            lambda: self._create_charge(request, caller), caller
        )

    async def _create_charge(
        self, request: rpc.CreateChargeRequest, caller: Caller
    ) -> rpc.ChargeResponse:
        async with self.core.units() as uow:
            claimed = await idempotency.claim_key(uow.keys, caller.user_id, request, "charge")
            if isinstance(claimed, str):
                return rpc.ChargeResponse(
                    charge=charge_view(await access.charge(uow, caller, claimed))
                )
            offering = await access.offering(uow, caller, request.offering_id)
            if not offering.is_active:
                raise Conflict(f"offering {offering.id} is deactivated")
            stay = await self.stays.open_stay(
                uow,
                stay_id=request.stay_id,
                guest_id=request.guest_id,
                enterprise_id=offering.enterprise_id,
                closed=CLOSED_STAYS_FOR_CHARGES,
            )
            unit_amount = (
                offering.unit_price
                if request.unit_amount is None
                else validation.amount(request.unit_amount, "unit_amount")
            )
            charge = await self.make(
                uow,
                offering=offering,
                stay=stay,
                booking_id=None,
                guest_id=request.guest_id,
                description=validation.not_blank(
                    request.description or offering.name, "description"
                ),
                quantity=request.quantity,
                unit_amount=unit_amount,
                consumed_at=request.consumed_at or self.core.clock(),
                notes=validation.blank_to_none(request.notes),
                created_by=caller.user_id,
                role=caller.role,
                booked=False,
                agreed_unit_amount=offering.unit_price,
            )
            if claimed is not None:
                await uow.keys.made(claimed, charge.id)
            await uow.commit()
        return rpc.ChargeResponse(charge=charge_view(charge))

    async def get_charge(self, request: rpc.GetChargeRequest, caller: Caller) -> rpc.ChargeResponse:
        async with self.core.units() as uow:
            charge = await access.charge(uow, caller, request.charge_id)
        return rpc.ChargeResponse(charge=charge_view(charge))

    async def retry_charge(
        self, request: rpc.RetryChargeRequest, caller: Caller
    ) -> rpc.ChargeResponse:
        """Send a failed charge again, with the same reference, so the publisher can tell
        whether an earlier attempt reached Mews after all."""
        access.require(caller, MANAGERS, "retry charges")
        async with self.core.units() as uow:
            charge = await access.charge(uow, caller, request.charge_id, lock=True)
            if charge.state != ChargeState.FAILED:
                raise Conflict(
                    f"charge {charge.id} is {charge.state}: only a failed one is retried"
                )
            charge = await uow.charges.change_charge(
                charge.id,
                {
                    "state": ChargeState.PENDING.value,
                    "failure_reason": None,
                    "attempts": charge.attempts + 1,
                },
            )
            await self.core.announce.charge(uow, charge, "retried")
            await self.core.announce.send_to_mews(uow, charge)
            await uow.commit()
        return rpc.ChargeResponse(charge=charge_view(charge))

    async def list_charges(self, request: rpc.ListChargesRequest, caller: Caller) -> rpc.ChargePage:
        enterprise_ids = access.enterprises(caller, request.enterprise_id)
        filters = {
            "vendor_id": access.scope_filter(caller, request.vendor_id),
            "guest_id": request.guest_id,
            "stay_id": request.stay_id,
            "booking_id": request.booking_id,
            "state": request.state.value if request.state is not None else None,
        }
        async with self.core.units() as uow:
            page = await uow.charges.list_charges(
                enterprise_ids=enterprise_ids,
                filters=filters,
                limit=request.limit,
                offset=request.offset,
            )
        return page_of(rpc.ChargePage, charge_view, page, request.offset)

    async def settlement(
        self, request: rpc.SettlementRequest, caller: Caller
    ) -> rpc.SettlementResponse:
        if request.to_utc <= request.from_utc:
            raise Invalid("to_utc must be after from_utc")
        async with self.core.units() as uow:
            vendor = await access.vendor(uow, caller, request.vendor_id)
            rows = await uow.charges.settlement(request.vendor_id, request.from_utc, request.to_utc)
            lines = await uow.charges.settlement_lines(
                request.vendor_id, request.from_utc, request.to_utc
            )
        return rpc.SettlementResponse(
            vendor_id=request.vendor_id,
            from_utc=request.from_utc,
            to_utc=request.to_utc,
            totals=tuple(
                rpc.CurrencyTotal(currency=currency, amount=amount, charges=count)
                for currency, amount, count in rows
            ),
            lines=tuple(settlement_line(c) for c in lines),
            enterprise_id=vendor.enterprise_id,
        )
