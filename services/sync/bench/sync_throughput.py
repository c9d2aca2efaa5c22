"""sync-throughput: changes/s end to end (notification → sync → Mews → guests → Postgres) with
the simulator's rate limit lifted, on this machine (goal: at least 2,000/s), and the distinct
stays written per second: the changes touch the same stays many times and sync coalesces
them, so the rows are the honest figure (sync-first-import measures a whole import's rows)."""

from __future__ import annotations

import asyncio

from _sync_announce import announce_all
from _sync_pipeline import pipeline, touch_reservations

from attendandt.contracts.mews import MewsEntity
from attendandt.testing.bench import report

BENCH = "sync-throughput"
CHANGES = 20_000


async def main() -> None:
    line = await pipeline()
    try:
        line.sim.control.rate_limit(enabled=False)
        ids: list[str] = []
        for _ in range(CHANGES // 1000):
            ids += await asyncio.to_thread(touch_reservations, line, 1000)
        started = asyncio.get_running_loop().time()
        await announce_all(line.js, line.sim.gross.id, MewsEntity.RESERVATION, ids)
        await line.converge(ids)
        seconds = asyncio.get_running_loop().time() - started
    finally:
        await line.close()
    report(BENCH, "changes_per_s", CHANGES / seconds, "changes/s")
    report(BENCH, "distinct_stays", len(set(ids)), "stays")
    report(BENCH, "distinct_stays_per_s", len(set(ids)) / seconds, "rows/s")
