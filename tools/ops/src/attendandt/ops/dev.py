"""`attendandt dev` (`make run`): the whole system on this machine, no Docker, no Mews account.

1. nats-server with JetStream and a Postgres cluster, data in `.devdata/` (kept across runs);
   NATS runs the production accounts (`contracts.permissions`): one user per service, each
   started with its own NATS_USER / NATS_PASSWORD, no anonymous access;
2. the streams and KV buckets; one role and schema per service; every service's migrations;
3. the Mews simulator with a seeded hotel (or the real Mews demo with MEWS_ENV=demo);
4. every installed service (entry-point group `attendandt.services`), logs prefixed by name;
5. the demo accounts: the admin, a front desk user and a vendor user, each with its own
   random password made on the first run and kept in `.devdata` (shown on every run);
6. Ctrl-C (or SIGTERM) stops the services, then the simulator, then the servers.

A supervisor watches them all: a service or the simulator that exits is started again (up to
`ATTENDANDT_DEV_RESTARTS_PER_MINUTE` times a minute each, 5 unless set: one that keeps dying
stops everything), and nats-server or Postgres that exits is started again on its port with
its data, until it runs.

The webhook secret goes to the simulator and to ingest only, in their environment (not on a
command line, where process listings show it); the simulator adds it to the webhook URL as
`?Token=...`, as Mews does. Every line a child writes passes the log redaction on its way out.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path

import nats
from nats.aio.client import Client as NatsClient

from attendandt.contracts.permissions import OPS, service_env
from attendandt.contracts.streams import ensure_streams
from attendandt.mews import DemoTokens, MewsError, MewsSettings, MewsSettingsError
from attendandt.ops import devenv
from attendandt.ops.demo import FRONT_DESK, MANAGER, VENDOR_USER, seed_demo
from attendandt.ops.migrate import migration_sets
from attendandt.ops.nats_accounts import DevNats, dev_nats_config
from attendandt.platform.logging import redact_text
from attendandt.platform.messaging import connect_options
from attendandt.platform.migrations import upgrade
from attendandt.platform.provision import provision, role_url
from attendandt.platform.rpc import RpcFailure, RpcTimeout
from attendandt.platform.settings import NatsSettings
from attendandt.testing.processes import _die_with_parent, free_port, wait_for_port
from attendandt.testing.servers import LocalProcessServer, start_nats, start_postgres

SERVICES_GROUP = "attendandt.services"
DEV_ADMIN = "admin@attendandt.local"
#: Where each demo account's password is kept in the dev data (random, made once).
DEMO_PASSWORD_FILES = {
    FRONT_DESK: "frontdesk-password",
    MANAGER: "manager-password",
    VENDOR_USER: "vendor-password",
}
#: Only these children get the webhook secret.
WEBHOOK_SECRET_HOLDERS = frozenset({"mews-sim", "mews-ingest"})
COLORS = ["36", "35", "33", "32", "34", "31", "96", "95"]
#: How many times a minute one child may exit and be started again before `attendandt dev`
#: gives up on it (and stops). A chaos run, which kills children on purpose, raises it.
RESTARTS_PER_MINUTE_ENV = "ATTENDANDT_DEV_RESTARTS_PER_MINUTE"
DEFAULT_RESTARTS_PER_MINUTE = 5


@dataclass
class DevConfig:
    devdata: Path
    nats_port: int
    postgres_port: int
    sim_port: int
    gateway_port: int
    with_sim: bool
    ingest_port: int = 8090
    only: list[str] = field(default_factory=list)
    #: Each service's health port is this plus its index (two stacks on one machine need
    #: two bases).
    health_port_base: int = 8100
    restarts_per_minute: int = DEFAULT_RESTARTS_PER_MINUTE
    #: The simulator's hotels: a preset (`default`, `small`...) or `preset,key=value,...`.
    sim_seed: str = "default"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "dev", help="run the whole system locally (what `make run` does)"
    )
    env = os.environ
    parser.add_argument(
        "--devdata", type=Path, default=Path(env.get("ATTENDANDT_DEVDATA", ".devdata"))
    )
    parser.add_argument("--nats-port", type=int, default=int(env.get("NATS_PORT", "4222")))
    parser.add_argument("--postgres-port", type=int, default=int(env.get("POSTGRES_PORT", "5433")))
    parser.add_argument("--sim-port", type=int, default=int(env.get("MEWS_SIM_PORT", "8765")))
    parser.add_argument("--gateway-port", type=int, default=int(env.get("GATEWAY_PORT", "8000")))
    parser.add_argument("--ingest-port", type=int, default=int(env.get("INGEST_PORT", "8090")))
    parser.add_argument(
        "--health-port-base",
        type=int,
        default=int(env.get("HEALTH_PORT_BASE", "8100")),
        help="the services' health ports are this plus 0, 1, 2...; 0: each a free port "
        "(a second stack beside a `make run`, e.g. the tests')",
    )
    parser.add_argument("--no-sim", action="store_true", help="do not start the Mews simulator")
    parser.add_argument(
        "--sim-seed",
        default=env.get("MEWS_SIM_SEED", "default"),
        help="the simulator's hotels: default, small, or e.g. small,customers=1200",
    )
    parser.add_argument("--only", nargs="*", default=[], help="start only these services")
    parser.set_defaults(handler=_run)


async def _run(args: argparse.Namespace) -> int:
    config = DevConfig(
        devdata=args.devdata.resolve(),
        nats_port=args.nats_port,
        postgres_port=args.postgres_port,
        sim_port=args.sim_port,
        gateway_port=args.gateway_port,
        ingest_port=args.ingest_port,
        health_port_base=args.health_port_base,
        with_sim=not args.no_sim and os.environ.get("MEWS_ENV", "sim") == "sim",
        only=args.only,
        restarts_per_minute=restarts_per_minute(os.environ),
        sim_seed=args.sim_seed,
    )
    return await run_dev(config)


def restarts_per_minute(env: Mapping[str, str]) -> int:
    raw = env.get(RESTARTS_PER_MINUTE_ENV, "").strip()
    if not raw:
        return DEFAULT_RESTARTS_PER_MINUTE
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise SystemExit(f"{RESTARTS_PER_MINUTE_ENV}={raw!r}: give a whole number of 1 or more")
    return value


def _say(text: str) -> None:
    print(f"\033[1mattendandt\033[0m | {text}", flush=True)


async def run_dev(config: DevConfig) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    config.devdata.mkdir(parents=True, exist_ok=True)
    accounts = dev_nats_config(config.devdata)
    nats_server = Server.start(
        "nats-server",
        lambda: start_nats(
            config.devdata / "nats",
            port=config.nats_port,
            config=accounts.config,
            env=accounts.server_env,
        ),
    )
    _say(f"nats-server (JetStream) on {nats_server.url}, data in {config.devdata / 'nats'}")
    postgres = Server.start(
        "postgres",
        lambda: start_postgres(
            config.devdata / "postgres", port=config.postgres_port, durable=True
        ),
    )
    _say(f"postgres on 127.0.0.1:{config.postgres_port}, data in {config.devdata / 'postgres'}")
    children: list[Child] = []
    try:
        database_urls = await prepare_data(ops_nats(nats_server.url, accounts), postgres.url)
        written = write_ops_env(config, nats_server.url, accounts, postgres.url, database_urls)
        _say(f"ops commands' settings in {written} (`attendandt status` finds them there)")
        env = {
            **os.environ,
            "NATS_URL": nats_server.url,
            "ATTENDANDT_ENV": "development",
            "PYTHONUNBUFFERED": "1",
        }
        children = await start_children(config, env, database_urls, accounts)
        logins = await seed_accounts(config, database_urls)
        started = {c.name for c in children}
        if logins and {"users", "vendors"} <= started:
            logins += await seed_demo_accounts(
                ops_nats(nats_server.url, accounts),
                admin_password(config),
                demo_passwords(config),
                env,
            )
        names = ", ".join(c.name for c in children) or "none yet"
        _say(f"running: {names}")
        if any(c.name == "gateway" for c in children):
            _say(f"web app and API: http://127.0.0.1:{config.gateway_port}  (API docs: /schema)")
        for login in logins:
            _say(f"demo login  {login}")
        _say("Ctrl-C stops everything.")
        return await _wait(stop, children, [nats_server, postgres], config.restarts_per_minute)
    finally:
        # The services first, all at once, while NATS and Postgres still answer them (they
        # would log connection errors for as long as they take to stop otherwise); then
        # the servers. Ctrl-C in the terminal reaches this process only: every child runs
        # in a process group of its own.
        if children:
            _say("stopping the services")
            await asyncio.gather(*(child.stop() for child in reversed(children)))
        _say("stopping postgres")
        postgres.stop()
        _say("stopping nats-server")
        nats_server.stop()
        _say("stopped")


def write_ops_env(
    config: DevConfig,
    nats_url: str,
    accounts: DevNats,
    admin_url: str,
    database_urls: Mapping[str, str],
) -> Path:
    """What the ops commands need to reach this stack (devenv.py): the ops NATS user,
    every database, and Mews as the services see it."""
    ops = ops_nats(nats_url, accounts)
    values = {
        "NATS_URL": ops.url,
        "NATS_USER": ops.user or "",
        "NATS_PASSWORD": ops.password or "",
        "DATABASE_ADMIN_URL": admin_url,
        **{devenv.database_variable(name): url for name, url in database_urls.items()},
        **{k: v for k, v in mews_env(config).items() if k.startswith("MEWS_")},
    }
    return devenv.write(config.devdata, values)


async def _connect(settings: NatsSettings) -> NatsClient:
    # Short-lived: no reconnect loop (and no "reconnecting" line when it closes).
    return await nats.connect(settings.servers, name="attendandt-dev", **connect_options(settings))


def ops_nats(url: str, accounts: DevNats) -> NatsSettings:
    """The ops command's own NATS user: the one allowed to create streams."""
    ops = accounts.of(OPS)
    return NatsSettings(url=url, user=ops.user, password=ops.password)


