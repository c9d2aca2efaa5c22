"""`attendandt-mews-sim`: run the simulator.

    attendandt-mews-sim --port 8765 --seed small
    attendandt-mews-sim --seed default,customers=20000 --webhook-url http://localhost:9000/hook

Tokens are never printed: `GET /_sim/info` lists them for local tooling.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

import uvicorn

from attendandt.mews_sim import seed
from attendandt.mews_sim.app import create_app
from attendandt.mews_sim.limits import RateLimitConfig
from attendandt.mews_sim.state import Settings
from attendandt.mews_sim.webhooks import WebhookConfig


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="attendandt-mews-sim",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--seed",
        default="default",
        help="preset (tiny, small, default, large) and/or key=value overrides: "
        "enterprises, rooms, customers, reservations, companies, random_seed, "
        "anchor (the clock's starting moment: an ISO date-time, or YYYY-MM-DD for 12:00 UTC; "
        "the hotel is built as it stands then), doc_fixtures",
    )
    parser.add_argument(
        "--token",
        action="append",
        default=[],
        metavar="CLIENT:ACCESS[:INDEX]",
        help="an extra token pair for enterprise INDEX (0 = Gross, 1 = Net)",
    )
    parser.add_argument("--no-rate-limit", action="store_true")
    parser.add_argument(
        "--rate-limit", type=int, default=200, help="requests per window per AccessToken"
    )
    parser.add_argument("--rate-window", type=float, default=30.0, help="window in seconds")
    parser.add_argument("--no-retry-after", action="store_true", help="429 without Retry-After")
    parser.add_argument("--webhook-url")
    parser.add_argument(
        "--webhook-secret",
        default=os.environ.get("WEBHOOK_SECRET") or None,
        help="added to the webhook URL as ?Token=..., as Mews does (default: $WEBHOOK_SECRET; "
        "prefer the variable: arguments show in process listings)",
    )
    parser.add_argument("--webhook-retry-delay", type=float, default=60.0)
    parser.add_argument("--webhook-attempts", type=int, default=4)
    parser.add_argument("--webhook-batch-delay", type=float, default=0.05)
    parser.add_argument("--log-level", default="warning")
    return parser.parse_args(argv)


def settings_from(args: argparse.Namespace) -> Settings:
    extra = []
    for spec in args.token:
        parts = spec.split(":")
        if len(parts) not in (2, 3):
            raise SystemExit(f"--token expects CLIENT:ACCESS[:INDEX], got {len(parts)} parts")
        extra.append((parts[0], parts[1], int(parts[2]) if len(parts) == 3 else 0))
    try:
        seed_config = seed.parse_seed(args.seed)
    except ValueError as exc:
        raise SystemExit(str(exc)) from None
    return Settings(
        seed=seed.SeedConfig(**{**seed_config.__dict__, "extra_tokens": tuple(extra)}),
        rate_limit=RateLimitConfig(
            enabled=not args.no_rate_limit,
            limit=args.rate_limit,
            window_s=args.rate_window,
            retry_after=not args.no_retry_after,
        ),
        webhooks=WebhookConfig(
            url=args.webhook_url,
            secret=args.webhook_secret,
            retry_delay_s=args.webhook_retry_delay,
            max_attempts=args.webhook_attempts,
            batch_delay_s=args.webhook_batch_delay,
        ),
    )


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    app = create_app(settings_from(args))
    print(
        f"mews-sim listening on http://{args.host}:{args.port} (seed {args.seed})",
        file=sys.stderr,
        flush=True,
    )
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=False,
        lifespan="on",
        ws_ping_interval=20,
        ws_ping_timeout=20,
    )


if __name__ == "__main__":
    main()
