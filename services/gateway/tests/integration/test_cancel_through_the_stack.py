"""A manager cancels a posted charge over HTTP, through the real vendors service and
mews-publisher, against the Mews simulator: the guest's bill in the simulator shows the item
cancelled, once, although Mews's answer to the cancel was lost on the way."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from gateway_testkit import Running, gateway_settings, migrated, serve
from nats.js import JetStreamContext

from attendandt.contracts.commands import UPSERT_CATALOGUE, UpsertCatalogue
from attendandt.contracts.events import STAY_EVENT, StayEvent
from attendandt.contracts.snapshots import (
    CatalogueService,
    PropertySnapshot,
    StaySnapshot,
    StayState,
)
from attendandt.contracts.streams import ensure_streams
from attendandt.gateway.app import create_app
from attendandt.mews import Credentials
from attendandt.mews_publisher.app import create_app as create_publisher
from attendandt.mews_publisher.migrations_set import MIGRATIONS as PUBLISHER_MIGRATIONS
from attendandt.mews_publisher.settings import PublisherSettings, RateLimitSettings
from attendandt.platform.messaging import publish
from attendandt.platform.provision import provision
from attendandt.platform.settings import DatabaseSettings, NatsSettings, ObservabilitySettings
from attendandt.testing.apps import running_app
from attendandt.users.app import create_app as create_users
from attendandt.users.migrations_set import MIGRATIONS as USERS_MIGRATIONS
from attendandt.users.passwords import HashParameters
from attendandt.users.settings import UsersSettings
from attendandt.vendors.app import create_app as create_vendors
from attendandt.vendors.migrations_set import MIGRATIONS as VENDORS_MIGRATIONS
from attendandt.vendors.settings import VendorsSettings

ADMIN_EMAIL = "root@hotel.example"
ADMIN_PASSWORD = "correct horse battery staple"
CHEAP = HashParameters(time_cost=1, memory_cost_kib=1024, parallelism=1)


async def _publisher_url(database_url: str) -> str:
    """The publisher's role and schema, migrated (CREATE lent for the migration only)."""
    await provision(database_url, schema="publisher", role="publisher", password=None)
    admin = await asyncpg.connect(database_url)
    try:
        name = await admin.fetchval("select current_database()")
        await admin.execute(f'GRANT CREATE ON DATABASE "{name}" TO publisher')
        url = await migrated(database_url, "publisher", PUBLISHER_MIGRATIONS.script_location)
        await admin.execute(f'REVOKE CREATE ON DATABASE "{name}" FROM publisher')
    finally:
        await admin.close()
    return url


@pytest.fixture
async def stack(
    nats_url: str, jetstream: JetStreamContext, database_url: str, mews_sim: Any
) -> AsyncIterator[Running]:
    await ensure_streams(jetstream)
    nats = NatsSettings(url=nats_url)
    users_url = await migrated(database_url, "users", USERS_MIGRATIONS.script_location)
    vendors_url = await migrated(database_url, "vendors", VENDORS_MIGRATIONS.script_location)
    publisher_url = await _publisher_url(database_url)
    token = mews_sim.gross.token
    users = create_users(UsersSettings(
        database=DatabaseSettings(url=users_url, schema="users", pool_size=3), nats=nats,
        health_host="127.0.0.1", health_port=0, hashing=CHEAP,
    ))  # fmt: skip
    vendors = create_vendors(VendorsSettings(
        nats=nats, database=DatabaseSettings(url=vendors_url, schema="vendors", pool_size=3),
        observability=ObservabilitySettings(service="vendors"), health_port=0,
    ))  # fmt: skip
    publisher = create_publisher(PublisherSettings(
        nats=nats, database=DatabaseSettings(url=publisher_url, schema="publisher", pool_size=5),
        observability=ObservabilitySettings(service="mews-publisher"),
        mews_base_url=mews_sim.base_url,
        credentials=(Credentials(token.client_token, token.access_token, label="gross"),),
        rate_limit=RateLimitSettings(requests=2000, per_s=2.0, burst=200),
        mews_timeout_s=1.5, settle_s=0.3, ack_wait_s=5.0, health_port=0,
    ))  # fmt: skip
    async with running_app(users), running_app(vendors), running_app(publisher):
        await users.service.ensure_admin(ADMIN_EMAIL, ADMIN_PASSWORD, name="Root")
        async with serve(create_app(gateway_settings(nats_url))) as running:
            yield running


async def _eventually(check: Callable[[], Awaitable[Any]], what: str) -> Any:
    for _ in range(600):  # up to 30 s on a busy machine
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def _sign_in(client: httpx.AsyncClient, email: str, password: str) -> dict[str, str]:
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def _manager(client: httpx.AsyncClient, admin: dict[str, str], enterprise_id: str) -> Any:
    invited = await client.post(
        "/api/v1/users",
        json={"email": "max@hotel.example", "name": "Max", "role": "manager",
              "enterprise_id": enterprise_id},
        headers=admin,
    )  # fmt: skip
    assert invited.status_code == 201, invited.text
    password = "max has a long password"
    done = await client.post(
        "/api/v1/auth/set-password",
        json={"token": invited.json()["set_password_token"], "new_password": password},
    )
    assert done.status_code == 204, done.text
    return await _sign_in(client, "max@hotel.example", password)


