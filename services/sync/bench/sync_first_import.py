"""sync-first-import: a property's first import, end to end, under Mews's real rate limit.

One simulated 300-room hotel (its reservations spread from 100 days back to 180 ahead, as the
simulator seeds them), the real sync and guests processes, the simulator's limit on (200
requests / 30 s per token, which sync's shared bucket keeps to). The clock starts when sync
starts (it imports a property it has not seen on its own) and stops when guests has applied
every command the import sent: sync reports the import done and guests' consumers have
nothing pending or unacknowledged.

Meanwhile, every 15 s, one reservation is changed in the simulator and announced as ingest
would: how long it takes to reach Postgres is the wait a front desk sees during an import.
The import runs twice, side by side in one run: `paced` as sync runs it (it holds the import
back while guests has more than SYNC_IMPORT_BACKLOG_MAX commands waiting) and `unpaced` (the
bound lifted), so the effect of that bound on both figures is measured, not assumed.

Figures: distinct rows written (stays, guests, rooms; counted in Postgres, not notifications),
rows per second, the Mews calls made, the time those calls need at the budget alone (calls x
0.15 s), and the ratio of the import's time to that (goal 1.2 at most: then Mews, not we, is
the bottleneck).
"""

from __future__ import annotations

import asyncio
import time

import asyncpg
import msgspec
from _sync_announce import announce_all
from _sync_pipeline import Pipeline, pipeline, touch_reservations
from nats.js.errors import KeyNotFoundError

from attendandt.contracts.kv import SyncHealth
from attendandt.contracts.mews import MewsEntity
from attendandt.contracts.streams import DOMAIN_COMMANDS, SYNC_HEALTH
from attendandt.testing.bench import report

BENCH = "sync-first-import"
SEED = "enterprises=1,rooms=300,customers=15000,reservations=25000,doc_fixtures=false"
#: Mews's budget per AccessToken: 200 requests per 30 s.
SECONDS_PER_CALL = 30 / 200
GUESTS_CONSUMERS = ("guests-upsert-guest", "guests-upsert-stay", "guests-upsert-room")
TIMEOUT_S = 3600.0
LIVE_EVERY_S = 15.0


async def _import_done(line: Pipeline) -> SyncHealth | None:
    kv = await line.js.key_value(SYNC_HEALTH.bucket)
    try:
        entry = await kv.get(line.sim.gross.id)
    except KeyNotFoundError:
        return None
    health = msgspec.json.decode(entry.value or b"{}", type=SyncHealth)
    return health if health.import_state == "done" else None


async def _guests_idle(line: Pipeline) -> bool:
    for durable in GUESTS_CONSUMERS:
        info = await line.js.consumer_info(DOMAIN_COMMANDS.name, durable)
        if info.num_pending or info.num_ack_pending:
            return False
    return True


async def _rows(line: Pipeline) -> dict[str, int]:
    conn = await asyncpg.connect(line.admin_url)
    try:
        return {
            table: int(await conn.fetchval(f"select count(*) from guests.{table}"))
            for table in ("stays", "guests", "rooms")
        }
    finally:
        await conn.close()


async def _live_changes(line: Pipeline, seconds: list[float]) -> None:
    """Until cancelled: a reservation changed and announced, timed to its row, and again."""
    while True:
        await asyncio.sleep(LIVE_EVERY_S)
        [changed] = await asyncio.to_thread(touch_reservations, line, 1)
        began = time.perf_counter()
        await announce_all(line.js, line.sim.gross.id, MewsEntity.RESERVATION, [changed])
        await line.converge([changed], timeout=TIMEOUT_S)
        seconds.append(time.perf_counter() - began)


async def _one(name: str, sync_env: dict[str, str]) -> None:
    line = await pipeline(seed=SEED, sim_timeout=600, sync_env=sync_env)
    started = line.started_at["sync"]
    live: list[float] = []
    probe = asyncio.create_task(_live_changes(line, live))
    try:
        health = None
        last_shown = 0.0
        while True:
            now = time.perf_counter()
            if now - started > TIMEOUT_S:
                raise SystemExit(f"the import did not finish within {TIMEOUT_S:.0f} s")
            health = health or await _import_done(line)
            if health is not None and await _guests_idle(line):
                finished = time.perf_counter()
                break
            if now - last_shown > 15:
                rows = await _rows(line)
                print(f"# {name} {now - started:.0f} s: {rows}", flush=True)
                last_shown = now
            await asyncio.sleep(0.2)
        probe.cancel()
        rows = await _rows(line)
        calls = sum(line.sim.control.counters()["requests_by_path"].values())
    finally:
        probe.cancel()
        await line.close()
    seconds = finished - started
    distinct = sum(rows.values())
    budget = calls * SECONDS_PER_CALL
    report(BENCH, f"{name} reservations_imported", health.import_reservations, "reservations")
    for table, count in rows.items():
        report(BENCH, f"{name} rows {table}", count, "rows")
    report(BENCH, f"{name} distinct_rows", distinct, "rows")
    report(BENCH, f"{name} seconds", seconds, "s")
    report(BENCH, f"{name} distinct_rows_per_s", distinct / seconds, "rows/s")
    report(BENCH, f"{name} mews_calls", calls, "calls")
    report(BENCH, f"{name} seconds_at_mews_budget", budget, "s")
    report(BENCH, f"{name} ratio_to_mews_budget", seconds / budget, "x (goal <= 1.2)")
    report(BENCH, f"{name} live_changes_during_import", len(live), "changes")
    if live:
        median = sorted(live)[len(live) // 2]
        report(BENCH, f"{name} live_change_during_import_median_s", median, "s")
        report(BENCH, f"{name} live_change_during_import_max_s", max(live), "s")


async def main() -> None:
    await _one("paced", {})
    await _one("unpaced", {"SYNC_IMPORT_BACKLOG_MAX": str(10**9)})
