"""sync-burst: the same burst of 10,000 reservation changes twice, with the simulator
enforcing 200 requests / 30 s and with the limit lifted: Mews calls per 1,000 changes and
the ratio of the two times to converge (goal: at most 3 calls, ratio at most 1.2)."""

from __future__ import annotations

import asyncio

from _sync_pipeline import pipeline, touch_reservations

from attendandt.contracts.mews import MewsEntity
from attendandt.testing.bench import report

BENCH = "sync-burst"
CHANGES = 10_000


async def burst(line, limited: bool) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    from _sync_announce import announce_all

    line.sim.control.rate_limit(enabled=limited, limit=200, window_s=30)
    ids: list[str] = []
    for _ in range(CHANGES // 1000):
        ids += await asyncio.to_thread(touch_reservations, line, 1000)
    before = line.mews_calls()
    await announce_all(line.js, line.sim.gross.id, MewsEntity.RESERVATION, ids)
    seconds = await line.converge(ids)
    return seconds, line.mews_calls() - before


async def main() -> None:
    line = await pipeline()
    try:
        await burst(line, limited=False)  # warm-up: rows exist and rooms are known, in both runs
        limited_s, limited_calls = await burst(line, limited=True)
        free_s, free_calls = await burst(line, limited=False)
    finally:
        await line.close()
    report(BENCH, "mews_calls_per_1000_changes_limited", limited_calls / (CHANGES / 1000), "calls")
    report(BENCH, "mews_calls_per_1000_changes_unlimited", free_calls / (CHANGES / 1000), "calls")
    report(BENCH, "converge_limited", limited_s, "s")
    report(BENCH, "converge_unlimited", free_s, "s")
    report(BENCH, "time_ratio_limited_over_unlimited", limited_s / free_s, "ratio")
