"""Charges reconciliation: the ledger's posted charges of a period against Mews.

One pass for a property and a period [since, until):
1. the ledger: vendors' `posted_charges` (the charges that reached Mews, with their order),
   and the Mews services the property's offerings post to;
2. Mews: `orderItems/getAll` of those services created from `since` (less a margin) to
   Mews's now, page by page (1000 items a call): our items, the rebates offsetting them
   (made later, so read up to now) and items carrying our reference that the ledger lacks;
   then, by `ServiceOrderIds` (1000 orders a call), the orders of charges the scan did not
   meet (an item created before the window, a service no offering names any more). Mews
   answers nothing about order items by webhook: this poll is how a change made in Mews is
   seen. Every call goes through the client's limiter (the shared token bucket);
3. each charge's reading (`charge_matching`) is sent to vendors (`RecordChargeInMews`)
   when it differs from what vendors recorded, so a charge cancelled or rebated in Mews
   changes state there; the mismatches make the report.

sync runs a pass over the recently posted charges every few minutes, and a report of the
last 30 days nightly (stored in SYNC_HEALTH, shown on the Sync page);
`attendandt charges reconcile` runs one on demand.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

import msgspec
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from nats.js.errors import KeyNotFoundError
from nats.js.kv import KeyValue

from attendandt.contracts.commands import RECORD_CHARGE_IN_MEWS
from attendandt.contracts.reconciliation import (
    MAX_LISTED,
    MISMATCH_KINDS,
    ChargeMismatch,
    ChargeReconcileReport,
    charges_report_key,
)
from attendandt.contracts.rpc.vendors import POSTED_CHARGES, LedgerCharge, PostedChargesRequest
from attendandt.mews import MewsClient, TimeInterval
from attendandt.mews.models.orders import OrderItemsGetAll
from attendandt.platform.messaging import publish
from attendandt.platform.rpc import call
from attendandt.sync.charge_matching import (
    MewsItems,
    mismatches,
    reading,
    record_command,
    referenced_charges,
    unknown_in_ledger,
)

log = logging.getLogger(__name__)

#: Mews stamps an item when it is made; vendors when the answer came back: an item may be a
#: little older than its charge's posting time.
CREATED_MARGIN = timedelta(hours=1)
LEDGER_PAGE = 1000
RPC_TIMEOUT_S = 10.0
#: Charge ids per ledger lookup of items the period's ledger does not hold.
LOOKUP_CHUNK = 500

Trigger = Literal["nightly", "on_demand"]


@dataclass(frozen=True)
class PassProgress:
    step: str
    done: int
    total: int
    detail: str = ""


Progress = Callable[[PassProgress], Awaitable[None] | None]


class Stopped(Exception):
    """The pass was asked to stop between two calls; nothing half-done is left behind
    (each command sent is whole, the report is not stored)."""


@dataclass
class PassResult:
    enterprise_id: str
    since: datetime
    until: datetime
    started_at: datetime
    finished_at: datetime | None = None
    charges_checked: int = 0
    items_read: int = 0
    mews_calls: int = 0
    commands_sent: int = 0
    mismatches: list[ChargeMismatch] = field(default_factory=list)

    def report(self, trigger: Trigger) -> ChargeReconcileReport:
        by_kind = dict.fromkeys(MISMATCH_KINDS, 0)
        for m in self.mismatches:
            by_kind[m.kind] += 1
        return ChargeReconcileReport(
            enterprise_id=self.enterprise_id,
            since=self.since,
            until=self.until,
            started_at=self.started_at,
            finished_at=self.finished_at or self.started_at,
            trigger=trigger,
            charges_checked=self.charges_checked,
            mews_items_read=self.items_read,
            mews_calls=self.mews_calls,
            charges_updated=self.commands_sent,
            mismatches_total=len(self.mismatches),
            by_kind={k: n for k, n in by_kind.items() if n},
            mismatches=tuple(self.mismatches[:MAX_LISTED]),
            truncated=len(self.mismatches) > MAX_LISTED,
        )


def utc_now() -> datetime:
    return datetime.now(UTC)


class ChargesReconciler:
    def __init__(
        self,
        client: MewsClient,
        enterprise_id: str,
        js: JetStreamContext,
        nc: NatsClient,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.client = client
        self.enterprise_id = enterprise_id
        self.js = js
        self.nc = nc
        self.clock = clock

    async def run(
        self,
        since: datetime,
        until: datetime,
        *,
        progress: Progress | None = None,
        stop: asyncio.Event | None = None,
    ) -> PassResult:
        result = PassResult(self.enterprise_id, since, until, started_at=self.clock())

        async def tell(step: str, done: int, total: int, detail: str = "") -> None:
            if stop is not None and stop.is_set():
                raise Stopped(step)
            if progress is not None:
                shown = progress(PassProgress(step, done, total, detail))
                if shown is not None:
                    await shown

        ledger, services = await self._ledger(since, until)
        result.charges_checked = len(ledger)
        await tell("ledger", len(ledger), len(ledger), f"{len(ledger)} posted charges")
        found = MewsItems()
        services |= {c.mews_service_id for c in ledger}
        now = self.clock()
        if services:
            request = OrderItemsGetAll(
                service_ids=sorted(services),
                created_utc=TimeInterval(
                    start_utc=since - CREATED_MARGIN, end_utc=now + CREATED_MARGIN
                ),
            )
            async for page in self.client.get_order_items(request).pages():
                result.mews_calls += 1
                found.add(page)
                await tell("mews items", found.count, found.count, f"{found.count} read")
        unseen = sorted({c.mews_order_id for c in ledger} - found.seen_orders)
        if unseen:
            request = OrderItemsGetAll(service_order_ids=unseen)
            async for page in self.client.get_order_items(request).pages():
                result.mews_calls += 1
                found.add(page)
                await tell("mews orders", found.count, found.count, f"{len(unseen)} orders")
        result.items_read = found.count
        for done, charge in enumerate(ledger, start=1):
            read = reading(charge, found)
            result.mismatches += mismatches(charge, read)
            command = record_command(self.enterprise_id, charge, read, now)
            if command is not None:
                await publish(self.js, RECORD_CHARGE_IN_MEWS, command, msg_id=command.command_id)
                result.commands_sent += 1
            if done % 500 == 0 or done == len(ledger):
                await tell("compare", done, len(ledger))
        known = {c.charge_id for c in ledger}
        named = referenced_charges(found, since, until)
        strangers = {cid: items for cid, items in named.items() if cid not in known}
        if strangers:
            held = await self._held(sorted(strangers))
            result.mismatches += unknown_in_ledger(
                {cid: items for cid, items in strangers.items() if cid not in held}
            )
        result.finished_at = self.clock()
        return result

    async def _ledger(
        self, since: datetime, until: datetime
    ) -> tuple[list[LedgerCharge], set[str]]:
        charges: list[LedgerCharge] = []
        services: set[str] = set()
        after: str | None = None
        while True:
            page = await call(
                self.nc,
                POSTED_CHARGES,
                PostedChargesRequest(
                    enterprise_id=self.enterprise_id,
                    from_utc=since,
                    to_utc=until,
                    after=after,
                    limit=LEDGER_PAGE,
                ),
                timeout=RPC_TIMEOUT_S,
            )
            charges += page.items
            services |= set(page.service_ids)
            if page.next_after is None:
                return charges, services
            after = page.next_after

    async def _held(self, charge_ids: list[str]) -> set[str]:
        """Which of `charge_ids` the ledger holds (posted at any time)."""
        held: set[str] = set()
        for start in range(0, len(charge_ids), LOOKUP_CHUNK):
            chunk = tuple(charge_ids[start : start + LOOKUP_CHUNK])
            page = await call(
                self.nc,
                POSTED_CHARGES,
                PostedChargesRequest(
                    enterprise_id=self.enterprise_id,
                    from_utc=datetime(2000, 1, 1, tzinfo=UTC),
                    to_utc=datetime(2100, 1, 1, tzinfo=UTC),
                    charge_ids=chunk,
                    limit=LOOKUP_CHUNK,
                ),
                timeout=RPC_TIMEOUT_S,
            )
            held |= {c.charge_id for c in page.items}
        return held


async def store_report(kv: KeyValue, report: ChargeReconcileReport) -> None:
    await kv.put(charges_report_key(report.enterprise_id), msgspec.json.encode(report))


async def last_report(kv: KeyValue, enterprise_id: str) -> ChargeReconcileReport | None:
    try:
        entry = await kv.get(charges_report_key(enterprise_id))
    except KeyNotFoundError:
        return None
    if not entry.value:
        return None
    try:
        return msgspec.json.decode(entry.value, type=ChargeReconcileReport)
    except msgspec.MsgspecError:
        log.warning("unreadable charges report of %s: making a new one", enterprise_id)
        return None