async def prepare_data(settings: NatsSettings, admin_url: str) -> dict[str, str]:
    """Streams and buckets; a role, a schema and the migrations for every service."""
    nc = await _connect(settings)
    try:
        for line in await ensure_streams(nc.jetstream()):
            if not line.endswith("up to date"):
                _say(line)
    finally:
        await nc.close()
    database_urls: dict[str, str] = {}
    for item in migration_sets():
        await provision(admin_url, schema=item.schema, role=item.schema, password=None)
        url = role_url(admin_url, item.schema)
        await upgrade(url, item.script_location, item.schema)
        database_urls[item.service] = url
        _say(f"{item.service}: schema {item.schema} migrated, role {item.schema}")
    return database_urls


def mews_env(config: DevConfig) -> dict[str, str]:
    """Where Mews is: the simulator (default), or the real Mews demo with MEWS_ENV=demo.

    Both accept the public demo token pairs, so the same command works for either; real
    tokens come from MEWS_CLIENT_TOKEN / MEWS_ACCESS_TOKENS when set.
    """
    env = {
        "MEWS_CLIENT_TOKEN": os.environ.get("MEWS_CLIENT_TOKEN", DemoTokens.GROSS_1.client_token),
        "MEWS_ACCESS_TOKENS": os.environ.get(
            "MEWS_ACCESS_TOKENS",
            f"{DemoTokens.GROSS_1.access_token},{DemoTokens.NET_1.access_token}",
        ),
        "MEWS_CLIENT_NAME": "Attendandt dev 0.1.0",
        "WEBHOOK_SECRET": _kept_secret(config.devdata / "webhook-secret"),
        "HTTP_PORT": str(config.ingest_port),
    }
    if config.with_sim:
        env["MEWS_BASE_URL"] = f"http://127.0.0.1:{config.sim_port}"
        env["MEWS_WS_URL"] = f"ws://127.0.0.1:{config.sim_port}/ws/connector"
    else:
        env["MEWS_ENV"] = "demo"
    return env


