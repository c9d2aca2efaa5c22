"""The control API under `/_sim/`: act as hotel staff, inject faults, read counters.

Plain JSON in and out. Staff actions take Mews field names where they set Mews fields, so
what a test sends is what it later reads back through the Connector API.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from litestar import Request, Router, get, post

from attendandt.mews_sim import clock, hotel, seed, shapes
from attendandt.mews_sim.endpoints.customers import read_customer_values
from attendandt.mews_sim.endpoints.reservations import CANCELLATION_REASONS
from attendandt.mews_sim.endpoints.serviceordernotes import MAX_TEXT, NOTE_TYPES
from attendandt.mews_sim.errors import BadRequest, NotFound, invalid
from attendandt.mews_sim.faults import ErrorFault, LatencyFault, LostResponseFault
from attendandt.mews_sim.limits import RateLimitConfig
from attendandt.mews_sim.params import Params
from attendandt.mews_sim.state import SimState
from attendandt.mews_sim.store import Entity

Json = dict[str, Any]


async def _body(request: Request[Any, Any, Any]) -> Params:
    raw = await request.body()
    if not raw.strip():
        return Params({})
    try:
        data = msgspec.json.decode(raw)
    except (msgspec.DecodeError, RecursionError, ValueError):
        raise BadRequest("Invalid JSON.") from None
    if not isinstance(data, dict):
        raise BadRequest("Invalid JSON. The request body must be an object.")
    return Params(data)


def _state(request: Request[Any, Any, Any]) -> SimState:
    state: SimState = request.app.state.sim
    return state


def _enterprise(state: SimState, p: Params) -> str:
    wanted = p.opt_id("enterprise_id")
    if wanted is None:
        return next(iter(state.store.info))
    if wanted not in state.store.info:
        raise invalid("enterprise_id", "Unknown enterprise.")
    return wanted


def _find(state: SimState, collection: str, entity_id: str) -> Entity:
    entity = getattr(state.store, collection).get(entity_id.lower())
    if entity is None:
        raise NotFound(f"No {collection[:-1]} {entity_id[:60]}.")
    return entity  # type: ignore[no-any-return]


def info(state: SimState) -> Json:
    enterprises = []
    for enterprise in state.store.info.values():
        tokens = [
            {
                "label": i.label,
                "name": i.name,
                "client_token": i.client_token,
                "access_token": i.access_token,
            }
            for i in state.store.integrations.values()
            if i.enterprise_id == enterprise.id
        ]
        short_name = state.store.enterprises.items[enterprise.id]["ShortName"]
        enterprises.append(
            {
                "id": enterprise.id,
                "name": enterprise.name,
                "short_name": short_name,
                "local_date": clock.now()
                .astimezone(ZoneInfo(enterprise.time_zone))
                .date()
                .isoformat(),
                "chain_id": enterprise.chain_id,
                "pricing": enterprise.pricing,
                "currency": enterprise.currency,
                "time_zone": enterprise.time_zone,
                "integration_id": enterprise.integration_id,
                "tokens": tokens,
            }
        )
    return {
        "enterprises": enterprises,
        "seed": asdict(state.seed_config),
        "rate_limit": asdict(state.limiter.config),
        "webhooks": state.webhooks.describe(),
        "now_utc": clock.now_str(),
        "clock": clock.describe(),
    }


@get("/health")
async def health() -> Json:
    return {"ok": True}


@get("/info")
async def get_info(request: Request[Any, Any, Any]) -> Json:
    return info(_state(request))


@post("/reset", status_code=200)
async def reset(request: Request[Any, Any, Any]) -> Json:
    state = _state(request)
    p = await _body(request)
    seed_text = p.opt_str("seed", max_len=500)
    config = None
    if seed_text:
        try:
            config = seed.parse_seed(seed_text, state.seed_config)
        except ValueError as exc:
            raise invalid("seed", str(exc)) from None
    at = p.opt_datetime("now_utc")
    await state.reset(
        config, now=clock.parse(at) if at else None, frozen=p.opt_bool("frozen") or False
    )
    return info(state)


@get("/clock")
async def clock_get() -> Json:
    return clock.describe()


@post("/clock", status_code=200)
async def clock_set(request: Request[Any, Any, Any]) -> Json:
    """Move the clock on (to `now_utc`, or by `advance_s`), ticking or `frozen`; never back:
    the hotel's data would then lie in the future (reset with `now_utc` for that)."""
    p = await _body(request)
    at = p.opt_datetime("now_utc")
    advance = p.body.get("advance_s")
    if advance is not None and (
        isinstance(advance, bool) or not isinstance(advance, int | float) or advance < 0
    ):
        raise invalid("advance_s")
    current = clock.now()
    target = clock.parse(at) if at else current + timedelta(seconds=float(advance or 0))
    if target < current:
        raise invalid("now_utc", "The clock only moves forward; reset to go back.")
    frozen = p.opt_bool("frozen")
    clock.set_now(target, frozen=clock.is_frozen() if frozen is None else frozen)
    return clock.describe()


