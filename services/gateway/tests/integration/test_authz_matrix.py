"""The authorization matrix: every API route (walked from the app's route table, so a new
route cannot be left out) x every role x the caller's own property / another property, each
cell's expected status written below as data. It runs against the real users, vendors and
guests services (each its own Postgres role and schema) on real NATS, with two seeded
properties, A and B, each with a vendor, an offering, a guest, a stay, a booking, a charge
and users.

Who asks: the admin is portfolio-wide (no property of its own: it reaches both); the
manager, the front desk and the vendor user (of A's vendor) belong to A. "own" is A, "other"
is B:
- an object route names A's object, or B's (the vendor user's "own" object is its vendor's);
- a list names no property ("own": the caller's properties), or names B; guest routes need a
  property from a portfolio-wide user (as before this change), so the admin names A there;
- a create names A's property (or A's offering, vendor), or B's.
Another property answers 404 (never 403: no existence oracle), unless the role may not take
the action at all (403 from the permission table, before any call). A few routes have no
property in their input (sign-in and its siblings, who am I, the event stream, the sync
overview): one cell per role, marked `-` in the other column.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import msgspec
import pytest
from gateway_testkit import (
    FakeServices,
    Running,
    gateway_settings,
    migrated,
    publish_catalogue,
    serve,
)
from litestar.routes import HTTPRoute
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext

from attendandt.contracts.commands import (
    UPSERT_GUEST,
    UPSERT_PROPERTY,
    UPSERT_STAY,
    UpsertGuest,
    UpsertProperty,
    UpsertStay,
)
from attendandt.contracts.rpc import ingest as ingest_rpc
from attendandt.contracts.snapshots import (
    GuestSnapshot,
    PropertySnapshot,
    StayNote,
    StaySnapshot,
    StayState,
    UserRole,
)
from attendandt.contracts.streams import ensure_streams
from attendandt.gateway.app import API_PREFIX, create_app
from attendandt.guests.app import create_app as create_guests
from attendandt.guests.migrations_set import MIGRATIONS as GUESTS_MIGRATIONS
from attendandt.guests.settings import GuestsSettings
from attendandt.platform.messaging import publish
from attendandt.platform.settings import DatabaseSettings, NatsSettings, ObservabilitySettings
from attendandt.testing.apps import running_app
from attendandt.users.app import create_app as create_users
from attendandt.users.migrations_set import MIGRATIONS as USERS_MIGRATIONS
from attendandt.users.passwords import HashParameters
from attendandt.users.settings import UsersSettings
from attendandt.vendors.app import create_app as create_vendors
from attendandt.vendors.migrations_set import MIGRATIONS as VENDORS_MIGRATIONS
from attendandt.vendors.settings import VendorsSettings

ADMIN_EMAIL = "root@portfolio.example"
ADMIN_PASSWORD = "correct horse battery staple"
CHEAP = HashParameters(time_cost=1, memory_cost_kib=1024, parallelism=1)
ROLES = (UserRole.ADMIN, UserRole.MANAGER, UserRole.FRONT_DESK, UserRole.VENDOR)
ENT_A = "hotel-a-0f3e"
ENT_B = "hotel-b-77c1"

# --- the expected statuses --------------------------------------------------------------------
#
# One row per route: "own/other" for admin, manager, front desk, vendor (in that order).

READ_ALL = "200/200 200/404 200/404 200/404"
STAFF_WRITE = "200/200 200/404 403/403 403/403"
OFFERING_WRITE = "200/200 200/404 403/403 200/404"
ADMIN_ONLY = "200/200 403/403 403/403 403/403"
GUEST_EDIT = "200/200 200/404 200/404 403/403"
NOTE_WRITE = "202/202 202/404 202/404 403/403"

EXPECTED: dict[tuple[str, str], str] = {
    ("POST", "/auth/login"): "200/- 200/- 200/- 200/-",
    ("POST", "/auth/refresh"): "200/- 200/- 200/- 200/-",
    ("POST", "/auth/logout"): "204/- 204/- 204/- 204/-",
    ("POST", "/auth/set-password"): "204/- 204/- 204/- 204/-",
    ("GET", "/auth/me"): "200/- 200/- 200/- 200/-",
    ("GET", "/asyncapi.json"): "200/- 200/- 200/- 200/-",
    ("GET", "/events"): "200/- 200/- 200/- 200/-",
    ("GET", "/sync"): "200/- 200/- 403/- 403/-",
    # The caller's own properties (checked below: a property's users see theirs only).
    ("GET", "/properties"): "200/- 200/- 200/- 200/-",
    ("GET", "/properties/{enterprise_id}/catalogue"): OFFERING_WRITE,
    ("GET", "/guests"): READ_ALL,
    ("GET", "/guests/{guest_id}"): READ_ALL,
    ("GET", "/guests/{guest_id}/export"): STAFF_WRITE,
    # Erasures: a guest no one has (the cells must not erase the seeded ones; a real erasure
    # is test_guest_erasure's): 404 once the permission passed, from the guests service.
    ("POST", "/guests/{guest_id}/erase"): "404/404 404/404 403/403 403/403",
    ("GET", "/guests/erasures"): STAFF_WRITE,
    ("GET", "/guests/erasures/{request_id}"): "404/404 404/404 403/403 403/403",
    ("GET", "/audit/guest-access"): ADMIN_ONLY,
    ("GET", "/audit/retention-runs"): ADMIN_ONLY,
    ("PATCH", "/guests/{guest_id}"): GUEST_EDIT,
    ("POST", "/guests/{guest_id}/conflicts/resolve"): GUEST_EDIT,
    ("GET", "/properties/{enterprise_id}/edit-rules"): GUEST_EDIT,
    ("PUT", "/properties/{enterprise_id}/edit-rules"): STAFF_WRITE,
    ("GET", "/stays/{stay_id}"): READ_ALL,
    # A stay's bill: hotel staff of its property; vendors never.
    ("GET", "/stays/{stay_id}/bill"): GUEST_EDIT,
    ("POST", "/stays/{stay_id}/notes"): NOTE_WRITE,
    ("PUT", "/stays/{stay_id}/notes/{note_id}"): NOTE_WRITE,
    ("GET", "/arrivals"): READ_ALL,
    ("GET", "/departures"): READ_ALL,
    ("GET", "/in-house"): READ_ALL,
    ("GET", "/vendors"): READ_ALL,
    ("POST", "/vendors"): "201/201 201/404 403/403 403/403",
    ("GET", "/vendors/{vendor_id}"): READ_ALL,
    ("PATCH", "/vendors/{vendor_id}"): STAFF_WRITE,
    ("POST", "/vendors/{vendor_id}/deactivate"): STAFF_WRITE,
    ("GET", "/vendors/{vendor_id}/settlement"): READ_ALL,
    ("GET", "/vendors/{vendor_id}/offerings"): READ_ALL,
    ("POST", "/vendors/{vendor_id}/offerings"): "201/201 201/404 403/403 201/404",
    ("GET", "/offerings/{offering_id}"): READ_ALL,
    ("PATCH", "/offerings/{offering_id}"): OFFERING_WRITE,
    ("POST", "/offerings/{offering_id}/deactivate"): OFFERING_WRITE,
    ("POST", "/bookings"): "201/201 201/404 201/404 403/403",
    ("GET", "/bookings"): READ_ALL,
    ("GET", "/bookings/{booking_id}"): READ_ALL,
    ("POST", "/bookings/{booking_id}/confirm"): READ_ALL,
    ("POST", "/bookings/{booking_id}/decline"): READ_ALL,
    ("POST", "/bookings/{booking_id}/fulfil"): READ_ALL,
    ("POST", "/bookings/{booking_id}/cancel"): READ_ALL,
    ("POST", "/charges"): "201/201 201/404 201/404 201/404",
    ("GET", "/charges"): READ_ALL,
    ("GET", "/charges/{charge_id}"): READ_ALL,
    # Only a failed charge is retried; these are pending: 409 once authorization passed.
    ("POST", "/charges/{charge_id}/retry"): "409/409 409/404 403/403 403/403",
    # "own": a charge A's front desk made ad hoc, held for approval; "other": B's seeded
    # charge, which is not held, so the admin (who may reach it) gets 409.
    ("POST", "/charges/{charge_id}/approve"): "200/409 200/404 403/403 403/403",
    ("POST", "/charges/{charge_id}/reject"): "200/409 200/404 403/403 403/403",
    # "own": a fresh charge held for approval (cancelled at once); "other": B's seeded one,
    # still being posted (cancelling until Mews answers).
    ("POST", "/charges/{charge_id}/cancel"): STAFF_WRITE,
    ("GET", "/properties/{enterprise_id}/companies"): STAFF_WRITE,
    ("GET", "/billing-settings"): STAFF_WRITE,
    ("PATCH", "/billing-settings"): STAFF_WRITE,
    ("POST", "/users"): "201/201 403/403 403/403 403/403",
    ("GET", "/users"): ADMIN_ONLY,
    ("GET", "/users/{user_id}"): ADMIN_ONLY,
    ("POST", "/users/{user_id}/role"): ADMIN_ONLY,
    ("POST", "/users/{user_id}/deactivate"): ADMIN_ONLY,
    ("POST", "/users/{user_id}/password-token"): ADMIN_ONLY,
    ("GET", "/sync/{enterprise_id}"): "200/200 200/404 403/403 403/403",
    ("POST", "/sync/{enterprise_id}/resync"): "202/202 403/403 403/403 403/403",
    ("DELETE", "/sync/{enterprise_id}/resync"): "200/200 403/403 403/403 403/403",
}

#: Lists: "own" names no property, "other" names B (and an answer never holds B's rows).
LISTS = {
    "/guests", "/arrivals", "/departures", "/in-house", "/vendors", "/bookings", "/charges",
    "/users", "/guests/erasures", "/audit/guest-access", "/audit/retention-runs",
}  # fmt: skip
#: Guest routes: a portfolio-wide user names the property (required, as before).
GUEST_ROUTES = {
    "/guests", "/guests/{guest_id}", "/guests/{guest_id}/export", "/stays/{stay_id}",
    "/stays/{stay_id}/bill", "/arrivals", "/departures", "/in-house",
    "/guests/{guest_id}/conflicts/resolve", "/guests/{guest_id}/erase",
    "/stays/{stay_id}/notes", "/stays/{stay_id}/notes/{note_id}",
}  # fmt: skip
#: Before the version the seeded guests were made with: a field changed since is in conflict.
LONG_AGO = "2000-01-01T00:00:00Z"


def cells(row: str) -> dict[UserRole, tuple[int, int | None]]:
    parsed = {}
    for role, pair in zip(ROLES, row.split(), strict=True):
        own, other = pair.split("/")
        parsed[role] = (int(own), None if other == "-" else int(other))
    return parsed


# --- the two properties ---------------------------------------------------------------------


@dataclass
class Property:
    enterprise_id: str
    name: str
    vendor_id: str = ""
    offering_id: str = ""
    guest_id: str = ""
    stay_id: str = ""
    booking_id: str = ""
    charge_id: str = ""
    #: A user of this property that the matrix acts on (role changes, tokens).
    user_id: str = ""


@dataclass
class Account:
    email: str
    password: str
    headers: dict[str, str]


@dataclass
class World:
    running: Running
    admin: dict[str, str]
    a: Property
    b: Property
    accounts: dict[UserRole, Account] = field(default_factory=dict)
    _n: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def client(self) -> httpx.AsyncClient:
        return self.running.client

    def unique(self, prefix: str) -> str:
        return f"{prefix}-{next(self._n)}"

    async def as_admin(self, method: str, path: str, body: Any = None, status: int = 201) -> Any:
        response = await self.client.request(
            method, API_PREFIX + path, json=body, headers=self.admin
        )
        assert response.status_code == status, (method, path, response.text)
        return response.json() if response.content else None

    async def held_charge(self, side: Property) -> str:
        """An ad-hoc charge by the front desk: held for a manager's approval."""
        body = {"offering_id": side.offering_id, "guest_id": side.guest_id,
                "stay_id": side.stay_id}  # fmt: skip
        made = await self.client.post(
            API_PREFIX + "/charges", json=body, headers=self.accounts[UserRole.FRONT_DESK].headers
        )
        assert made.status_code == 201, made.text
        assert made.json()["state"] == "pending_approval", made.json()
        charge_id: str = made.json()["charge_id"]
        return charge_id

    async def invite(self, enterprise_id: str, role: str, vendor_id: str | None = None) -> Any:
        body = {"email": f"{self.unique(role)}@{enterprise_id}.example", "name": role,
                "role": role, "enterprise_id": enterprise_id, "vendor_id": vendor_id}  # fmt: skip
        return await self.as_admin("POST", "/users", body)

    async def booking(self, side: Property, *, confirmed: bool = False) -> str:
        body = {"offering_id": side.offering_id, "guest_id": side.guest_id, "stay_id": side.stay_id}
        booking_id: str = (await self.as_admin("POST", "/bookings", body))["booking_id"]
        if confirmed:
            await self.as_admin("POST", f"/bookings/{booking_id}/confirm", status=200)
        return booking_id


