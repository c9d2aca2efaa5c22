"""guests-rpc: latency and throughput of a guest lookup (get_guest) over request-reply.

A hotel of 100k guests, each with a stay and two timeline entries (loaded with SQL), the
service as its own process, 32 concurrent callers asking for random guests by our guest id.
GUESTS_BENCH_GUESTS and GUESTS_BENCH_CALLS change the sizes.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import time
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).parent))

from _harness import BENCH_CALLER, ENTERPRISE, as_subprocess, servers

from attendandt.contracts.rpc.guests import GET_GUEST, GetGuestRequest
from attendandt.platform.rpc import call
from attendandt.testing.bench import report

CALLERS = 32

SEED = """
INSERT INTO guests.guests (id, enterprise_id, mews_id, mews_updated_utc, synced_at, first_name,
                           last_name, email, phone, is_active)
SELECT gen_random_uuid(), $1, 'customer-' || i, now(), now(), 'First' || (i % 997),
       'Last' || (i % 4999), 'guest' || i || '@example.com', '+420 600 ' || lpad(i::text, 6, '0'),
       true
FROM generate_series(1, $2::int) AS i;

INSERT INTO guests.stays (id, enterprise_id, mews_id, mews_updated_utc, synced_at, number, state,
                          mews_state, scheduled_start_utc, scheduled_end_utc, resource_name,
                          owner_mews_id)
SELECT gen_random_uuid(), $1, 'reservation-' || i, now(), now(), i::text, 'confirmed',
       'Confirmed', now() + ((i % 365) - 180) * interval '1 day',
       now() + ((i % 365) - 177) * interval '1 day', (100 + i % 200)::text, 'customer-' || i
FROM generate_series(1, $2::int) AS i;

INSERT INTO guests.stay_guests (stay_id, enterprise_id, customer_mews_id, role, position)
SELECT id, enterprise_id, owner_mews_id, 'owner', 0 FROM guests.stays;

INSERT INTO guests.timeline (event_id, enterprise_id, guest_id, kind, ref_id, event,
                             occurred_at, snapshot, recorded_at)
SELECT 'event-' || g.mews_id || '-' || n, g.enterprise_id, g.id::text, 'booking',
       'booking-' || g.mews_id, 'confirmed', now(),
       jsonb_build_object('booking_id', 'booking-' || g.mews_id, 'vendor_id', 'v-1',
                          'offering_id', 'o-1', 'guest_id', g.id::text, 'quantity', 1,
                          'state', 'confirmed'),
       now()
FROM guests.guests g, generate_series(1, 2) AS n;
"""


async def _seed(admin_url: str, guests: int) -> list[str]:
    conn = await asyncpg.connect(admin_url)
    try:
        async with conn.transaction():
            for statement in SEED.split(";\n\n"):
                await conn.execute(statement, ENTERPRISE, guests) if "$1" in statement else (
                    await conn.execute(statement)
                )
        await conn.execute("ANALYZE")
        rows = await conn.fetch("SELECT id::text FROM guests.guests")
    finally:
        await conn.close()
    return [row["id"] for row in rows]


async def run(guests: int, calls: int) -> None:
    async with servers() as found:
        ids = await _seed(found.admin_url, guests)
        async with as_subprocess(found):
            nc = found.nc
            pick = random.Random(7)
            latencies: list[float] = []

            async def caller(count: int) -> None:
                for _ in range(count):
                    request = GetGuestRequest(enterprise_id=ENTERPRISE, guest_id=pick.choice(ids))
                    began = time.perf_counter()
                    detail = await call(nc, GET_GUEST, request, timeout=10, caller=BENCH_CALLER)
                    latencies.append(time.perf_counter() - began)
                    assert detail.stays, "every seeded guest has a stay"

            await asyncio.gather(*(caller(20) for _ in range(CALLERS)))  # warm up
            latencies.clear()
            started = time.perf_counter()
            await asyncio.gather(*(caller(calls // CALLERS) for _ in range(CALLERS)))
            elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    report("guests-rpc", "guests", guests, "guests")
    report("guests-rpc", "get_guest p50", cuts[49] * 1000, "ms")
    report("guests-rpc", "get_guest p99", cuts[98] * 1000, "ms")
    report("guests-rpc", "get_guest", len(latencies) / elapsed, "requests/s")


def main() -> None:
    guests = int(os.environ.get("GUESTS_BENCH_GUESTS", "100000"))
    calls = int(os.environ.get("GUESTS_BENCH_CALLS", "4000"))
    asyncio.run(run(guests, calls))
