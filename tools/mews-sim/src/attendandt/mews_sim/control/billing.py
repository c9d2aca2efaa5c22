"""Staff actions on what is billed: list, cancel, rebate and correct order items; close bills."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from litestar import Request, get, post

from attendandt.mews_sim import hotel
from attendandt.mews_sim.control.common import Json, body_of, enterprise_of, find, state_of
from attendandt.mews_sim.errors import invalid
from attendandt.mews_sim.params import Params

ORDER_ITEM_SUMMARY = (
    "Id",
    "ServiceOrderId",
    "AccountId",
    "ServiceId",
    "BillId",
    "ExternalIdentifier",
    "UnitCount",
    "AccountingState",
    "CreatedUtc",
)


@get("/order-items")
async def order_item_list(
    request: Request[Any, Any, Any], enterprise_id: str | None = None
) -> Json:
    """Every order item of an enterprise in brief (what is on its bills), unpaged and not
    rate limited: what a test or benchmark needs to count how often a charge was posted."""
    state = state_of(request)
    wanted = enterprise_of(state, Params({"enterprise_id": enterprise_id}))
    items = [
        {name: item.get(name) for name in ORDER_ITEM_SUMMARY}
        for item in state.store.order_items.of([wanted])
    ]
    return {"enterprise_id": wanted, "order_items": items}


@post("/order-items/{item_id:str}/cancel", status_code=200)
async def order_item_cancel(request: Request[Any, Any, Any], item_id: str) -> Json:
    """Cancel a posted item as Mews's staff would in Mews (no Connector grant needed; a
    closed bill's item cannot be canceled: 403, rebate it instead)."""
    state = state_of(request)
    item = find(state, "order_items", item_id)
    hotel.cancel_order_items(state.store, [item])
    return item


@post("/order-items/{item_id:str}/rebate", status_code=200)
async def order_item_rebate(request: Request[Any, Any, Any], item_id: str) -> Json:
    """Offset a posted item as Mews's staff would: a rebate item naming it. Body:
    `{"gross_value": 20}` takes that much off (default: the whole item). Returns the rebate."""
    state = state_of(request)
    p = await body_of(request)
    item = find(state, "order_items", item_id)
    raw = p.body.get("gross_value")
    gross = _decimal_or_none(raw, "gross_value")
    return hotel.rebate_order_item(state.store, item, gross)


@post("/order-items/{item_id:str}/amount", status_code=200)
async def order_item_amount(request: Request[Any, Any, Any], item_id: str) -> Json:
    """Change a posted item's unit price (`unit_gross_value`) or count (`unit_count`) as
    Mews's staff might: a mismatch with our ledger, planted."""
    state = state_of(request)
    p = await body_of(request)
    item = find(state, "order_items", item_id)
    gross = _decimal_or_none(p.body.get("unit_gross_value"), "unit_gross_value")
    count = p.opt_int("unit_count", low=1, high=100000)
    if gross is None and count is None:
        raise invalid("unit_gross_value", "unit_gross_value or unit_count is required.")
    return hotel.change_order_item_amount(item, gross, count)


def _decimal_or_none(raw: object, name: str) -> Decimal | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise invalid(name, f"{name} must be a number.")
    try:
        value = Decimal(str(raw))
    except ArithmeticError as exc:
        raise invalid(name, f"{name} must be a number.") from exc
    if not value.is_finite() or value <= 0:
        raise invalid(name, f"{name} must be a positive number.")
    return value


@post("/bills/{bill_id:str}/close", status_code=200)
async def bill_close(request: Request[Any, Any, Any], bill_id: str) -> Json:
    state = state_of(request)
    bill = find(state, "bills", bill_id)
    hotel.close_bill(state.store, bill)
    return bill