async def _sign_in(client: httpx.AsyncClient, email: str, password: str) -> dict[str, Any]:
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    pair: dict[str, Any] = response.json()
    return pair


def _bearer(pair: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {pair['access_token']}"}


async def _eventually(make: Callable[[], Awaitable[Any]], what: str) -> Any:
    """The services learn about guests and stays from events a moment later."""
    for _ in range(1200):  # up to a minute on a busy machine
        found = await make()
        if found is not None:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


async def _seed_guest(js: JetStreamContext, side: Property, run: str) -> None:
    """The guest, then a second version of it from Mews a second later with a phone: an edit
    of the phone based on the first is a conflict (the conflict routes' cells need one)."""
    now = datetime.now(UTC).replace(microsecond=0)
    tag = side.enterprise_id
    guest = GuestSnapshot(mews_id=f"cust-{tag}", mews_updated_utc=now, first_name="Guest",
                          last_name=f"Of {side.name}", email=f"guest@{tag}.example")  # fmt: skip
    await publish(js, UPSERT_GUEST, UpsertGuest(command_id=f"g-{tag}-{run}", enterprise_id=tag,
                  issued_at=now, guest=guest), msg_id=f"g-{tag}-{run}")  # fmt: skip
    later = now + timedelta(seconds=1)
    second = msgspec.structs.replace(guest, mews_updated_utc=later, phone="+420 111 222 333")
    await publish(js, UPSERT_GUEST, UpsertGuest(command_id=f"g2-{tag}-{run}", enterprise_id=tag,
                  issued_at=later, guest=second), msg_id=f"g2-{tag}-{run}")  # fmt: skip


async def _seed_stay(js: JetStreamContext, side: Property, run: str) -> None:
    """After its guest is known: the stay's event then names the guest (the vendors service
    checks a booking's guest against it)."""
    now = datetime.now(UTC).replace(microsecond=0)
    tag = side.enterprise_id
    stay = StaySnapshot(
        mews_id=f"res-{tag}", mews_updated_utc=now, number=f"R-{tag}", state=StayState.STARTED,
        mews_state="Started", scheduled_start_utc=now - timedelta(days=1),
        scheduled_end_utc=now + timedelta(days=2), owner_mews_id=f"cust-{tag}",
        resource_name="101",
        notes=(StayNote(mews_id=f"note-{tag}", text="Late arrival", type="General"),),
    )  # fmt: skip
    await publish(js, UPSERT_STAY, UpsertStay(command_id=f"s-{tag}-{run}", enterprise_id=tag,
                  issued_at=now, stay=stay), msg_id=f"s-{tag}-{run}")  # fmt: skip


async def _seed_property(js: JetStreamContext, side: Property, run: str) -> None:
    """The hotel as sync describes it: guests lists it, vendors knows its catalogue."""
    now = datetime.now(UTC).replace(microsecond=0)
    hotel = PropertySnapshot(enterprise_id=side.enterprise_id, name=side.name,
                             time_zone="Europe/Prague", default_currency="EUR", pricing="gross",
                             mews_updated_utc=now)  # fmt: skip
    command_id = f"p-{side.enterprise_id}-{run}"
    await publish(js, UPSERT_PROPERTY, UpsertProperty(command_id=command_id, issued_at=now,
                  enterprise_id=side.enterprise_id, property=hotel), msg_id=command_id)  # fmt: skip
    await publish_catalogue(js, side.enterprise_id)


async def _seed(world: World, js: JetStreamContext) -> None:
    # JetStream drops a message id it saw in the last minutes: one per run, not per test file.
    run = uuid.uuid4().hex
    for side in (world.a, world.b):
        await _seed_guest(js, side, run)
        await _seed_property(js, side, run)
    for side in (world.a, world.b):
        vendor = await world.as_admin(
            "POST", "/vendors",
            {"enterprise_id": side.enterprise_id, "name": f"Spa of {side.name}", "category": "spa"},
        )  # fmt: skip
        side.vendor_id = vendor["vendor_id"]

        async def offering(side: Property = side) -> Any:
            made = await world.client.post(
                f"{API_PREFIX}/vendors/{side.vendor_id}/offerings", headers=world.admin,
                json={"name": f"Massage at {side.name}", "unit_price": "85.50",
                      "mews_service_id": "svc-1", "mews_product_id": "prod-1"},
            )  # fmt: skip
            # Until the catalogue reached the vendors service: 409, "not synced yet".
            assert made.status_code in (201, 409), made.text
            return made.json()["offering_id"] if made.status_code == 201 else None

        side.offering_id = await _eventually(offering, f"{side.name}'s offering")

    async def both_properties() -> Any:
        listed = await world.client.get(API_PREFIX + "/properties", headers=world.admin)
        return len(listed.json()) == 2 or None

    await _eventually(both_properties, "both properties in guests")
    for side in (world.a, world.b):

        async def guest(side: Property = side) -> Any:
            found = await world.client.get(
                API_PREFIX + "/guests", headers=world.admin,
                params={"enterprise_id": side.enterprise_id},  # its one guest
            )  # fmt: skip
            items = found.json()["items"]
            return items if items and items[0]["phone"] else None  # its second version

        await _eventually(guest, f"{side.name}'s guest")
        await _seed_stay(js, side, run)

        async def guest_with_stay(side: Property = side) -> Any:
            found = await world.client.get(
                API_PREFIX + "/guests", headers=world.admin,
                params={"enterprise_id": side.enterprise_id},  # its one guest
            )  # fmt: skip
            items = found.json()["items"] if found.status_code == 200 else []
            if not items:
                return None
            detail = await world.client.get(
                f"{API_PREFIX}/guests/{items[0]['guest_id']}", headers=world.admin,
                params={"enterprise_id": side.enterprise_id},
            )  # fmt: skip
            stays = detail.json()["stays"]
            return (items[0]["guest_id"], stays[0]["stay_id"]) if stays else None

        side.guest_id, side.stay_id = await _eventually(guest_with_stay, f"{side.name}'s guest")

        async def first_booking(side: Property = side) -> Any:
            body = {"offering_id": side.offering_id, "guest_id": side.guest_id,
                    "stay_id": side.stay_id}  # fmt: skip
            made = await world.client.post(API_PREFIX + "/bookings", json=body, headers=world.admin)
            # Until the stay's event reached the vendors service: 422, "not known (yet)".
            assert made.status_code in (201, 422), made.text
            return made.json()["booking_id"] if made.status_code == 201 else None

        side.booking_id = await _eventually(first_booking, f"a booking at {side.name}")
        charge = await world.as_admin(
            "POST", "/charges",
            {"offering_id": side.offering_id, "guest_id": side.guest_id, "stay_id": side.stay_id},
        )  # fmt: skip
        side.charge_id = charge["charge_id"]
        side.user_id = (await world.invite(side.enterprise_id, "front_desk"))["user"]["user_id"]

    # A's staff and the vendor user of A's vendor, signed in with their own passwords.
    for role in (UserRole.MANAGER, UserRole.FRONT_DESK, UserRole.VENDOR):
        vendor_id = world.a.vendor_id if role is UserRole.VENDOR else None
        invited = await world.invite(ENT_A, role.value, vendor_id)
        password = f"{role.value} of hotel a, long enough"
        done = await world.client.post(
            API_PREFIX + "/auth/set-password",
            json={"token": invited["set_password_token"], "new_password": password},
        )
        assert done.status_code == 204, done.text
        email = invited["user"]["email"]
        pair = await _sign_in(world.client, email, password)
        world.accounts[role] = Account(email, password, _bearer(pair))
    world.accounts[UserRole.ADMIN] = Account(ADMIN_EMAIL, ADMIN_PASSWORD, world.admin)


# --- one cell's request -----------------------------------------------------------------------


@dataclass
class Request:
    path: str
    params: dict[str, str] | None = None
    body: Any = None
    headers: dict[str, str] | None = None


async def _build(
    world: World, method: str, template: str, role: UserRole, side: Property
) -> Request:
    """The request of one cell: `side` is A ("own") or B ("other")."""
    own = side is world.a
    values = {
        "guest_id": side.guest_id, "stay_id": side.stay_id, "vendor_id": side.vendor_id,
        "offering_id": side.offering_id, "booking_id": side.booking_id,
        "charge_id": side.charge_id, "user_id": side.user_id,
        "enterprise_id": side.enterprise_id, "note_id": f"note-{side.enterprise_id}",
    }  # fmt: skip
    params: dict[str, str] = {}
    body: Any = None
    account = world.accounts[role]
    if template in ("/guests/{guest_id}/erase", "/guests/erasures/{request_id}"):
        values |= {"guest_id": str(uuid.uuid4()), "request_id": str(uuid.uuid4())}
    # Objects a cell changes for good are made fresh for it, so no cell depends on another.
    if (method, template) == ("POST", "/vendors/{vendor_id}/deactivate"):
        fresh = await world.as_admin("POST", "/vendors", {"enterprise_id": side.enterprise_id,
                                     "name": world.unique("Gym"), "category": "gym"})  # fmt: skip
        values["vendor_id"] = fresh["vendor_id"]
    elif (method, template) == ("POST", "/offerings/{offering_id}/deactivate"):
        fresh = await world.as_admin(
            "POST", f"/vendors/{side.vendor_id}/offerings",
            {"name": world.unique("Sauna"), "unit_price": "10", "currency": "EUR",
             "mews_service_id": "svc-1", "mews_product_id": "prod-1"},
        )  # fmt: skip
        values["offering_id"] = fresh["offering_id"]
    elif template in ("/bookings/{booking_id}/confirm", "/bookings/{booking_id}/decline",
                      "/bookings/{booking_id}/cancel"):  # fmt: skip
        values["booking_id"] = await world.booking(side)
    elif template == "/bookings/{booking_id}/fulfil":
        values["booking_id"] = await world.booking(side, confirmed=True)
    elif (
        template
        in (
            "/charges/{charge_id}/approve",
            "/charges/{charge_id}/reject",
            "/charges/{charge_id}/cancel",
        )
        and own
    ):
        values["charge_id"] = await world.held_charge(side)
    elif template == "/guests/{guest_id}/conflicts/resolve":
        # An edit of the phone based on the guest's first version: in conflict with Mews's.
        made = await world.client.patch(
            f"{API_PREFIX}/guests/{side.guest_id}", headers=world.admin,
            params={"enterprise_id": side.enterprise_id},
            json={"base_version": LONG_AGO, "phone": world.unique("+44 ")},
        )  # fmt: skip
        assert made.json()["edit"]["state"] == "conflict", made.text
        body = {"edit_id": made.json()["edit"]["edit_id"],
                "choices": [{"field": "phone", "keep": "mews"}]}  # fmt: skip
    elif template == "/users/{user_id}/deactivate":
        values["user_id"] = (await world.invite(side.enterprise_id, "front_desk"))["user"][
            "user_id"
        ]

    if template == "/billing-settings" and method == "GET":
        params["enterprise_id"] = side.enterprise_id
    if template in LISTS and not own:
        params["enterprise_id"] = side.enterprise_id
    if template in GUEST_ROUTES and role is UserRole.ADMIN:
        params["enterprise_id"] = side.enterprise_id
    if template in ("/arrivals", "/departures", "/in-house"):
        params["date"] = datetime.now(UTC).date().isoformat()
    if template == "/guests":
        params["q"] = "Guest"
    if template == "/vendors/{vendor_id}/settlement":
        now = datetime.now(UTC)
        params |= {"from": (now - timedelta(days=1)).isoformat(),
                   "to": (now + timedelta(days=1)).isoformat()}  # fmt: skip

    headers = account.headers
    match (method, template):
        case ("POST", "/auth/login"):
            body, headers = {"email": account.email, "password": account.password}, {}
        case ("POST", "/auth/refresh") | ("POST", "/auth/logout"):
            pair = await _sign_in(world.client, account.email, account.password)
            body, headers = {"refresh_token": pair["refresh_token"]}, {}
        case ("POST", "/auth/set-password"):
            invited = await world.invite(ENT_A, "front_desk")
            body = {"token": invited["set_password_token"], "new_password": "a long new secret"}
            headers = {}
        case ("POST", "/vendors"):
            body = {"enterprise_id": side.enterprise_id, "name": world.unique("Pool"),
                    "category": "pool"}  # fmt: skip
        case ("PATCH", "/vendors/{vendor_id}"):
            body = {"contact_phone": world.unique("+420")}
        case ("PATCH", "/guests/{guest_id}"):
            body = {"base_version": LONG_AGO, "notes": world.unique("Late check-in")}
        case ("POST", "/stays/{stay_id}/notes"):
            body = {"text": world.unique("Extra towels")}
        case ("PUT", "/stays/{stay_id}/notes/{note_id}"):
            body = {"text": world.unique("Late arrival, 23:00"), "base_text": "Late arrival"}
        case ("PUT", "/properties/{enterprise_id}/edit-rules"):
            body = {"rules": [{"field": "notes", "rule": "ask"}]}
        case ("POST", "/vendors/{vendor_id}/offerings"):
            body = {"name": world.unique("Facial"), "unit_price": "40",
                    "mews_service_id": "svc-1"}  # fmt: skip
        case ("PATCH", "/offerings/{offering_id}"):
            body = {"description": world.unique("relaxing")}
        case ("POST", "/bookings") | ("POST", "/charges"):
            body = {"offering_id": side.offering_id, "guest_id": side.guest_id,
                    "stay_id": side.stay_id}  # fmt: skip
        case ("POST", "/bookings/{booking_id}/decline") | ("POST", "/bookings/{booking_id}/cancel"):
            body = {"reason": "matrix"}
        case ("POST", "/users"):
            body = {"email": f"{world.unique('new')}@{side.enterprise_id}.example", "name": "New",
                    "role": "front_desk", "enterprise_id": side.enterprise_id}  # fmt: skip
        case ("POST", "/charges/{charge_id}/reject") | ("POST", "/charges/{charge_id}/cancel"):
            body = {"reason": "matrix"}
        case ("PATCH", "/billing-settings"):
            body = {"enterprise_id": side.enterprise_id, "checkout_grace_hours": 24}
        case ("POST", "/users/{user_id}/role"):
            body = {"role": "manager"}
        case ("POST", "/sync/{enterprise_id}/resync"):
            body = {"entities": ["Customer"]}
        case ("POST", "/guests/{guest_id}/erase"):
            body = {"reason": "matrix"}
    path = API_PREFIX + template.format(**values)
    return Request(path, params or None, body, headers)


async def _send(world: World, method: str, template: str, request: Request) -> httpx.Response:
    if template == "/events":
        async with world.client.stream("GET", request.path, headers=request.headers) as response:
            if response.status_code == 200:
                async for line in response.aiter_lines():
                    assert line.startswith(":")  # the stream's opening comment
                    break
            else:
                await response.aread()
            return response
    return await world.client.request(
        method, request.path, params=request.params, json=request.body, headers=request.headers
    )


def api_routes(running: Running) -> list[tuple[str, str]]:
    found = []
    for route in running.gateway.litestar.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith(API_PREFIX):
            continue
        for handler in route.route_handlers:
            for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"}):
                template = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path[len(API_PREFIX) :])
                found.append((method, template))
    return found


