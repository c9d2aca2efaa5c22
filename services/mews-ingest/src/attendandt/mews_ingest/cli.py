"""`attendandt ingest sweep --enterprise ID [--since WHEN] [--entity NAME ...]`
(and `attendandt ingest resync`: `resync_cli`).

Runs a sweep in this process (it needs no running ingest): every change in Mews since
WHEN (default: each entity's checkpoint minus the overlap) is published to MEWS_CHANGES,
with a progress bar per entity. Reads the same environment as the service (NATS_URL,
MEWS_BASE_URL or MEWS_ENV, MEWS_CLIENT_TOKEN, MEWS_ACCESS_TOKENS). Its requests draw from
the property's shared Mews budget like the service's, in the same capped lane.
"""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, timedelta

from attendandt.contracts.mews import MewsEntity
from attendandt.contracts.streams import INGEST_CHECKPOINTS, MEWS_RATE_LIMITS, ensure_streams
from attendandt.mews import Credentials, MewsClient, MewsError
from attendandt.mews_ingest import resync_cli
from attendandt.mews_ingest.checkpoints import Checkpoints
from attendandt.mews_ingest.publisher import ChangePublisher
from attendandt.mews_ingest.settings import BUDGET_LANE, IngestSettings
from attendandt.mews_ingest.sweeps import Sweeper, SweepProgress
from attendandt.platform.integrations import property_client
from attendandt.platform.logging import redact_text
from attendandt.platform.messaging import connect
from attendandt.platform.progress import draw_bar
from attendandt.platform.ratelimit import SharedTokenBucket
from attendandt.platform.settings import SettingsError, process_env


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("ingest", help="mews-ingest operations")
    commands = parser.add_subparsers(title="ingest commands", metavar="<command>")
    sweep = commands.add_parser("sweep", help="publish every Mews change since a time, now")
    sweep.add_argument("--enterprise", required=True, help="Mews EnterpriseId")
    sweep.add_argument(
        "--since", type=parse_since, help="ISO date/time (UTC) or a duration back: 90m, 12h, 7d"
    )
    sweep.add_argument(
        "--entity", action="append", choices=[e.value for e in MewsEntity], help="repeatable"
    )
    sweep.set_defaults(handler=run_sweep)
    resync_cli.register(commands, parse_since)


def parse_since(text: str) -> datetime:
    units = {"m": "minutes", "h": "hours", "d": "days"}
    if text[-1:] in units and text[:-1].isdigit():
        return datetime.now(UTC) - timedelta(**{units[text[-1]]: int(text[:-1])})
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(text), datetime.min.time())
        except ValueError as exc:
            raise argparse.ArgumentTypeError(
                f"{text!r}: use 2026-11-01, 2026-11-01T06:00:00Z, or 90m / 12h / 7d"
            ) from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _bar(progress: SweepProgress) -> None:
    detail = f"{progress.window}/{progress.windows} windows, {progress.changes} changes"
    draw_bar(progress.entity, progress.window, progress.windows, detail)


async def _start(sweeper: Sweeper, entity: MewsEntity, horizon: datetime) -> datetime:
    """The entity's checkpoint minus the overlap, or the horizon (and a word about it)."""
    planned = await sweeper.start_for(entity, horizon)
    if planned.beyond_horizon is not None:
        print(
            f"{entity}: the checkpoint ({planned.beyond_horizon:%Y-%m-%d %H:%M} UTC) is older "
            f"than the resync horizon: sweeping from the horizon; for the changes before it run "
            f"`attendandt sync backfill --enterprise {sweeper.enterprise_id} --since "
            f"{planned.beyond_horizon:%Y-%m-%d}`"
        )
    return planned.at


async def run_sweep(args: argparse.Namespace) -> int:
    try:
        settings = IngestSettings.from_env(process_env())
    except SettingsError as exc:
        print(f"ingest sweep: {redact_text(str(exc))}")
        return 2
    oldest = datetime.now(UTC) - timedelta(seconds=settings.resync_horizon_s)
    if args.since is not None and args.since < oldest:
        # The same bound as the service's resync: beyond it is a backfill's job.
        print(
            f"ingest sweep: --since {args.since:%Y-%m-%d %H:%M:%S} is older than the resync "
            f"horizon ({settings.resync_horizon_s / 86400:g} days, RESYNC_HORIZON_S): the "
            f"oldest allowed is {oldest:%Y-%m-%d %H:%M:%S} UTC; for older history use "
            f"`attendandt sync backfill --enterprise {args.enterprise} --since YYYY-MM-DD`"
        )
        return 2
    nc = await connect(settings.nats, "attendandt-cli")
    clients: list[MewsClient] = []
    try:
        js = nc.jetstream()
        await ensure_streams(js)
        checkpoints = Checkpoints(await js.key_value(INGEST_CHECKPOINTS.bucket))
        limits = await js.key_value(MEWS_RATE_LIMITS.bucket)

        def make_client(credentials: Credentials) -> MewsClient:
            return MewsClient(
                credentials,
                environment=settings.mews.base_url,
                page_size=settings.mews.page_size,
                limiter=SharedTokenBucket.for_access_token(
                    limits,
                    credentials.access_token,
                    lane=BUDGET_LANE,
                    share=settings.resync_budget_share,
                    party=credentials.portfolio_property,
                ),
            )

        client = await property_client(js, settings.mews, args.enterprise, make_client)
        if client is None:
            print(
                f"ingest sweep: no token opens enterprise {args.enterprise} (MEWS_ACCESS_TOKENS, "
                "or an integration onboarded and enabled for it)"
            )
            return 2
        clients.append(client)
        publisher = ChangePublisher(js)
        sweeper = Sweeper(
            client,
            args.enterprise,
            publisher,
            checkpoints,
            window=timedelta(seconds=settings.sweep_window_s),
            overlap=timedelta(seconds=settings.sweep_overlap_s),
        )
        end = await sweeper.mews_now()
        horizon = end - timedelta(seconds=settings.resync_horizon_s)
        for name in args.entity or [e.value for e in settings.entities]:
            entity = MewsEntity(name)
            start = args.since or await _start(sweeper, entity, horizon)
            result = await sweeper.sweep(entity, start, end, progress=_bar)
            print(
                f"{entity}: {result.seen} changed in Mews from {start:%Y-%m-%d %H:%M:%S} to "
                f"{end:%Y-%m-%d %H:%M:%S} UTC; {result.stored} new in MEWS_CHANGES"
            )
    except MewsError as exc:
        print(f"ingest sweep: Mews refused: {redact_text(str(exc))}")
        return 1
    else:
        return 0
    finally:
        for candidate in clients:
            await candidate.aclose()
        await nc.close()