@get("/counters")
async def counters(request: Request[Any, Any, Any]) -> Json:
    return _state(request).counters.to_json()


@post("/counters/reset", status_code=200)
async def counters_reset(request: Request[Any, Any, Any]) -> Json:
    _state(request).counters.reset()
    return {}


@post("/rate-limit", status_code=200)
async def rate_limit(request: Request[Any, Any, Any]) -> Json:
    state = _state(request)
    p = await _body(request)
    current = state.limiter.config
    window = p.body.get("window_s", current.window_s)
    if isinstance(window, bool) or not isinstance(window, int | float) or window <= 0:
        raise invalid("window_s")
    config = RateLimitConfig(
        enabled=p.opt_bool("enabled") if p.has("enabled") else current.enabled,  # type: ignore[arg-type]
        limit=p.opt_int("limit", low=1, high=1_000_000) or current.limit,
        window_s=float(window),
        retry_after=p.opt_bool("retry_after") if p.has("retry_after") else current.retry_after,  # type: ignore[arg-type]
    )
    state.limiter.reset(config)
    return asdict(config)


@get("/faults")
async def faults(request: Request[Any, Any, Any]) -> Json:
    return _state(request).faults.describe()


#: Refusals a test may inject, with the message Mews would give.
INJECTABLE_REFUSALS = {
    401: "The operation is not permitted for this integration.",
    403: "The operation is not allowed by the property's settings.",
}


@post("/faults/errors", status_code=200)
async def fault_errors(request: Request[Any, Any, Any]) -> Json:
    p = await _body(request)
    # A server error, or a 429 without Retry-After (Mews may leave it out): a test that must
    # meet a rate limit gets one for sure, whatever the timing. A 401 or 403 is how Mews
    # refuses an operation the integration was not granted (a Restricted one) or a rule of
    # the property forbids.
    status = p.opt_int("status", low=401, high=599) or 500
    if status not in INJECTABLE_REFUSALS and status != 429 and status < 500:
        raise invalid("status", "An injected error is 401, 403, 429 or 5xx.")
    fault = ErrorFault(
        status=status,
        remaining=p.opt_int("count", low=1, high=1_000_000) or 1,
        path=p.opt_str("path", max_len=200),
        message=p.opt_str("message", max_len=500)
        or INJECTABLE_REFUSALS.get(status, "Injected server error."),
    )
    _state(request).faults.errors.append(fault)
    return asdict(fault)


@post("/faults/latency", status_code=200)
async def fault_latency(request: Request[Any, Any, Any]) -> Json:
    p = await _body(request)
    seconds = p.body.get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not 0 < seconds <= 600:
        raise invalid("seconds")
    fault = LatencyFault(float(seconds), p.opt_int("count", low=1), p.opt_str("path", max_len=200))
    _state(request).faults.latency.append(fault)
    return asdict(fault)