def _kept_secret(path: Path, nbytes: int = 24) -> str:
    """A random secret made on the first run and reused after (kept with the data)."""
    if not path.exists():
        path.write_text(secrets.token_urlsafe(nbytes))
        path.chmod(0o600)
    return path.read_text().strip()


async def start_children(
    config: DevConfig, env: dict[str, str], database_urls: dict[str, str], accounts: DevNats
) -> list[Child]:
    children: list[Child] = []
    env.update(mews_env(config))
    webhook_secret = env.pop("WEBHOOK_SECRET")
    sim = Path(sys.executable).parent / "attendandt-mews-sim"
    if config.with_sim and sim.exists():
        hook = f"http://127.0.0.1:{config.ingest_port}/webhooks/mews"
        argv = [
            str(sim),
            "--port",
            str(config.sim_port),
            "--seed",
            config.sim_seed,
            "--webhook-url",
            hook,
        ]
        sim_env = {**env, "WEBHOOK_SECRET": webhook_secret}
        children.append(await Child.start("mews-sim", argv, sim_env, len(children)))
        wait_for_port("127.0.0.1", config.sim_port, timeout=60)
        _say(f"Mews simulator on http://127.0.0.1:{config.sim_port} (seeded hotel)")
    elif config.with_sim:
        _say("Mews simulator not installed (uv sync --all-packages); continuing without")
    for index, entry in enumerate(sorted(entry_points(group=SERVICES_GROUP), key=lambda e: e.name)):
        if config.only and entry.name not in config.only:
            continue
        service_env = {
            **env,
            "SERVICE_NAME": entry.name,
            "HEALTH_PORT": str(
                config.health_port_base + index if config.health_port_base else free_port()
            ),
        }
        if entry.name in WEBHOOK_SECRET_HOLDERS:
            service_env["WEBHOOK_SECRET"] = webhook_secret
        # Each service as its own NATS user (entry point name = user name).
        service_env.update(_nats_credentials(accounts, entry.name))
        if entry.name in database_urls:
            service_env["DATABASE_URL"] = database_urls[entry.name]
        if entry.name == "gateway":
            service_env["GATEWAY_PORT"] = str(config.gateway_port)
            # Kept with the data: sign-ins survive a restart of the gateway or of the stack.
            service_env["GATEWAY_SIGNING_KEY"] = _kept_secret(
                config.devdata / "gateway-signing-key", nbytes=48
            )
        argv = [sys.executable, "-m", entry.module.removesuffix(".__main__"), "serve"]
        children.append(await Child.start(entry.name, argv, service_env, len(children)))
    return children


