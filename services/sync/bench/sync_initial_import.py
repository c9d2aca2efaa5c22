"""sync-initial-import: the Mews calls of one property's initial import, on the simulator's
`small` and `default` seeds (one hotel: the Gross one), and how many ids each call carried.

The import publishes its commands to a real nats-server (no domain service needed: the
figures are Mews calls). Calls are counted where sync makes them, in the client's transport,
per operation; "ids per call" is the length of the id filter each call sent (ReservationIds,
ServiceOrderIds, CustomerIds, ResourceIds), and "reservations per call" what each
reservations call brought. The rate limit is lifted: the time is the import's own work; under
Mews's budget (200 calls / 30 s) an import needs at least 0.15 s per call, also reported.

A simulator without `companionships/getAll` or `serviceOrderNotes/getAll` answers 404: the
bench then answers those calls with empty pages itself (still counted), so the batching of
a whole import is measured either way.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx
import nats

from attendandt.contracts.streams import SYNC_HEALTH, ensure_streams
from attendandt.mews import Credentials, MewsClient
from attendandt.mews_sim.runner import start_simulator
from attendandt.sync.applier import Applier
from attendandt.sync.initial_import import InitialImport
from attendandt.testing.bench import report
from attendandt.testing.servers import start_nats

BENCH = "sync-initial-import"
PREFIX = "/api/connector/v1/"
ID_FILTERS = ("ReservationIds", "ServiceOrderIds", "CustomerIds", "ResourceIds")
ITEMS = {
    "reservations/getAll/2023-06-06": "Reservations",
    "companionships/getAll": "Companionships",
    "serviceOrderNotes/getAll": "ServiceOrderNotes",
    "customers/getAll": "Customers",
    "resources/getAll": "Resources",
}
SHORT = {
    "reservations/getAll/2023-06-06": "reservations",
    "companionships/getAll": "companionships",
    "serviceOrderNotes/getAll": "notes",
    "customers/getAll": "customers",
    "resources/getAll": "resources",
}
#: Mews's budget per AccessToken: 200 requests per 30 s.
SECONDS_PER_CALL = 30 / 200


class CountingTransport(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.calls: Counter[str] = Counter()
        self.ids: defaultdict[str, list[int]] = defaultdict(list)
        self.items: defaultdict[str, list[int]] = defaultdict(list)
        self.stood_in: set[str] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        operation = request.url.path.removeprefix(PREFIX)
        body = json.loads(await request.aread())
        self.calls[operation] += 1
        sent = [len(body[name]) for name in ID_FILTERS if body.get(name)]
        if sent:
            self.ids[operation].append(max(sent))
        response = await self.inner.handle_async_request(request)
        if response.status_code == 404 and operation in ("companionships/getAll",
                                                         "serviceOrderNotes/getAll"):  # fmt: skip
            await response.aclose()
            self.stood_in.add(operation)
            return httpx.Response(200, json={ITEMS[operation]: [], "Cursor": None})
        await response.aread()
        if response.status_code == 200 and operation in ITEMS:
            self.items[operation].append(len(json.loads(response.content).get(ITEMS[operation])
                                             or []))  # fmt: skip
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


async def _one(seed: str, workdir: Path) -> None:
    sim = start_simulator(seed=seed)
    server = start_nats(workdir / f"nats-{seed}")
    nc = await nats.connect(server.url)
    try:
        sim.control.rate_limit(enabled=False)
        js = nc.jetstream()
        await ensure_streams(js)
        kv = await js.key_value(SYNC_HEALTH.bucket)
        token = sim.gross.token
        counting = CountingTransport()
        async with MewsClient(
            Credentials(client_token=token.client_token, access_token=token.access_token),
            environment=sim.base_url,
            transport=counting,
        ) as mews:
            job = InitialImport(Applier(mews, sim.gross.id, js), kv)
            started = time.perf_counter()
            state = await job.run()
            seconds = time.perf_counter() - started
    finally:
        await nc.close()
        server.stop()
        sim.stop()
    total = sum(counting.calls.values())
    report(BENCH, f"{seed} reservations_imported", state.reservations, "reservations")
    report(BENCH, f"{seed} rooms_imported", state.rooms, "rooms")
    report(BENCH, f"{seed} windows", state.windows_total, "windows")
    report(BENCH, f"{seed} mews_calls_total", total, "calls")
    for operation, short in SHORT.items():
        calls = counting.calls.get(operation, 0)
        report(BENCH, f"{seed} calls {short}", calls, "calls")
        if counting.ids.get(operation):
            sent = counting.ids[operation]
            report(BENCH, f"{seed} ids_per_call {short}", sum(sent) / len(sent), "ids (mean)")
            report(BENCH, f"{seed} ids_per_call_max {short}", max(sent), "ids")
        if operation == "reservations/getAll/2023-06-06" and counting.items.get(operation):
            pages = counting.items[operation]
            report(BENCH, f"{seed} reservations_per_call", sum(pages) / len(pages), "(mean)")
    others = total - sum(counting.calls.get(op, 0) for op in SHORT)
    report(BENCH, f"{seed} calls other", others, "calls")
    if state.reservations:
        report(BENCH, f"{seed} calls_per_100_reservations", 100 * total / state.reservations,
               "calls")  # fmt: skip
    report(BENCH, f"{seed} seconds_unlimited", seconds, "s")
    report(BENCH, f"{seed} seconds_at_least_under_rate_limit", total * SECONDS_PER_CALL, "s")
    if counting.stood_in:
        print(f"# {seed}: the simulator has no {', '.join(sorted(counting.stood_in))}: "
              "answered with empty pages", flush=True)  # fmt: skip


async def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="bench-import-"))
    os.chmod(workdir, 0o755)  # noqa: PTH101 - as the other benches' work directories
    for seed in ("small", "default"):
        await _one(seed, workdir)
    await asyncio.sleep(0)
