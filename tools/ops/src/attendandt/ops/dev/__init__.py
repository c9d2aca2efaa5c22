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

This module is the command and the order of things; `config` what it runs with, `stack` the
data and each child's environment, `accounts` the demo accounts, `supervisor` the children
and servers it watches.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
from pathlib import Path

from attendandt.ops.dev.accounts import (
    admin_password,
    demo_passwords,
    seed_accounts,
    seed_demo_accounts,
)
from attendandt.ops.dev.config import (
    DEFAULT_RESTARTS_PER_MINUTE,
    RESTARTS_PER_MINUTE_ENV,
    DevConfig,
    restarts_per_minute,
)
from attendandt.ops.dev.stack import ops_nats, prepare_data, start_children, write_ops_env
from attendandt.ops.dev.supervisor import Child, Server, say, supervise
from attendandt.ops.nats_accounts import dev_nats_config
from attendandt.testing.servers import start_nats, start_postgres

__all__ = [
    "DEFAULT_RESTARTS_PER_MINUTE",
    "RESTARTS_PER_MINUTE_ENV",
    "DevConfig",
    "admin_password",
    "demo_passwords",
    "register",
    "restarts_per_minute",
    "run_dev",
]


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
    say(f"nats-server (JetStream) on {nats_server.url}, data in {config.devdata / 'nats'}")
    postgres = Server.start(
        "postgres",
        lambda: start_postgres(
            config.devdata / "postgres", port=config.postgres_port, durable=True
        ),
    )
    say(f"postgres on 127.0.0.1:{config.postgres_port}, data in {config.devdata / 'postgres'}")
    children: list[Child] = []
    try:
        database_urls = await prepare_data(ops_nats(nats_server.url, accounts), postgres.url)
        written = write_ops_env(config, nats_server.url, accounts, postgres.url, database_urls)
        say(f"ops commands' settings in {written} (`attendandt status` finds them there)")
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
        say(f"running: {names}")
        if any(c.name == "gateway" for c in children):
            say(f"web app and API: http://127.0.0.1:{config.gateway_port}  (API docs: /schema)")
        for login in logins:
            say(f"demo login  {login}")
        say("Ctrl-C stops everything.")
        return await supervise(stop, children, [nats_server, postgres], config.restarts_per_minute)
    finally:
        # The services first, all at once, while NATS and Postgres still answer them (they
        # would log connection errors for as long as they take to stop otherwise); then
        # the servers. Ctrl-C in the terminal reaches this process only: every child runs
        # in a process group of its own.
        if children:
            say("stopping the services")
            await asyncio.gather(*(child.stop() for child in reversed(children)))
        say("stopping postgres")
        postgres.stop()
        say("stopping nats-server")
        nats_server.stop()
        say("stopped")
