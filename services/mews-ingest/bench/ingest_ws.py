"""ingest-ws: changes/s from the simulator's WebSocket into JetStream with one ingest process,
and the process's resident memory at rest and under that load."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import nats

from attendandt.contracts.streams import MEWS_CHANGES, ensure_streams
from attendandt.mews_sim.runner import start_simulator
from attendandt.testing.bench import report
from attendandt.testing.processes import free_port, spawn, stop
from attendandt.testing.servers import start_nats

BENCH = "ingest-ws"
CHANGES = 20_000
PER_TOUCH = 1000


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def stored(js) -> int:  # type: ignore[no-untyped-def]
    return (await js.stream_info(MEWS_CHANGES.name)).state.messages


async def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    nats_server = start_nats(workdir / "nats")
    sim = start_simulator(seed="default")
    sim.control.rate_limit(enabled=False)
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    await ensure_streams(js)
    token = sim.gross.token
    env = {
        **os.environ,
        "NATS_URL": nats_server.url,
        "MEWS_BASE_URL": sim.base_url,
        "MEWS_WS_URL": sim.ws_url,
        "MEWS_CLIENT_TOKEN": token.client_token,
        "MEWS_ACCESS_TOKENS": token.access_token,
        "HTTP_PORT": str(free_port()),
        "RESYNC_HORIZON_S": "1",
        "LOG_LEVEL": "WARNING",
    }
    ingest = spawn([sys.executable, "-m", "attendandt.mews_ingest", "serve"], env=env)
    try:
        for _ in range(300):  # polling another process: no event to wait on
            if sim.control.ws_connections() >= 1:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(3)  # startup sweep done, settled
        at_rest = rss_mib(ingest.pid)
        before = await stored(js)
        peak = at_rest

        def staff() -> None:
            for _ in range(CHANGES // PER_TOUCH):
                sim.control.touch("reservations", PER_TOUCH, sim.gross.id)

        started = time.perf_counter()
        writer = threading.Thread(target=staff)
        writer.start()
        while await stored(js) < before + CHANGES:
            peak = max(peak, rss_mib(ingest.pid))
            await asyncio.sleep(0.05)
            if time.perf_counter() - started > 300:
                raise SystemExit("ingest-ws: changes did not all arrive within 300 s")
        elapsed = time.perf_counter() - started
        writer.join()
        report(BENCH, "changes_per_s", CHANGES / elapsed, "changes/s")
        report(BENCH, "rss_at_rest", at_rest, "MiB")
        report(BENCH, "rss_under_load", peak, "MiB")
    finally:
        stop(ingest)
        await nc.close()
        sim.stop()
        nats_server.stop()