@post("/faults/lost-response", status_code=200)
async def fault_lost(request: Request[Any, Any, Any]) -> Json:
    p = await _body(request)
    mode = p.opt_enum("mode", frozenset({"hold", "drop"})) or "hold"
    hold = p.body.get("hold_s", 30.0)
    if isinstance(hold, bool) or not isinstance(hold, int | float) or not 0 <= hold <= 3600:
        raise invalid("hold_s")
    fault = LostResponseFault(
        remaining=p.opt_int("count", low=1) or 1,
        path=p.opt_str("path", max_len=200),
        mode="drop" if mode == "drop" else "hold",
        hold_s=float(hold),
    )
    _state(request).faults.lost.append(fault)
    return asdict(fault)


@post("/faults/clear", status_code=200)
async def faults_clear(request: Request[Any, Any, Any]) -> Json:
    state = _state(request)
    state.faults.clear()
    state.webhooks.faults.fail_next = 0
    state.webhooks.faults.target_down = False
    return {}


@get("/ws")
async def ws_info(request: Request[Any, Any, Any]) -> Json:
    return {"connections": len(_state(request).ws.connections)}


@post("/ws/drop", status_code=200)
async def ws_drop(request: Request[Any, Any, Any]) -> Json:
    p = await _body(request)
    code = p.opt_int("code", low=1000, high=4999) or 1011
    return {"closed": _state(request).ws.drop_all(code)}


@get("/webhooks")
async def webhooks(request: Request[Any, Any, Any]) -> Json:
    state = _state(request)
    return {**state.webhooks.describe(), "recent": list(state.webhooks.recent)}


@post("/webhooks/config", status_code=200)
async def webhooks_config(request: Request[Any, Any, Any]) -> Json:
    state = _state(request)
    p = await _body(request)
    config = state.webhooks.config
    changes: dict[str, Any] = {}
    for name in ("url", "secret", "secret_param"):
        if name in p.body:
            changes[name] = p.opt_str(name, max_len=2000)
    for name in ("timeout_s", "retry_delay_s", "batch_delay_s"):
        if name in p.body:
            value = p.body[name]
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not 0 <= value <= 3600
            ):
                raise invalid(name)
            changes[name] = float(value)
    for name in ("max_attempts", "max_events"):
        if name in p.body:
            changes[name] = p.opt_int(name, low=1, high=100000)
    state.webhooks.config = replace(config, **changes)
    # Keep the setting across resets: a test suite configures its receiver once.
    state.settings.webhooks = state.webhooks.config
    return state.webhooks.describe()


@post("/webhooks/fail", status_code=200)
async def webhooks_fail(request: Request[Any, Any, Any]) -> Json:
    p = await _body(request)
    state = _state(request)
    state.webhooks.faults.fail_next = p.opt_int("count", low=0, high=1_000_000) or 0
    return state.webhooks.describe()


@post("/webhooks/down", status_code=200)
async def webhooks_down(request: Request[Any, Any, Any]) -> Json:
    p = await _body(request)
    state = _state(request)
    state.webhooks.faults.target_down = p.opt_bool("down") is not False
    return state.webhooks.describe()


# staff actions ------------------------------------------------------------------------------
@post("/reservations", status_code=200)
async def reservation_create(request: Request[Any, Any, Any]) -> Json:
    state = _state(request)
    store = state.store
    p = await _body(request)
    enterprise_id = _enterprise(state, p)
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
    state = _state(request)
    store = state.store
    wanted = _enterprise(state, Params({"enterprise_id": enterprise_id}))
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
    state = _state(request)
    wanted = _enterprise(state, Params({"enterprise_id": enterprise_id}))
    items = [
        {name: item.get(name) for name in ORDER_ITEM_SUMMARY}
        for item in state.store.order_items.of([wanted])
    ]
    return {"enterprise_id": wanted, "order_items": items}


@post("/order-items/{item_id:str}/cancel", status_code=200)
async def order_item_cancel(request: Request[Any, Any, Any], item_id: str) -> Json:
    """Cancel a posted item as Mews's staff would in Mews (no Connector grant needed; a
    closed bill's item cannot be canceled: 403, rebate it instead)."""
    state = _state(request)
    item = _find(state, "order_items", item_id)
    hotel.cancel_order_items(state.store, [item])
    return item


