"""The hotels through the API, on the real users, guests and vendors services (each its own
Postgres role, real NATS): `GET /properties` and a property's catalogue as JSON, offerings
checked against the catalogue as problems, and the day lists in the hotel's zone."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from gateway_testkit import ENT, Running, gateway_settings, migrated, publish_catalogue, serve
from nats.js import JetStreamContext

from attendandt.contracts.commands import UPSERT_PROPERTY, UpsertProperty
from attendandt.contracts.snapshots import PropertySnapshot
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

ADMIN_EMAIL = "root@hotel.example"
ADMIN_PASSWORD = "correct horse battery staple"
CHEAP = HashParameters(time_cost=1, memory_cost_kib=1024, parallelism=1)
NOT_SYNCED = "the hotel's services are not synced yet; try again shortly"


@pytest.fixture
async def platform(
    nats_url: str, jetstream: JetStreamContext, database_url: str
) -> AsyncIterator[Running]:
    await ensure_streams(jetstream)
    nats = NatsSettings(url=nats_url)
    users_url = await migrated(database_url, "users", USERS_MIGRATIONS.script_location)
    vendors_url = await migrated(database_url, "vendors", VENDORS_MIGRATIONS.script_location)
    guests_url = await migrated(database_url, "guests", GUESTS_MIGRATIONS.script_location)
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
    async with running_app(users), running_app(vendors), running_app(guests):
        await users.service.ensure_admin(ADMIN_EMAIL, ADMIN_PASSWORD, name="Root")
        async with serve(create_app(gateway_settings(nats_url))) as running:
            yield running


async def _bearer(running: Running, email: str, password: str) -> dict[str, str]:
    pair = await running.client.post(
        API_PREFIX + "/auth/login", json={"email": email, "password": password}
    )
    assert pair.status_code == 200, pair.text
    return {"Authorization": f"Bearer {pair.json()['access_token']}"}


async def _user(
    running: Running, admin: dict[str, str], role: str, **fields: Any
) -> dict[str, str]:
    email = f"{role}-{fields.get('vendor_id') or fields['enterprise_id']}@hotel.example"
    invited = await running.client.post(
        API_PREFIX + "/users", headers=admin,
        json={"email": email, "name": role, "role": role, **fields},
    )  # fmt: skip
    assert invited.status_code == 201, invited.text
    password = f"the {role} of this hotel, long enough"
    done = await running.client.post(
        API_PREFIX + "/auth/set-password",
        json={"token": invited.json()["set_password_token"], "new_password": password},
    )
    assert done.status_code == 204, done.text
    return await _bearer(running, email, password)


async def _until(check: Callable[[], Awaitable[Any]], what: str) -> Any:
    """The services learn about the hotel from sync's commands a moment later."""
    for _ in range(400):
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


async def _describe_hotel(js: JetStreamContext) -> None:
    """As sync would, from Mews: the hotel (for guests) and its catalogue (for vendors)."""
    now = datetime.now(UTC).replace(microsecond=0)
    hotel = PropertySnapshot(
        enterprise_id=ENT, name="Connector API Hotel (Gross Pricing)", short_name="CAH",
        time_zone="Europe/London", default_currency="GBP", currencies=("GBP", "EUR"),
        pricing="gross", default_language_code="en-GB", mews_updated_utc=now,
    )  # fmt: skip
    command = UpsertProperty(
        command_id=f"property:{ENT}:{now.isoformat()}", enterprise_id=ENT, issued_at=now,
        property=hotel,
    )  # fmt: skip
    await publish(js, UPSERT_PROPERTY, command, msg_id=command.command_id)
    await publish_catalogue(js, ENT, currency="GBP")


