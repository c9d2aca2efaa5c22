"""`python -m attendandt.gateway [serve]`: the gateway under uvicorn (one worker)."""

from __future__ import annotations

import argparse

import uvicorn

from attendandt.gateway.app import create_app
from attendandt.gateway.settings import GatewaySettings
from attendandt.platform.service_main import load_or_exit, start_logging
from attendandt.platform.settings import ObservabilitySettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m attendandt.gateway")
    parser.add_argument("command", nargs="?", default="serve", choices=["serve"])
    parser.parse_args(argv)
    observability = load_or_exit(
        "gateway", lambda env: ObservabilitySettings.from_env(env, "gateway")
    )
    start_logging(observability)
    settings = load_or_exit("gateway", GatewaySettings.from_env)
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
