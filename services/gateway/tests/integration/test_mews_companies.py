"""A Mews company reaches a manager's hands: the simulator's companies, announced as ingest's
sweeps announce them, go through the real sync and vendors services (real NATS, Postgres)
to `GET /properties/{id}/companies`; a manager links a vendor to one (`PATCH /vendors/{id}`),
never to another property's; a later change of the company in Mews refreshes the vendor."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from gateway_testkit import Running, gateway_settings, migrated, serve
from nats.js import JetStreamContext

from attendandt.contracts.mews import MEWS_CHANGE, ChangeSource, MewsChange, MewsEntity
from attendandt.contracts.streams import ensure_streams
from attendandt.gateway.app import API_PREFIX, create_app
from attendandt.mews import Credentials, MewsClient, MewsSettings
from attendandt.mews.models import CompaniesGetAll, Company
from attendandt.platform.messaging import publish
from attendandt.platform.settings import DatabaseSettings, NatsSettings, ObservabilitySettings
from attendandt.sync.app import SyncApp
from attendandt.sync.settings import SyncSettings
from attendandt.testing.apps import running_app
from attendandt.testing.polling import eventually
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


@dataclass
class Platform:
    running: Running
    js: JetStreamContext
    admin: dict[str, str]

    @property
    def client(self) -> httpx.AsyncClient:
        return self.running.client


async def _sim_companies(mews_sim: Any, enterprise: Any) -> list[Company]:
    token = enterprise.token
    async with MewsClient(
        Credentials(client_token=token.client_token, access_token=token.access_token),
        environment=mews_sim.base_url,
    ) as client:
        return await client.get_companies(CompaniesGetAll()).collect()


async def _announce(js: JetStreamContext, enterprise_id: str, ids: list[str]) -> None:
    """As ingest's sweeps would (Mews sends no event for companies)."""
    now = datetime.now(UTC)
    for i, mews_id in enumerate(ids):
        change = MewsChange(
            enterprise_id=enterprise_id, entity=MewsEntity.COMPANY, mews_id=mews_id,
            source=ChangeSource.SWEEP, observed_at=now, sighting=f"{now.isoformat()}:{i}",
        )  # fmt: skip
        await publish(js, MEWS_CHANGE, change, msg_id=change.msg_id(),
                      enterprise=enterprise_id, entity=MewsEntity.COMPANY)  # fmt: skip


def _sync_settings(mews_sim: Any, nats_url: str) -> SyncSettings:
    tokens = [mews_sim.gross.token, mews_sim.net.token]
    return SyncSettings(
        nats=NatsSettings(url=nats_url),
        observability=ObservabilitySettings(service="sync"),
        mews=MewsSettings(
            base_url=mews_sim.base_url,
            ws_url=mews_sim.ws_url,
            credentials=tuple(
                Credentials(client_token=t.client_token, access_token=t.access_token)
                for t in tokens
            ),
        ),
        health_port=0,
    )


@contextlib.asynccontextmanager
async def _running_sync(settings: SyncSettings) -> AsyncIterator[SyncApp]:
    app = SyncApp(settings)
    stop = asyncio.Event()
    task = asyncio.create_task(app.run(stop))
    ready = asyncio.create_task(app.ready.wait())
    await asyncio.wait({task, ready}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        task.result()
    try:
        yield app
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 20)


