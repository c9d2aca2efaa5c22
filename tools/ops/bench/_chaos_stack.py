"""The chaos bench's stack: `attendandt dev` on free ports in a directory of its own, and
the clients the bench talks to it with (the gateway as the admin, the simulator's control
API, NATS as the ops user, Postgres as its superuser)."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import nats
import nats.errors
import nats.js.errors
from nats.aio.client import Client as NatsClient

from attendandt.contracts.kv import SyncHealth, decode_value
from attendandt.contracts.permissions import OPS, inbox_prefix
from attendandt.contracts.streams import (
    ATTENDANDT_EVENTS,
    DOMAIN_COMMANDS,
    MEWS_CHANGES,
    MEWS_OUTBOX,
    SYNC_HEALTH,
)
from attendandt.testing.processes import free_port, python_module, spawn

#: How long the stack may take to start and to import the simulator's hotels.
START_BOUND_S = 900.0
#: The demo admin's password in this run.
PASSWORD = "Chaos-" + secrets.token_urlsafe(12)


def say(text: str) -> None:
    print(f"# chaos {text}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- the stack


@dataclass
class Stack:
    """`attendandt dev` on free ports in `workdir`, its output in `log`."""

    workdir: Path
    log: Path
    ports: dict[str, int] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    reaper: subprocess.Popen[bytes] | None = None
    #: `attendandt dev --sim-seed`: the simulator's hotels.
    sim_seed: str = "default"

    @property
    def devdata(self) -> Path:
        return self.workdir / "stack"

    @property
    def gateway(self) -> str:
        return f"http://127.0.0.1:{self.ports['gateway']}"

    @property
    def sim(self) -> str:
        return f"http://127.0.0.1:{self.ports['sim']}"

    @property
    def postgres_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.ports['postgres']}/postgres"

    @property
    def nats_url(self) -> str:
        return f"nats://127.0.0.1:{self.ports['nats']}"

    def start(self) -> None:
        self.devdata.mkdir(parents=True, exist_ok=True)
        self.ports = {n: free_port() for n in ("nats", "postgres", "sim", "gateway", "ingest")}
        argv = python_module(
            "attendandt.ops", "dev",
            "--devdata", str(self.devdata),
            "--nats-port", str(self.ports["nats"]),
            "--postgres-port", str(self.ports["postgres"]),
            "--sim-port", str(self.ports["sim"]),
            "--gateway-port", str(self.ports["gateway"]),
            "--ingest-port", str(self.ports["ingest"]),
            # Not the default 8100...: a `make run` may hold those.
            "--health-port-base", str(free_port()),
            "--sim-seed", self.sim_seed,
        )  # fmt: skip
        env = {
            **os.environ,
            "ATTENDANDT_DEV_ADMIN_PASSWORD": PASSWORD,
            # Killed on purpose every few seconds: every child must come back every time.
            "ATTENDANDT_DEV_RESTARTS_PER_MINUTE": "100000",
            "LOG_LEVEL": "WARNING",
            "NO_COLOR": "1",
            # The bench is one client asking many times a minute.
            "RATE_LIMIT_PER_MINUTE": "1000000",
            "LOGIN_RATE_LIMIT_PER_MINUTE": "1000",
        }
        with self.log.open("ab") as out:
            self.process = spawn(argv, env=env, stdout=out)
        # Should this process be killed (no finally runs), the reaper stops the stack and
        # removes its files.
        watch = python_module(
            "attendandt.testing.reaper",
            "--watch", str(os.getpid()),
            "--kill", str(self.process.pid),
            "--remove", str(self.devdata),
        )  # fmt: skip
        self.reaper = subprocess.Popen(
            watch,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def tail(self, lines: int = 60) -> str:
        return "\n".join(self.output().splitlines()[-lines:])

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    async def wait_started(self) -> None:
        deadline = time.monotonic() + START_BOUND_S
        while "Ctrl-C stops everything" not in self.output():
            if not self.alive():
                raise RuntimeError(f"the stack exited while starting:\n{self.tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the stack did not start:\n{self.tail()}")
            await asyncio.sleep(1)

    def children(self) -> dict[int, list[str]]:
        """The stack's children: PID → argv."""
        assert self.process is not None
        found: dict[int, list[str]] = {}
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                ppid = next(
                    line.split()[1]
                    for line in status.read_text().splitlines()
                    if line.startswith("PPid:")
                )
                if ppid != str(self.process.pid):
                    continue
                argv = (status.parent / "cmdline").read_bytes().decode(errors="replace")
            except (OSError, StopIteration):
                continue
            found[int(status.parent.name)] = argv.split("\0")

        return found

    def pid_of(self, *, module: str | None = None, program: str | None = None) -> int | None:
        for pid, argv in self.children().items():
            if module is not None and module in argv:
                return pid
            if program is not None and argv and Path(argv[0]).name == program:
                return pid
        return None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=90)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.reaper is not None:
            self.reaper.kill()
            self.reaper.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)

    @classmethod
    def in_temporary_directory(
        cls, kept_log: str | None, *, prefix: str = "bench-chaos-", sim_seed: str = "default"
    ) -> Stack:
        workdir = Path(tempfile.mkdtemp(prefix=prefix))
        workdir.chmod(0o755)  # Postgres runs as its own user when we are root and must reach it
        log = Path(kept_log).resolve() if kept_log else workdir / "stack" / "output.log"
        return cls(workdir, log, sim_seed=sim_seed)


