"""`python -m attendandt.mews_publisher [serve|migrate]` (serve is the default)."""

from __future__ import annotations

import argparse
import asyncio
import signal

from attendandt.mews_publisher.app import create_app
from attendandt.mews_publisher.migrations_set import MIGRATIONS
from attendandt.mews_publisher.settings import SERVICE, PublisherSettings
from attendandt.platform.logging import configure_logging
from attendandt.platform.migrations import upgrade
from attendandt.platform.settings import SettingsError, process_env
from attendandt.platform.telemetry import setup_telemetry


async def serve(settings: PublisherSettings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await create_app(settings).run(stop)


async def migrate(settings: PublisherSettings) -> None:
    await upgrade(settings.database.url, MIGRATIONS.script_location, settings.database.schema)
    print(f"{SERVICE}: schema {settings.database.schema} at head")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m attendandt.mews_publisher")
    parser.add_argument("command", nargs="?", choices=("serve", "migrate"), default="serve")
    args = parser.parse_args(argv)
    try:
        settings = PublisherSettings.from_env(process_env())
    except SettingsError as exc:
        raise SystemExit(f"{SERVICE}: {exc}") from exc
    observability = settings.observability
    configure_logging(
        SERVICE,
        level=observability.log_level,
        json_lines=observability.environment == "production",
    )
    if args.command == "migrate":
        asyncio.run(migrate(settings))
        return
    setup_telemetry(SERVICE)
    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
