"""A whole pipeline for the sync benchmarks: nats-server, Postgres, the simulator, and the
real guests and sync (and optionally ingest) processes."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from subprocess import Popen
from typing import Any

import asyncpg
import nats
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from nats.js.errors import KeyNotFoundError

from attendandt.contracts.kv import IngestState, decode_value
from attendandt.contracts.streams import INGEST_STATE, ensure_streams
from attendandt.mews import Credentials, MewsClient
from attendandt.mews.models import ReservationsGetAll
from attendandt.mews_sim.runner import MewsSim, start_simulator
from attendandt.platform.migrations import upgrade
from attendandt.platform.provision import provision, role_url
from attendandt.testing.processes import free_port, spawn, stop
from attendandt.testing.servers import LocalProcessServer, start_nats, start_postgres

GETALL_PATHS = ("reservations/getAll/2023-06-06", "customers/getAll", "resources/getAll")


@dataclass
class Pipeline:
    nats_server: LocalProcessServer
    postgres: LocalProcessServer
    sim: MewsSim
    nc: NatsClient
    js: JetStreamContext
    env: dict[str, str]
    processes: dict[str, Popen[bytes]] = field(default_factory=dict)
    #: When each process was started (`time.perf_counter()`).
    started_at: dict[str, float] = field(default_factory=dict)
    #: Where ingest's webhook endpoint listens (with_ingest).
    ingest_port: int = 0

    @property
    def admin_url(self) -> str:
        return self.postgres.url

    def start(self, name: str, module: str, **extra: str) -> None:
        self.started_at[name] = time.perf_counter()
        # BENCH_LOG_DIR keeps each process's log there (a run to look into); else dropped.
        log_dir = os.environ.get("BENCH_LOG_DIR")
        output: Any = subprocess.DEVNULL
        if log_dir:
            output = (Path(log_dir) / f"{name}.log").open("ab")  # the child writes to it
        self.processes[name] = spawn(
            [sys.executable, "-m", module, "serve"], env={**self.env, **extra}, stdout=output
        )

    def mews_calls(self) -> int:
        counts: dict[str, int] = self.sim.control.counters()["requests_by_path"]
        return sum(n for path, n in counts.items() if path.endswith(GETALL_PATHS))

    async def truth(self, ids: list[str]) -> dict[str, tuple[str, str]]:
        token = self.sim.gross.token
        creds = Credentials(client_token=token.client_token, access_token=token.access_token)
        async with MewsClient(creds, environment=self.sim.base_url) as client:
            found = await client.get_reservations(ReservationsGetAll(reservation_ids=ids)).collect()
        return {
            r.id: (r.state or "", r.updated_utc.isoformat() if r.updated_utc else "") for r in found
        }

    async def ours(self, ids: list[str]) -> dict[str, tuple[str, str]]:
        conn = await asyncpg.connect(self.admin_url)
        try:
            rows = await conn.fetch(
                "select mews_id, mews_state, mews_updated_utc from guests.stays"
                " where mews_id = any($1)",
                ids,
            )
        finally:
            await conn.close()
        return {r["mews_id"]: (r["mews_state"], r["mews_updated_utc"].isoformat()) for r in rows}

    async def converge(self, ids: list[str], timeout: float = 900) -> float:
        """Seconds until Postgres holds exactly the simulator's state of `ids`."""
        started = time.perf_counter()
        truth = await self.truth(sorted(set(ids)))
        while await self.ours(sorted(set(ids))) != truth:
            if time.perf_counter() - started > timeout:
                raise SystemExit(f"did not converge within {timeout} s")
            await asyncio.sleep(0.05)
        return time.perf_counter() - started

    async def close(self) -> None:
        for process in self.processes.values():
            stop(process)
        await self.nc.close()
        self.sim.stop()
        self.postgres.stop()
        self.nats_server.stop()


def touch_reservations(line: Pipeline, count: int) -> list[str]:
    """Change `count` reservations in the simulator, as staff would (blocking HTTP)."""
    return line.sim.control.touch("reservations", count, line.sim.gross.id)


async def pipeline(
    *,
    with_ingest: bool = False,
    seed: str = "default",
    sim_timeout: float = 30.0,
    sync_env: dict[str, str] | None = None,
    extra_env: dict[str, str] | None = None,
) -> Pipeline:
    workdir = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    os.chmod(workdir, 0o755)  # noqa: PTH101 - Postgres runs as its own user and must enter
    nats_server = start_nats(workdir / "nats")
    postgres = start_postgres(workdir / "postgres")
    sim = start_simulator(seed=seed, timeout=sim_timeout)
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    await ensure_streams(js)
    [entry] = [e for e in entry_points(group="attendandt.migrations") if e.name == "guests"]
    migrations: Any = entry.load()
    await provision(postgres.url, schema="guests", role="guests", password=None)
    guests_url = role_url(postgres.url, "guests")
    await upgrade(guests_url, migrations.script_location, "guests")
    token = sim.gross.token
    env = {
        **os.environ,
        "NATS_URL": nats_server.url,
        "MEWS_BASE_URL": sim.base_url,
        "MEWS_WS_URL": sim.ws_url,
        "MEWS_CLIENT_TOKEN": token.client_token,
        "MEWS_ACCESS_TOKENS": token.access_token,
        "HEALTH_PORT": "0",
        "LOG_LEVEL": "WARNING",
        **(extra_env or {}),
    }
    line = Pipeline(nats_server, postgres, sim, nc, js, env)
    line.start("guests", "attendandt.guests", DATABASE_URL=guests_url)
    line.start("sync", "attendandt.sync", **(sync_env or {}))
    if with_ingest:
        line.ingest_port = free_port()
        line.start(
            "ingest",
            "attendandt.mews_ingest",
            HTTP_PORT=str(line.ingest_port),
            RESYNC_HORIZON_S="1",
        )
    await asyncio.sleep(3)  # every process bound to Mews and subscribed
    if with_ingest:
        await _socket_connected(js, sim.gross.id)
    return line


async def _socket_connected(js: JetStreamContext, enterprise_id: str, timeout: float = 60) -> None:
    """Until ingest's socket is connected: a change made before would be missed by the
    socket (it has no replay) and by the first sweep alike (the bench's resync horizon is
    1 s), until the next periodic sweep half an hour later; the bench then never converged."""
    board = await js.key_value(INGEST_STATE.bucket)
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        with contextlib.suppress(KeyNotFoundError):
            state = decode_value((await board.get(enterprise_id)).value, IngestState)
            if state.websocket == "connected":
                return
        await asyncio.sleep(0.1)
    raise SystemExit(f"ingest's socket did not connect within {timeout} s")
