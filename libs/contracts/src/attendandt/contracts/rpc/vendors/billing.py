"""Billing controls: a manager approves, rejects or cancels a charge, and sets a property's caps
and grace period. These requests carry no `actor`: the caller travels in the Attendandt-Caller
header (`platform.rpc.answer_for_caller`)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

import msgspec
from msgspec import UNSET, UnsetType

from attendandt.contracts.base import Payload, RpcMethod
from attendandt.contracts.rpc.vendors.charges import ChargeResponse
from attendandt.contracts.rpc.vendors.fields import Id, Text

#: What the gateway's permission table grants to approve or reject a held charge, and to
#: read and change a property's billing settings (caps, grace period).
APPROVE_CHARGES_PERMISSION = "charges:approve"
BILLING_SETTINGS_PERMISSION = "billing:settings"
#: What the gateway's permission table grants to cancel a charge (undo it on the guest's bill).
CANCEL_CHARGES_PERMISSION = "charges:cancel"

GraceHours = Annotated[int, msgspec.Meta(ge=0, le=720)]


class ApproveChargeRequest(Payload, frozen=True, kw_only=True):
    """A manager of the charge's property approves a held charge: it is sent to Mews.
    Approving an approved charge again changes nothing."""

    SCHEMA = "vendors.approve_charge_request"
    charge_id: Id


class RejectChargeRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.reject_charge_request"
    charge_id: Id
    reason: Text


class CancelChargeRequest(Payload, frozen=True, kw_only=True):
    """A manager of the charge's property cancels it, with the reason (recorded and audited,
    never put on the guest's bill). A posted charge is taken off the guest's Mews bill once
    (state cancelling, then cancelled or cancel_failed); one not posted yet is cancelled
    without Mews (one being posted waits for the answer first). Cancelling a fulfilled
    booking's charge refunds the booking. Cancelling again while under way or done answers
    the charge as it is; after cancel_failed it tries again."""

    SCHEMA = "vendors.cancel_charge_request"
    charge_id: Id
    reason: Text


class GetBillingSettingsRequest(Payload, frozen=True, kw_only=True):
    """A property's caps and grace period; `enterprise_id` defaults to the caller's one."""

    SCHEMA = "vendors.get_billing_settings_request"
    enterprise_id: Id | None = None


class UpdateBillingSettingsRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.update_billing_settings_request"
    enterprise_id: Id | None = None
    #: The largest amount one charge may have (quantity x unit amount), in the hotel's currency.
    max_charge_amount: Decimal | UnsetType = UNSET
    #: The most one vendor's charges may add up to within 24 hours.
    max_daily_amount_per_vendor: Decimal | UnsetType = UNSET
    #: How long after check-out a vendor may still charge a stay.
    checkout_grace_hours: GraceHours | UnsetType = UNSET


class BillingSettingsResponse(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.billing_settings_response"
    enterprise_id: str
    max_charge_amount: Decimal
    max_daily_amount_per_vendor: Decimal
    checkout_grace_hours: int
    #: True while the property still uses the defaults (nobody changed them).
    is_default: bool
    updated_by: str | None = None
    updated_at: datetime | None = None
    version: int = 0


APPROVE_CHARGE = RpcMethod("vendors", "approve_charge", ApproveChargeRequest, ChargeResponse)
REJECT_CHARGE = RpcMethod("vendors", "reject_charge", RejectChargeRequest, ChargeResponse)
CANCEL_CHARGE = RpcMethod("vendors", "cancel_charge", CancelChargeRequest, ChargeResponse)
GET_BILLING_SETTINGS = RpcMethod(
    "vendors", "get_billing_settings", GetBillingSettingsRequest, BillingSettingsResponse
)
UPDATE_BILLING_SETTINGS = RpcMethod(
    "vendors", "update_billing_settings", UpdateBillingSettingsRequest, BillingSettingsResponse
)
