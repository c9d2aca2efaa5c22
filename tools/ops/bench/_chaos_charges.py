"""The chaos bench's charge requests: a booking for a guest's stay, confirmed and fulfilled
through the gateway as a careful client does under chaos (it looks before it asks again),
so that the charge goes to the guest's bill in Mews."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
from _chaos_stack import Gateway, Stack, with_db

#: Each charge's price: 200 of them stay far below the daily cap per vendor.
UNIT_PRICE = "10.00"
#: How long one step of a charge request (book, confirm, fulfil) keeps trying.
STEP_BOUND_S = 300.0
#: What a request that may or may not have been carried out looks like.
AMBIGUOUS = (httpx.TransportError,)


@dataclass
class ChargeRequest:
    marker: str
    enterprise_id: str
    offering_id: str
    stay_id: str
    guest_id: str
    mews_reservation_id: str
    booking_id: str | None = None
    charge_id: str | None = None
    done_at: float | None = None
    failure: str | None = None
    retries: Counter[str] = field(default_factory=Counter)


async def offering_for(api: Gateway, enterprise_id: str) -> str | None:
    """A vendor of our own with a massage posting to the hotel's Spa, at UNIT_PRICE."""
    catalogue = await api.call("GET", f"/properties/{enterprise_id}/catalogue")
    if catalogue.status_code != 200:
        return None
    spa = next((s for s in catalogue.json()["services"] if s["name"] == "Spa"), None)
    if spa is None or not spa["products"]:
        return None
    product = next((p for p in spa["products"] if "Massage" in p["name"]), spa["products"][0])
    vendor = await api.call(
        "POST",
        "/vendors",
        json={"enterprise_id": enterprise_id, "name": "Chaos Spa", "category": "spa"},
    )
    vendor.raise_for_status()
    offering = await api.call(
        "POST",
        f"/vendors/{vendor.json()['vendor_id']}/offerings",
        json={
            "name": "Chaos massage",
            "unit_price": UNIT_PRICE,
            "mews_service_id": spa["mews_id"],
            "mews_product_id": product["mews_id"],
        },
    )
    offering.raise_for_status()
    return str(offering.json()["offering_id"])


async def charge_stays(stack: Stack, enterprise_id: str) -> list[dict[str, Any]]:
    """Stays vendors knows with a guest and a Mews account, confirmed or in house."""

    async def read(conn: asyncpg.Connection) -> list[dict[str, Any]]:
        rows = await conn.fetch(
            """
            SELECT stay_id, guest_ids[1] AS guest_id, mews_reservation_id
            FROM vendors.stay_refs
            WHERE enterprise_id = $1 AND state IN ('confirmed', 'started')
              AND cardinality(guest_ids) > 0 AND owner_mews_customer_id IS NOT NULL
            """,
            enterprise_id,
        )
        return [dict(r) for r in rows]

    return list(await with_db(stack, read))


async def step(
    request: ChargeRequest,
    name: str,
    attempt: Callable[[], Awaitable[httpx.Response]],
    settled: Callable[[httpx.Response], Awaitable[bool]],
) -> None:
    """One step of a charge request, tried until `settled` says it is done: a transport
    error or a 5xx may or may not have been carried out, so `settled` looks first."""
    deadline = time.monotonic() + STEP_BOUND_S
    while True:
        try:
            answer = await attempt()
        except AMBIGUOUS as exc:
            answer = httpx.Response(599, text=f"{type(exc).__name__}")
        if await settled(answer):
            return
        request.retries[f"{name} {answer.status_code}"] += 1
        if time.monotonic() > deadline:
            raise RuntimeError(f"{name}: gave up after {answer.status_code} {answer.text[:200]}")
        await asyncio.sleep(1 + random.random())


async def make_charge(api: Gateway, request: ChargeRequest) -> None:
    """Book, confirm, fulfil: as a careful client under chaos would, looking before it
    asks again (a booking made before its answer was lost is found by its marker)."""

    async def find_booking() -> dict[str, Any] | None:
        found = await api.call(
            "GET", "/bookings", params={"stay_id": request.stay_id, "limit": 200}
        )
        if found.status_code != 200:
            raise httpx.TransportError(f"lookup answered {found.status_code}")
        return next((b for b in found.json()["items"] if b.get("notes") == request.marker), None)

    async def book() -> httpx.Response:
        if request.booking_id is None:
            try:
                existing = await find_booking()
            except httpx.HTTPError:
                return httpx.Response(599, text="lookup failed")
            if existing is not None:
                request.booking_id = existing["booking_id"]
                return httpx.Response(201, json=existing)
        return await api.call(
            "POST",
            "/bookings",
            json={
                "offering_id": request.offering_id,
                "guest_id": request.guest_id,
                "stay_id": request.stay_id,
                "quantity": 1,
                "notes": request.marker,
            },
        )

    async def booked(answer: httpx.Response) -> bool:
        if answer.status_code == 201:
            request.booking_id = answer.json()["booking_id"]
            return True
        return False

    await step(request, "book", book, booked)
    assert request.booking_id is not None
    path = f"/bookings/{request.booking_id}"

    async def state_is(answer: httpx.Response, states: set[str]) -> bool:
        if answer.status_code == 200:
            return True
        if answer.status_code == 409:
            current = await api.call("GET", path)
            return current.status_code == 200 and current.json()["state"] in states
        return False

    await step(
        request,
        "confirm",
        lambda: api.call("POST", f"{path}/confirm"),
        lambda a: state_is(a, {"confirmed", "fulfilled"}),
    )

    async def fulfilled(answer: httpx.Response) -> bool:
        if answer.status_code == 200:
            request.charge_id = answer.json()["charge"]["charge_id"]
            return True
        if await state_is(answer, {"fulfilled"}):
            current = await api.call("GET", path)
            request.charge_id = current.json().get("charge_id")
            return request.charge_id is not None
        return False

    await step(request, "fulfil", lambda: api.call("POST", f"{path}/fulfil"), fulfilled)
    request.done_at = time.monotonic()
