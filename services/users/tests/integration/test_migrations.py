"""The users schema: migrations up and down as the service's own role, autogenerate clean,
and the role cannot read another service's schema."""

import asyncpg
import pytest

from attendandt.platform.migrations import downgrade, pending_changes, upgrade
from attendandt.platform.provision import provision, role_url
from attendandt.users.migrations_set import MIGRATIONS
from attendandt.users.models import metadata

TABLES = {"users", "refresh_tokens", "password_tokens", "audit_log", "inbox", "outbox"}


async def _tables(url: str, schema: str) -> set[str]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "select table_name from information_schema.tables where table_schema = $1", schema
        )
    finally:
        await conn.close()
    return {r["table_name"] for r in rows}


async def test_up_down_and_autogenerate_finds_no_difference(database_url: str) -> None:
    await provision(database_url, schema="users", role="users", password=None)
    url = role_url(database_url, "users")

    await upgrade(url, MIGRATIONS.script_location, "users")
    assert await _tables(url, "users") == TABLES | {"alembic_version"}
    # Compared from an admin connection: for the role `users` the schema `users` is its
    # default schema ("$user" in search_path), which autogenerate reflects as schema None.
    assert await pending_changes(database_url, metadata, "users") == []

    await downgrade(url, MIGRATIONS.script_location, "users")
    assert await _tables(url, "users") == {"alembic_version"}

    await upgrade(url, MIGRATIONS.script_location, "users")  # and up again from base
    assert await pending_changes(database_url, metadata, "users") == []


async def test_the_users_role_cannot_read_or_write_another_schema(
    database_url: str, users_url: str
) -> None:
    await provision(database_url, schema="guests", role="guests", password=None)
    guests = await asyncpg.connect(role_url(database_url, "guests"))
    users = await asyncpg.connect(users_url)
    try:
        await guests.execute(
            "create table guests.guest (id int); insert into guests.guest values (1)"
        )
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await users.fetchval("select count(*) from guests.guest")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await users.execute("create table guests.intruder (id int)")
        # ... and the other way round: the users' credentials are out of the guests' reach.
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await guests.fetchval("select count(*) from users.users")
        assert await users.fetchval("select count(*) from users.users") == 0
    finally:
        await guests.close()
        await users.close()
