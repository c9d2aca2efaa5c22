"""A failed transaction publishes nothing; migrations up and down; the role's isolation."""

import asyncpg
import pytest
from vendors_testkit import MANAGER, Harness, migrate_as_vendors_role, wait_for

from attendandt.contracts.rpc import vendors as rpc
from attendandt.contracts.snapshots import BookingState, ChargeState
from attendandt.platform.migrations import pending_changes
from attendandt.platform.provision import provision, role_url
from attendandt.vendors.models import metadata

FAIL_INSERT = """
create function vendors.fail_now() returns trigger language plpgsql as
  $$ begin raise exception 'disk full'; end $$;
create trigger fail_charges before {op} on vendors.charges
  for each row execute function vendors.fail_now();
"""
HEAL = "drop trigger fail_charges on vendors.charges; drop function vendors.fail_now();"


async def test_a_failed_transaction_publishes_nothing(harness: Harness) -> None:
    vendor = await harness.vendor()
    offering = await harness.offering(vendor.vendor_id)
    await harness.stay("s-1")
    booking = await harness.booking(offering.offering_id)
    await harness.call(
        rpc.CONFIRM_BOOKING,
        rpc.ConfirmBookingRequest(booking_id=booking.booking_id),
        caller=MANAGER,
    )
    before = [("vendor", "created"), ("booking", "requested"), ("booking", "confirmed")]
    await harness.wait_events(before)

    # The booking update and its event row are written, then the charge insert fails.
    await harness.execute(FAIL_INSERT.format(op="insert"))
    fulfil = rpc.FulfilBookingRequest(booking_id=booking.booking_id)
    assert await harness.fails(rpc.FULFIL_BOOKING, fulfil, MANAGER) == 500
    got = await harness.call(
        rpc.GET_BOOKING, rpc.GetBookingRequest(booking_id=booking.booking_id), caller=MANAGER
    )
    assert got.booking.state is BookingState.CONFIRMED
    assert await harness.outbox_rows() == 0
    relayed = await _relay_everything(harness)
    assert relayed == 0
    assert await harness.events() == before
    assert await harness.post_charges() == []

    # Healed, the same request goes through once.
    await harness.execute(HEAL)
    done = await harness.call(rpc.FULFIL_BOOKING, fulfil, MANAGER)
    assert done.booking.state is BookingState.FULFILLED
    await harness.wait_events([*before, ("booking", "fulfilled"), ("charge", "created")])
    assert len(await harness.wait_post_charges(1)) == 1


async def test_a_command_whose_transaction_fails_is_retried_and_applied_once(
    harness: Harness,
) -> None:
    vendor = await harness.vendor()
    offering = await harness.offering(vendor.vendor_id)
    await harness.stay("s-1")
    booking = await harness.booking(offering.offering_id)
    await harness.call(
        rpc.CONFIRM_BOOKING,
        rpc.ConfirmBookingRequest(booking_id=booking.booking_id),
        caller=MANAGER,
    )
    charge = (
        await harness.call(
            rpc.FULFIL_BOOKING,
            rpc.FulfilBookingRequest(booking_id=booking.booking_id),
            caller=MANAGER,
        )
    ).charge
    await harness.wait_events([("charge", "created")], aggregate="charge")

    await harness.execute(FAIL_INSERT.format(op="update"))
    command_id = await harness.charge_result(charge.charge_id, posted=True, order_id="order-1")

    async def attempted_twice() -> bool:
        info = await harness.js.consumer_info("DOMAIN_COMMANDS", "vendors-record-charge-result")
        return info.num_redelivered >= 1

    await wait_for(attempted_twice, what="a redelivery")
    assert (await harness.charge(charge.charge_id)).state is ChargeState.PENDING
    assert await harness.events("charge") == [("charge", "created")]
    assert await harness.outbox_rows() == 0

    await harness.execute(HEAL)
    await harness.processed("vendors-record-charge-result", command_id)
    posted = await harness.charge_in_state(charge.charge_id, ChargeState.POSTED)
    assert posted.version == 2
    await harness.wait_events([("charge", "created"), ("charge", "posted")], aggregate="charge")
    assert await harness.dead_letters("vendors-record-charge-result") == []


async def _relay_everything(harness: Harness) -> int:
    """Run one relay pass by hand: nothing committed means nothing to publish."""
    from attendandt.platform.outbox import OutboxRelay
    from attendandt.vendors.models import outbox

    return await OutboxRelay(harness.app.engine, outbox, harness.js).relay_once()


async def _tables(url: str) -> set[str]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "select table_name from information_schema.tables where table_schema = 'vendors'"
        )
    finally:
        await conn.close()
    return {r["table_name"] for r in rows}


async def test_migrations_up_down_and_autogenerate_finds_no_difference(database_url: str) -> None:
    url = await migrate_as_vendors_role(database_url)
    assert await _tables(url) == {
        "alembic_version",
        "vendors",
        "offerings",
        "bookings",
        "charges",
        "stay_refs",
        "inbox",
        "outbox",
        "billing_settings",
        "billing_audit",
        "properties",
        "catalogue_services",
        "catalogue_products",
        "mews_companies",
        "idempotency_keys",
    }
    # Compared as the superuser: for the role, search_path's "$user" makes `vendors` its
    # default schema, which autogenerate then reports under no schema name.
    assert await pending_changes(database_url, metadata, "vendors") == []

    await migrate_as_vendors_role(database_url, down=True)
    assert await _tables(url) == {"alembic_version"}
    await migrate_as_vendors_role(database_url)
    assert await pending_changes(database_url, metadata, "vendors") == []


async def test_the_vendors_role_cannot_touch_another_schema(database_url: str) -> None:
    url = await migrate_as_vendors_role(database_url)
    await provision(database_url, schema="guests_probe", role="guests_probe", password=None)
    guests = await asyncpg.connect(role_url(database_url, "guests_probe"))
    vendors = await asyncpg.connect(url)
    try:
        await guests.execute(
            "create table guests_probe.stays (id text); insert into guests_probe.stays values ('s')"
        )
        assert await vendors.fetchval("select count(*) from vendors.bookings") == 0
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await vendors.fetchval("select count(*) from guests_probe.stays")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await vendors.execute("create table guests_probe.intruder (id int)")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await vendors.execute("create schema elsewhere")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await guests.fetchval("select count(*) from vendors.bookings")
    finally:
        await guests.close()
        await vendors.close()
