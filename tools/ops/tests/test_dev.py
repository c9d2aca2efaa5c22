"""`attendandt dev` brings the servers up, migrates, stops cleanly on Ctrl-C, keeps its data."""

import asyncio
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import nats

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


def _read_until(proc: subprocess.Popen[bytes], marker: str, timeout: float = 90) -> str:
    assert proc.stdout is not None
    seen = ""
    deadline = time.monotonic() + timeout
    while marker not in seen:
        assert time.monotonic() < deadline, f"no {marker!r} in:\n{seen}"
        ready, _, _ = select.select([proc.stdout], [], [], 0.5)
        if ready:
            line = proc.stdout.readline()
            if not line:
                raise AssertionError(f"dev exited ({proc.poll()}) before {marker!r}:\n{seen}")
            seen += line.decode()
    return seen


def _stop(proc: subprocess.Popen[bytes]) -> str:
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    return out.decode()


def test_dev_runs_migrates_stops_and_keeps_data(tmp_path: Path) -> None:
    # tmp_path sits under a 0700 directory: as root, the cluster is relocated (and linked).
    devdata = tmp_path / "devdata"
    nats_port, pg_port = free_port(), free_port()
    admin = f"postgresql://postgres@127.0.0.1:{pg_port}/postgres"

    first = _start(devdata, nats_port, pg_port)
    try:
        output = _read_until(first, "Ctrl-C stops everything")
        assert "created stream MEWS_CHANGES" in output

        async def check_and_mark() -> list[str]:
            nc = await nats.connect(f"nats://127.0.0.1:{nats_port}")
            names = [s.config.name for s in await nc.jetstream().streams_info()]
            await nc.close()
            conn = await asyncpg.connect(admin)
            await conn.execute("create table kept (id int)")
            await conn.close()
            return names

        streams = asyncio.run(check_and_mark())
        assert {"MEWS_CHANGES", "DOMAIN_COMMANDS", "ATTENDANDT_EVENTS"} <= set(streams)
        assert "stopped" in _stop(first)
        assert first.returncode == 0
    finally:
        if first.poll() is None:
            first.kill()

    second = _start(devdata, nats_port, pg_port)
    try:
        output = _read_until(second, "Ctrl-C stops everything")
        assert "created stream" not in output  # JetStream state survived the restart

        async def kept() -> bool:
            conn = await asyncpg.connect(admin)
            found = await conn.fetchval("select to_regclass('public.kept') is not null")
            await conn.close()
            return bool(found)

        assert asyncio.run(kept())
    finally:
        if second.poll() is None:
            _stop(second)
        relocated = (devdata / "postgres" / "pgdata").resolve().parent
        if relocated != devdata / "postgres":
            shutil.rmtree(relocated, ignore_errors=True)