@post("/order-items/{item_id:str}/rebate", status_code=200)
async def order_item_rebate(request: Request[Any, Any, Any], item_id: str) -> Json:
    """Offset a posted item as Mews's staff would: a rebate item naming it. Body:
    `{"gross_value": 20}` takes that much off (default: the whole item). Returns the rebate."""
    state = _state(request)
    p = await _body(request)
    item = _find(state, "order_items", item_id)
    raw = p.body.get("gross_value")
    gross = _decimal_or_none(raw, "gross_value")
    return hotel.rebate_order_item(state.store, item, gross)


@post("/order-items/{item_id:str}/amount", status_code=200)
async def order_item_amount(request: Request[Any, Any, Any], item_id: str) -> Json:
    """Change a posted item's unit price (`unit_gross_value`) or count (`unit_count`) as
    Mews's staff might: a mismatch with our ledger, planted."""
    state = _state(request)
    p = await _body(request)
    item = _find(state, "order_items", item_id)
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


@post("/reservations/{reservation_id:str}/update", status_code=200)
async def reservation_update(request: Request[Any, Any, Any], reservation_id: str) -> Json:
    state = _state(request)
    reservation = _find(state, "reservations", reservation_id)
    p = await _body(request)
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
    state = _state(request)
    reservation = _find(state, "reservations", reservation_id)
    p = await _body(request)
    reason = p.opt_enum("reason", CANCELLATION_REASONS) or "Other"
    hotel.cancel_reservation(state.store, reservation, reason)
    return reservation


@post("/reservations/{reservation_id:str}/start", status_code=200)
async def reservation_start(request: Request[Any, Any, Any], reservation_id: str) -> Json:
    state = _state(request)
    reservation = _find(state, "reservations", reservation_id)
    hotel.start_reservation(state.store, reservation, via_connector=False)
    return reservation


@post("/reservations/{reservation_id:str}/process", status_code=200)
async def reservation_process(request: Request[Any, Any, Any], reservation_id: str) -> Json:
    state = _state(request)
    reservation = _find(state, "reservations", reservation_id)
    p = await _body(request)
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
    state = _state(request)
    reservation = _find(state, "reservations", reservation_id)
    p = await _body(request)
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
    state = _state(request)
    reservation = _find(state, "reservations", reservation_id)
    p = await _body(request)
    chain = state.store.info[state.store.reservations.owner[reservation["Id"]]].chain_id
    customer = state.store.customers.get(p.opt_id("customer_id"), [chain])
    if customer is None:
        raise invalid("customer_id", "Unknown customer.")
    return hotel.add_companion(state.store, reservation, customer)


@post("/reservations/{reservation_id:str}/notes", status_code=200)
async def reservation_note(request: Request[Any, Any, Any], reservation_id: str) -> Json:
    state = _state(request)
    reservation = _find(state, "reservations", reservation_id)
    p = await _body(request)
    text = p.req_str("text", max_len=MAX_TEXT)
    note_type = p.opt_enum("type", NOTE_TYPES) or "General"
    return hotel.add_note(state.store, reservation, text, note_type)


@post("/notes/{note_id:str}/update", status_code=200)
async def note_update(request: Request[Any, Any, Any], note_id: str) -> Json:
    """Hotel staff change a note's text in Mews (a concurrent change to one of ours)."""
    state = _state(request)
    note = _find(state, "service_order_notes", note_id)
    p = await _body(request)
    return hotel.update_note(state.store, note, p.req_str("text", max_len=MAX_TEXT))


@post("/customers", status_code=200)
async def customer_add(request: Request[Any, Any, Any]) -> Json:
    state = _state(request)
    p = await _body(request)
    chain = state.store.info[_enterprise(state, p)].chain_id
    values = read_customer_values(state.store, chain, p, update=False)
    return hotel.add_customer(
        state.store, chain, values, overwrite_existing=False, creator=shapes.STAFF_PROFILE_ID
    )


