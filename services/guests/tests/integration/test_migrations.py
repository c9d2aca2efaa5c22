"""The guests schema's migrations: up and down on an empty database, in step with the
models, and the service's role confined to its own schema."""

from datetime import datetime

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
        "rooms",
        "timeline",
        "vendor_bookings",
        "properties",
        "guest_edits",
        "guest_audit",
        "edit_rules",
        "stay_bills",
        "erasure_requests",
        "erasure_receipts",
        "guest_access_log",
        "retention_runs",
        "inbox",
        "outbox",
        "stay_note_writes",
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


async def test_bookings_already_on_timelines_open_their_guests_to_their_vendors(
    database_url: str,
) -> None:
    """0003 copies the bookings the timeline recorded before it into vendor_bookings: a
    vendor keeps seeing the guests it booked before the upgrade. Charges grant nothing."""
    await provision(database_url, schema="guests", role="guests", password=None)
    url = role_url(database_url, "guests")
    await upgrade(url, MIGRATIONS.script_location, "guests", "0002")
    conn = await asyncpg.connect(url)
    try:
        insert = (
            "insert into guests.timeline (event_id, enterprise_id, guest_id, kind, ref_id,"
            " stay_id, event, occurred_at, snapshot, recorded_at)"
            " values ($1, 'ent-1', $2, $3, $4, $5, $6, $7, $8::jsonb, now())"
        )
        first, later = "2026-03-01T12:00:00+00:00", "2026-03-01T13:00:00+00:00"
        for event_id, guest, kind, ref, stay, event, at, vendor in (
            ("booking:b-1:1", "g-1", "booking", "b-1", "s-1", "requested", first, "v-1"),
            ("booking:b-1:2", "g-1", "booking", "b-1", "s-1", "confirmed", later, "v-1"),
            ("booking:b-2:1", "g-2", "booking", "b-2", None, "requested", first, "v-2"),
            ("charge:c-1:1", "g-3", "charge", "c-1", None, "posted", first, "v-3"),
        ):
            snapshot = f'{{"vendor_id": "{vendor}"}}'
            when = datetime.fromisoformat(at)
            await conn.execute(insert, event_id, guest, kind, ref, stay, event, when, snapshot)
        await upgrade(url, MIGRATIONS.script_location, "guests")
        rows = await conn.fetch(
            "select booking_id, enterprise_id, vendor_id, guest_id, stay_id"
            " from guests.vendor_bookings order by booking_id"
        )
    finally:
        await conn.close()
    assert [tuple(row) for row in rows] == [
        ("b-1", "ent-1", "v-1", "g-1", "s-1"),
        ("b-2", "ent-1", "v-2", "g-2", None),
    ]
