"""`python -m attendandt.mews_publisher [serve|migrate]` (serve is the default)."""

from __future__ import annotations

import argparse
import asyncio

from attendandt.mews_publisher.app import create_app
from attendandt.mews_publisher.migrations_set import MIGRATIONS
from attendandt.mews_publisher.settings import SERVICE, PublisherSettings
from attendandt.platform.migrations import upgrade
from attendandt.platform.service_main import load_or_exit, serve_until_signalled, start_logging


async def migrate(settings: PublisherSettings) -> None:
    await upgrade(settings.database.url, MIGRATIONS.script_location, settings.database.schema)
    print(f"{SERVICE}: schema {settings.database.schema} at head")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m attendandt.mews_publisher")
    parser.add_argument("command", nargs="?", choices=("serve", "migrate"), default="serve")
    args = parser.parse_args(argv)
    settings = load_or_exit(SERVICE, PublisherSettings.from_env)
    if args.command == "migrate":
        start_logging(settings.observability, telemetry=False)
        asyncio.run(migrate(settings))
        return
    start_logging(settings.observability)
    serve_until_signalled(lambda stop: create_app(settings).run(stop))


if __name__ == "__main__":
    main()
