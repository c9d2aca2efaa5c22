"""A vendor's settlement for a period as the caller may see it: vendors' lines with each
guest's name (asked of the guests service for the same caller, so a vendor user gets what
it may see of its own guests and nothing else), as JSON or as a CSV file.

A guest the guests service does not show the caller (or when it does not answer in time)
keeps its line with an empty name: settlement is vendors' ledger, the name is a courtesy.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
from datetime import datetime
from decimal import Decimal

import msgspec

from attendandt.contracts.caller import Caller
from attendandt.contracts.rpc import guests as guests_rpc
from attendandt.contracts.rpc import vendors as vendors_rpc
from attendandt.contracts.snapshots import ChargeState
from attendandt.gateway.backend import Backend
from attendandt.platform.rpc import RpcFailure, RpcTimeout

#: Guests asked at once, and how long one may take.
NAME_LOOKUPS = 8
NAME_TIMEOUT_S = 2.0
CSV_COLUMNS = (
    "posted_at",
    "guest",
    "service",
    "quantity",
    "unit_amount",
    "total",
    "currency",
    "state",
    "bill_paid",
    "mews_order_id",
    "charge_id",
    "booking_id",
)


class SettlementLine(msgspec.Struct, frozen=True, kw_only=True):
    charge_id: str
    booking_id: str | None = None
    guest_id: str
    #: The guest as the caller may see them ("" when not shown).
    guest_name: str
    stay_id: str
    service: str
    quantity: int
    unit_amount: Decimal
    total: Decimal
    currency: str
    state: ChargeState
    posted_at: datetime | None = None
    mews_order_id: str | None = None
    #: Whether the guest's bill is paid (closed) in Mews; null: not known yet.
    bill_paid: bool | None = None


class Settlement(msgspec.Struct, frozen=True, kw_only=True):
    vendor_id: str
    from_utc: datetime
    to_utc: datetime
    #: Per currency, the charges still posted.
    totals: list[vendors_rpc.CurrencyTotal]
    #: Every charge posted in the period, by posting time.
    lines: list[SettlementLine]


def _full_name(guest: guests_rpc.GuestView) -> str:
    return " ".join(part for part in (guest.first_name, guest.last_name) if part)


async def guest_names(
    backend: Backend, caller: Caller, enterprise_id: str, guest_ids: set[str]
) -> dict[str, str]:
    gate = asyncio.Semaphore(NAME_LOOKUPS)

    async def one(guest_id: str) -> tuple[str, str]:
        async with gate:
            try:
                detail = await backend.call(
                    guests_rpc.GET_GUEST,
                    guests_rpc.GetGuestRequest(
                        enterprise_id=enterprise_id,
                        guest_id=guest_id,
                        stays_limit=1,
                        timeline_limit=1,
                    ),
                    caller=caller,
                    timeout=NAME_TIMEOUT_S,
                )
            except (RpcFailure, RpcTimeout):
                return guest_id, ""
            return guest_id, _full_name(detail.guest)

    return dict(await asyncio.gather(*(one(g) for g in sorted(guest_ids))))


async def settlement_for(
    backend: Backend, caller: Caller, answer: vendors_rpc.SettlementResponse
) -> Settlement:
    guest_ids = {line.guest_id for line in answer.lines}
    names = (
        await guest_names(backend, caller, answer.enterprise_id, guest_ids)
        if answer.enterprise_id and guest_ids
        else {}
    )
    return Settlement(
        vendor_id=answer.vendor_id,
        from_utc=answer.from_utc,
        to_utc=answer.to_utc,
        totals=list(answer.totals),
        lines=[
            SettlementLine(
                charge_id=line.charge_id,
                booking_id=line.booking_id,
                guest_id=line.guest_id,
                guest_name=names.get(line.guest_id, ""),
                stay_id=line.stay_id,
                service=line.service,
                quantity=line.quantity,
                unit_amount=line.unit_amount,
                total=line.total,
                currency=line.currency,
                state=line.state,
                posted_at=line.posted_at,
                mews_order_id=line.mews_order_id,
                bill_paid=line.bill_paid,
            )
            for line in answer.lines
        ],
    )


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet runs a cell starting with = + - @ as a formula: a guest's name is data.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def to_csv(settlement: Settlement) -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for line in settlement.lines:
        paid = "" if line.bill_paid is None else ("yes" if line.bill_paid else "no")
        writer.writerow(
            [
                _cell(line.posted_at.isoformat() if line.posted_at else None),
                _cell(line.guest_name),
                _cell(line.service),
                _cell(line.quantity),
                _cell(line.unit_amount),
                _cell(line.total),
                _cell(line.currency),
                _cell(line.state.value),
                paid,
                _cell(line.mews_order_id),
                _cell(line.charge_id),
                _cell(line.booking_id),
            ]
        )
    return out.getvalue()


def csv_filename(settlement: Settlement) -> str:
    vendor = settlement.vendor_id if re.fullmatch(r"[A-Za-z0-9_-]+", settlement.vendor_id) else ""
    period = f"{settlement.from_utc:%Y%m%d}-{settlement.to_utc:%Y%m%d}"
    return f"settlement-{vendor}-{period}.csv" if vendor else f"settlement-{period}.csv"
