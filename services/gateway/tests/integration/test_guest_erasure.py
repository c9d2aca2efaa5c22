"""A guest erased through the API, on the real pipeline (users, vendors and guests services,
real NATS and Postgres): the vendors service is down when the erasure is asked for and
answers after it restarts; then the guest's name, email and phone are found nowhere through
the API nor in a replay of ATTENDANDT_EVENTS, the charge stays with the pseudonym, and every
part's receipt is recorded."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from gateway_testkit import gateway_settings, migrated, serve
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from test_authz_matrix import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    CHEAP,
    ENT_A,
    ENT_B,
    Property,
    World,
    _bearer,
    _eventually,
    _seed,
    _sign_in,
)

from attendandt.contracts.streams import ATTENDANDT_EVENTS, ATTENDANDT_RESTRICTED, ensure_streams
from attendandt.gateway.app import API_PREFIX, create_app
from attendandt.guests.app import create_app as create_guests
from attendandt.guests.migrations_set import MIGRATIONS as GUESTS_MIGRATIONS
from attendandt.guests.settings import GuestsSettings
from attendandt.platform.settings import DatabaseSettings, NatsSettings, ObservabilitySettings
from attendandt.testing.apps import running_app
from attendandt.users.app import create_app as create_users
from attendandt.users.migrations_set import MIGRATIONS as USERS_MIGRATIONS
from attendandt.users.settings import UsersSettings
from attendandt.vendors.app import create_app as create_vendors
from attendandt.vendors.migrations_set import MIGRATIONS as VENDORS_MIGRATIONS
from attendandt.vendors.settings import VendorsSettings

# What `_seed` gave hotel A's guest (see test_authz_matrix).
NAME = "Of Hotel A"
EMAIL = f"guest@{ENT_A}.example"
PHONE = "+420 111 222 333"


class Erasing:
    def __init__(self, world: World, vendors_settings: VendorsSettings) -> None:
        self.world = world
        self.vendors_settings = vendors_settings
        self._vendors_stop: asyncio.Event | None = None
        self._vendors_task: asyncio.Task[None] | None = None

    async def start_vendors(self) -> None:
        app = create_vendors(self.vendors_settings)
        self._vendors_stop = asyncio.Event()
        self._vendors_task = asyncio.create_task(app.run(self._vendors_stop))
        await asyncio.wait_for(app.started.wait(), 30)

    async def stop_vendors(self) -> None:
        assert self._vendors_stop is not None
        assert self._vendors_task is not None
        self._vendors_stop.set()
        await asyncio.wait_for(self._vendors_task, 20)
        self._vendors_task = None


@pytest.fixture
async def erasing(
    nats_url: str, nats_client: NatsClient, jetstream: JetStreamContext, database_url: str
) -> AsyncIterator[Erasing]:
    await ensure_streams(jetstream)
    users_url = await migrated(database_url, "users", USERS_MIGRATIONS.script_location)
    vendors_url = await migrated(database_url, "vendors", VENDORS_MIGRATIONS.script_location)
    guests_url = await migrated(database_url, "guests", GUESTS_MIGRATIONS.script_location)
    nats = NatsSettings(url=nats_url)
    users = create_users(UsersSettings(
        database=DatabaseSettings(url=users_url, schema="users", pool_size=3), nats=nats,
        health_host="127.0.0.1", health_port=0, hashing=CHEAP,
    ))  # fmt: skip
    vendors_settings = VendorsSettings(
        nats=nats, database=DatabaseSettings(url=vendors_url, schema="vendors", pool_size=3),
        observability=ObservabilitySettings(service="vendors"), health_port=0,
    )  # fmt: skip
    guests = create_guests(GuestsSettings(
        nats=nats, database=DatabaseSettings(url=guests_url, schema="guests", pool_size=3),
        observability=ObservabilitySettings(service="guests"), health_port=0, rpc_workers=4,
    ))  # fmt: skip
    async with running_app(users), running_app(guests):
        await users.service.ensure_admin(ADMIN_EMAIL, ADMIN_PASSWORD, name="Root")
        async with serve(create_app(gateway_settings(nats_url))) as running:
            admin = _bearer(await _sign_in(running.client, ADMIN_EMAIL, ADMIN_PASSWORD))
            world = World(running, admin, Property(ENT_A, "Hotel A"), Property(ENT_B, "Hotel B"))
            erasing = Erasing(world, vendors_settings)
            await erasing.start_vendors()
            try:
                await _seed(world, jetstream)
                yield erasing
            finally:
                with contextlib.suppress(AssertionError):
                    await erasing.stop_vendors()


async def _get(world: World, path: str, **params: Any) -> Any:
    response = await world.client.get(API_PREFIX + path, params=params, headers=world.admin)
    assert response.status_code == 200, (path, response.text)
    return response.json()


async def _replay(js: JetStreamContext, stream: str, subject: str) -> bytes:
    """Every message of `stream` on `subject` from the start, bodies joined."""
    bodies: list[bytes] = []
    info = await js.stream_info(stream)
    seq = max(info.state.first_seq, 1)
    while True:
        try:
            msg = await js.get_msg(stream, seq, subject=subject, next=True)
        except Exception:  # past the last one
            break
        assert msg.seq is not None
        bodies.append(msg.data or b"")
        seq = msg.seq + 1
    return b"\n".join(bodies)


async def test_an_erased_guest_is_gone_everywhere_and_every_holder_gave_a_receipt(
    erasing: Erasing, jetstream: JetStreamContext
) -> None:
    world, a = erasing.world, erasing.world.a
    events_before = await _replay(jetstream, ATTENDANDT_EVENTS.name, "attendandt.v1.>")
    assert NAME.encode() in events_before  # public guest events carry the name
    restricted_before = await _replay(
        jetstream, ATTENDANDT_RESTRICTED.name, "attendandt.restricted.v1.>"
    )
    assert EMAIL.encode() in restricted_before
    # Reads of the guest's personal data were logged: the seeding's listing and detail.
    logged = await _get(world, "/audit/guest-access", guest_id=a.guest_id)
    assert {"search", "detail"} <= {entry["action"] for entry in logged["items"]}
    assert all(entry["enterprise_id"] == ENT_A for entry in logged["items"])

    await erasing.stop_vendors()  # down when the erasure is asked for
    asked = await world.client.post(
        f"{API_PREFIX}/guests/{a.guest_id}/erase", params={"enterprise_id": ENT_A},
        json={"reason": "the guest asked by email"}, headers=world.admin,
    )  # fmt: skip
    assert asked.status_code == 202, asked.text
    request = asked.json()
    assert (request["state"], request["created"], request["source"]) == ("pending", True, "staff")
    request_id = request["request_id"]

    async def only_vendors_missing() -> Any:
        found = await _get(world, f"/guests/erasures/{request_id}")
        return found if found["waiting_for"] == ["vendors"] else None

    pending = await _eventually(only_vendors_missing, "the guests service's parts done")
    assert pending["state"] == "pending"
    listed = await _get(world, "/guests/erasures", state="pending")
    assert [r["request_id"] for r in listed["items"]] == [request_id]
    # Asking again answers the same request.
    again = await world.client.post(
        f"{API_PREFIX}/guests/{a.guest_id}/erase", params={"enterprise_id": ENT_A},
        json={"reason": "asked twice"}, headers=world.admin,
    )  # fmt: skip
    assert (again.json()["request_id"], again.json()["created"]) == (request_id, False)

    await erasing.start_vendors()  # takes the command waiting for it

    async def done() -> Any:
        found = await _get(world, f"/guests/erasures/{request_id}")
        return found if found["state"] == "done" else None

    finished = await _eventually(done, "every receipt in")
    receipts = {r["part"]: r for r in finished["receipts"]}
    assert set(receipts) == {"guests", "event-streams", "vendors"}
    assert all(r["done_at"] for r in receipts.values())
    assert receipts["guests"]["pseudonymised"] == {"guests": 1}
    assert receipts["vendors"]["pseudonymised"]["charges"] >= 1
    assert receipts["event-streams"]["removed"][ATTENDANDT_EVENTS.name] >= 2
    pseudonym = finished["pseudonym"]

    # Searching by name, email or phone finds nothing.
    for query in ("Of Hotel", EMAIL, PHONE):
        found = await _get(world, "/guests", enterprise_id=ENT_A, q=query)
        assert found["items"] == [], query
    detail = await _get(world, f"/guests/{a.guest_id}", enterprise_id=ENT_A)
    assert (detail["guest"]["last_name"], detail["guest"]["email"], detail["guest"]["phone"]) == (
        pseudonym, None, None,
    )  # fmt: skip
    # The charge stays, with the pseudonym for the guest.
    charge = await _get(world, f"/charges/{a.charge_id}")
    assert charge["guest_id"] == pseudonym
    assert (await _get(world, "/charges", enterprise_id=ENT_A, guest_id=a.guest_id))["items"] == []

    # A replay of the streams from the start holds none of it (hotel A's messages: hotel B's
    # guest was seeded with the same phone, and is untouched).
    events = await _replay(jetstream, ATTENDANDT_EVENTS.name, "attendandt.v1.>")
    events_a = await _replay(jetstream, ATTENDANDT_EVENTS.name, f"attendandt.v1.{ENT_A}.>")
    restricted_a = await _replay(
        jetstream, ATTENDANDT_RESTRICTED.name, f"attendandt.restricted.v1.{ENT_A}.>"
    )
    for value in (NAME, EMAIL):
        assert value.encode() not in events, value
    for value in (NAME, EMAIL, PHONE):
        assert value.encode() not in events_a, value
        assert value.encode() not in restricted_a, value
    restricted = await _replay(jetstream, ATTENDANDT_RESTRICTED.name, "attendandt.restricted.v1.>")
    assert b"Of Hotel B" in events
    assert f"guest@{ENT_B}.example".encode() in restricted
    assert PHONE.encode() in restricted
    # Hotel systems learn of it, without personal data.
    assert f'"request_id":"{request_id}"'.encode() in events
