"""Mews → ingest-style notifications → sync → guests → Postgres, with every process real.

sync and guests run as their own processes (`python -m ...`), against the simulator, a real
nats-server and a real Postgres; the test only makes changes in the simulator, announces
them as ingest would, and compares Postgres with the simulator.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta

import asyncpg
import msgspec
import pytest
from nats.js import JetStreamContext
from sync_support import announce, wait_for

from attendandt.contracts.events import StayEvent
from attendandt.contracts.mews import MewsEntity
from attendandt.contracts.streams import ensure_streams
from attendandt.mews import Credentials, MewsClient
from attendandt.mews.models import ReservationsGetAll
from attendandt.platform.migrations import upgrade
from attendandt.platform.provision import provision, role_url
from attendandt.testing.nats_accounts import nats_env
from attendandt.testing.processes import spawn, stop

pytestmark = pytest.mark.slow


async def _guests_database(database_url: str) -> str:
    from importlib.metadata import entry_points

    [entry] = [e for e in entry_points(group="attendandt.migrations") if e.name == "guests"]
    migrations = entry.load()
    await provision(database_url, schema="guests", role="guests", password=None)
    url = role_url(database_url, "guests")
    await upgrade(url, migrations.script_location, "guests")
    return url


def _env(mews_sim, nats_url: str, **extra: str) -> dict[str, str]:
    token = mews_sim.gross.token
    return {
        **os.environ,
        **nats_env(nats_url),
        "MEWS_BASE_URL": mews_sim.base_url,
        "MEWS_CLIENT_TOKEN": token.client_token,
        "MEWS_ACCESS_TOKENS": token.access_token,
        "HEALTH_PORT": "0",
        "LOG_LEVEL": "WARNING",
        # These tests follow changes; the initial import has its own (below).
        "SYNC_INITIAL_IMPORT": "false",
        **extra,
    }


async def _truth(mews_sim, ids: list[str]) -> dict[str, tuple[str, str]]:
    token = mews_sim.gross.token
    credentials = Credentials(client_token=token.client_token, access_token=token.access_token)
    async with MewsClient(credentials, environment=mews_sim.base_url) as client:
        found = await client.get_reservations(ReservationsGetAll(reservation_ids=ids)).collect()
    return {
        r.id: (r.state or "", r.updated_utc.isoformat() if r.updated_utc else "") for r in found
    }


async def _ours(admin: str, ids: list[str]) -> dict[str, tuple[str, str]]:
    conn = await asyncpg.connect(admin)
    try:
        rows = await conn.fetch(
            "select mews_id, mews_state, mews_updated_utc from guests.stays"
            " where mews_id = any($1)",
            ids,
        )
    finally:
        await conn.close()
    return {r["mews_id"]: (r["mews_state"], r["mews_updated_utc"].isoformat()) for r in rows}


async def test_burst_converges_and_survives_kill_of_sync(
    mews_sim, nats_url: str, database_url: str, jetstream: JetStreamContext
) -> None:
    await ensure_streams(jetstream)
    mews_sim.reset("default")
    guests_url = await _guests_database(database_url)
    env = _env(mews_sim, nats_url)
    guests = spawn(
        [sys.executable, "-m", "attendandt.guests", "serve"],
        env={**env, "DATABASE_URL": guests_url},
    )
    sync = spawn([sys.executable, "-m", "attendandt.sync", "serve"], env=env)
    try:
        # A burst of 10,000 reservation changes, announced as ingest would, under the limit.
        ids: list[str] = []
        for _ in range(10):
            ids += await asyncio.to_thread(
                mews_sim.control.touch, "reservations", 1000, mews_sim.gross.id
            )
        distinct = sorted(set(ids))
        for start in range(0, len(ids), 1000):
            await announce(
                jetstream, mews_sim.gross.id, MewsEntity.RESERVATION, ids[start : start + 1000]
            )

        async def partly_applied() -> bool:
            return len(await _ours(database_url, distinct)) >= len(distinct) // 4

        await wait_for(partly_applied, timeout=120, what="sync to be partway")
        os.kill(sync.pid, signal.SIGKILL)  # in the middle of the burst
        sync.wait(timeout=10)
        sync = spawn([sys.executable, "-m", "attendandt.sync", "serve"], env=env)

        truth = await _truth(mews_sim, distinct)

        async def converged() -> bool:
            return await _ours(database_url, distinct) == truth

        await wait_for(converged, timeout=300, what="Postgres to match the simulator")
    finally:
        stop(sync)
        stop(guests)

    # Nothing applied twice: one stay event per stay version at most (not counting a stay
    # announced again, same version, because one of its guests arrived after it).
    info = await jetstream.stream_info("ATTENDANDT_EVENTS")
    versions: Counter[tuple[str, str]] = Counter()
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        msg = await jetstream.get_msg("ATTENDANDT_EVENTS", seq)
        if ".stay." in msg.subject:
            event = msgspec.json.decode(msg.data or b"", type=StayEvent)
            if ":guest:" not in event.event_id:
                versions[(event.stay.mews_id, event.stay.digest())] += 1
    assert versions
    assert max(versions.values()) == 1


async def test_a_second_change_within_the_same_second_is_not_lost(
    mews_sim, nats_url: str, database_url: str, jetstream: JetStreamContext
) -> None:
    """Mews stamps UpdatedUtc in whole seconds. A reservation changed, synced, and changed
    again within that second comes back with the same UpdatedUtc and other content: the
    second version must still replace the first."""
    await ensure_streams(jetstream)
    mews_sim.control.rate_limit(enabled=False)
    guests_url = await _guests_database(database_url)
    env = _env(mews_sim, nats_url)
    guests = spawn(
        [sys.executable, "-m", "attendandt.guests", "serve"],
        env={**env, "DATABASE_URL": guests_url},
    )
    sync = spawn([sys.executable, "-m", "attendandt.sync", "serve"], env=env)
    enterprise = mews_sim.gross.id

    async def end_of(mews_id: str) -> str | None:
        conn = await asyncpg.connect(database_url)
        try:
            found = await conn.fetchval(
                "select scheduled_end_utc from guests.stays where mews_id = $1", mews_id
            )
        finally:
            await conn.close()
        return found.isoformat() if found else None

    async def change(mews_id: str, end: datetime) -> str:
        """Change the stay's end in Mews, announce it, wait until it is ours: its UpdatedUtc."""
        updated = await asyncio.to_thread(
            mews_sim.control.update_reservation, mews_id, ScheduledEndUtc=_mews_time(end)
        )
        await announce(jetstream, enterprise, MewsEntity.RESERVATION, [mews_id])

        async def synced() -> bool:
            return await end_of(mews_id) == end.isoformat()

        await wait_for(synced, timeout=30, what="the change to be synced")
        return str(updated["UpdatedUtc"])

    try:
        same_second = 0
        for _ in range(5):
            created = mews_sim.control.create_reservation(enterprise_id=enterprise)
            mews_id = created["Id"]
            end = datetime.now(UTC).replace(microsecond=0) + timedelta(days=9)
            # Just after a second begins, so both changes fit in it (sync takes ~0.2 s).
            await asyncio.sleep(1.02 - datetime.now(UTC).microsecond / 1e6)
            first = await change(mews_id, end)
            second = await change(mews_id, end + timedelta(days=1))
            same_second += first == second
        # Most attempts shared an UpdatedUtc (a slow machine may miss a few); each converged.
        assert same_second >= 1
    finally:
        stop(sync)
        stop(guests)