def _nats_credentials(accounts: DevNats, service: str) -> dict[str, str]:
    if service not in accounts.credentials:
        raise SystemExit(
            f"service {service!r} has no NATS user: add it to attendandt.contracts.permissions"
        )
    return dict(service_env(accounts.of(service)))


async def seed_demo_accounts(
    settings: NatsSettings, password: str, passwords: dict[str, str], env: dict[str, str]
) -> list[str]:
    """Front desk and vendor demo accounts, once the users and vendors services answer."""
    try:
        mews = MewsSettings.from_env(env)
    except MewsSettingsError as exc:
        _say(f"no demo vendor and staff accounts: {exc}")
        return []
    nc = await _connect(settings)
    try:
        # Generous: on a busy machine a service restarted by the supervisor takes a while.
        deadline = time.monotonic() + 180
        while True:
            try:
                return await seed_demo(nc, DEV_ADMIN, password, passwords, mews)
            except (RpcTimeout, MewsError) as exc:
                if time.monotonic() > deadline:
                    _say(f"no demo vendor and staff accounts: {exc}")
                    return []
                await asyncio.sleep(1)  # services still starting
            except RpcFailure as exc:
                _say(f"no demo vendor and staff accounts: {exc}")
                return []
    finally:
        await nc.close()


async def seed_accounts(config: DevConfig, database_urls: dict[str, str]) -> list[str]:
    """The demo admin (admin@attendandt.local): ATTENDANDT_DEV_ADMIN_PASSWORD, or a random
    password made on the first run and kept in .devdata so later runs can show it again."""
    if "users" not in database_urls:
        return []
    password = admin_password(config)
    argv = [
        sys.executable, "-m", "attendandt.ops", "users", "create-admin",
        "--email", DEV_ADMIN, f"--password={password}",  # "=": it may start with "-"
        "--database-url", database_urls["users"],
    ]  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await process.communicate()
    _say(output.decode(errors="replace").strip().replace(password, "***"))
    return [f"admin: {DEV_ADMIN} / {password}"]


def admin_password(config: DevConfig) -> str:
    return os.environ.get("ATTENDANDT_DEV_ADMIN_PASSWORD") or _kept_secret(
        config.devdata / "admin-password"
    )


def demo_passwords(config: DevConfig) -> dict[str, str]:
    """Each demo account's own password: random per install, kept in .devdata like the
    admin's; never the admin's, never derived from it or from each other."""
    return {
        email: _kept_secret(config.devdata / name) for email, name in DEMO_PASSWORD_FILES.items()
    }


