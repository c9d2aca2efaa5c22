"""Through the gateway to the real users service (real NATS and Postgres): concurrent
refreshes of one token keep the session while a late or foreign reuse still ends it, and
the last-admin guard counts only admins who can sign in. The users service's clock is
injected: the grace period is crossed by moving it, never by waiting."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from gateway_testkit import Running, gateway_settings, serve
from nats.js import JetStreamContext

from attendandt.contracts.streams import ensure_streams
from attendandt.gateway.app import create_app
from attendandt.platform.migrations import upgrade
from attendandt.platform.provision import provision, role_url
from attendandt.platform.settings import DatabaseSettings, NatsSettings
from attendandt.users.app import UsersApp
from attendandt.users.app import create_app as create_users
from attendandt.users.migrations_set import MIGRATIONS
from attendandt.users.passwords import HashParameters
from attendandt.users.settings import UsersSettings

ADMIN_EMAIL = "root@hotel.example"
ADMIN_PASSWORD = "correct horse battery staple"
CHEAP = HashParameters(time_cost=1, memory_cost_kib=1024, parallelism=1)
REFRESH = "/api/v1/auth/refresh"


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass
class Platform:
    running: Running
    users: UsersApp
    clock: Clock

    @property
    def client(self) -> httpx.AsyncClient:
        return self.running.client


@pytest.fixture
async def platform(
    nats_url: str, jetstream: JetStreamContext, database_url: str
) -> AsyncIterator[Platform]:
    await ensure_streams(jetstream)
    await provision(database_url, schema="users", role="users", password=None)
    url = role_url(database_url, "users")
    await upgrade(url, MIGRATIONS.script_location, "users")
    clock = Clock()
    users = create_users(
        UsersSettings(
            database=DatabaseSettings(url=url, schema="users", pool_size=4),
            nats=NatsSettings(url=nats_url),
            health_host="127.0.0.1",
            health_port=0,
            hashing=CHEAP,
        ),
        clock=clock,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(users.run(stop))
    started = asyncio.create_task(users.started.wait())
    await asyncio.wait({task, started}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        task.result()
    try:
        await users.service.ensure_admin(ADMIN_EMAIL, ADMIN_PASSWORD, name="Root")
        async with serve(create_app(gateway_settings(nats_url))) as running:
            yield Platform(running, users, clock)
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 20)


async def sign_in(platform: Platform, email: str, password: str) -> dict[str, Any]:
    answer = await platform.client.post(
        "/api/v1/auth/login", json={"email": email, "password": password}
    )
    assert answer.status_code == 200, answer.text
    pair: dict[str, Any] = answer.json()
    return pair


def bearer(pair: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {pair['access_token']}"}


async def refresh(platform: Platform, token: str, *, agent: str = "Browser/1.0") -> httpx.Response:
    return await platform.client.post(
        REFRESH, json={"refresh_token": token}, headers={"User-Agent": agent}
    )


async def test_two_tabs_refreshing_at_once_keep_the_session(platform: Platform) -> None:
    pair = await sign_in(platform, ADMIN_EMAIL, ADMIN_PASSWORD)
    token = pair["refresh_token"]

    first, second = await asyncio.gather(refresh(platform, token), refresh(platform, token))
    assert (first.status_code, second.status_code) == (200, 200), (first.text, second.text)
    successors = [first.json()["refresh_token"], second.json()["refresh_token"]]
    assert len({token, *successors}) == 3  # every token handed out once
    for answer in (first, second):
        me = await platform.client.get("/api/v1/auth/me", headers=bearer(answer.json()))
        assert me.status_code == 200

    # Both tabs go on refreshing; the session survives.
    onward = [await refresh(platform, successor) for successor in successors]
    assert [a.status_code for a in onward] == [200, 200]

    # Long after, the first token again: reuse, the whole family ends.
    platform.clock.advance(timedelta(seconds=30))
    assert (await refresh(platform, token)).status_code == 401
    for answer in onward:
        assert (await refresh(platform, answer.json()["refresh_token"])).status_code == 401


async def test_another_client_within_the_grace_period_is_reuse(platform: Platform) -> None:
    pair = await sign_in(platform, ADMIN_EMAIL, ADMIN_PASSWORD)
    token = pair["refresh_token"]
    owner = await refresh(platform, token)
    assert owner.status_code == 200
    thief = await refresh(platform, token, agent="curl/8.0")
    assert thief.status_code == 401
    assert (await refresh(platform, owner.json()["refresh_token"])).status_code == 401


async def test_the_last_admin_guard_ignores_admins_who_cannot_sign_in(
    platform: Platform,
) -> None:
    client = platform.client
    root = await sign_in(platform, ADMIN_EMAIL, ADMIN_PASSWORD)
    admin = bearer(root)
    root_id = root["user"]["user_id"]

    invited = await client.post(
        "/api/v1/users",
        json={"email": "second@hotel.example", "name": "Second", "role": "admin"},
        headers=admin,
    )
    assert invited.status_code == 201, invited.text
    invited_id = invited.json()["user"]["user_id"]

    # The invited admin never set a password: root is the only admin who can sign in.
    for attempt in (
        client.post(f"/api/v1/users/{root_id}/deactivate", headers=admin),
        client.post(f"/api/v1/users/{root_id}/role", json={"role": "manager"}, headers=admin),
    ):
        refused = await attempt
        assert refused.status_code == 409, refused.text
        assert "sign in" in refused.json()["detail"]
    still = await client.get("/api/v1/auth/me", headers=admin)
    assert still.json()["role"] == "admin"

    # Once the second admin has set a password, root may step down.
    set_password = await client.post(
        "/api/v1/auth/set-password",
        json={
            "token": invited.json()["set_password_token"],
            "new_password": "a fresh passphrase for admin two",
        },
    )
    assert set_password.status_code == 204, set_password.text
    demoted = await client.post(
        f"/api/v1/users/{root_id}/role", json={"role": "manager"}, headers=admin
    )
    assert demoted.status_code == 200, demoted.text

    second = bearer(
        await sign_in(platform, "second@hotel.example", "a fresh passphrase for admin two")
    )
    # Now the second admin is the last one who can sign in.
    refused = await client.post(f"/api/v1/users/{invited_id}/deactivate", headers=second)
    assert refused.status_code == 409


async def test_an_admin_who_cannot_sign_in_may_be_deactivated(platform: Platform) -> None:
    client = platform.client
    admin = bearer(await sign_in(platform, ADMIN_EMAIL, ADMIN_PASSWORD))
    invited = await client.post(
        "/api/v1/users",
        json={"email": "never@hotel.example", "name": "Never", "role": "admin"},
        headers=admin,
    )
    invited_id = invited.json()["user"]["user_id"]
    answer = await client.post(f"/api/v1/users/{invited_id}/deactivate", headers=admin)
    assert answer.status_code == 200, answer.text
    assert answer.json()["is_active"] is False
