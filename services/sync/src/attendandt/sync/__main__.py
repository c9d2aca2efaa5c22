"""python -m attendandt.sync serve"""

from __future__ import annotations

import sys

from attendandt.platform.service_main import load_or_exit, serve_until_signalled, start_logging
from attendandt.sync.app import SyncApp
from attendandt.sync.settings import SyncSettings


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else "serve"
    if command != "serve":
        raise SystemExit(f"usage: python -m attendandt.sync serve (got {command!r})")
    settings = load_or_exit("sync", SyncSettings.from_env)
    start_logging(settings.observability)
    serve_until_signalled(lambda stop: SyncApp(settings).run(stop))


if __name__ == "__main__":
    main()