async def _wait(
    stop: asyncio.Event, children: list[Child], servers: list[Server], per_minute: int
) -> int:
    """Until Ctrl-C (0). A child that exits on its own is started again, as a supervisor
    would (the rest of the system must cope, and does); one that keeps dying stops all (1).
    A server that exits is started again on its port with its data (the services reconnect)."""
    while True:
        stopping = asyncio.ensure_future(stop.wait())
        exits = {asyncio.ensure_future(c.process.wait()): c for c in children}
        server_exits = {asyncio.ensure_future(s.exited()): s for s in servers}
        await asyncio.wait({stopping, *exits, *server_exits}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        for waiter in [*exits, *server_exits]:
            waiter.cancel()
        if stop.is_set():
            return 0
        for server in servers:
            if server.process.poll() is not None:
                await server.restart(stop)
                if stop.is_set():
                    return 0
        for child in children:
            if child.process.returncode is None:
                continue
            code = child.process.returncode
            if not child.may_restart(per_minute):
                _say(f"{child.name} keeps exiting (code {code}); stopping")
                return 1
            _say(f"{child.name} exited with code {code}; starting it again")
            await asyncio.sleep(1)
            await child.restart()


@dataclass
class Server:
    """nats-server or Postgres under the supervisor: started again by the same function
    (same port, same data directory) when it exits."""

    name: str
    starter: Callable[[], LocalProcessServer]
    current: LocalProcessServer
    #: How often it polls for the server's exit (its process is not an asyncio one).
    poll_s: float = 0.5

    @classmethod
    def start(cls, name: str, starter: Callable[[], LocalProcessServer]) -> Server:
        return cls(name, starter, starter())

    @property
    def url(self) -> str:
        return self.current.url

    @property
    def process(self) -> subprocess.Popen[bytes]:
        return self.current.process

    async def exited(self) -> int:
        while True:
            code = self.process.poll()
            if code is not None:
                return code
            await asyncio.sleep(self.poll_s)

    async def restart(self, stop: asyncio.Event) -> None:
        """Start it again until it runs (a killed Postgres's backends take a moment to go,
        and its port stays taken until then), pausing longer after each failure."""
        _say(f"{self.name} exited with code {self.process.returncode}; starting it again")
        pause = 1.0
        while not stop.is_set():
            try:
                # Blocking (it waits for the port): in a thread, so children's output flows.
                self.current = await asyncio.to_thread(self.starter)
            except Exception as exc:
                _say(f"{self.name} did not start ({type(exc).__name__}); trying again")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), pause)
                pause = min(pause * 2, 10.0)
                continue
            _say(f"{self.name} running again")
            return

    def stop(self) -> None:
        self.current.stop()


@dataclass
class Child:
    name: str
    argv: list[str]
    env: dict[str, str]
    prefix: str
    process: asyncio.subprocess.Process
    pump: asyncio.Task[None]
    restarts: list[float] = field(default_factory=list)

    @classmethod
    async def start(cls, name: str, argv: list[str], env: dict[str, str], index: int) -> Child:
        prefix = f"\033[{COLORS[index % len(COLORS)]}m{name:>10}\033[0m | "
        process, pump = await _launch(argv, env, prefix)
        return cls(name, argv, env, prefix, process, pump)

    def may_restart(self, per_minute: int = DEFAULT_RESTARTS_PER_MINUTE) -> bool:
        now = time.monotonic()
        self.restarts = [t for t in self.restarts if t > now - 60]
        return len(self.restarts) < per_minute

    async def restart(self) -> None:
        self.restarts.append(time.monotonic())
        self.process, self.pump = await _launch(self.argv, self.env, self.prefix)

    async def stop(self) -> None:
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(self.pump, 2)


async def _launch(
    argv: list[str], env: dict[str, str], prefix: str
) -> tuple[asyncio.subprocess.Process, asyncio.Task[None]]:
    process = await asyncio.create_subprocess_exec(
        *argv,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        # Its own process group: a Ctrl-C in the terminal goes to the supervisor, which
        # stops the services before the servers they use.
        process_group=0,
        preexec_fn=lambda: _die_with_parent(signal.SIGTERM),
    )
    return process, asyncio.create_task(_pump(process, prefix))


async def _pump(process: asyncio.subprocess.Process, prefix: str) -> None:
    assert process.stdout is not None
    async for line in process.stdout:
        # A last line of defence: whatever a child prints, no token-shaped text gets out.
        sys.stdout.write(prefix + redact_text(line.decode(errors="replace")))
        sys.stdout.flush()
