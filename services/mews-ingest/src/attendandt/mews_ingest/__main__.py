"""python -m attendandt.mews_ingest serve"""

from __future__ import annotations

import asyncio
import signal
import sys

from attendandt.mews_ingest.app import IngestApp
from attendandt.mews_ingest.settings import IngestSettings
from attendandt.platform.logging import configure_logging
from attendandt.platform.settings import SettingsError, process_env
from attendandt.platform.telemetry import setup_telemetry


async def serve(settings: IngestSettings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await IngestApp(settings).run(stop)


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else "serve"
    if command != "serve":
        raise SystemExit(f"usage: python -m attendandt.mews_ingest serve (got {command!r})")
    try:
        settings = IngestSettings.from_env(process_env())
    except SettingsError as exc:
        raise SystemExit(f"mews-ingest: {exc}") from exc
    observability = settings.observability
    configure_logging(
        "mews-ingest",
        level=observability.log_level,
        json_lines=observability.environment == "production",
    )
    setup_telemetry("mews-ingest")
    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
