"""The bodies of the billing controls: rejecting or cancelling a charge, a property's billing
settings."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import msgspec
from msgspec import UNSET, UnsetType

from attendandt.gateway.schemas.base import Body, Id, Text


class ChargeRejection(Body, frozen=True, kw_only=True):
    reason: Text


class ChargeCancellation(Body, frozen=True, kw_only=True):
    #: Why (recorded and audited; never on the guest's bill).
    reason: Text


class BillingSettingsUpdate(Body, frozen=True, kw_only=True):
    """Fields left out keep their value. Amounts are in the hotel's currency."""

    enterprise_id: Id | None = None
    max_charge_amount: Decimal | UnsetType = UNSET
    max_daily_amount_per_vendor: Decimal | UnsetType = UNSET
    checkout_grace_hours: Annotated[int, msgspec.Meta(ge=0, le=720)] | UnsetType = UNSET
