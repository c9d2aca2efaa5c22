"""`attendandt dev` brings the servers up, migrates, stops cleanly on Ctrl-C, keeps its data."""

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import asyncpg
import nats
import pytest

from attendandt.contracts import permissions
from attendandt.ops.dev import (
    DEFAULT_RESTARTS_PER_MINUTE,
    RESTARTS_PER_MINUTE_ENV,
    DevConfig,
    admin_password,
    demo_passwords,
    restarts_per_minute,
)
from attendandt.testing.processes import free_port, spawn


def _start(devdata: Path, nats_port: int, pg_port: int) -> subprocess.Popen[bytes]:
    argv = [
        sys.executable, "-m", "attendandt.ops", "dev",
        "--devdata", str(devdata),
        "--nats-port", str(nats_port),
        "--postgres-port", str(pg_port),
        "--no-sim",
        "--only", "no-service",
    ]  # fmt: skip
    return spawn(argv, stdout=subprocess.PIPE, env={**os.environ, "NO_COLOR": "1"})


class _Output:
    """Collects a process's output lines in a thread (select on a buffered pipe would miss
    lines already read into the buffer)."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.lines: list[str] = []
        self.proc = proc
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.decode(errors="replace"))

    def until(self, marker: str, timeout: float = 180) -> str:
        deadline = time.monotonic() + timeout
        while True:
            text = "".join(self.lines)
            if marker in text:
                return text
            assert self.proc.poll() is None or marker in "".join(self.lines), (
                f"dev exited ({self.proc.poll()}) before {marker!r}:\n{text}"
            )
            assert time.monotonic() < deadline, f"no {marker!r} in:\n{text}"
            time.sleep(0.1)


def _stop(proc: subprocess.Popen[bytes], output: _Output) -> str:
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=60)
    time.sleep(0.2)  # the reader thread takes the last lines
    return "".join(output.lines)


def test_dev_runs_migrates_stops_and_keeps_data(tmp_path: Path) -> None:
    # tmp_path sits under a 0700 directory: as root, the cluster is relocated (and linked).
    devdata = tmp_path / "devdata"
    nats_port, pg_port = free_port(), free_port()
    admin = f"postgresql://postgres@127.0.0.1:{pg_port}/postgres"

    first = _start(devdata, nats_port, pg_port)
    first_output = _Output(first)
    try:
        output = first_output.until("Ctrl-C stops everything")
        assert "created stream MEWS_CHANGES" in output
        assert "demo login  admin: admin@attendandt.local / " in output

        async def check_and_mark() -> list[str]:
            url = f"nats://127.0.0.1:{nats_port}"
            # `make run`'s NATS has no anonymous access: only its per-service users.
            refused: list[str] = []

            async def record(error: Exception) -> None:
                refused.append(str(error).lower())

            with pytest.raises(Exception):  # noqa: B017,PT011 - nats-py raises several kinds
                await nats.connect(url, allow_reconnect=False, error_cb=record)
            assert any("authorization violation" in e for e in refused), refused
            passwords = json.loads((devdata / "nats-passwords.json").read_text())
            assert set(passwords) >= {u.name for u in permissions.USERS}
            assert (devdata / "nats-passwords.json").stat().st_mode & 0o077 == 0
            nc = await nats.connect(
                url,
                user=permissions.OPS,
                password=passwords[permissions.OPS],
                inbox_prefix=permissions.inbox_prefix(permissions.OPS),
            )
            names = [s.config.name for s in await nc.jetstream().streams_info()]
            await nc.close()
            conn = await asyncpg.connect(admin)
            await conn.execute("create table kept (id int)")
            await conn.close()
            return names

        streams = asyncio.run(check_and_mark())
        assert {"MEWS_CHANGES", "DOMAIN_COMMANDS", "ATTENDANDT_EVENTS"} <= set(streams)
        assert "stopped" in _stop(first, first_output)
        assert first.returncode == 0
    finally:
        if first.poll() is None:
            first.kill()

    second = _start(devdata, nats_port, pg_port)
    second_output = _Output(second)
    try:
        output = second_output.until("Ctrl-C stops everything")
        assert "created stream" not in output  # JetStream state survived the restart

        async def kept() -> bool:
            conn = await asyncpg.connect(admin)
            found = await conn.fetchval("select to_regclass('public.kept') is not null")
            await conn.close()
            return bool(found)

        assert asyncio.run(kept())
    finally:
        if second.poll() is None:
            _stop(second, second_output)
        relocated = (devdata / "postgres" / "pgdata").resolve().parent
        if relocated != devdata / "postgres":
            shutil.rmtree(relocated, ignore_errors=True)


def test_demo_accounts_get_their_own_passwords_kept_with_the_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ATTENDANDT_DEV_ADMIN_PASSWORD", raising=False)
    config = DevConfig(
        devdata=tmp_path, nats_port=0, postgres_port=0, sim_port=0, gateway_port=0, with_sim=False
    )
    admin = admin_password(config)
    demo = demo_passwords(config)
    assert set(demo) == {
        "frontdesk@attendandt.local",
        "manager@attendandt.local",
        "spa@attendandt.local",
    }
    every = [admin, *demo.values()]
    assert len(set(every)) == len(every), "demo accounts share a password"
    for password in demo.values():
        assert admin not in password
        assert len(password) >= 24
    # Kept: the next run shows the same ones; readable by the owner only.
    assert demo_passwords(config) == demo
    for name in ("frontdesk-password", "manager-password", "vendor-password"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o600
    # Another install makes others.
    (tmp_path / "other").mkdir()
    other = DevConfig(
        devdata=tmp_path / "other",
        nats_port=0,
        postgres_port=0,
        sim_port=0,
        gateway_port=0,
        with_sim=False,
    )
    assert not set(demo_passwords(other).values()) & set(every)


def _child_pid(parent: int, program: str) -> int:
    """The PID of the child of `parent` whose program is `program` (nats-server, postgres)."""
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            ppid = next(
                line.split()[1]
                for line in status.read_text().splitlines()
                if line.startswith("PPid:")
            )
            argv0 = (status.parent / "cmdline").read_bytes().split(b"\0")[0]
        except (OSError, StopIteration):
            continue
        if ppid == str(parent) and Path(argv0.decode(errors="replace")).name == program:
            return int(status.parent.name)
    raise AssertionError(f"no {program} under {parent}")


def test_dev_starts_nats_and_postgres_again_when_they_die(tmp_path: Path) -> None:
    devdata = tmp_path / "devdata"
    nats_port, pg_port = free_port(), free_port()
    proc = _start(devdata, nats_port, pg_port)
    output = _Output(proc)
    try:
        output.until("Ctrl-C stops everything")
        nats_pid = _child_pid(proc.pid, "nats-server")
        os.kill(nats_pid, signal.SIGKILL)
        output.until("nats-server running again")
        postgres_pid = _child_pid(proc.pid, "postgres")
        os.kill(postgres_pid, signal.SIGKILL)
        output.until("postgres running again")

        async def both_answer() -> tuple[list[str], int]:
            passwords = json.loads((devdata / "nats-passwords.json").read_text())
            nc = await nats.connect(
                f"nats://127.0.0.1:{nats_port}",
                user=permissions.OPS,
                password=passwords[permissions.OPS],
                inbox_prefix=permissions.inbox_prefix(permissions.OPS),
            )
            names = [s.config.name for s in await nc.jetstream().streams_info()]
            await nc.close()
            conn = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:{pg_port}/postgres")
            # The migrations ran before the crash: the data survived it.
            tables = await conn.fetchval(
                "select count(*) from information_schema.tables where table_schema = 'guests'"
            )
            await conn.close()
            return names, int(tables)

        streams, guest_tables = asyncio.run(both_answer())
        assert "MEWS_CHANGES" in streams
        assert guest_tables > 0
        assert _child_pid(proc.pid, "nats-server") != nats_pid
        assert _child_pid(proc.pid, "postgres") != postgres_pid
        assert proc.poll() is None, "dev stopped instead of starting its servers again"
    finally:
        if proc.poll() is None:
            _stop(proc, output)
        relocated = (devdata / "postgres" / "pgdata").resolve().parent
        if relocated != devdata / "postgres":
            shutil.rmtree(relocated, ignore_errors=True)


def test_restart_budget_comes_from_the_environment() -> None:
    assert restarts_per_minute({}) == DEFAULT_RESTARTS_PER_MINUTE
    assert restarts_per_minute({RESTARTS_PER_MINUTE_ENV: " 1000 "}) == 1000
    for bad in ("0", "-3", "many"):
        with pytest.raises(SystemExit, match=RESTARTS_PER_MINUTE_ENV):
            restarts_per_minute({RESTARTS_PER_MINUTE_ENV: bad})


def test_ctrl_c_stops_the_services_before_the_servers(tmp_path: Path) -> None:
    devdata = tmp_path / "devdata"
    argv = [
        sys.executable, "-m", "attendandt.ops", "dev",
        "--devdata", str(devdata),
        "--nats-port", str(free_port()), "--postgres-port", str(free_port()),
        "--health-port-base", "0",
        "--no-sim",
        "--only", "users", "guests",
    ]  # fmt: skip
    proc = spawn(argv, stdout=subprocess.PIPE, env={**os.environ, "NO_COLOR": "1"})
    output = _Output(proc)
    try:
        output.until("Ctrl-C stops everything")
        # Ctrl-C in a terminal: SIGINT to the whole foreground process group.
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
    time.sleep(0.2)  # the reader thread takes the last lines
    text = "".join(output.lines)
    assert proc.returncode == 0, text
    stopping = text.index("stopping the services")
    assert stopping < text.index("stopping postgres") < text.index("stopping nats-server"), text
    after = text[stopping:]
    # The services stopped while NATS and Postgres still answered them.
    for noise in ("disconnected", "reconnecting", "Connection refused", "connection was closed"):
        assert noise not in after, f"{noise!r} after Ctrl-C:\n{after}"
