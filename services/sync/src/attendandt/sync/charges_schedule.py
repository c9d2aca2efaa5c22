"""When sync reconciles charges by itself, per property: a pass over the recently posted
charges every few minutes (so a charge cancelled or rebated in Mews shows here within one
pass), and a report of the last `report_days` once a day, stored for the Sync page.

A pass that fails (Mews or vendors unreachable) is logged and tried at the next tick; the
report is due again until one is stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from nats.aio.client import Client as NatsClient
from nats.errors import Error as NatsError
from nats.js import JetStreamContext
from nats.js.kv import KeyValue

from attendandt.mews import MewsClient, MewsError
from attendandt.platform.rpc import RpcFailure, RpcTimeout
from attendandt.sync.charges_reconcile import (
    ChargesReconciler,
    Stopped,
    last_report,
    store_report,
    utc_now,
)

log = logging.getLogger(__name__)


class ChargesSchedule:
    def __init__(
        self,
        client: MewsClient,
        enterprise_id: str,
        js: JetStreamContext,
        nc: NatsClient,
        kv: KeyValue,
        *,
        interval_s: float,
        recent_days: float,
        report_every_s: float,
        report_days: float,
    ) -> None:
        self.reconciler = ChargesReconciler(client, enterprise_id, js, nc)
        self.enterprise_id = enterprise_id
        self.kv = kv
        self.interval_s = interval_s
        self.recent = timedelta(days=recent_days)
        self.report_every = timedelta(seconds=report_every_s)
        self.report_period = timedelta(days=report_days)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.tick(stop)
            except Stopped:
                return
            except (MewsError, RpcTimeout, RpcFailure, NatsError, OSError, TimeoutError) as exc:
                log.warning("charges reconciliation of %s failed (%s)", self.enterprise_id, exc)
            except Exception:
                log.exception("ALERT charges reconciliation of %s failed", self.enterprise_id)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval_s)

    async def tick(self, stop: asyncio.Event | None = None) -> None:
        """One pass: the report when one is due (it covers the recent charges too), else the
        recent charges."""
        now = utc_now()
        last = await last_report(self.kv, self.enterprise_id)
        if last is None or now - last.finished_at >= self.report_every:
            result = await self.reconciler.run(now - self.report_period, now, stop=stop)
            report = result.report("nightly")
            await store_report(self.kv, report)
            log.info(
                "charges of %s reconciled: %d checked, %d mismatches, %d updated, %d Mews calls",
                self.enterprise_id,
                report.charges_checked,
                report.mismatches_total,
                report.charges_updated,
                report.mews_calls,
            )
            return
        result = await self.reconciler.run(now - self.recent, now, stop=stop)
        if result.commands_sent:
            log.info("charges of %s: %d changed in Mews", self.enterprise_id, result.commands_sent)
