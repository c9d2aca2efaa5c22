"""python -m attendandt.mews_ingest serve"""

from __future__ import annotations

import sys

from attendandt.mews_ingest.app import IngestApp
from attendandt.mews_ingest.settings import IngestSettings
from attendandt.platform.service_main import load_or_exit, serve_until_signalled, start_logging


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else "serve"
    if command != "serve":
        raise SystemExit(f"usage: python -m attendandt.mews_ingest serve (got {command!r})")
    settings = load_or_exit("mews-ingest", IngestSettings.from_env)
    start_logging(settings.observability)
    serve_until_signalled(lambda stop: IngestApp(settings).run(stop))


if __name__ == "__main__":
    main()
