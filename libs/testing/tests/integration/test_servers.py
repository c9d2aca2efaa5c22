"""The session servers: real, isolated per test, and gone after the session, even after kill -9."""

import json
import os
import signal
import sys
import time
from pathlib import Path

import asyncpg

from attendandt.testing.processes import pid_alive, spawn

HERE = Path(__file__).parents[1]
ROOT = HERE.parents[2]


async def test_database_url_is_a_fresh_database(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        tables = await conn.fetchval(
            "select count(*) from information_schema.tables where table_schema = 'public'"
        )
        await conn.execute("create table marker (id int)")
        version = await conn.fetchval("show server_version_num")
    finally:
        await conn.close()
    assert tables == 0
    assert int(version) >= 130000


async def test_each_test_gets_its_own_database(database_url: str) -> None:
    # The previous test created `marker`; this database must not have it.
    conn = await asyncpg.connect(database_url)
    try:
        exists = await conn.fetchval("select to_regclass('public.marker') is not null")
    finally:
        await conn.close()
    assert exists is False


def test_killed_session_leaves_nothing(tmp_path: Path) -> None:
    report_path = tmp_path / "report.json"
    env = {**os.environ, "KILLED_SESSION_REPORT": str(report_path)}
    env.pop("TEST_NATS_URL", None)
    env.pop("TEST_DATABASE_URL", None)
    inner = spawn(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         str(HERE / "killed_session" / "session_to_kill.py")],
        env=env,
        cwd=ROOT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while not report_path.exists() or not report_path.read_text():
            assert inner.poll() is None, "inner test session ended before starting its servers"
            assert time.monotonic() < deadline, "inner session did not start its servers"
            time.sleep(0.1)
        report = json.loads(report_path.read_text())
        servers_dir = Path(report["servers_dir"])
        assert servers_dir.exists()
        assert all(pid_alive(pid) for pid in report["pids"])

        os.kill(report["pytest"], signal.SIGKILL)
        inner.wait(timeout=10)

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (
            servers_dir.exists() or any(pid_alive(pid) for pid in report["pids"])
        ):
            time.sleep(0.1)
        assert not any(pid_alive(pid) for pid in report["pids"]), "a server outlived its session"
        assert not servers_dir.exists(), "the killed session's server files were left behind"
    finally:
        if inner.poll() is None:
            inner.kill()
            inner.wait()
