"""`python -m attendandt.users [serve|migrate]`: run the service, or migrate its schema.

Reads NATS_URL, DATABASE_URL (the service's own role), HEALTH_PORT, LOG_LEVEL,
USERS_REFRESH_TOKEN_DAYS, USERS_SET_PASSWORD_TOKEN_HOURS and USERS_ARGON2_* .
"""

from __future__ import annotations

import argparse
import asyncio

from attendandt.platform.migrations import upgrade
from attendandt.platform.service_main import load_or_exit, serve_until_signalled, start_logging
from attendandt.users.app import create_app
from attendandt.users.migrations_set import MIGRATIONS
from attendandt.users.settings import UsersSettings


async def migrate(settings: UsersSettings) -> None:
    await upgrade(settings.database.url, MIGRATIONS.script_location, settings.database.schema)
    print(f"users: schema {settings.database.schema} at head")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m attendandt.users")
    parser.add_argument("command", nargs="?", default="serve", choices=("serve", "migrate"))
    args = parser.parse_args()
    settings = load_or_exit("users", UsersSettings.from_env)
    if args.command == "migrate":
        start_logging(settings.observability, telemetry=False)
        asyncio.run(migrate(settings))
        return
    start_logging(settings.observability)
    serve_until_signalled(lambda stop: create_app(settings).run(stop))


if __name__ == "__main__":
    main()
