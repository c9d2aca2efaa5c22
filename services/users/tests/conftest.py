"""Fixtures of the users service tests: its own role and migrated schema on a fresh database,
a service with cheap argon2 parameters, a controllable clock, a seeded admin, the running app."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from attendandt.contracts.rpc import users as api
from attendandt.contracts.snapshots import UserRole
from attendandt.contracts.streams import ensure_streams
from attendandt.platform.db import asyncpg_url
from attendandt.platform.migrations import upgrade
from attendandt.platform.provision import provision, role_url
from attendandt.platform.settings import DatabaseSettings, NatsSettings
from attendandt.users.app import UsersApp, create_app
from attendandt.users.migrations_set import MIGRATIONS
from attendandt.users.service import TokenLifetimes, UserService
from attendandt.users.settings import UsersSettings
from attendandt.users.unit_of_work import sql_units

# Helpers shared by the test modules (the tests folder is not a package).
sys.path.insert(0, str(Path(__file__).parent))
from users_support import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    CHEAP,
    Clock,
    CountingHashing,
    Invite,
    Member,
    as_caller,
)


@pytest.fixture
async def users_url(database_url: str) -> str:
    """The users role's URL on a fresh database whose `users` schema is at head."""
    await provision(database_url, schema="users", role="users", password=None)
    url = role_url(database_url, "users")
    await upgrade(url, MIGRATIONS.script_location, "users")
    return url


@pytest.fixture
async def engine(users_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(asyncpg_url(users_url))
    yield engine
    await engine.dispose()


@pytest.fixture
def hashing() -> CountingHashing:
    return CountingHashing(CHEAP)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(engine: AsyncEngine, hashing: CountingHashing, clock: Clock) -> UserService:
    return UserService(sql_units(engine), hashing, TokenLifetimes(), clock=clock)


@pytest.fixture
async def admin(service: UserService) -> api.UserView:
    result = await service.ensure_admin(ADMIN_EMAIL, ADMIN_PASSWORD, name="Root")
    return result.user


@pytest.fixture
def invite(service: UserService, admin: api.UserView) -> Invite:
    """await invite(email, role=..., vendor_id=..., enterprise_id=...), by the seeded admin."""

    async def make(
        email: str,
        role: str = "front_desk",
        vendor_id: str | None = None,
        enterprise_id: str | None = None,
        name: str = "Someone",
    ) -> api.InviteUserResponse:
        request = api.InviteUserRequest(
            email=email,
            name=name,
            role=UserRole(role),
            vendor_id=vendor_id,
            enterprise_id=enterprise_id,
        )
        return await service.invite_user(request, as_caller(admin))

    return make


@pytest.fixture
def member(service: UserService, invite: Invite) -> Member:
    """await member(email, password, role=...): an invited user who has set a password."""

    async def make(email: str, password: str, **kwargs: str | None) -> api.UserView:
        invited = await invite(email, **kwargs)
        done = await service.set_password(
            api.SetPasswordRequest(token=invited.set_password_token, new_password=password)
        )
        return done.user

    return make


@pytest.fixture
async def app(
    users_url: str, nats_url: str, jetstream: JetStreamContext
) -> AsyncIterator[UsersApp]:
    """The whole service running (RPC, consumer, outbox relay) on real NATS and Postgres."""
    await ensure_streams(jetstream)
    settings = UsersSettings(
        database=DatabaseSettings(url=users_url, schema="users", pool_size=3),
        nats=NatsSettings(url=nats_url),
        health_host="127.0.0.1",
        health_port=0,
        hashing=CHEAP,
    )
    users_app = create_app(settings)
    stop = asyncio.Event()
    task = asyncio.create_task(users_app.run(stop))
    started = asyncio.create_task(users_app.started.wait())
    await asyncio.wait({task, started}, timeout=20, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        task.result()  # raises what stopped it
    assert users_app.started.is_set(), "users service did not start"
    yield users_app
    stop.set()
    await asyncio.wait_for(task, 20)
