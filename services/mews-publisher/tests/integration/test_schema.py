"""Migrations up and down, autogenerate finds no difference, and the role's isolation."""

import asyncpg
import pytest
from publisher_testkit import migrate_as_publisher_role

from attendandt.mews_publisher.models import metadata
from attendandt.platform.migrations import pending_changes
from attendandt.platform.provision import provision, role_url


async def _tables(url: str) -> set[str]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "select table_name from information_schema.tables where table_schema = 'publisher'"
        )
    finally:
        await conn.close()
    return {r["table_name"] for r in rows}


async def test_migrations_up_down_and_autogenerate_finds_no_difference(database_url: str) -> None:
    url = await migrate_as_publisher_role(database_url)
    assert await _tables(url) == {
        "alembic_version",
        "charge_attempts",
        "charge_cancellations",
        "customer_updates",
        "inbox",
        "outbox",
        "stay_note_writes",
    }
    assert await pending_changes(database_url, metadata, "publisher") == []
    await migrate_as_publisher_role(database_url, down=True)
    assert await _tables(url) == {"alembic_version"}
    await migrate_as_publisher_role(database_url)
    assert await pending_changes(database_url, metadata, "publisher") == []


async def test_the_publisher_role_cannot_touch_another_schema(database_url: str) -> None:
    url = await migrate_as_publisher_role(database_url)
    await provision(database_url, schema="vendors_probe", role="vendors_probe", password=None)
    other = await asyncpg.connect(role_url(database_url, "vendors_probe"))
    publisher = await asyncpg.connect(url)
    try:
        await other.execute("create table vendors_probe.charges (id text)")
        assert await publisher.fetchval("select count(*) from publisher.charge_attempts") == 0
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await publisher.fetchval("select count(*) from vendors_probe.charges")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await publisher.execute("create schema elsewhere")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await other.fetchval("select count(*) from publisher.charge_attempts")
    finally:
        await other.close()
        await publisher.close()