async def _hotel(js: JetStreamContext, mews_sim: Any) -> tuple[str, str, dict[str, Any]]:
    """The simulator's gross hotel as sync would tell vendors: its Spa, and one stay in house
    (a reservation of the simulator's, so Mews knows what the charge is linked to)."""
    enterprise_id = mews_sim.gross.id
    spa_id = await _spa_service(mews_sim)
    reservation = next(
        r for r in mews_sim.control.reservations(enterprise_id) if r.get("AccountId")
    )
    now = datetime.now(UTC)
    catalogue = UpsertCatalogue(
        command_id=f"catalogue:{uuid.uuid4()}", enterprise_id=enterprise_id, issued_at=now,
        mews_updated_utc=now,
        property=PropertySnapshot(
            enterprise_id=enterprise_id, name="Simulated Hotel", time_zone="Europe/London",
            default_currency=mews_sim.gross.currency, currencies=(mews_sim.gross.currency,),
            pricing="gross",
        ),
        services=(CatalogueService(mews_id=spa_id, name="Spa", kind="additional",
                                   is_active=True),),
    )  # fmt: skip
    await publish(js, UPSERT_CATALOGUE, catalogue, msg_id=catalogue.command_id)
    stay = StayEvent(
        event_id="stay:s-1", enterprise_id=enterprise_id, occurred_at=now, event="checked_in",
        stay_id="s-1", guest_ids=("g-1",),
        stay=StaySnapshot(mews_id=reservation["Id"], mews_updated_utc=now,
                          state=StayState.STARTED, mews_state="Started",
                          owner_mews_id=reservation["AccountId"],
                          scheduled_start_utc=now - timedelta(days=1),
                          scheduled_end_utc=now + timedelta(days=2)),
    )  # fmt: skip
    await publish(
        js, STAY_EVENT, stay, msg_id="stay:s-1", enterprise=enterprise_id, event="checked_in"
    )
    return enterprise_id, spa_id, reservation


async def _spa_service(mews_sim: Any) -> str:
    token = mews_sim.gross.token
    async with httpx.AsyncClient() as http:
        answer = await http.post(
            mews_sim.api_url("services/getAll"),
            json={**token.body(), "Limitation": {"Count": 100}},
        )
    return str(next(s["Id"] for s in answer.json()["Services"] if s["Names"].get("en-US") == "Spa"))


async def _bill_items(mews_sim: Any, account_id: str) -> list[dict[str, Any]]:
    """The guest's bills in the simulator, with their items."""
    token = mews_sim.gross.token
    async with httpx.AsyncClient() as http:
        answer = await http.post(
            mews_sim.api_url("bills/getAll"),
            json={**token.body(), "CustomerIds": [account_id], "State": "Open",
                  "Extent": {"Items": True}, "Limitation": {"Count": 100}},
        )  # fmt: skip
    assert answer.status_code == 200, answer.text
    return [item for bill in answer.json()["Bills"] for item in bill["OrderItems"]]


async def test_a_manager_cancels_a_posted_charge_and_the_guests_bill_shows_it_cancelled(
    stack: Running, jetstream: JetStreamContext, mews_sim: Any
) -> None:
    client = stack.client
    admin = await _sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    enterprise_id, spa_id, reservation = await _hotel(jetstream, mews_sim)
    vendor = await client.post(
        "/api/v1/vendors",
        json={"enterprise_id": enterprise_id, "name": "Lagoon Spa", "category": "spa"},
        headers=admin,
    )
    assert vendor.status_code == 201, vendor.text

    async def offering() -> Any:
        made = await client.post(
            f"/api/v1/vendors/{vendor.json()['vendor_id']}/offerings",
            json={"name": "Hot stone massage", "unit_price": "95", "mews_service_id": spa_id},
            headers=admin,
        )
        return made.json() if made.status_code == 201 else None

    offering_id = (await _eventually(offering, "the catalogue"))["offering_id"]
    manager = await _manager(client, admin, enterprise_id)

    async def charged() -> Any:
        made = await client.post(
            "/api/v1/charges",
            json={"offering_id": offering_id, "guest_id": "g-1", "stay_id": "s-1"},
            headers=manager,
        )
        return made.json() if made.status_code == 201 else None

    charge_id = (await _eventually(charged, "the stay"))["charge_id"]

    async def in_state(state: str) -> Any:
        async def check() -> Any:
            got = await client.get(f"/api/v1/charges/{charge_id}", headers=manager)
            return got.json() if got.json()["state"] == state else None

        return await _eventually(check, f"the charge {state}")

    posted = await in_state("posted")
    [item] = [
        i for i in await _bill_items(mews_sim, reservation["AccountId"])
        if i["ServiceOrderId"] == posted["mews_order_id"]
    ]  # fmt: skip
    assert item["AccountingState"] == "Open"

    # Mews cancels it, and the answer never comes back: the publisher reads it back.
    mews_sim.control.lose_response(path="orderItems/cancel", mode="drop")
    refused = await client.post(
        f"/api/v1/charges/{charge_id}/cancel", json={"reason": " "}, headers=manager
    )
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    asked = await client.post(
        f"/api/v1/charges/{charge_id}/cancel",
        json={"reason": "the guest was not satisfied"},
        headers=manager,
    )
    assert asked.status_code == 200, asked.text
    assert asked.json()["state"] == "cancelling"
    cancelled = await in_state("cancelled")
    assert cancelled["cancel_method"] == "order_items_cancelled"
    assert cancelled["cancel_reason"] == "the guest was not satisfied"
    [on_bill] = [
        i for i in await _bill_items(mews_sim, reservation["AccountId"]) if i["Id"] == item["Id"]
    ]
    assert on_bill["AccountingState"] == "Canceled"
    counters = mews_sim.control.counters()
    assert counters["requests_by_path"]["orderItems/cancel"] == 1
    assert counters["order_items_canceled"] == 1
    assert counters["faults_injected"] == 1
