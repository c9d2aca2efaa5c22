"""`python -m attendandt.gateway [serve]`: the gateway under uvicorn (one worker)."""

from __future__ import annotations

import argparse
import sys

import uvicorn

from attendandt.gateway.app import create_app
from attendandt.gateway.settings import GatewaySettings
from attendandt.platform.logging import configure_logging
from attendandt.platform.settings import ObservabilitySettings, SettingsError, process_env
from attendandt.platform.telemetry import setup_telemetry


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m attendandt.gateway")
    parser.add_argument("command", nargs="?", default="serve", choices=["serve"])
    parser.parse_args(argv)
    env = process_env()
    try:
        observability = ObservabilitySettings.from_env(env, "gateway")
        configure_logging(
            "gateway",
            level=observability.log_level,
            json_lines=observability.environment == "production",
        )
        settings = GatewaySettings.from_env(env)
    except SettingsError as exc:
        print(f"gateway: {exc}", file=sys.stderr)
        return 2
    setup_telemetry("gateway")
    gateway = create_app(settings)
    uvicorn.run(
        gateway.asgi,
        host=settings.host,
        port=settings.port,
        lifespan="on",
        log_config=None,  # the platform's logging; uvicorn's access log is replaced by ours
        access_log=False,
        # The app resolves forwarded clients itself, trusting FORWARDED_ALLOW_IPS only
        # (clients.py); uvicorn's own handling would trust 127.0.0.1 whatever is configured.
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=10,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
