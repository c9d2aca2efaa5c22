"""`python -m attendandt.guests [serve|migrate]`: run the service, or migrate its schema.

Configuration comes from the environment: NATS_URL, DATABASE_URL (the service's own role),
DATABASE_POOL_SIZE, HEALTH_HOST, HEALTH_PORT, GUESTS_COMMAND_BATCH, GUESTS_APPLY_BATCH,
GUESTS_RPC_WORKERS, LOG_LEVEL, ATTENDANDT_ENV.
"""

from __future__ import annotations

import argparse
import asyncio

from attendandt.guests.app import create_app
from attendandt.guests.migrations_set import MIGRATIONS
from attendandt.guests.settings import SERVICE, GuestsSettings
from attendandt.platform.migrations import upgrade
from attendandt.platform.service_main import load_or_exit, serve_until_signalled, start_logging
from attendandt.platform.settings import env_str


async def migrate(database_url: str) -> None:
    await upgrade(database_url, MIGRATIONS.script_location, MIGRATIONS.schema)
    print(f"{SERVICE}: schema {MIGRATIONS.schema} at head")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m attendandt.guests")
    parser.add_argument("command", nargs="?", default="serve", choices=("serve", "migrate"))
    args = parser.parse_args(argv)
    if args.command == "migrate":
        database_url = load_or_exit(SERVICE, lambda env: env_str(env, "DATABASE_URL"))
        asyncio.run(migrate(database_url))
        return
    settings = load_or_exit(SERVICE, GuestsSettings.from_env)
    start_logging(settings.observability)
    serve_until_signalled(lambda stop: create_app(settings).run(stop))


if __name__ == "__main__":
    main()
