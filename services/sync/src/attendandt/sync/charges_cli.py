"""`attendandt charges reconcile --enterprise ID [--since DATE] [--until DATE]`

Reconciles a property's charges posted in [since, until) (dates in UTC; default: the 30
days to now) with Mews now, as sync does nightly: every posted charge against its order
items; a charge cancelled or rebated in Mews changes state in vendors; the report of every
mismatch is printed and stored as the property's last (the Sync page shows it).

Draws its progress; Ctrl-C stops it between two Mews calls (what was sent to vendors is
whole; no report is stored). Mews calls take tokens from the property's shared rate budget
(the one sync, ingest and the publisher use). Reads the service's environment (NATS_URL and
the MEWS_* variables).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from datetime import UTC, datetime, timedelta

from attendandt.contracts.reconciliation import ChargeReconcileReport
from attendandt.contracts.streams import SYNC_HEALTH
from attendandt.mews import MewsError
from attendandt.platform.logging import redact_text
from attendandt.platform.progress import draw_bar
from attendandt.platform.rpc import RpcFailure, RpcTimeout
from attendandt.sync.charges_reconcile import (
    ChargesReconciler,
    PassProgress,
    Stopped,
    store_report,
)
from attendandt.sync.cli import load_settings, parse_date, stop_on_ctrl_c
from attendandt.sync.enterprise_cli import mews_line

LISTED = 25


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("charges", help="charges: reconcile with Mews")
    commands = parser.add_subparsers(title="charges commands", metavar="<command>")
    reconcile = commands.add_parser(
        "reconcile", help="match every posted charge of a period with its Mews order items"
    )
    reconcile.add_argument("--enterprise", required=True, help="Mews EnterpriseId")
    reconcile.add_argument(
        "--since", type=parse_date, help="YYYY-MM-DD (UTC); default: 30 days ago"
    )
    reconcile.add_argument(
        "--until", type=parse_date, help="YYYY-MM-DD (UTC), excluded; default: now"
    )
    reconcile.set_defaults(handler=run_reconcile)


def _bar(progress: PassProgress) -> None:
    draw_bar(progress.step, progress.done, progress.total, progress.detail)


def _print(report: ChargeReconcileReport) -> None:
    print(
        f"charges of {report.enterprise_id} posted {report.since:%Y-%m-%d %H:%M} to "
        f"{report.until:%Y-%m-%d %H:%M} UTC: {report.charges_checked} checked, "
        f"{report.mews_items_read} Mews items read in {report.mews_calls} calls, "
        f"{report.charges_updated} updated from Mews, {report.mismatches_total} mismatches"
    )
    for kind, count in sorted(report.by_kind.items()):
        print(f"  {kind}: {count}")
    for m in report.mismatches[:LISTED]:
        who = m.charge_id or ",".join(m.mews_order_item_ids)
        print(f"  - {m.kind} {who}: ours {m.ours}; Mews {m.mews}")
    if report.mismatches_total > LISTED:
        print(f"  ... {report.mismatches_total - LISTED} more (the Sync page lists them)")


async def run_reconcile(args: argparse.Namespace) -> int:  # noqa: PLR0911 - one exit per outcome
    settings = load_settings("charges reconcile")
    if settings is None:
        return 2
    until = args.until or datetime.now(UTC)
    since = args.since or until - timedelta(days=30)
    if until <= since:
        print("charges reconcile: --until must be after --since")
        return 2
    stop = asyncio.Event()
    stop_on_ctrl_c(stop, "before the next Mews call")
    try:
        async with mews_line(settings, "charges reconcile", args.enterprise) as line:
            if line is None:
                return 2
            reconciler = ChargesReconciler(line.client, args.enterprise, line.js, line.nc)
            try:
                result = await reconciler.run(since, until, progress=_bar, stop=stop)
            except (Stopped, asyncio.CancelledError):
                print("\nstopped: no report stored; charges already updated from Mews stay so")
                return 130
            report = result.report("on_demand")
            await store_report(await line.js.key_value(SYNC_HEALTH.bucket), report)
    except MewsError as exc:
        print(f"\ncharges reconcile: Mews refused: {redact_text(str(exc))}")
        return 1
    except (RpcTimeout, RpcFailure) as exc:
        print(f"\ncharges reconcile: vendors did not answer the ledger ({exc})")
        return 1
    finally:
        asyncio.get_running_loop().remove_signal_handler(signal.SIGINT)
    _print(report)
    print("stored as the property's last charges report (Sync page)")
    return 0