def _mews_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def test_reconcile_repairs_missing_and_out_of_date_stays(
    mews_sim, nats_url: str, database_url: str, jetstream: JetStreamContext
) -> None:
    await ensure_streams(jetstream)
    mews_sim.control.rate_limit(enabled=False)
    guests_url = await _guests_database(database_url)
    env = _env(mews_sim, nats_url)
    guests = spawn(
        [sys.executable, "-m", "attendandt.guests", "serve"],
        env={**env, "DATABASE_URL": guests_url},
    )
    try:
        backfill = await _ops(env, "sync", "backfill", "--enterprise", mews_sim.gross.id)
        assert backfill.returncode == 0, backfill.stdout + backfill.stderr
        ids = await _truth_all(mews_sim)
        await wait_for(
            lambda: _count_equals(database_url, len(ids)), timeout=60, what="the backfill applied"
        )

        # Drift: reservations nobody announced, and rows that fell behind Mews.
        created = [
            mews_sim.control.create_reservation(enterprise_id=mews_sim.gross.id)["Id"]
            for _ in range(3)
        ]
        behind = ids[:5]
        conn = await asyncpg.connect(database_url)
        try:
            await conn.execute(
                "update guests.stays set mews_updated_utc = mews_updated_utc - interval '1 day'"
                " where mews_id = any($1)",
                behind,
            )
        finally:
            await conn.close()

        result = await _ops(env, "sync", "reconcile", "--enterprise", mews_sim.gross.id)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "reservation: " in result.stdout
        assert "3 missing, 5 out of date: 8 repaired" in result.stdout, result.stdout

        everything = sorted(set(ids) | set(created))
        truth = await _truth(mews_sim, everything)

        async def repaired() -> bool:
            return await _ours(database_url, everything) == truth

        await wait_for(repaired, timeout=60, what="Postgres to match Mews after the repair")
    finally:
        stop(guests)


