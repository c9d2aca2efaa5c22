"""A stay's bill on a real nats-server and Postgres: sync's command through the work queue,
last write wins per stay, and the read answered to the property's staff only."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from guests_support import ENT, OTHER_ENT, STAFF, T0, Running, eventually, stay, upsert_stay

from attendandt.contracts.bills import EXAMPLE_BILL, BillPayment, StayBillSnapshot
from attendandt.contracts.caller import Caller
from attendandt.contracts.commands import UPSERT_STAY_BILL, UpsertStayBill
from attendandt.contracts.rpc.guests import (
    BILL_READ,
    GET_STAY,
    STAY_BILL,
    GetStayRequest,
    StayBillRequest,
)
from attendandt.contracts.snapshots import UserRole
from attendandt.platform.rpc import RpcFailure, call

C = "guests-test"
DESK = Caller(
    user_id="u-desk",
    role=UserRole.FRONT_DESK,
    permissions=("guests:read", BILL_READ),
    enterprise_ids=(ENT,),
)
OTHER_DESK = Caller(
    user_id="u-desk-2",
    role=UserRole.FRONT_DESK,
    permissions=("guests:read", BILL_READ),
    enterprise_ids=(OTHER_ENT,),
)
VENDOR = Caller(
    user_id="u-spa",
    role=UserRole.VENDOR,
    permissions=("guests:read", BILL_READ),  # even if a table granted it
    enterprise_ids=(ENT,),
    vendor_id="v-1",
)
NO_BILLS = Caller(
    user_id="u-other", role=UserRole.FRONT_DESK, permissions=("guests:read",), enterprise_ids=(ENT,)
)


def bill_of(mews_id: str, updated: Any = T0, paid: str = "100.00") -> StayBillSnapshot:
    payment = msgspec.structs.replace(EXAMPLE_BILL.payments[0], amount=Decimal(paid))
    return msgspec.structs.replace(
        EXAMPLE_BILL,
        stay_mews_id=mews_id,
        mews_updated_utc=updated,
        payments=(payment,),
        total_paid=Decimal(paid),
        balance=EXAMPLE_BILL.total_charged - Decimal(paid),
    )


def command(bill: StayBillSnapshot, command_id: str, issued_at: Any = T0) -> UpsertStayBill:
    return UpsertStayBill(command_id=command_id, enterprise_id=ENT, issued_at=issued_at, bill=bill)


async def status_of(running: Running, request: StayBillRequest, who: Caller) -> int:
    with pytest.raises(RpcFailure) as failed:
        await call(running.nc, STAY_BILL, request, caller=who, timeout=5)
    return failed.value.error.status


async def test_a_stays_bill_arrives_by_command_and_is_read_by_its_staff(running: Running) -> None:
    service = running.app.service
    # The bill may be read before its stay arrives: it waits for it.
    await running.send(UPSERT_STAY_BILL.format(), command(bill_of("r-bill"), "bill-1"), "bill-1")
    await service.upsert_stay(upsert_stay(stay("r-bill")), consumer=C)
    stay_id = (
        await service.get_stay(GetStayRequest(enterprise_id=ENT, mews_id="r-bill"), STAFF)
    ).stay.stay_id
    request = StayBillRequest(enterprise_id=ENT, stay_id=stay_id)

    async def stored() -> Any:
        reply = await call(running.nc, STAY_BILL, request, caller=DESK, timeout=5)
        return reply if reply.bill is not None else None

    reply = await eventually(stored)
    assert reply.stay_mews_id == "r-bill"
    assert reply.bill.balance == Decimal("60.00")
    assert [(i.name, i.quantity, i.total_amount, i.ours) for i in reply.bill.items] == [
        ("Massage 60 min", 2, Decimal("160.00"), True)
    ]
    assert reply.bill.payments[0] == BillPayment(
        mews_id=EXAMPLE_BILL.payments[0].mews_id,
        amount=Decimal("100.00"),
        currency="GBP",
        state="Charged",
        type="CashPayment",
        bill_mews_id=EXAMPLE_BILL.bills[0].mews_id,
    )

    # A newer picture wins; an older one read later, or a repeat, changes nothing.
    later = T0 + timedelta(minutes=5)
    newer = command(bill_of("r-bill", later, paid="160.00"), "bill-2", later)
    assert await service.upsert_stay_bill(newer, consumer=C) is True
    older = command(bill_of("r-bill", T0, paid="10.00"), "bill-3", later + timedelta(minutes=1))
    assert await service.upsert_stay_bill(older, consumer=C) is False
    assert await service.upsert_stay_bill(newer, consumer=C) is False
    reply = await call(running.nc, STAY_BILL, request, caller=DESK, timeout=5)
    assert (reply.bill.total_paid, reply.bill.balance) == (Decimal("160.00"), Decimal("0.00"))

    # Another property's staff: not found; a vendor, or staff without the permission: refused.
    assert await status_of(running, request, OTHER_DESK) == 404
    assert await status_of(running, request, VENDOR) == 403
    assert await status_of(running, request, NO_BILLS) == 403
    unknown = StayBillRequest(enterprise_id=ENT, stay_id="not-a-stay")
    assert await status_of(running, unknown, DESK) == 404


async def test_a_stay_without_a_bill_yet_answers_none(running: Running) -> None:
    service = running.app.service
    await service.upsert_stay(upsert_stay(stay("r-nobill")), consumer=C)
    detail = await call(
        running.nc, GET_STAY, GetStayRequest(enterprise_id=ENT, mews_id="r-nobill"), caller=STAFF
    )
    reply = await call(
        running.nc,
        STAY_BILL,
        StayBillRequest(enterprise_id=ENT, stay_id=detail.stay.stay_id),
        caller=DESK,
        timeout=5,
    )
    assert (reply.bill, reply.synced_at) == (None, None)
