"""`attendandt sync backfill --enterprise ID [--since DATE] [--entity E] [--restart]`
`attendandt sync backfill --enterprise ID --initial [--restart]`

Without `--initial`: imports every resource, customer and reservation changed since DATE
(default: the enterprise's creation in Mews) into domain state, by `UpdatedUtc`: the whole
history, for a property moving to Attendandt with years of guests.

With `--initial`: the property's initial import, the one sync runs by itself on its first
start for a property (`sync.initial_import`): every room, then every reservation whose stay
collides with [today - 90 days, today + 365 days] whatever its UpdatedUtc, with owners,
companions and notes. It shares its progress with sync (the `import.<enterprise>` entry,
shown on the Sync page): it resumes an unfinished import, whoever began it, and does nothing
for a finished one unless `--restart`.

Both draw a progress bar and resume where an interrupted run stopped (unless --restart);
Ctrl-C stops an initial import cleanly after the page it is on (a second Ctrl-C at once).
Reads the service's environment (NATS_URL and the MEWS_* variables).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from datetime import UTC, date, datetime, timedelta

import msgspec
from nats.js import JetStreamContext

from attendandt.contracts.streams import (
    INGEST_STATE,
    SYNC_HEALTH,
    BackfillDone,
    backfill_done_key,
)
from attendandt.mews import MewsError
from attendandt.platform.logging import redact_text
from attendandt.platform.progress import draw_bar
from attendandt.platform.settings import SettingsError, process_env
from attendandt.sync.applier import Applier
from attendandt.sync.backfill import ENTITIES, Backfill, BackfillProgress
from attendandt.sync.backpressure import DownstreamBacklog
from attendandt.sync.enterprise_cli import mews_line
from attendandt.sync.initial_import import ImportProgress, InitialImport
from attendandt.sync.reconcile import Reconcile
from attendandt.sync.settings import SyncSettings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("sync", help="sync operations: backfill, reconcile")
    commands = parser.add_subparsers(title="sync commands", metavar="<command>")
    backfill = commands.add_parser("backfill", help="import every customer, reservation, room")
    backfill.add_argument("--enterprise", required=True, help="Mews EnterpriseId")
    backfill.add_argument(
        "--since", type=parse_date, help="YYYY-MM-DD (UTC); default: since creation"
    )
    backfill.add_argument("--entity", action="append", choices=ENTITIES, help="repeatable")
    backfill.add_argument("--restart", action="store_true", help="ignore a previous run's progress")
    backfill.add_argument(
        "--initial",
        action="store_true",
        help="the initial import: rooms, and reservations colliding with the last 90 and "
        "next 365 days whatever their UpdatedUtc (what sync runs on its first start)",
    )
    backfill.set_defaults(handler=run_backfill)
    reconcile = commands.add_parser(
        "reconcile", help="compare our guests and stays with Mews and repair what differs"
    )
    reconcile.add_argument("--enterprise", required=True, help="Mews EnterpriseId")
    reconcile.add_argument("--since", type=parse_date, help="YYYY-MM-DD (UTC); default: 7 days ago")
    reconcile.set_defaults(handler=run_reconcile)


def parse_date(text: str) -> datetime:
    """A `--since`/`--until` date: its midnight, UTC."""
    try:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-01-31") from exc


def load_settings(command: str) -> SyncSettings | None:
    """The service's settings from the environment; None when they are wrong (printed)."""
    try:
        return SyncSettings.from_env(process_env())
    except SettingsError as exc:
        print(f"{command}: {redact_text(str(exc))}")
        return None


def _bar(progress: BackfillProgress) -> None:
    note = " (resumed)" if progress.resumed else ""
    detail = f"{progress.window}/{progress.windows} months, {progress.items} imported{note}"
    draw_bar(progress.entity, progress.window, progress.windows, detail)


def _import_bar(progress: ImportProgress) -> None:
    note = " (resumed)" if progress.resumed else ""
    window = min(progress.windows_done + 1, progress.windows)
    detail = (
        f"window {window}/{progress.windows}, {progress.reservations} reservations imported{note}"
    )
    draw_bar("reservations", progress.windows_done, progress.windows, detail)


async def run_reconcile(args: argparse.Namespace) -> int:
    settings = load_settings("sync reconcile")
    if settings is None:
        return 2
    try:
        async with mews_line(settings, "sync reconcile", args.enterprise) as line:
            if line is None:
                return 2
            end = line.config.now_utc or datetime.now(UTC)
            since = args.since or end - timedelta(days=7)
            progress = await line.js.key_value(SYNC_HEALTH.bucket)
            reconcile = Reconcile(Applier(line.client, args.enterprise, line.js), progress, line.nc)
            await reconcile.run(
                since, end, entities=("customers", "reservations"), restart=True, progress=_bar
            )
    except MewsError as exc:
        print(f"sync reconcile: Mews refused: {redact_text(str(exc))}")
        return 1
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


