"""End to end through the real users and vendors services (in this process, each as its own
Postgres role on the test database, real NATS): legacy sign-in with real password hashing,
invites, refresh rotation, deactivation, and a vendor asking for another vendor's booking."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from gateway_testkit import ENT, Running, gateway_settings, migrated, publish_catalogue, serve
from nats.js import JetStreamContext

from attendandt.contracts.events import STAY_EVENT, StayEvent
from attendandt.contracts.snapshots import StaySnapshot, StayState
from attendandt.contracts.streams import ensure_streams
from attendandt.gateway.app import create_app
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


@pytest.fixture
async def platform(
    nats_url: str, jetstream: JetStreamContext, database_url: str
) -> AsyncIterator[Running]:
    await ensure_streams(jetstream)
    users_url = await migrated(database_url, "users", USERS_MIGRATIONS.script_location)
    vendors_url = await migrated(database_url, "vendors", VENDORS_MIGRATIONS.script_location)
    users = create_users(
        UsersSettings(
            database=DatabaseSettings(url=users_url, schema="users", pool_size=3),
            nats=NatsSettings(url=nats_url),
            health_host="127.0.0.1",
            health_port=0,
            hashing=CHEAP,
        )
    )
    vendors = create_vendors(
        VendorsSettings(
            nats=NatsSettings(url=nats_url),
            database=DatabaseSettings(url=vendors_url, schema="vendors", pool_size=3),
            observability=ObservabilitySettings(service="vendors"),
            health_port=0,
        )
    )
    async with running_app(users), running_app(vendors):
        await users.service.ensure_admin(ADMIN_EMAIL, ADMIN_PASSWORD, name="Root")
        async with serve(create_app(gateway_settings(nats_url))) as running:
            yield running


async def _sign_in(running: Running, email: str, password: str) -> dict[str, Any]:
    response = await running.client.post(
        "/api/v1/auth/login", json={"email": email, "password": password}
    )
    assert response.status_code == 200, response.text
    pair: dict[str, Any] = response.json()
    return pair


def _bearer(pair: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {pair['access_token']}"}


async def _vendor_user(
    running: Running, admin: dict[str, str], email: str, vendor_id: str
) -> dict[str, Any]:
    invited = await running.client.post(
        "/api/v1/users",
        json={
            "email": email,
            "name": email,
            "role": "vendor",
            "vendor_id": vendor_id,
            "enterprise_id": ENT,
        },
        headers=admin,
    )
    assert invited.status_code == 201, invited.text
    token = invited.json()["set_password_token"]
    password = f"{vendor_id} has a long password"
    done = await running.client.post(
        "/api/v1/auth/set-password", json={"token": token, "new_password": password}
    )
    assert done.status_code == 204, done.text
    pair = await _sign_in(running, email, password)
    pair["user_id"] = invited.json()["user"]["user_id"]
    return pair


async def _staff_user(
    running: Running, admin: dict[str, str], email: str, role: str, enterprise_id: str
) -> dict[str, Any]:
    invited = await running.client.post(
        "/api/v1/users",
        json={"email": email, "name": email, "role": role, "enterprise_id": enterprise_id},
        headers=admin,
    )
    assert invited.status_code == 201, invited.text
    password = f"{email} has a long password"
    done = await running.client.post(
        "/api/v1/auth/set-password",
        json={"token": invited.json()["set_password_token"], "new_password": password},
    )
    assert done.status_code == 204, done.text
    pair = await _sign_in(running, email, password)
    pair["user_id"] = invited.json()["user"]["user_id"]
    return pair


async def _publish_stay(
    js: JetStreamContext, stay_id: str, state: StayState = StayState.CONFIRMED
) -> None:
    now = datetime.now(UTC)
    event = StayEvent(
        event_id=f"stay:{stay_id}", enterprise_id=ENT, occurred_at=now, event="created",
        stay_id=stay_id, guest_ids=("g-1",),
        stay=StaySnapshot(mews_id=f"res-{stay_id}", mews_updated_utc=now,
                          state=state, mews_state=state.value.title(), owner_mews_id="cust-1",
                          scheduled_start_utc=now - timedelta(days=1),
                          scheduled_end_utc=now + timedelta(days=3)),
    )  # fmt: skip
    await publish(js, STAY_EVENT, event, msg_id=f"stay:{stay_id}", enterprise=ENT, event="created")


async def _until_created(client: httpx.AsyncClient, url: str, body: Any, headers: Any) -> Any:
    """The vendors service learns about the stay from its event a moment later."""
    for _ in range(200):
        response = await client.post(url, json=body, headers=headers)
        if response.status_code == 201:
            return response.json()
        await asyncio.sleep(0.05)
    raise AssertionError(f"not created: {response.status_code} {response.text}")


async def test_vendors_see_only_their_own_bookings(
    platform: Running, jetstream: JetStreamContext
) -> None:
    client = platform.client
    admin_pair = await _sign_in(platform, ADMIN_EMAIL, ADMIN_PASSWORD)
    admin = _bearer(admin_pair)
    assert (await client.get("/api/v1/auth/me", headers=admin)).json()["role"] == "admin"

    vendor_ids = []
    for name in ("Lagoon Spa", "City Gym"):
        created = await client.post(
            "/api/v1/vendors",
            json={"enterprise_id": ENT, "name": name, "category": "wellness"},
            headers=admin,
        )
        assert created.status_code == 201, created.text
        vendor_ids.append(created.json()["vendor_id"])
    spa, gym = vendor_ids
    await publish_catalogue(jetstream, ENT)
    offering = await _until_created(
        client,
        f"/api/v1/vendors/{spa}/offerings",
        {"name": "Massage", "unit_price": "85.50", "currency": "EUR", "mews_service_id": "svc-1"},
        admin,
    )

    await _publish_stay(jetstream, "s-1")
    booking = await _until_created(
        client,
        "/api/v1/bookings",
        {"offering_id": offering["offering_id"], "guest_id": "g-1", "stay_id": "s-1"},
        admin,
    )
    booking_id = booking["booking_id"]

    spa_user = await _vendor_user(platform, admin, "spa@vendor.example", spa)
    gym_user = await _vendor_user(platform, admin, "gym@vendor.example", gym)

    theirs = await client.get(f"/api/v1/bookings/{booking_id}", headers=_bearer(gym_user))
    assert theirs.status_code == 404
    assert "Massage" not in theirs.text
    assert (await client.get("/api/v1/bookings", headers=_bearer(gym_user))).json()["items"] == []
    refused = await client.post(f"/api/v1/bookings/{booking_id}/confirm", headers=_bearer(gym_user))
    assert refused.status_code == 404

    own = await client.get(f"/api/v1/bookings/{booking_id}", headers=_bearer(spa_user))
    assert own.status_code == 200
    confirmed = await client.post(
        f"/api/v1/bookings/{booking_id}/confirm", headers=_bearer(spa_user)
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["state"] == "confirmed"

    # A vendor may not create vendors or retry charges: the table, before any call.
    assert (await client.post("/api/v1/vendors", json={"enterprise_id": ENT, "name": "x",
            "category": "y"}, headers=_bearer(spa_user))).status_code == 403  # fmt: skip


async def test_a_vendors_ad_hoc_charge_waits_for_a_manager_of_its_property(
    platform: Running, jetstream: JetStreamContext
) -> None:
    client = platform.client
    admin = _bearer(await _sign_in(platform, ADMIN_EMAIL, ADMIN_PASSWORD))
    spa = (
        await client.post(
            "/api/v1/vendors",
            json={"enterprise_id": ENT, "name": "Lagoon Spa", "category": "spa"},
            headers=admin,
        )
    ).json()["vendor_id"]
    await publish_catalogue(jetstream, ENT, currency="GBP")
    offering_id = (
        await _until_created(
            client,
            f"/api/v1/vendors/{spa}/offerings",
            {"name": "Massage", "unit_price": "85.50", "mews_service_id": "svc-1"},
            admin,
        )
    )["offering_id"]
    spa_user = _bearer(await _vendor_user(platform, admin, "spa@vendor.example", spa))
    manager_pair = await _staff_user(platform, admin, "max@hotel.example", "manager", ENT)
    manager = _bearer(manager_pair)
    other = _bearer(await _staff_user(platform, admin, "eve@other.example", "manager", "other"))
    await _publish_stay(jetstream, "s-1", StayState.STARTED)
    charge = {"offering_id": offering_id, "guest_id": "g-1", "stay_id": "s-1"}

    # The incident of issue 14: refused outright, and the problem says why.
    huge = {**charge, "quantity": 1000, "unit_amount": "9999999.9999"}
    for _ in range(200):  # until the vendors service knows the stay
        refused = await client.post("/api/v1/charges", json=huge, headers=spa_user)
        if refused.status_code != 422 or "not known" not in refused.text:
            break
        await asyncio.sleep(0.05)
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["detail"] == (
        "the charge of GBP 9,999,999,999.90 is above this property's limit of "
        "GBP 1,000.00 per charge"
    )

    held = await client.post(
        "/api/v1/charges", json={**charge, "unit_amount": "120"}, headers=spa_user
    )
    assert held.status_code == 201, held.text
    assert held.json()["state"] == "pending_approval"
    assert held.json()["approval_reason"].startswith("an ad-hoc charge without a booking")
    charge_id = held.json()["charge_id"]
    listed = await client.get(
        "/api/v1/charges", params={"state": "pending_approval"}, headers=manager
    )
    assert [c["charge_id"] for c in listed.json()["items"]] == [charge_id]

    approve = f"/api/v1/charges/{charge_id}/approve"
    assert (await client.post(approve, headers=spa_user)).status_code == 403
    not_theirs = await client.post(approve, headers=other)
    assert not_theirs.status_code == 404, not_theirs.text
    approved = await client.post(approve, headers=manager)
    assert approved.status_code == 200, approved.text
    assert (approved.json()["state"], approved.json()["approved_by"]) == (
        "pending",
        manager_pair["user_id"],
    )
    too_late = await client.post(
        f"/api/v1/charges/{charge_id}/reject", json={"reason": "changed my mind"}, headers=manager
    )
    assert too_late.status_code == 409
    assert "only a charge pending approval can be rejected" in too_late.json()["detail"]

    settings = await client.patch(
        "/api/v1/billing-settings", json={"checkout_grace_hours": 12}, headers=manager
    )
    assert settings.status_code == 200, settings.text
    assert (settings.json()["checkout_grace_hours"], settings.json()["enterprise_id"]) == (12, ENT)
    assert (await client.get("/api/v1/billing-settings", headers=spa_user)).status_code == 403


async def test_refresh_rotation_and_deactivation(platform: Running) -> None:
    client = platform.client
    admin = _bearer(await _sign_in(platform, ADMIN_EMAIL, ADMIN_PASSWORD))
    vendor = await client.post(
        "/api/v1/vendors", json={"enterprise_id": ENT, "name": "Spa", "category": "spa"},
        headers=admin,
    )  # fmt: skip
    user = await _vendor_user(platform, admin, "spa@vendor.example", vendor.json()["vendor_id"])

    rotated = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": user["refresh_token"]}
    )
    assert rotated.status_code == 200
    assert rotated.json()["refresh_token"] != user["refresh_token"]
    assert (await client.get("/api/v1/auth/me", headers=_bearer(rotated.json()))).status_code == 200
    # The spent token again, from another client: theft assumed, the whole session ends.
    # (The same client within a few seconds would be two tabs: test_sessions_and_admins.)
    reused = await client.post(
        "/api/v1/auth/refresh",
        json={"refresh_token": user["refresh_token"]},
        headers={"User-Agent": "another client"},
    )
    assert reused.status_code == 401
    again = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": rotated.json()["refresh_token"]}
    )
    assert again.status_code == 401

    deactivated = await client.post(f"/api/v1/users/{user['user_id']}/deactivate", headers=admin)
    assert deactivated.status_code == 200
    assert deactivated.json()["is_active"] is False
    still_valid_token = _bearer(rotated.json())
    refused = await client.get("/api/v1/auth/me", headers=still_valid_token)
    assert refused.status_code == 401
    wrong = await client.post(
        "/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": "not the password"}
    )
    assert wrong.status_code == 401


async def test_a_double_submit_with_one_idempotency_key_makes_one_booking_and_one_charge(
    platform: Running, jetstream: JetStreamContext
) -> None:
    """The same key and body, twice at once and once more later: one booking (one charge),
    the same answer each time; the key with another body is refused; a malformed key is a
    problem before any service is called."""
    client = platform.client
    admin = _bearer(await _sign_in(platform, ADMIN_EMAIL, ADMIN_PASSWORD))
    spa = (
        await client.post(
            "/api/v1/vendors",
            json={"enterprise_id": ENT, "name": "Lagoon Spa", "category": "spa"},
            headers=admin,
        )
    ).json()["vendor_id"]
    await publish_catalogue(jetstream, ENT)
    offering_id = (
        await _until_created(
            client,
            f"/api/v1/vendors/{spa}/offerings",
            {
                "name": "Massage",
                "unit_price": "85.50",
                "currency": "EUR",
                "mews_service_id": "svc-1",
            },
            admin,
        )
    )["offering_id"]
    await _publish_stay(jetstream, "s-1", StayState.STARTED)
    body = {"offering_id": offering_id, "guest_id": "g-1", "stay_id": "s-1"}
    await _until_created(client, "/api/v1/bookings", body, admin)  # vendors knows the stay

    for path in ("/api/v1/bookings", "/api/v1/charges"):
        keyed = {**admin, "Idempotency-Key": f"form-{path[-8:]}-1"}
        first, second = await asyncio.gather(
            client.post(path, json=body, headers=keyed),
            client.post(path, json=body, headers=keyed),
        )
        third = await client.post(path, json=body, headers=keyed)
        assert [r.status_code for r in (first, second, third)] == [201, 201, 201], first.text
        assert first.json() == second.json() == third.json()

        other = await client.post(path, json={**body, "quantity": 2}, headers=keyed)
        assert other.status_code == 422
        assert "Idempotency-Key was used for another request" in other.json()["detail"]
        # Another key is another request.
        again = await client.post(
            path, json=body, headers={**admin, "Idempotency-Key": "k-2" + path[-3:]}
        )
        assert again.status_code == 201
        assert again.json() != first.json()

    listed = await client.get("/api/v1/bookings", params={"stay_id": "s-1"}, headers=admin)
    assert len(listed.json()["items"]) == 3  # the first one (no key), one keyed, one more
    charges = await client.get("/api/v1/charges", params={"stay_id": "s-1"}, headers=admin)
    assert len(charges.json()["items"]) == 2  # one keyed, one more

    bad = await client.post(
        "/api/v1/bookings", json=body, headers={**admin, "Idempotency-Key": "has space"}
    )
    assert bad.status_code == 400
    assert bad.headers["content-type"].startswith("application/problem+json")
