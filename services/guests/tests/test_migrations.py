"""The guests schema's migrations: up and down on an empty database, in step with the
models, and the service's role confined to its own schema."""

import asyncpg
import pytest
from guests_support import provision_and_migrate

from attendandt.guests.migrations_set import MIGRATIONS
from attendandt.guests.models import metadata
from attendandt.platform.migrations import downgrade, pending_changes, upgrade
from attendandt.platform.provision import provision, role_url


async def _tables(url: str, schema: str) -> set[str]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "select table_name from information_schema.tables where table_schema = $1", schema
        )
    finally:
        await conn.close()
    return {row["table_name"] for row in rows}


async def test_up_down_and_autogenerate_finds_no_difference(database_url: str) -> None:
    url = await provision_and_migrate(database_url)
    assert await _tables(database_url, "guests") == {
        "alembic_version",
        "guests",
        "stays",
        "stay_guests",
        "timeline",
        "vendor_bookings",
        "inbox",
        "outbox",
    }
    assert await pending_changes(url, metadata, "guests") == []

    await downgrade(url, MIGRATIONS.script_location, "guests")
    assert await _tables(database_url, "guests") == {"alembic_version"}
    await upgrade(url, MIGRATIONS.script_location, "guests")
    assert await pending_changes(url, metadata, "guests") == []


async def test_the_guests_role_cannot_read_another_services_schema(database_url: str) -> None:
    await provision(database_url, schema="guests", role="guests", password=None)
    await provision(database_url, schema="vendors_probe", role="vendors_probe", password=None)
    other = await asyncpg.connect(role_url(database_url, "vendors_probe"))
    mine = await asyncpg.connect(role_url(database_url, "guests"))
    try:
        await other.execute(
            "create table vendors_probe.secrets (id int);"
            "insert into vendors_probe.secrets values (1)"
        )
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await mine.fetchval("select count(*) from vendors_probe.secrets")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await mine.execute("create table vendors_probe.intruder (id int)")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await mine.execute("create table public.anywhere (id int)")
    finally:
        await other.close()
        await mine.close()