@pytest.fixture
async def world(
    nats_url: str, nats_client: NatsClient, jetstream: JetStreamContext, database_url: str
) -> AsyncIterator[World]:
    await ensure_streams(jetstream)
    users_url = await migrated(database_url, "users", USERS_MIGRATIONS.script_location)
    vendors_url = await migrated(database_url, "vendors", VENDORS_MIGRATIONS.script_location)
    guests_url = await migrated(database_url, "guests", GUESTS_MIGRATIONS.script_location)
    nats = NatsSettings(url=nats_url)
    users = create_users(UsersSettings(
        database=DatabaseSettings(url=users_url, schema="users", pool_size=3), nats=nats,
        health_host="127.0.0.1", health_port=0, hashing=CHEAP,
    ))  # fmt: skip
    vendors = create_vendors(VendorsSettings(
        nats=nats, database=DatabaseSettings(url=vendors_url, schema="vendors", pool_size=3),
        observability=ObservabilitySettings(service="vendors"), health_port=0,
    ))  # fmt: skip
    guests = create_guests(GuestsSettings(
        nats=nats, database=DatabaseSettings(url=guests_url, schema="guests", pool_size=3),
        observability=ObservabilitySettings(service="guests"), health_port=0, rpc_workers=4,
    ))  # fmt: skip
    # mews-ingest (which needs Mews) stands in for the resync calls; its own checks are
    # tested in services/mews-ingest/tests.
    ingest = FakeServices(nats_client)
    await ingest.start(ingest_rpc.METHODS)
    async with running_app(users), running_app(vendors), running_app(guests):
        await users.service.ensure_admin(ADMIN_EMAIL, ADMIN_PASSWORD, name="Root")
        async with serve(create_app(gateway_settings(nats_url))) as running:
            admin = _bearer(await _sign_in(running.client, ADMIN_EMAIL, ADMIN_PASSWORD))
            world = World(running, admin, Property(ENT_A, "Hotel A"), Property(ENT_B, "Hotel B"))
            await _seed(world, jetstream)
            yield world
    await ingest.stop()


