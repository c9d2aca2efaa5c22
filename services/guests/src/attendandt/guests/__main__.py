"""`python -m attendandt.guests [serve|migrate]`: run the service, or migrate its schema.

Configuration comes from the environment: NATS_URL, DATABASE_URL (the service's own role),
DATABASE_POOL_SIZE, HEALTH_HOST, HEALTH_PORT, GUESTS_COMMAND_BATCH, GUESTS_RPC_WORKERS,
LOG_LEVEL, ATTENDANDT_ENV.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from attendandt.guests.app import create_app
from attendandt.guests.migrations_set import MIGRATIONS
from attendandt.guests.settings import SERVICE, GuestsSettings
from attendandt.platform.logging import configure_logging
from attendandt.platform.migrations import upgrade
from attendandt.platform.settings import SettingsError, env_str, process_env
from attendandt.platform.telemetry import setup_telemetry


async def serve(settings: GuestsSettings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await create_app(settings).run(stop)


async def migrate(database_url: str) -> None:
    await upgrade(database_url, MIGRATIONS.script_location, MIGRATIONS.schema)
    print(f"{SERVICE}: schema {MIGRATIONS.schema} at head")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m attendandt.guests")
    parser.add_argument("command", nargs="?", default="serve", choices=("serve", "migrate"))
    args = parser.parse_args(argv)
    env = process_env()
    try:
        if args.command == "migrate":
            asyncio.run(migrate(env_str(env, "DATABASE_URL")))
            return
        settings = GuestsSettings.from_env(env)
    except SettingsError as exc:
        print(f"{SERVICE}: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc
    observability = settings.observability
    configure_logging(
        SERVICE,
        level=observability.log_level,
        json_lines=observability.environment == "production",
    )
    setup_telemetry(SERVICE)
    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
