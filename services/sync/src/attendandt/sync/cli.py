"""`attendandt sync backfill --enterprise ID [--since DATE] [--restart]`

Imports every resource, customer and reservation changed since DATE (default: the
enterprise's creation in Mews) into domain state, with a progress bar; resumes where an
interrupted run stopped unless --restart. Reads the service's environment (NATS_URL and the
MEWS_* variables).
"""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, timedelta

from attendandt.contracts.streams import SYNC_HEALTH, ensure_streams
from attendandt.mews import MewsClient, MewsError
from attendandt.mews.models import Configuration
from attendandt.platform.logging import redact_text
from attendandt.platform.messaging import connect
from attendandt.platform.progress import draw_bar
from attendandt.platform.settings import SettingsError, process_env
from attendandt.sync.applier import Applier
from attendandt.sync.backfill import ENTITIES, Backfill, BackfillProgress
from attendandt.sync.reconcile import Reconcile
from attendandt.sync.settings import SyncSettings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("sync", help="sync operations: backfill, reconcile")
    commands = parser.add_subparsers(title="sync commands", metavar="<command>")
    backfill = commands.add_parser("backfill", help="import every customer, reservation, room")
    backfill.add_argument("--enterprise", required=True, help="Mews EnterpriseId")
    backfill.add_argument("--since", type=_date, help="YYYY-MM-DD (UTC); default: since creation")
    backfill.add_argument("--entity", action="append", choices=ENTITIES, help="repeatable")
    backfill.add_argument("--restart", action="store_true", help="ignore a previous run's progress")
    backfill.set_defaults(handler=run_backfill)
    reconcile = commands.add_parser(
        "reconcile", help="compare our guests and stays with Mews and repair what differs"
    )
    reconcile.add_argument("--enterprise", required=True, help="Mews EnterpriseId")
    reconcile.add_argument("--since", type=_date, help="YYYY-MM-DD (UTC); default: 7 days ago")
    reconcile.set_defaults(handler=run_reconcile)


def _date(text: str) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-01-31") from exc


def _bar(progress: BackfillProgress) -> None:
    note = " (resumed)" if progress.resumed else ""
    detail = f"{progress.window}/{progress.windows} months, {progress.items} imported{note}"
    draw_bar(progress.entity, progress.window, progress.windows, detail)


async def run_reconcile(args: argparse.Namespace) -> int:
    try:
        settings = SyncSettings.from_env(process_env())
    except SettingsError as exc:
        print(f"sync reconcile: {redact_text(str(exc))}")
        return 2
    nc = await connect(settings.nats, "attendandt-cli")
    clients: list[MewsClient] = []
    try:
        js = nc.jetstream()
        await ensure_streams(js)
        chosen = await _client_for(settings, args.enterprise, clients)
        if chosen is None:
            print(f"sync reconcile: no token in MEWS_ACCESS_TOKENS opens {args.enterprise}")
            return 2
        client, config = chosen
        end = config.now_utc or datetime.now(UTC)
        since = args.since or end - timedelta(days=7)
        progress = await js.key_value(SYNC_HEALTH.bucket)
        reconcile = Reconcile(Applier(client, args.enterprise, js), progress, nc)
        await reconcile.run(
            since, end, entities=("customers", "reservations"), restart=True, progress=_bar
        )
    except MewsError as exc:
        print(f"sync reconcile: Mews refused: {redact_text(str(exc))}")
        return 1
    finally:
        for client in clients:
            await client.aclose()
        await nc.close()
    for entity, drift in reconcile.drift.items():
        repaired = drift.missing + drift.stale
        print(
            f"{entity}: {drift.checked} checked since {since:%Y-%m-%d}, {len(drift.missing)} "
            f"missing, {len(drift.stale)} out of date: {len(repaired)} repaired"
            + (
                f" ({', '.join(repaired[:10])}{', ...' if len(repaired) > 10 else ''})"
                if repaired
                else ""
            )
        )
    return 0


async def _client_for(
    settings: SyncSettings, enterprise_id: str, clients: list[MewsClient]
) -> tuple[MewsClient, Configuration] | None:
    """The client of the token that opens `enterprise_id` (every client made is kept in
    `clients`, for the caller to close)."""
    for credentials in settings.mews.credentials:
        client = MewsClient(
            credentials, environment=settings.mews.base_url, page_size=settings.mews.page_size
        )
        clients.append(client)
        config = await client.get_configuration()
        if config.enterprise is not None and config.enterprise.id == enterprise_id:
            return client, config
    return None


async def run_backfill(args: argparse.Namespace) -> int:
    try:
        settings = SyncSettings.from_env(process_env())
    except SettingsError as exc:
        print(f"sync backfill: {redact_text(str(exc))}")
        return 2
    nc = await connect(settings.nats, "attendandt-cli")
    clients: list[MewsClient] = []
    try:
        js = nc.jetstream()
        await ensure_streams(js)
        chosen = await _client_for(settings, args.enterprise, clients)
        if chosen is None:
            print(
                f"sync backfill: no token in MEWS_ACCESS_TOKENS is for enterprise {args.enterprise}"
            )
            return 2
        client, config = chosen
        end = config.now_utc or datetime.now(UTC)
        assert config.enterprise is not None
        since = args.since or config.enterprise.created_utc or end - timedelta(days=365)
        backfill = Backfill(
            Applier(client, args.enterprise, js), await js.key_value(SYNC_HEALTH.bucket)
        )
        counts = await backfill.run(
            since, end, entities=tuple(args.entity or ENTITIES), restart=args.restart, progress=_bar
        )
    except MewsError as exc:
        print(f"sync backfill: Mews refused: {redact_text(str(exc))}")
        return 1
    finally:
        for client in clients:
            await client.aclose()
        await nc.close()
    summary = ", ".join(f"{n} {entity}" for entity, n in counts.items())
    print(f"backfill of {args.enterprise} from {since:%Y-%m-%d}: {summary}")
    return 0
