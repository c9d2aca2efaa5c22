"""Billing controls: a manager approves or rejects a charge held for approval, cancels a
charge (takes it off the guest's bill), and reads or changes the property's caps and
check-out grace period. The vendors service is called for
the authenticated caller (the `Attendandt-Caller` header), which it scopes by property: a
charge of another property is not found (404)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Router, get, patch, post
from litestar.params import JSONBody, PathParameter, QueryParameter
from litestar.status_codes import HTTP_200_OK

from attendandt.contracts.rpc import vendors as rpc
from attendandt.gateway.permissions import Permission
from attendandt.gateway.routes.common import BackendDep, caller, needs
from attendandt.gateway.schemas.billing import (
    BillingSettingsUpdate,
    ChargeCancellation,
    ChargeRejection,
)

IdPath = Annotated[str, PathParameter(min_length=1, max_length=100)]
IdQuery = Annotated[str | None, QueryParameter(min_length=1, max_length=100)]
Req = Request[Any, Any, Any]

P = Permission


@post("/charges/{charge_id:str}/approve", status_code=HTTP_200_OK, **needs(P.CHARGES_APPROVE))
async def approve_charge(request: Req, charge_id: IdPath, backend: BackendDep) -> rpc.ChargeView:
    """Send a charge held for approval to the guest's Mews bill. Approving it again (a double
    click, two managers at once) changes nothing and answers the charge."""
    reply = await backend.call(
        rpc.APPROVE_CHARGE,
        rpc.ApproveChargeRequest(charge_id=charge_id),
        caller=caller(request),
    )
    return reply.charge


@post("/charges/{charge_id:str}/reject", status_code=HTTP_200_OK, **needs(P.CHARGES_APPROVE))
async def reject_charge(
    *, request: Req, charge_id: IdPath, data: JSONBody[ChargeRejection], backend: BackendDep
) -> rpc.ChargeView:
    """Refuse a charge held for approval, with the reason the vendor will see; it never
    reaches Mews."""
    reply = await backend.call(
        rpc.REJECT_CHARGE,
        rpc.RejectChargeRequest(charge_id=charge_id, reason=data.reason),
        caller=caller(request),
    )
    return reply.charge


@post("/charges/{charge_id:str}/cancel", status_code=HTTP_200_OK, **needs(P.CHARGES_CANCEL))
async def cancel_charge(
    *, request: Req, charge_id: IdPath, data: JSONBody[ChargeCancellation], backend: BackendDep
) -> rpc.ChargeView:
    """Cancel a charge, with the reason (recorded and audited, never on the guest's bill).
    One that never reached Mews is cancelled at once; a posted one becomes `cancelling` and
    is taken off the guest's Mews bill once (its order items cancelled, or offset by a
    rebate where Mews will not cancel them), then `cancelled`, or `cancel_failed` with the
    reason (cancel again to retry). A fulfilled booking whose charge is cancelled is
    refunded. Asking again while under way or done answers the charge as it is; a rejected
    charge has nothing to cancel (409)."""
    reply = await backend.call(
        rpc.CANCEL_CHARGE,
        rpc.CancelChargeRequest(charge_id=charge_id, reason=data.reason),
        caller=caller(request),
    )
    return reply.charge


@get("/billing-settings", **needs(P.BILLING_SETTINGS))
async def get_billing_settings(
    *, request: Req, backend: BackendDep, enterprise_id: IdQuery = None
) -> rpc.BillingSettingsResponse:
    """The property's caps per charge and per vendor per day, and the check-out grace
    period (the defaults until a manager changes them)."""
    return await backend.call(
        rpc.GET_BILLING_SETTINGS,
        rpc.GetBillingSettingsRequest(enterprise_id=enterprise_id),
        caller=caller(request),
    )


@patch("/billing-settings", **needs(P.BILLING_SETTINGS))
async def update_billing_settings(
    *, request: Req, data: JSONBody[BillingSettingsUpdate], backend: BackendDep
) -> rpc.BillingSettingsResponse:
    return await backend.call(
        rpc.UPDATE_BILLING_SETTINGS,
        rpc.UpdateBillingSettingsRequest(
            enterprise_id=data.enterprise_id,
            max_charge_amount=data.max_charge_amount,
            max_daily_amount_per_vendor=data.max_daily_amount_per_vendor,
            checkout_grace_hours=data.checkout_grace_hours,
        ),
        caller=caller(request),
    )


billing_router = Router(
    path="/",
    route_handlers=[
        approve_charge,
        reject_charge,
        cancel_charge,
        get_billing_settings,
        update_billing_settings,
    ],
    tags=["billing"],
)
