"""`python -m attendandt.users [serve|migrate]`: run the service, or migrate its schema.

Reads NATS_URL, DATABASE_URL (the service's own role), HEALTH_PORT, LOG_LEVEL,
USERS_REFRESH_TOKEN_DAYS, USERS_SET_PASSWORD_TOKEN_HOURS and USERS_ARGON2_* .
"""

from __future__ import annotations

import argparse
import asyncio
import signal

from attendandt.platform.logging import configure_logging
from attendandt.platform.migrations import upgrade
from attendandt.platform.settings import process_env
from attendandt.platform.telemetry import setup_telemetry
from attendandt.users.app import create_app
from attendandt.users.migrations_set import MIGRATIONS
from attendandt.users.settings import UsersSettings


async def serve(settings: UsersSettings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await create_app(settings).run(stop)


async def migrate(settings: UsersSettings) -> None:
    await upgrade(settings.database.url, MIGRATIONS.script_location, settings.database.schema)
    print(f"users: schema {settings.database.schema} at head")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m attendandt.users")
    parser.add_argument("command", nargs="?", default="serve", choices=("serve", "migrate"))
    args = parser.parse_args()
    settings = UsersSettings.from_env(process_env())
    observability = settings.observability
    configure_logging(
        observability.service,
        level=observability.log_level,
        json_lines=observability.environment == "production",
    )
    if args.command == "migrate":
        asyncio.run(migrate(settings))
        return
    setup_telemetry(observability.service)
    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
