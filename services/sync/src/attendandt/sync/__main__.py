"""python -m attendandt.sync serve"""

from __future__ import annotations

import asyncio
import signal
import sys

from attendandt.platform.logging import configure_logging
from attendandt.platform.settings import SettingsError, process_env
from attendandt.platform.telemetry import setup_telemetry
from attendandt.sync.app import SyncApp
from attendandt.sync.settings import SyncSettings


async def serve(settings: SyncSettings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await SyncApp(settings).run(stop)


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else "serve"
    if command != "serve":
        raise SystemExit(f"usage: python -m attendandt.sync serve (got {command!r})")
    try:
        settings = SyncSettings.from_env(process_env())
    except SettingsError as exc:
        raise SystemExit(f"sync: {exc}") from exc
    configure_logging(
        "sync",
        level=settings.observability.log_level,
        json_lines=settings.observability.environment == "production",
    )
    setup_telemetry("sync")
    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