async def _sign_in(client: httpx.AsyncClient, email: str, password: str) -> dict[str, str]:
    response = await client.post(
        API_PREFIX + "/auth/login", json={"email": email, "password": password}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def _manager_of(platform: Platform, enterprise_id: str) -> dict[str, str]:
    email = f"boss@{enterprise_id}.example"
    invited = await platform.client.post(
        API_PREFIX + "/users",
        json={"email": email, "name": "Manager", "role": "manager",
              "enterprise_id": enterprise_id},
        headers=platform.admin,
    )  # fmt: skip
    assert invited.status_code == 201, invited.text
    password = "correct horse battery staple 2"
    done = await platform.client.post(
        API_PREFIX + "/auth/set-password",
        json={"token": invited.json()["set_password_token"], "new_password": password},
    )
    assert done.status_code == 204, done.text
    return await _sign_in(platform.client, email, password)


@pytest.fixture
async def platform(
    mews_sim: Any, nats_url: str, jetstream: JetStreamContext, database_url: str
) -> AsyncIterator[Platform]:
    mews_sim.control.rate_limit(enabled=False)
    await ensure_streams(jetstream)
    users_url = await migrated(database_url, "users", USERS_MIGRATIONS.script_location)
    vendors_url = await migrated(database_url, "vendors", VENDORS_MIGRATIONS.script_location)
    nats = NatsSettings(url=nats_url)
    users = create_users(UsersSettings(
        database=DatabaseSettings(url=users_url, schema="users", pool_size=3), nats=nats,
        health_host="127.0.0.1", health_port=0, hashing=CHEAP,
    ))  # fmt: skip
    vendors = create_vendors(VendorsSettings(
        nats=nats, database=DatabaseSettings(url=vendors_url, schema="vendors", pool_size=3),
        observability=ObservabilitySettings(service="vendors"), health_port=0,
    ))  # fmt: skip
    async with (
        running_app(users),
        running_app(vendors),
        _running_sync(_sync_settings(mews_sim, nats_url)),
    ):
        await users.service.ensure_admin(ADMIN_EMAIL, ADMIN_PASSWORD, name="Root")
        async with serve(create_app(gateway_settings(nats_url))) as running:
            admin = await _sign_in(running.client, ADMIN_EMAIL, ADMIN_PASSWORD)
            yield Platform(running, jetstream, admin)


async def test_a_mews_company_is_listed_linked_and_refreshed(
    mews_sim: Any, platform: Platform
) -> None:
    gross, net = mews_sim.gross.id, mews_sim.net.id
    ours = {c.id: c for c in await _sim_companies(mews_sim, mews_sim.gross)}
    theirs = {c.id: c for c in await _sim_companies(mews_sim, mews_sim.net)}
    assert ours
    assert theirs
    assert not set(ours) & set(theirs)  # each property is its own Mews chain here
    await _announce(platform.js, gross, sorted(ours))
    await _announce(platform.js, net, sorted(theirs))
    manager = await _manager_of(platform, gross)
    companies_url = f"{API_PREFIX}/properties/{gross}/companies"

    async def all_listed() -> list[dict[str, Any]] | None:
        found = await platform.client.get(companies_url, params={"limit": 200}, headers=manager)
        assert found.status_code == 200, found.text
        items: list[dict[str, Any]] = found.json()
        return items if {c["mews_id"] for c in items} == set(ours) else None

    listed = await eventually(all_listed, timeout=60.0, what="the property's Mews companies")
    assert {c["mews_id"]: c["name"] for c in listed} == {i: c.name for i, c in ours.items()}
    assert set(listed[0]) == {"mews_id", "name", "is_active"}  # nothing personal
    chosen = ours[sorted(ours)[0]]
    assert chosen.name
    prefix = await platform.client.get(
        companies_url, params={"q": chosen.name[:4].lower()}, headers=manager
    )
    assert chosen.id in {c["mews_id"] for c in prefix.json()}
    assert all(c["name"].lower().startswith(chosen.name[:4].lower()) for c in prefix.json())
    # Another property's companies: not found, as if it did not exist.
    other = await platform.client.get(f"{API_PREFIX}/properties/{net}/companies", headers=manager)
    assert other.status_code == 404

    made = await platform.client.post(
        API_PREFIX + "/vendors",
        json={"enterprise_id": gross, "name": "Lagoon Spa", "category": "spa"},
        headers=manager,
    )
    assert made.status_code == 201, made.text
    vendor_url = f"{API_PREFIX}/vendors/{made.json()['vendor_id']}"
    assert (made.json()["mews_id"], made.json()["synced_at"]) == (None, None)

    # The admin may reach the other property, but its company is not the vendor's hotel's.
    [far_id, *_] = theirs
    refused = await platform.client.patch(
        vendor_url, json={"mews_company_id": far_id}, headers=platform.admin
    )
    assert refused.status_code == 422, refused.text
    assert "no Mews company" in refused.json()["detail"]

    linked = await platform.client.patch(
        vendor_url, json={"mews_company_id": chosen.id}, headers=manager
    )
    assert linked.status_code == 200, linked.text
    assert linked.json()["mews_id"] == chosen.id
    assert linked.json()["mews_updated_utc"] is not None
    first_sync = datetime.fromisoformat(linked.json()["synced_at"])
    assert linked.json()["name"] == "Lagoon Spa"

    # A staff edit of the company in Mews, found by a later sweep.
    mews_sim.control.update_company(chosen.id, Name="Lagoon Wellness a.s.")
    await _announce(platform.js, gross, [chosen.id])

    async def refreshed() -> dict[str, Any] | None:
        found = (await platform.client.get(vendor_url, headers=manager)).json()
        return found if datetime.fromisoformat(found["synced_at"]) > first_sync else None

    vendor = await eventually(refreshed, timeout=60.0, what="the linked vendor refreshed")
    assert vendor["mews_id"] == chosen.id
    assert datetime.fromisoformat(vendor["mews_updated_utc"]) > datetime.fromisoformat(
        linked.json()["mews_updated_utc"]
    )
    assert vendor["name"] == "Lagoon Spa"  # the vendor keeps its own name
    renamed = await platform.client.get(companies_url, params={"q": "lagoon w"}, headers=manager)
    assert [c["mews_id"] for c in renamed.json()] == [chosen.id]

    unlinked = await platform.client.patch(
        vendor_url, json={"mews_company_id": None}, headers=manager
    )
    assert (unlinked.json()["mews_id"], unlinked.json()["synced_at"]) == (None, None)