async def test_every_route_every_role_own_and_other_property(world: World) -> None:
    routes = api_routes(world.running)
    # Every route of the app has its row, and every row is a route of the app.
    assert sorted(routes) == sorted(EXPECTED), set(routes) ^ set(EXPECTED)

    wrong: list[str] = []
    checked = 0
    for method, template in routes:
        for role, (own_status, other_status) in cells(EXPECTED[(method, template)]).items():
            for side, expected in ((world.a, own_status), (world.b, other_status)):
                if expected is None:
                    continue
                request = await _build(world, method, template, role, side)
                response = await _send(world, method, template, request)
                checked += 1
                cell = f"{method} {template} {role.value} {'own' if side is world.a else 'other'}"
                if response.status_code != expected:
                    wrong.append(f"{cell}: {response.status_code} (expected {expected}) "
                                 f"{response.text[:200]}")  # fmt: skip
                    continue
                # A refusal tells nothing about the other property's object.
                refused = side is world.b and expected in (403, 404)
                if refused and world.b.name in response.text:
                    wrong.append(f"{cell}: the refusal shows the other property's data")
                if role is not UserRole.ADMIN and expected == 200 and template in LISTS:
                    # A property's users never see another property's rows in a list.
                    items = response.json().get("items") or response.json().get("users") or []
                    if any(i.get("enterprise_id") == ENT_B for i in items):
                        wrong.append(f"{cell}: the list holds the other property's rows")

    # Each property's users list their own property only; the portfolio-wide admin both.
    for role, account in world.accounts.items():
        listed = await world.client.get(API_PREFIX + "/properties", headers=account.headers)
        names = sorted(p["name"] for p in listed.json())
        expected_names = ["Hotel A", "Hotel B"] if role is UserRole.ADMIN else ["Hotel A"]
        if names != expected_names:
            wrong.append(f"GET /properties {role.value}: {names}")
    catalogue = await world.client.get(
        f"{API_PREFIX}/properties/{ENT_A}/catalogue",
        headers=world.accounts[UserRole.VENDOR].headers,
    )
    spa = catalogue.json()["services"][0]
    assert (spa["mews_id"], spa["kind"], spa["products"][0]["mews_id"]) == (
        "svc-1", "additional", "prod-1",
    )  # fmt: skip

    cell_count = sum(
        2 - (other is None) for row in EXPECTED.values() for _, other in cells(row).values()
    )
    print(f"authorization matrix: {len(routes)} routes x {len(ROLES)} roles, {checked} cells")
    assert checked == cell_count == 492
    assert wrong == [], "\n".join(wrong)

    # As before this change, a portfolio-wide user names the property of a guest route (the
    # guests service answers for one property at a time).
    response = await world.client.get(API_PREFIX + "/guests", headers=world.admin)
    assert response.status_code == 400
    assert "enterprise_id" in response.json()["detail"]
