"""sync-latency: p50 and p99 from a change in the simulator to its row in Postgres, through the
whole pipeline (simulator WebSocket → ingest → sync → Mews fetch → guests → Postgres), at
50 changes/s (goal: p99 under 500 ms).

The measurement starts from a quiet pipeline (the reservations used are first synced once and
that burst has fully landed) and lasts 60 s, two whole Mews rate-limit windows, so the shared
token bucket's steady rate is part of what is measured, not only its initial burst."""

from __future__ import annotations

import asyncio
import statistics
import time
from datetime import UTC, datetime

import asyncpg
import msgspec
from _sync_pipeline import pipeline
from nats.js import JetStreamContext

from attendandt.contracts.mews import ChangeSource, MewsChange
from attendandt.contracts.streams import MEWS_CHANGES
from attendandt.testing.bench import report

BENCH = "sync-latency"


async def _observed(js: JetStreamContext, ids: set[str]) -> dict[str, datetime]:
    """When ingest saw each change (the WebSocket notification in MEWS_CHANGES)."""
    info = await js.stream_info(MEWS_CHANGES.name)
    seen: dict[str, datetime] = {}
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        msg = await js.get_msg(MEWS_CHANGES.name, seq)
        change = msgspec.json.decode(msg.data or b"", type=MewsChange)
        if change.mews_id in ids and change.source is ChangeSource.WEBSOCKET:
            seen[change.mews_id] = change.observed_at
    return seen


RATE = 50
SECONDS = 60


async def main() -> None:
    line = await pipeline(with_ingest=True)
    try:
        line.sim.control.rate_limit(enabled=False)
        changed_at: dict[str, datetime] = {}
        # Distinct stays, one change each, so every measured row is one change's journey.
        pool = line.sim.control.touch("reservations", RATE * SECONDS, line.sim.gross.id)
        # That setup burst lands completely before measuring: a backlog still draining in
        # guests would be counted as the latency of the first measured changes.
        await line.converge(pool)
        await asyncio.sleep(1)
        remaining = list(pool)

        def change_one() -> None:
            mews_id = remaining.pop()
            at = datetime.now(UTC)
            line.sim.control.update_reservation(mews_id, Notes=f"changed at {at.isoformat()}")
            changed_at[mews_id] = at

        started = time.perf_counter()
        for n in range(RATE * SECONDS):
            await asyncio.to_thread(change_one)
            await asyncio.sleep(max(0.0, started + (n + 1) / RATE - time.perf_counter()))
        await asyncio.sleep(3)  # let the last changes land
        conn = await asyncpg.connect(line.admin_url)
        try:
            rows = await conn.fetch(
                "select mews_id, synced_at from guests.stays where mews_id = any($1)",
                list(changed_at),
            )
        finally:
            await conn.close()
        observed = await _observed(line.js, set(changed_at))
    finally:
        await line.close()
    to_ingest = sorted(
        (observed[m] - changed_at[m]).total_seconds() * 1000 for m in changed_at if m in observed
    )
    to_row = sorted(
        (row["synced_at"] - observed[row["mews_id"]]).total_seconds() * 1000
        for row in rows
        if row["mews_id"] in observed
    )
    report(BENCH, "p50 change to ingest", statistics.median(to_ingest), "ms")
    report(BENCH, "p99 change to ingest", _p99(to_ingest), "ms")
    report(BENCH, "p50 ingest to row", statistics.median(to_row), "ms")
    report(BENCH, "p99 ingest to row", _p99(to_row), "ms")
    latencies = sorted(
        (row["synced_at"] - changed_at[row["mews_id"]]).total_seconds() * 1000 for row in rows
    )
    report(BENCH, "changes", len(changed_at), "changes")
    report(BENCH, "applied", len(latencies), "changes")
    report(BENCH, "p50", statistics.median(latencies), "ms")
    report(BENCH, "p99", _p99(latencies), "ms")


def _p99(ascending: list[float]) -> float:
    return ascending[int(len(ascending) * 0.99) - 1]
