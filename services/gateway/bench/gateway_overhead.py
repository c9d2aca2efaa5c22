"""gateway-overhead: an authenticated guest lookup through the whole path (HTTP → gateway →
NATS request-reply → guests → Postgres) beside the same queries served by a bare Litestar +
asyncpg endpoint, in the same run, on the same database.

Each server is its own process with one worker (uvicorn): the gateway (`python -m
attendandt.gateway serve`), the guests service (`python -m attendandt.guests serve`, as its
own role) and the bare endpoint (this file with `bare`). 32 concurrent httpx callers ask for
random guests by id for BENCH_SECONDS (30) each, after a short warm-up. The p99 is read from
every request answered: at 10 s a slow machine answers some 300, and the p99 is then the
third-slowest, which moved by half between two runs of the same code. The users service is
stood in for by a responder in this process: the gateway caches principals, so it is asked
once, outside the measured path. GATEWAY_BENCH_GUESTS (20000) changes the hotel's size.
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import nats

from attendandt.contracts.rpc import users as users_rpc
from attendandt.contracts.rpc.guests import SEARCH, SearchGuestsRequest
from attendandt.contracts.snapshots import UserRole
from attendandt.contracts.streams import ensure_streams
from attendandt.gateway.auth import TokenVerifier
from attendandt.gateway.permissions import caller_of
from attendandt.gateway.settings import ExternalJwtSettings
from attendandt.guests.migrations_set import MIGRATIONS
from attendandt.platform.migrations import upgrade
from attendandt.platform.provision import provision, role_url
from attendandt.platform.rpc import RpcTimeout, answer, call
from attendandt.testing.bench import report
from attendandt.testing.processes import free_port, python_module, spawn, stop
from attendandt.testing.servers import start_nats, start_postgres

BENCH = "gateway-overhead"
ENTERPRISE = "8a1f3b0e-1c2d-4e5f-9a8b-7c6d5e4f3a2b"
SIGNING_KEY = "gateway-overhead-benchmark-signing-key-0123456789"
CALLERS = 32
PRINCIPAL = users_rpc.Principal(
    user_id="u-bench", email="desk@hotel.example", name="Bench", role=UserRole.FRONT_DESK,
    enterprise_id=ENTERPRISE,
)  # fmt: skip

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

# --- the bare endpoint: the guests service's four queries, straight from asyncpg ----------

GUEST_SQL = "SELECT * FROM guests.guests WHERE enterprise_id = $1 AND id = $2::uuid"
STAYS_SQL = """
SELECT s.* FROM guests.stays s JOIN guests.stay_guests sg ON sg.stay_id = s.id
WHERE sg.enterprise_id = $1 AND sg.customer_mews_id = $2
ORDER BY s.scheduled_start_utc DESC NULLS LAST, s.id DESC LIMIT 50
"""
ON_STAYS_SQL = """
SELECT sg.stay_id, sg.customer_mews_id, sg.role, g.id AS guest_id, g.first_name, g.last_name
FROM guests.stay_guests sg LEFT JOIN guests.guests g
  ON g.enterprise_id = sg.enterprise_id AND g.mews_id = sg.customer_mews_id
