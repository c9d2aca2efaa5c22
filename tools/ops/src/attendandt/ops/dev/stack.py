"""The data and the environment of the stack `attendandt dev` runs: streams, schemas and
migrations; where Mews is; each child's variables (its own NATS user, its database, the
webhook secret for those that hold it); the settings file the ops commands read."""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Mapping
from importlib.metadata import entry_points
from pathlib import Path

import nats
from cryptography.fernet import Fernet
from nats.aio.client import Client as NatsClient

from attendandt.contracts.permissions import OPS, service_env
from attendandt.contracts.streams import ensure_streams
from attendandt.mews import DemoTokens
from attendandt.ops import devenv
from attendandt.ops.dev.config import DevConfig
from attendandt.ops.dev.supervisor import Child, say
from attendandt.ops.migrate import migration_sets
from attendandt.ops.nats_accounts import DevNats
from attendandt.platform.messaging import connect_options
from attendandt.platform.migrations import upgrade
from attendandt.platform.provision import provision, role_url
from attendandt.platform.settings import NatsSettings
from attendandt.testing.processes import free_port, wait_for_port

SERVICES_GROUP = "attendandt.services"
#: Only these children get the webhook secret.
WEBHOOK_SECRET_HOLDERS = frozenset({"mews-sim", "mews-ingest"})


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


async def connect(settings: NatsSettings) -> NatsClient:
    # Short-lived: no reconnect loop (and no "reconnecting" line when it closes).
    return await nats.connect(settings.servers, name="attendandt-dev", **connect_options(settings))


def ops_nats(url: str, accounts: DevNats) -> NatsSettings:
    """The ops command's own NATS user: the one allowed to create streams."""
    ops = accounts.of(OPS)
    return NatsSettings(url=url, user=ops.user, password=ops.password)


async def prepare_data(settings: NatsSettings, admin_url: str) -> dict[str, str]:
    """Streams and buckets; a role, a schema and the migrations for every service."""
    nc = await connect(settings)
    try:
        for line in await ensure_streams(nc.jetstream()):
            if not line.endswith("up to date"):
                say(line)
    finally:
        await nc.close()
    database_urls: dict[str, str] = {}
    for item in migration_sets():
        await provision(admin_url, schema=item.schema, role=item.schema, password=None)
        url = role_url(admin_url, item.schema)
        await upgrade(url, item.script_location, item.schema)
        database_urls[item.service] = url
        say(f"{item.service}: schema {item.schema} migrated, role {item.schema}")
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
        "WEBHOOK_SECRET": kept_secret(config.devdata / "webhook-secret"),
        # Properties connected later (Integration Webhooks) have their tokens sealed with it.
        "MEWS_TOKEN_KEY_FILE": str(kept_token_key(config.devdata / "mews-token-key")),
        "HTTP_PORT": str(config.ingest_port),
    }
    if config.with_sim:
        env["MEWS_BASE_URL"] = f"http://127.0.0.1:{config.sim_port}"
        env["MEWS_WS_URL"] = f"ws://127.0.0.1:{config.sim_port}/ws/connector"
    else:
        env["MEWS_ENV"] = "demo"
    return env


def kept_secret(path: Path, nbytes: int = 24) -> str:
    """A random secret made on the first run and reused after (kept with the data)."""
    if not path.exists():
        path.write_text(secrets.token_urlsafe(nbytes))
        path.chmod(0o600)
    return path.read_text().strip()


def kept_token_key(path: Path) -> Path:
    """A token key (Fernet) made on the first run and kept with the data it sealed."""
    if not path.exists():
        path.write_text(Fernet.generate_key().decode())
        path.chmod(0o600)
    return path


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
        say(f"Mews simulator on http://127.0.0.1:{config.sim_port} (seeded hotel)")
    elif config.with_sim:
        say("Mews simulator not installed (uv sync --all-packages); continuing without")
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
            service_env["GATEWAY_SIGNING_KEY"] = kept_secret(
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