@post("/customers/{customer_id:str}/update", status_code=200)
async def customer_update(request: Request[Any, Any, Any], customer_id: str) -> Json:
    state = _state(request)
    customer = _find(state, "customers", customer_id)
    p = await _body(request)
    chain = state.store.customers.owner[customer["Id"]]
    values = read_customer_values(state.store, chain, p, update=True)
    return hotel.update_customer(state.store, customer, values, updater=shapes.STAFF_PROFILE_ID)


@post("/customers/{customer_id:str}/delete", status_code=200)
async def customer_delete(request: Request[Any, Any, Any], customer_id: str) -> Json:
    """Hotel staff delete a customer profile in Mews: it stays, no longer active (its
    `UpdatedUtc` is when, which `DeletedUtc` filters by), and the usual change follows."""
    state = _state(request)
    customer = _find(state, "customers", customer_id)
    customer["IsActive"] = False
    customer["ActivityState"] = "Deleted"
    hotel.touch(customer)
    hotel.customer_changed(state.store, customer)
    return customer


@post("/companies/{company_id:str}/update", status_code=200)
async def company_update(request: Request[Any, Any, Any], company_id: str) -> Json:
    """A staff edit of a company in Mews: a new UpdatedUtc and no event (Mews sends none
    for companies; sweeps find the change)."""
    state = _state(request)
    company = _find(state, "companies", company_id)
    p = await _body(request)
    name = p.opt_str("Name", max_len=255)
    if name:
        company["Name"] = name
    active = p.opt_bool("IsActive")
    if active is not None:
        company["IsActive"] = active
    hotel.touch(company)
    return company


@post("/resources/{resource_id:str}/state", status_code=200)
async def resource_state(request: Request[Any, Any, Any], resource_id: str) -> Json:
    state = _state(request)
    resource = _find(state, "resources", resource_id)
    p = await _body(request)
    new_state = p.opt_enum("state", hotel.RESOURCE_STATES)
    if new_state is None:
        raise invalid("state", "The value is required.")
    hotel.set_resource_state(state.store, resource, new_state)
    return resource


@post("/bills/{bill_id:str}/close", status_code=200)
async def bill_close(request: Request[Any, Any, Any], bill_id: str) -> Json:
    state = _state(request)
    bill = _find(state, "bills", bill_id)
    hotel.close_bill(state.store, bill)
    return bill


TOUCHABLE = {"reservations": "reservation", "customers": "customer", "resources": "resource"}


@post("/bulk/touch", status_code=200)
async def bulk_touch(request: Request[Any, Any, Any]) -> Json:
    """Change N entities at once (a burst): each gets a new UpdatedUtc and its events."""
    state = _state(request)
    store = state.store
    p = await _body(request)
    entity = p.opt_enum("entity", frozenset(TOUCHABLE)) or "reservations"
    count = p.opt_int("count", low=1, high=1_000_000) or 1
    enterprise_id = _enterprise(state, p)
    owner = store.info[enterprise_id].chain_id if entity == "customers" else enterprise_id
    collection = getattr(store, entity)
    touched: list[str] = []
    for item in collection.of([owner]):
        if len(touched) >= count:
            break
        hotel.touch(item)
        if entity == "customers":
            hotel.customer_changed(store, item)
        elif entity == "reservations":
            hotel.reservation_changed(store, item)
        else:
            hotel.resource_changed(store, item)
        touched.append(item["Id"])
    return {"ids": touched}


control_router = Router(
    path="/_sim",
    route_handlers=[
        health,
        get_info,
        reset,
        clock_get,
        clock_set,
        counters,
        counters_reset,
        rate_limit,
        faults,
        fault_errors,
        fault_latency,
        fault_lost,
        faults_clear,
        ws_info,
        ws_drop,
        webhooks,
        webhooks_config,
        webhooks_fail,
        webhooks_down,
        reservation_create,
        reservation_list,
        order_item_list,
        order_item_cancel,
        order_item_rebate,
        order_item_amount,
        reservation_update,
        reservation_cancel,
        reservation_start,
        reservation_process,
        reservation_payment,
        reservation_companion,
        reservation_note,
        note_update,
        customer_add,
        customer_update,
        customer_delete,
        company_update,
        resource_state,
        bill_close,
        bulk_touch,
    ],
)