def services() -> dict[str, str]:
    """Every service `attendandt dev` runs: name → module."""
    return {
        e.name: e.module.removesuffix(".__main__")
        for e in entry_points(group="attendandt.services")
    }


# --------------------------------------------------------------------------- clients


class Gateway:
    """The gateway API as the admin; signs in again when the token is refused."""

    def __init__(self, base: str) -> None:
        self.http = httpx.AsyncClient(base_url=f"{base}/api/v1", timeout=20)
        self.token: str | None = None

    async def login(self) -> None:
        answer = await self.http.post(
            "/auth/login", json={"email": "admin@attendandt.local", "password": PASSWORD}
        )
        answer.raise_for_status()
        self.token = answer.json()["access_token"]

    async def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        for _ in range(2):
            if self.token is None:
                await self.login()
            headers = {"Authorization": f"Bearer {self.token}"}
            answer = await self.http.request(method, path, headers=headers, **kwargs)
            if answer.status_code != 401:
                return answer
            self.token = None
        return answer

    async def close(self) -> None:
        await self.http.aclose()


class Sim:
    """The simulator's control API (`/_sim/...`): staff actions, faults, counters."""

    def __init__(self, base: str) -> None:
        self.http = httpx.AsyncClient(base_url=f"{base}/_sim", timeout=60)

    async def get(self, path: str) -> Any:
        answer = await self.http.get(path)
        answer.raise_for_status()
        return answer.json()

    async def post(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return await self.http.post(path, json=body or {})

    async def close(self) -> None:
        await self.http.aclose()


async def ops_nats(stack: Stack) -> NatsClient:
    passwords = json.loads((stack.devdata / "nats-passwords.json").read_text())
    return await nats.connect(
        stack.nats_url,
        user=OPS,
        password=passwords[OPS],
        inbox_prefix=inbox_prefix(OPS),
        allow_reconnect=False,
        name="bench-chaos",
    )


async def with_db(stack: Stack, work: Callable[[asyncpg.Connection], Awaitable[Any]]) -> Any:
    conn = await asyncpg.connect(stack.postgres_url, timeout=10)
    try:
        return await work(conn)
    finally:
        await conn.close()


async def patiently(what: str, work: Callable[[], Awaitable[Any]], bound_s: float = 120) -> Any:
    """`work()` until it answers (a server may be restarting), at most `bound_s`."""
    deadline = time.monotonic() + bound_s
    while True:
        try:
            return await work()
        except (OSError, asyncpg.PostgresError, nats.errors.Error, httpx.HTTPError) as exc:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what}: {exc}") from exc
            await asyncio.sleep(2)


# --------------------------------------------------------------------------- readiness


async def imports_done(stack: Stack, enterprises: list[str]) -> dict[str, str]:
    nc = await ops_nats(stack)
    try:
        kv = await nc.jetstream().key_value(SYNC_HEALTH.bucket)
        states = {}
        for enterprise in enterprises:
            try:
                entry = await kv.get(enterprise)
                health = decode_value(entry.value or b"{}", SyncHealth)
                states[enterprise] = health.import_state or "-"
            except nats.js.errors.KeyNotFoundError:
                states[enterprise] = "-"
        return states
    finally:
        await nc.close()


async def backlog(stack: Stack) -> dict[str, int]:
    """Messages each durable consumer of the pipeline has not settled yet."""
    nc = await ops_nats(stack)
    try:
        js = nc.jetstream()
        waiting: dict[str, int] = {}
        ours = tuple(services())
        pipeline = (MEWS_CHANGES, DOMAIN_COMMANDS, MEWS_OUTBOX, ATTENDANDT_EVENTS)
        for stream in (spec.name for spec in pipeline):
            for consumer in await js.consumers_info(stream):
                name = consumer.name or "?"
                # Another hotel system's consumer of the events waits for a reader we lack.
                if stream == ATTENDANDT_EVENTS.name and not name.startswith(ours):
                    continue
                waiting[name] = int(consumer.num_pending or 0) + int(consumer.num_ack_pending or 0)
        return waiting
    finally:
        await nc.close()


async def wait_for_import(stack: Stack, enterprises: list[str]) -> None:
    started = time.monotonic()
    last_said = 0.0
    quiet_since: float | None = None
    while True:
        states = await patiently("sync health", lambda: imports_done(stack, enterprises))
        waiting = await patiently("consumers", lambda: backlog(stack))
        busy = sum(waiting.values())
        done = all(s == "done" for s in states.values())
        now = time.monotonic()
        if done and busy == 0:
            quiet_since = quiet_since or now
            if now - quiet_since >= 5:
                say(f"initial import in and applied after {now - started:.0f} s")
                return
        else:
            quiet_since = None
        if now - last_said >= 15:
            say(f"importing: {', '.join(states.values())}; {busy} messages waiting")
            last_said = now
        if now - started > START_BOUND_S:
            raise RuntimeError("the initial import did not finish")
        if not stack.alive():
            raise RuntimeError(f"the stack exited:\n{stack.tail()}")
        await asyncio.sleep(2)