async def run_backfill(args: argparse.Namespace) -> int:
    if args.initial and (args.since or args.entity):
        print("sync backfill: --initial takes no --since or --entity (its range is fixed)")
        return 2
    settings = load_settings("sync backfill")
    if settings is None:
        return 2
    if args.initial:
        return await _run_initial(settings, args)
    try:
        async with mews_line(settings, "sync backfill", args.enterprise) as line:
            if line is None:
                return 2
            end = line.config.now_utc or datetime.now(UTC)
            assert line.config.enterprise is not None
            since = args.since or line.config.enterprise.created_utc or end - timedelta(days=365)
            backfill = Backfill(
                Applier(line.client, args.enterprise, line.js),
                await line.js.key_value(SYNC_HEALTH.bucket),
            )
            counts = await backfill.run(
                since,
                end,
                entities=tuple(args.entity or ENTITIES),
                restart=args.restart,
                progress=_bar,
            )
            if set(args.entity or ENTITIES) >= set(ENTITIES):
                await _tell_ingest(line.js, args.enterprise, since)
    except MewsError as exc:
        print(f"sync backfill: Mews refused: {redact_text(str(exc))}")
        return 1
    summary = ", ".join(f"{n} {entity}" for entity, n in counts.items())
    print(f"backfill of {args.enterprise} from {since:%Y-%m-%d}: {summary}")
    return 0


async def _tell_ingest(js: JetStreamContext, enterprise_id: str, since: datetime) -> None:
    """A backfill of every entity covers a gap ingest announced ("backfill needed") when it
    starts at or before the gap: say so where ingest looks, and it clears its flag."""
    try:
        kv = await js.key_value(INGEST_STATE.bucket)
        done = BackfillDone(since=since, finished_at=datetime.now(UTC))
        await kv.put(backfill_done_key(enterprise_id), msgspec.json.encode(done))
    except Exception as exc:
        print(f"could not tell ingest the backfill is done ({type(exc).__name__}): its "
              "'backfill needed' stays until told; run this as the ops NATS user")  # fmt: skip
        return
    print(f"told ingest: every change of {enterprise_id} since {since:%Y-%m-%d} is imported")


async def _run_initial(settings: SyncSettings, args: argparse.Namespace) -> int:
    stop = asyncio.Event()
    stop_on_ctrl_c(stop, "after this page")
    try:
        async with mews_line(settings, "sync backfill", args.enterprise) as line:
            if line is None:
                return 2
            job = InitialImport(
                Applier(line.client, args.enterprise, line.js),
                await line.js.key_value(SYNC_HEALTH.bucket),
                pace=DownstreamBacklog(line.js, high=settings.import_backlog_max),
            )
            try:
                state = await job.run(restart=args.restart, progress=_import_bar, stop=stop)
            except asyncio.CancelledError:
                print("\nstopped: run the same command again to resume where it stopped")
                return 130
    except MewsError as exc:
        print(f"\nsync backfill: Mews refused: {redact_text(str(exc))}")
        print("run the same command again to resume where it stopped")
        return 1
    finally:
        asyncio.get_running_loop().remove_signal_handler(signal.SIGINT)
    if state.state != "done":
        print(
            f"\ninitial import of {args.enterprise} stopped after {state.windows_done} of "
            f"{state.windows_total} windows ({state.reservations_done} reservations): run "
            "the same command again to resume"
        )
        return 130
    print(
        f"initial import of {args.enterprise}: {state.rooms} rooms, {state.reservations} "
        f"reservations ({state.windows_total} windows, "
        f"{_day(state.start_utc)} to {_day(state.end_utc)})"
    )
    return 0


def _day(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d}" if value is not None else "?"


def stop_on_ctrl_c(stop: asyncio.Event, when: str) -> None:
    """The first Ctrl-C sets `stop` (the job stops `when` it can, progress kept); a second
    one cancels the current task at once."""
    loop = asyncio.get_running_loop()
    current = asyncio.current_task()

    def interrupted() -> None:
        if stop.is_set() and current is not None:
            current.cancel()
            return
        stop.set()
        print(f"\nstopping {when} (Ctrl-C again to stop now)", flush=True)

    loop.add_signal_handler(signal.SIGINT, interrupted)