WHERE sg.stay_id = ANY($1::uuid[]) ORDER BY sg.stay_id, sg.position
"""
TIMELINE_SQL = """
SELECT * FROM guests.timeline WHERE enterprise_id = $1 AND guest_id = $2
ORDER BY occurred_at DESC, event_id DESC LIMIT 100
"""


def bare_main(port: int, dsn: str) -> None:
    import uvicorn
    from litestar import Litestar, get
    from litestar.exceptions import NotFoundException

    pool: Any = None

    async def open_pool(_: Litestar) -> None:
        nonlocal pool
        pool = await asyncpg.create_pool(dsn, min_size=10, max_size=10)

    def row(record: Any) -> dict[str, Any]:
        return {k: (str(v) if k in ("id", "stay_id", "guest_id") and v is not None else v)
                for k, v in dict(record).items()}  # fmt: skip

    @get("/guests/{guest_id:str}")
    async def guest(guest_id: str) -> dict[str, Any]:
        async with pool.acquire() as conn:
            found = await conn.fetchrow(GUEST_SQL, ENTERPRISE, guest_id)
            if found is None:
                raise NotFoundException()
            stays = await conn.fetch(STAYS_SQL, ENTERPRISE, found["mews_id"])
            people = await conn.fetch(ON_STAYS_SQL, [s["id"] for s in stays])
            timeline = await conn.fetch(TIMELINE_SQL, ENTERPRISE, str(found["id"]))
        return {
            "guest": row(found),
            "stays": [
                {**row(s), "guests": [row(p) for p in people if p["stay_id"] == s["id"]]}
                for s in stays
            ],
            "timeline": [row(t) for t in timeline],
        }

    app = Litestar([guest], on_startup=[open_pool])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


# --- the run ------------------------------------------------------------------------------


async def _seed(admin_url: str, guests: int) -> list[str]:
    conn = await asyncpg.connect(admin_url)
    try:
        async with conn.transaction():
            for statement in SEED.split(";\n\n"):
                if "$1" in statement:
                    await conn.execute(statement, ENTERPRISE, guests)
                else:
                    await conn.execute(statement)
        await conn.execute("ANALYZE")
        rows = await conn.fetch("SELECT id::text FROM guests.guests")
    finally:
        await conn.close()
    return [r["id"] for r in rows]


async def _stand_in_for_users(nc: Any) -> None:
    async def principal(_: Any) -> users_rpc.PrincipalResponse:
        return users_rpc.PrincipalResponse(principal=PRINCIPAL)

    async def on_principal(msg: Any) -> None:
        body, headers = await answer(users_rpc.GET_PRINCIPAL, msg.data, principal)
        await nc.publish(msg.reply, body, headers=headers)

    await nc.subscribe(users_rpc.GET_PRINCIPAL.subject, cb=on_principal)


async def _wait_rpc(nc: Any) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            request = SearchGuestsRequest(enterprise_id="x")
            await call(nc, SEARCH, request, timeout=1, caller=caller_of(PRINCIPAL))
        except RpcTimeout:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)
        else:
            return


async def _wait_http(url: str, headers: dict[str, str] | None = None) -> None:
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient() as client:
        while True:
            try:
                response = await client.get(url, headers=headers, timeout=2)
                if response.status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not come up")
            await asyncio.sleep(0.2)


async def _load(base: str, ids: list[str], headers: dict[str, str], seconds: float) -> list[float]:
    """Latencies (s) of every answered request; fails on any non-200."""
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=CALLERS, max_keepalive_connections=CALLERS)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits) as client:
        deadline = time.perf_counter() + seconds

        async def caller() -> None:
            rng = random.Random()
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = await client.get(f"{rng.choice(ids)}", timeout=30)
                if response.status_code != 200:
                    raise RuntimeError(f"{response.status_code}: {response.text[:200]}")
                latencies.append(time.perf_counter() - started)

        await asyncio.gather(*(caller() for _ in range(CALLERS)))
    return latencies


def _p99_ms(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[int(len(ordered) * 0.99) - 1] * 1000


async def run(guests: int, seconds: float) -> None:
    with tempfile.TemporaryDirectory(prefix="gateway-bench-") as tmp:
        root = Path(tmp)
        nats_server = start_nats(root / "nats")
        postgres = start_postgres(root / "postgres")
        processes = []
        nc = await nats.connect(nats_server.url)
        try:
            await ensure_streams(nc.jetstream())
            await provision(postgres.url, schema="guests", role="guests", password=None)
            guests_url = role_url(postgres.url, "guests")
            await upgrade(guests_url, MIGRATIONS.script_location, MIGRATIONS.schema)
            ids = await _seed(postgres.url, guests)

            await _stand_in_for_users(nc)

            base_env = {**os.environ, "NATS_URL": nats_server.url, "LOG_LEVEL": "WARNING"}
            processes.append(spawn(python_module("attendandt.guests", "serve"), env={
                **base_env, "DATABASE_URL": guests_url, "DATABASE_POOL_SIZE": "10",
                "HEALTH_PORT": str(free_port()),
            }, stdout=None))  # fmt: skip
            await _wait_rpc(nc)

            gateway_port, bare_port = free_port(), free_port()
            processes.append(spawn(python_module("attendandt.gateway", "serve"), env={
                **base_env, "GATEWAY_PORT": str(gateway_port), "GATEWAY_SIGNING_KEY": SIGNING_KEY,
                "RATE_LIMIT_PER_MINUTE": "100000000", "WEB_DIST": "",
            }, stdout=None))  # fmt: skip
            processes.append(spawn([sys.executable, __file__, "bare", str(bare_port),
                                    guests_url], env=base_env, stdout=None))  # fmt: skip

            token, _ = TokenVerifier(SIGNING_KEY, ExternalJwtSettings()).issue(PRINCIPAL.user_id)
            auth = {"Authorization": f"Bearer {token}"}
            gateway_base = f"http://127.0.0.1:{gateway_port}/api/v1/guests/"
            bare_base = f"http://127.0.0.1:{bare_port}/guests/"
            await _wait_http(gateway_base + ids[0], auth)
            await _wait_http(bare_base + ids[0])

            await _load(bare_base, ids, {}, 2)  # warm-up: connection pools, Postgres caches
            bare = await _load(bare_base, ids, {}, seconds)
            await _load(gateway_base, ids, auth, 2)
            gateway = await _load(gateway_base, ids, auth, seconds)
        finally:
            for process in reversed(processes):
                stop(process)
            await nc.close()
            postgres.stop()
            nats_server.stop()

    gateway_rps, bare_rps = len(gateway) / seconds, len(bare) / seconds
    report(BENCH, "gateway_rps", gateway_rps, "req/s")
    report(BENCH, "bare_rps", bare_rps, "req/s")
    report(BENCH, "gateway_p99_ms", _p99_ms(gateway), "ms")
    report(BENCH, "bare_p99_ms", _p99_ms(bare), "ms")
    report(BENCH, "ratio", gateway_rps / bare_rps, "(goal >= 0.5)")
    report(BENCH, "gateway_requests", len(gateway), "requests")
    report(BENCH, "bare_requests", len(bare), "requests")


def main() -> None:
    guests = int(os.environ.get("GATEWAY_BENCH_GUESTS", "20000"))
    seconds = float(os.environ.get("BENCH_SECONDS", "30"))
    asyncio.run(run(guests, seconds))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "bare":
        bare_main(int(sys.argv[2]), sys.argv[3])
    else:
        main()