async def test_the_hotel_its_catalogue_and_offerings_that_fit_it(
    platform: Running, jetstream: JetStreamContext
) -> None:
    client = platform.client
    admin = await _bearer(platform, ADMIN_EMAIL, ADMIN_PASSWORD)
    vendor = await client.post(
        API_PREFIX + "/vendors", headers=admin,
        json={"enterprise_id": ENT, "name": "Lagoon Spa", "category": "spa"},
    )  # fmt: skip
    vendor_id = vendor.json()["vendor_id"]
    manager = await _user(platform, admin, "manager", enterprise_id=ENT)
    desk = await _user(platform, admin, "front_desk", enterprise_id=ENT)
    spa_user = await _user(platform, admin, "vendor", enterprise_id=ENT, vendor_id=vendor_id)
    offerings = f"{API_PREFIX}/vendors/{vendor_id}/offerings"
    catalogue_url = f"{API_PREFIX}/properties/{ENT}/catalogue"

    # Before sync described the hotel: nothing listed, offerings wait.
    assert (await client.get(API_PREFIX + "/properties", headers=manager)).json() == []
    early = await client.get(catalogue_url, headers=manager)
    assert early.status_code == 409
    assert early.headers["content-type"].startswith("application/problem+json")
    assert early.json()["detail"] == NOT_SYNCED
    body = {"name": "Massage 60 min", "unit_price": "80.00", "mews_service_id": "svc-1"}
    refused = await client.post(offerings, json=body, headers=spa_user)
    assert (refused.status_code, refused.json()["detail"]) == (409, NOT_SYNCED)

    await _describe_hotel(jetstream)

    async def listed() -> Any:
        return (await client.get(API_PREFIX + "/properties", headers=desk)).json()

    assert await _until(listed, "the hotel listed") == [
        {
            "enterprise_id": ENT,
            "name": "Connector API Hotel (Gross Pricing)",
            "short_name": "CAH",
            "time_zone": "Europe/London",
            "default_currency": "GBP",
            "pricing": "gross",
            "default_language_code": "en-GB",
            # Neither ingest nor sync reported on it (no KV entry): onboarding.
            "phase": "onboarding",
            "integration_state": None,
        }
    ]

    async def catalogue() -> Any:
        found = await client.get(catalogue_url, headers=spa_user)
        return found.json() if found.status_code == 200 else None

    assert await _until(catalogue, "the catalogue in vendors") == {
        "enterprise_id": ENT,
        "default_currency": "GBP",
        "pricing": "gross",
        "services": [
            {
                "mews_id": "svc-1", "name": "Spa", "kind": "additional", "is_active": True,
                "products": [{"mews_id": "prod-1", "name": "Massage 60 min",
                              "unit_amount": "80.00", "currency": "GBP", "is_active": True}],
            },
            {"mews_id": "svc-stay", "name": "Stays", "kind": "bookable", "is_active": True,
             "products": []},
        ],
    }  # fmt: skip
    # Who makes offerings reads it; the front desk does not; another property is absent.
    assert (await client.get(catalogue_url, headers=desk)).status_code == 403
    other = await client.get(f"{API_PREFIX}/properties/another-hotel/catalogue", headers=manager)
    assert other.status_code == 404

    # Offerings fit the catalogue, or the problem says what would.
    wrong = await client.post(
        offerings, json={**body, "mews_service_id": "svc-stay"}, headers=manager
    )
    assert wrong.status_code == 422
    assert wrong.headers["content-type"].startswith("application/problem+json")
    assert wrong.json()["detail"] == (
        "mews_service_id svc-stay cannot take charges: Stays is a bookable service (stays), "
        "not an Additional one; use one of: Spa (svc-1)"
    )
    euros = await client.post(offerings, json={**body, "currency": "EUR"}, headers=manager)
    assert euros.status_code == 422
    assert "its prices are in GBP" in euros.json()["detail"]
    made = await client.post(
        offerings, json={**body, "mews_product_id": "prod-1"}, headers=spa_user
    )
    assert made.status_code == 201, made.text
    assert (made.json()["currency"], made.json()["mews_service_id"]) == ("GBP", "svc-1")

    # The day lists, asked for no zone, are the hotel's days (London: BST in July).
    day = await client.get(API_PREFIX + "/arrivals", params={"date": "2026-07-10"}, headers=desk)
    assert day.status_code == 200, day.text
    assert day.json()["timezone"] == "Europe/London"
    assert day.json()["window_start_utc"] == "2026-07-09T23:00:00Z"
    named = await client.get(
        API_PREFIX + "/arrivals", params={"date": "2026-07-10", "timezone": "UTC"}, headers=desk
    )
    assert (named.json()["timezone"], named.json()["window_start_utc"]) == (
        "UTC", "2026-07-10T00:00:00Z",
    )  # fmt: skip
