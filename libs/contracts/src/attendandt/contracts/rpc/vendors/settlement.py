"""A vendor's settlement: its charges posted in a period, with totals per currency
(`settlement`)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import msgspec

from attendandt.contracts.base import Payload, RpcMethod
from attendandt.contracts.rpc.vendors.fields import AwareDatetime, Id
from attendandt.contracts.snapshots import ChargeState


class CurrencyTotal(msgspec.Struct, frozen=True, kw_only=True):
    currency: str
    amount: Decimal
    charges: int


class SettlementRequest(Payload, frozen=True, kw_only=True):
    """Posted charges of one vendor whose posting time is in [from_utc, to_utc)."""

    SCHEMA = "vendors.settlement_request"
    VERSION = 2
    vendor_id: Id
    from_utc: AwareDatetime
    to_utc: AwareDatetime


class SettlementLine(msgspec.Struct, frozen=True, kw_only=True):
    """One charge of the vendor posted in the period, whatever became of it since."""

    charge_id: str
    booking_id: str | None = None
    guest_id: str
    stay_id: str
    #: The service as the bill names it (the charge's description).
    service: str
    offering_id: str
    quantity: int
    unit_amount: Decimal
    #: quantity times unit_amount.
    total: Decimal
    currency: str
    state: ChargeState
    posted_at: datetime | None = None
    mews_order_id: str | None = None
    #: Whether the guest's bill holding the charge is paid (closed) in Mews, as the last
    #: reconciliation read it; None: not read yet.
    bill_paid: bool | None = None


class SettlementResponse(Payload, frozen=True, kw_only=True):
    SCHEMA = "vendors.settlement_response"
    vendor_id: str
    from_utc: datetime
    to_utc: datetime
    #: One line per currency, sorted by currency: the charges still posted.
    totals: tuple[CurrencyTotal, ...]
    #: Every charge posted in the period (also those cancelled since), by posting time.
    lines: tuple[SettlementLine, ...] = ()
    #: The vendor's property.
    enterprise_id: str | None = None


SETTLEMENT = RpcMethod("vendors", "settlement", SettlementRequest, SettlementResponse)
