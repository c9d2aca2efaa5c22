"""What every service's `python -m` entry point does around its own app: its settings from the
environment (a wrong one is one line on stderr and exit code 2, never a traceback), logging
and telemetry as those settings say, and a run until SIGINT or SIGTERM asks it to stop.

    settings = load_or_exit("vendors", VendorsSettings.from_env)
    start_logging(settings.observability)
    serve_until_signalled(lambda stop: create_app(settings).run(stop))
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

from attendandt.platform.logging import configure_logging
from attendandt.platform.settings import ObservabilitySettings, SettingsError, process_env
from attendandt.platform.telemetry import setup_telemetry

S = TypeVar("S")

#: The exit code of a service that cannot start as configured (the supervisor's cue that a
#: restart will not help).
BAD_SETTINGS = 2


def load_or_exit(service: str, load: Callable[[Mapping[str, str]], S]) -> S:
    """`load(environment)`, or exit with what is wrong and `BAD_SETTINGS`."""
    try:
        return load(process_env())
    except SettingsError as exc:
        sys.stderr.write(f"{service}: {exc}\n")
        raise SystemExit(BAD_SETTINGS) from None


def start_logging(observability: ObservabilitySettings, *, telemetry: bool = True) -> None:
    """Logs (JSON lines in production) and, unless told not to, the trace exporter."""
    service = observability.service
    configure_logging(
        service,
        level=observability.log_level,
        json_lines=observability.environment == "production",
    )
    if telemetry:
        setup_telemetry(service)


def serve_until_signalled(run: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """`run(stop)` in a new event loop; SIGINT and SIGTERM set `stop`. The app is made
    inside `run`, so inside the loop."""

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run(stop)

    asyncio.run(serve())