async def _ops(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`attendandt <args>` as an operator runs it, off the event loop."""
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "attendandt.ops", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def _truth_all(mews_sim) -> list[str]:
    from datetime import UTC, datetime, timedelta

    from attendandt.mews import TimeInterval

    token = mews_sim.gross.token
    credentials = Credentials(client_token=token.client_token, access_token=token.access_token)
    async with MewsClient(credentials, environment=mews_sim.base_url) as client:
        now = datetime.now(UTC)
        window = TimeInterval(start_utc=now - timedelta(days=7), end_utc=now + timedelta(seconds=1))
        found = await client.get_reservations(ReservationsGetAll(updated_utc=window)).collect()
    return [r.id for r in found]


async def _count_equals(admin: str, count: int) -> bool:
    conn = await asyncpg.connect(admin)
    try:
        return bool(await conn.fetchval("select count(*) from guests.stays") >= count)
    finally:
        await conn.close()


async def _scalar(admin: str, sql: str) -> int:
    conn = await asyncpg.connect(admin)
    try:
        return int(await conn.fetchval(sql))
    finally:
        await conn.close()


async def test_the_initial_import_by_hand_stops_on_ctrl_c_and_resumes(
    mews_sim, nats_url: str, database_url: str, jetstream: JetStreamContext
) -> None:
    """`attendandt sync backfill --initial` into a running guests service: Ctrl-C stops it
    after the page it is on, the same command resumes it, and Postgres ends with every stay
    of the range and every room, each stay showing its room's state."""
    await ensure_streams(jetstream)
    mews_sim.control.rate_limit(enabled=False)
    guests_url = await _guests_database(database_url)
    env = _env(mews_sim, nats_url)
    guests = spawn(
        [sys.executable, "-m", "attendandt.guests", "serve"],
        env={**env, "DATABASE_URL": guests_url},
    )
    enterprise = mews_sim.gross.id
    command = [sys.executable, "-m", "attendandt.ops", "sync", "backfill"]
    command += ["--enterprise", enterprise, "--initial"]
    try:
        # Slow reservation reads, so that Ctrl-C lands in the middle.
        mews_sim.control.latency(1.0, path="reservations/getAll/2023-06-06")
        first = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert first.stderr is not None
        seen = ""
        while "window" not in seen:
            char = await asyncio.to_thread(first.stderr.read, 1)
            assert char, f"the import ended before its progress showed: {seen}"
            seen += char
        first.send_signal(signal.SIGINT)
        out, err = await asyncio.to_thread(first.communicate, timeout=60)
        assert first.returncode == 130, out + err
        assert "stopped after" in out
        assert "run the same command again to resume" in out

        mews_sim.control.clear_faults()
        again = await _ops(env, "sync", "backfill", "--enterprise", enterprise, "--initial")
        assert again.returncode == 0, again.stdout + again.stderr
        assert "(resumed)" in again.stderr
        said = again.stdout.strip().splitlines()[-1]
        assert said.startswith(f"initial import of {enterprise}: ")

        rooms = await _scalar(database_url, "select count(*) from guests.rooms")
        reservations = int(said.split(" rooms, ")[1].split(" ")[0])
        assert f": {rooms} rooms, " in said
        await wait_for(
            lambda: _count_equals(database_url, reservations), timeout=60, what="the stays"
        )
        assert await _scalar(database_url, "select count(*) from guests.stays") == reservations
        # Every stay in a room knows the room (by Mews id), and with it the room's state.
        assert (
            await _scalar(
                database_url,
                "select count(*) from guests.stays s left join guests.rooms r"
                " on r.enterprise_id = s.enterprise_id and r.mews_id = s.resource_mews_id"
                " where s.resource_mews_id is not null and r.state is null",
            )
            == 0
        )

        # Done is done: the same command again reads no reservation.
        mews_sim.control.reset_counters()
        done = await _ops(env, "sync", "backfill", "--enterprise", enterprise, "--initial")
        assert done.returncode == 0, done.stdout + done.stderr
        by_path = mews_sim.control.counters()["requests_by_path"]
        assert by_path.get("reservations/getAll/2023-06-06", 0) == 0
    finally:
        stop(guests)
