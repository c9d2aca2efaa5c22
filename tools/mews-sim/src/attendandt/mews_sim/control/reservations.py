"""Staff actions on reservations: book, list, move, cancel, check in and out, take
payments, add companions and notes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from litestar import Request, get, post

from attendandt.mews_sim import clock, hotel
from attendandt.mews_sim.control.common import Json, body_of, enterprise_of, find, state_of
from attendandt.mews_sim.endpoints.reservations import CANCELLATION_REASONS
from attendandt.mews_sim.endpoints.serviceordernotes import MAX_TEXT, NOTE_TYPES
from attendandt.mews_sim.errors import invalid
from attendandt.mews_sim.params import Params


@post("/reservations", status_code=200)
async def reservation_create(request: Request[Any, Any, Any]) -> Json:
    state = state_of(request)
    store = state.store
    p = await body_of(request)
    enterprise_id = enterprise_of(state, p)
    chain = store.info[enterprise_id].chain_id
    customer_id = p.opt_id("customer_id")
    if customer_id is None:
        customer_id = next(store.customers.of([chain]))["Id"]
    elif store.customers.get(customer_id, [chain]) is None:
        raise invalid("customer_id", "Unknown customer.")
    start = p.opt_datetime("start_utc") or clock.now_str()
    nights = p.opt_int("nights", low=1, high=365) or 2
    end = p.opt_datetime("end_utc") or clock.fmt(clock.parse(start) + timedelta(days=nights))
    state_name = p.opt_enum("state", frozenset({"Confirmed", "Optional", "Inquired", "Requested"}))
    spec = hotel.NewReservation(
        customer_id=customer_id,
        start=start,
        end=end,
        state=state_name or "Confirmed",
        category_id=p.opt_id("category_id"),
        rate_id=p.opt_id("rate_id"),
        origin="Commander",
    )
    return hotel.add_reservation(store, enterprise_id, spec)


RESERVATION_SUMMARY = (
    "Id",
    "Number",
    "State",
    "AccountId",
    "AssignedResourceId",
    "RequestedResourceCategoryId",
    "ScheduledStartUtc",
    "ScheduledEndUtc",
    "ActualStartUtc",
    "ActualEndUtc",
    "CancelledUtc",
    "CancellationReason",
    "CreatedUtc",
    "UpdatedUtc",
)


@get("/reservations")
async def reservation_list(
    request: Request[Any, Any, Any], enterprise_id: str | None = None
) -> Json:
    """Every reservation of an enterprise in brief, with its companions, unpaged and not rate
    limited: what a test needs to work out the day lists from the simulator's own data."""
    state = state_of(request)
    store = state.store
    wanted = enterprise_of(state, Params({"enterprise_id": enterprise_id}))
    reservations = [
        {
            **{name: r[name] for name in RESERVATION_SUMMARY},
            "CompanionIds": [c["CustomerId"] for c in store.companions(r["Id"])],
        }
        for r in store.reservations.of([wanted])
    ]
    return {
        "enterprise_id": wanted,
        "time_zone": store.info[wanted].time_zone,
        "now_utc": clock.now_str(),
        "reservations": reservations,
    }


@post("/reservations/{reservation_id:str}/update", status_code=200)
async def reservation_update(request: Request[Any, Any, Any], reservation_id: str) -> Json:
    state = state_of(request)
    reservation = find(state, "reservations", reservation_id)
    p = await body_of(request)
    changes: dict[str, Any] = {}
    for name in ("ScheduledStartUtc", "ScheduledEndUtc"):
        if p.has(name):
            changes[name] = p.opt_datetime(name)
    if "AssignedResourceId" in p.body:
        changes["AssignedResourceId"] = p.opt_id("AssignedResourceId")
    for name in ("Purpose", "ChannelNumber"):
        if name in p.body:
            changes[name] = p.opt_str(name, max_len=255)
    hotel.update_reservation(state.store, reservation, changes)
    return reservation


@post("/reservations/{reservation_id:str}/cancel", status_code=200)
async def reservation_cancel(request: Request[Any, Any, Any], reservation_id: str) -> Json:
    state = state_of(request)
    reservation = find(state, "reservations", reservation_id)
    p = await body_of(request)
    reason = p.opt_enum("reason", CANCELLATION_REASONS) or "Other"
    hotel.cancel_reservation(state.store, reservation, reason)
    return reservation


@post("/reservations/{reservation_id:str}/start", status_code=200)
async def reservation_start(request: Request[Any, Any, Any], reservation_id: str) -> Json:
    state = state_of(request)
    reservation = find(state, "reservations", reservation_id)
    hotel.start_reservation(state.store, reservation, via_connector=False)
    return reservation


@post("/reservations/{reservation_id:str}/process", status_code=200)
async def reservation_process(request: Request[Any, Any, Any], reservation_id: str) -> Json:
    state = state_of(request)
    reservation = find(state, "reservations", reservation_id)
    p = await body_of(request)
    # A front desk checks a guest out by settling and closing the bill: staff check-out
    # closes the owner's open bills unless told to leave them open.
    close_bills = p.opt_bool("close_bills")
    hotel.process_reservation(
        state.store, reservation, close_bills=True if close_bills is None else close_bills
    )
    return reservation


@post("/reservations/{reservation_id:str}/payments", status_code=200)
async def reservation_payment(request: Request[Any, Any, Any], reservation_id: str) -> Json:
    """Money taken at the desk for the stay (`amount` in the hotel's currency, `type` a Mews
    Payment type, default `CashPayment`): on the owner's open bill; a `PaymentUpdated`
    webhook follows."""
    state = state_of(request)
    reservation = find(state, "reservations", reservation_id)
    p = await body_of(request)
    raw = p.body.get("amount")
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise invalid("amount", "A number is required.")
    try:
        amount = Decimal(str(raw))
    except ArithmeticError:
        raise invalid("amount", "A number is required.") from None
    if not amount.is_finite() or amount > Decimal("1e9"):
        raise invalid("amount", "The amount is out of range.")
    return hotel.add_payment(
        state.store,
        reservation,
        amount,
        payment_type=p.opt_str("type", max_len=50) or "CashPayment",
        notes=p.opt_str("notes", max_len=1000),
    )


@post("/reservations/{reservation_id:str}/companions", status_code=200)
async def reservation_companion(request: Request[Any, Any, Any], reservation_id: str) -> Json:
    state = state_of(request)
    reservation = find(state, "reservations", reservation_id)
    p = await body_of(request)
    chain = state.store.info[state.store.reservations.owner[reservation["Id"]]].chain_id
    customer = state.store.customers.get(p.opt_id("customer_id"), [chain])
    if customer is None:
        raise invalid("customer_id", "Unknown customer.")
    return hotel.add_companion(state.store, reservation, customer)


@post("/reservations/{reservation_id:str}/notes", status_code=200)
async def reservation_note(request: Request[Any, Any, Any], reservation_id: str) -> Json:
    state = state_of(request)
    reservation = find(state, "reservations", reservation_id)
    p = await body_of(request)
    text = p.req_str("text", max_len=MAX_TEXT)
    note_type = p.opt_enum("type", NOTE_TYPES) or "General"
    return hotel.add_note(state.store, reservation, text, note_type)


@post("/notes/{note_id:str}/update", status_code=200)
async def note_update(request: Request[Any, Any, Any], note_id: str) -> Json:
    """Hotel staff change a note's text in Mews (a concurrent change to one of ours)."""
    state = state_of(request)
    note = find(state, "service_order_notes", note_id)
    p = await body_of(request)
    return hotel.update_note(state.store, note, p.req_str("text", max_len=MAX_TEXT))
