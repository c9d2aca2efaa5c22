"""guests-upsert: guest upserts per second through the command consumer into Postgres.

Publishes N UpsertGuest commands (distinct customers) to DOMAIN_COMMANDS while the service
runs, and measures from the first publish until every guest row is stored (each one an inbox
claim, a last-write-wins upsert and its two events in the outbox, committed together), then
until the outbox relay has published every event. GUESTS_BENCH_N sets N.

Twice, side by side: `upserts` with the service in a process of its own, as it runs (sync
publishes from another), and `upserts_in_process` with the service in the bench's process,
whose publishing then takes the same core (the figure this bench reported before).
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).parent))

from _harness import ENTERPRISE, Servers, as_subprocess, in_process, servers

from attendandt.contracts.base import encode
from attendandt.contracts.commands import UPSERT_GUEST, UpsertGuest
from attendandt.contracts.snapshots import GuestSnapshot
from attendandt.testing.bench import report


def _command(i: int) -> UpsertGuest:
    now = datetime.now(UTC)
    return UpsertGuest(
        command_id=f"bench-{i}",
        enterprise_id=ENTERPRISE,
        issued_at=now,
        guest=GuestSnapshot(
            mews_id=f"customer-{i}",
            mews_updated_utc=now,
            first_name=f"First{i % 997}",
            last_name=f"Last{i % 4999}",
            email=f"guest{i}@example.com",
            phone=f"+420 600 {i:06d}",
        ),
    )


async def _until(conn: asyncpg.Connection, check: str, arg: int) -> None:
    while True:
        if await conn.fetchval(check, arg):
            return
        await asyncio.sleep(0.02)


async def run(n: int) -> None:
    async with servers() as found, as_subprocess(found):
        separate = await _measure(found, n)
    async with servers() as found, in_process(found):
        together = await _measure(found, n)
    report("guests-upsert", "commands", n, "commands")
    report("guests-upsert", "publish", n / separate[0], "commands/s")
    report("guests-upsert", "upserts", n / separate[1], "upserts/s")
    report("guests-upsert", "events relayed", n / separate[2], "guests' events/s")
    report("guests-upsert", "upserts_in_process", n / together[1], "upserts/s")
    report("guests-upsert", "events relayed_in_process", n / together[2], "guests' events/s")


async def _measure(found: Servers, n: int) -> tuple[float, float, float]:
    """Seconds from the first publish until all are published, applied and relayed."""
    js = found.nc.jetstream()
    bodies = [encode(_command(i)) for i in range(n)]
    conn = await asyncpg.connect(found.admin_url)
    try:
        started = time.perf_counter()
        for chunk in range(0, n, 500):
            await asyncio.gather(
                *(
                    js.publish(UPSERT_GUEST.template, body, headers={"Nats-Msg-Id": f"bench-{i}"})
                    for i, body in enumerate(bodies[chunk : chunk + 500], start=chunk)
                )
            )
        published = time.perf_counter()
        await _until(conn, "select count(*) >= $1 from guests.guests", n)
        applied = time.perf_counter()
        await _until(conn, "select count(*) <= $1 from guests.outbox", 0)
        relayed = time.perf_counter()
    finally:
        await conn.close()

    return published - started, applied - started, relayed - started


def main() -> None:
    asyncio.run(run(int(os.environ.get("GUESTS_BENCH_N", "5000"))))
