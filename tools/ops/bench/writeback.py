"""writeback: staff edits of guests through the whole stack as `make run` starts it (gateway →
guests → outbox → mews-publisher → the Mews simulator with its real rate limit, 200 requests
per AccessToken per 30 s, and the services' shared token bucket at the same figures), timed
from "save" (the PATCH answered) to "in step" (the guest's edit holds what Mews took).

Once the simulator's hotels are imported, it offers `BENCH_WRITEBACK_RATE` edits a second
(default 20) for `BENCH_WRITEBACK_SECONDS` (default 20), open loop (an edit does not wait for
the one before), each a phone change of a different guest of one hotel (one token). Then it
waits until every edit is in step (at most `BENCH_WRITEBACK_BOUND_S`, default 600) and
reports:

- `offered`, `saved`: edits/s asked, and the rate the gateway answered them at;
- `achieved`: edits/s brought in step (edits over the time from the first save to the last
  in step): what one token's budget carries when the offer exceeds it;
- `save_to_in_step_p50`, `_p99`, `_max`: seconds; above the budget they grow with the queue
  (the offer's duration times the gap between offered and achieved), so they say how long
  the queue got, not how fast one edit is;
- `queue_max`: most edits waiting in MEWS_OUTBOX for the publisher at once (sampled);
- `mews_calls_per_edit`: every request the simulator counted while the edits went through,
  whoever made it (the publisher's lookups and writes, sync reading the echoes of our
  writes the simulator's webhooks announce), over the edits; also split per operation:
  `customers_update_per_edit` (goal 1: written once), `customers_getall_per_edit` (the
  publisher's lookups, shared by the edits in hand, and sync's reads of the echoes);
- `not_in_step`: edits not in step at the bound (goal 0), `rate_limited` (429s, goal 0).

Progress goes to stderr; `BENCH_WRITEBACK_LOG=<file>` keeps the stack's output.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg
from _chaos_stack import Gateway, Sim, Stack, backlog, patiently, say, wait_for_import, with_db

from attendandt.testing.bench import report

BENCH = "writeback"
RATE = float(os.environ.get("BENCH_WRITEBACK_RATE", "20"))
SECONDS = float(os.environ.get("BENCH_WRITEBACK_SECONDS", "20"))
BOUND_S = float(os.environ.get("BENCH_WRITEBACK_BOUND_S", "600"))
#: Enough guests in one hotel for every edit to change a different one.
SEED = os.environ.get("BENCH_WRITEBACK_SEED", "small,customers=3000,reservations=300")
CONSUMER = "mews-publisher-update-customer"


@dataclass
class Edit:
    guest_id: str
    base_version: datetime
    asked_at: float = 0.0
    saved_at: float | None = None
    edit_id: str | None = None
    error: str | None = None


@dataclass
class Run:
    stack: Stack
    api: Gateway
    sim: Sim
    enterprise: str
    edits: list[Edit] = field(default_factory=list)
    queue_max: int = 0


async def main() -> None:
    stack = Stack.in_temporary_directory(
        os.environ.get("BENCH_WRITEBACK_LOG"), prefix="bench-writeback-", sim_seed=SEED
    )
    try:
        await bench(stack)
    finally:
        say("stopping the stack")
        await asyncio.to_thread(stack.stop)


async def bench(stack: Stack) -> None:
    stack.start()
    say(f"starting the stack in {stack.workdir} (its output: {stack.log})")
    await stack.wait_started()
    sim = Sim(stack.sim)
    api = Gateway(stack.gateway)
    try:
        info = await patiently("the simulator", lambda: sim.get("/info"))
        enterprises = [e["id"] for e in info["enterprises"]]
        await patiently("the gateway", api.login)
        await wait_for_import(stack, enterprises)
        run = Run(stack, api, sim, enterprises[0])
        await measure(run)
    finally:
        await api.close()
        await sim.close()


async def guests_of(stack: Stack, enterprise: str, count: int) -> list[Edit]:
    async def read(conn: asyncpg.Connection) -> list[asyncpg.Record]:
        return list(
            await conn.fetch(
                "SELECT id::text AS id, mews_updated_utc FROM guests.guests"
                " WHERE enterprise_id = $1 AND is_active AND merge_target_mews_id IS NULL"
                " ORDER BY id LIMIT $2",
                enterprise,
                count,
            )
        )

    rows = await with_db(stack, read)
    return [Edit(r["id"], r["mews_updated_utc"]) for r in rows]


async def save(run: Run, edit: Edit, n: int) -> None:
    edit.asked_at = time.time()
    answer = await run.api.call(
        "PATCH",
        f"/guests/{edit.guest_id}",
        params={"enterprise_id": run.enterprise},
        json={"base_version": edit.base_version.isoformat(), "phone": f"+44 7700 9{n:05d}"},
    )
    if answer.status_code != 200:
        edit.error = f"{answer.status_code} {answer.text[:200]}"
        return
    edit.saved_at = time.time()
    edit.edit_id = answer.json()["edit"]["edit_id"]


async def in_step_times(run: Run) -> dict[str, float]:
    """Edit id → when it went in step (the guests service's clock: this machine's)."""
    ids = [e.edit_id for e in run.edits if e.edit_id]

    async def read(conn: asyncpg.Connection) -> list[asyncpg.Record]:
        return list(
            await conn.fetch(
                "SELECT id::text AS id, updated_at FROM guests.guest_edits"
                " WHERE id = ANY($1::uuid[]) AND state = 'in_step'",
                ids,
            )
        )

    rows = await with_db(run.stack, read)
    return {r["id"]: r["updated_at"].timestamp() for r in rows}


async def watch_queue(run: Run, stop: asyncio.Event) -> None:
    while not stop.is_set():
        with contextlib.suppress(Exception):
            waiting = (await backlog(run.stack)).get(CONSUMER, 0)
            run.queue_max = max(run.queue_max, waiting)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 1.0)


async def measure(run: Run) -> None:
    total = int(RATE * SECONDS)
    run.edits = await guests_of(run.stack, run.enterprise, total)
    if len(run.edits) < total:
        raise RuntimeError(f"{len(run.edits)} guests in the hotel; {total} edits need as many")
    # The import's own reads have left the budget by now; a quiet window starts the count.
    await asyncio.sleep(35)
    await run.sim.post("/counters/reset")
    stop_watch = asyncio.Event()
    watcher = asyncio.create_task(watch_queue(run, stop_watch))
    offered_for = await offer(run)
    done = await until_in_step(run)
    stop_watch.set()
    await watcher
    counters = await run.sim.get("/counters")
    figures(run, offered_for, done, counters)


async def offer(run: Run) -> float:
    """Every edit at its time, not waiting for the ones before; the seconds it took."""
    say(f"offering {RATE:g} edits/s for {SECONDS:g} s ({len(run.edits)} edits)")
    began = time.monotonic()
    saves = []
    for n, edit in enumerate(run.edits):
        due = began + n / RATE
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        saves.append(asyncio.create_task(save(run, edit, n)))
    await asyncio.gather(*saves)
    failed = [e for e in run.edits if e.error]
    if failed:
        say(f"{len(failed)} saves refused, e.g. {failed[0].error}")
    return time.monotonic() - began


async def until_in_step(run: Run) -> dict[str, float]:
    saved = [e for e in run.edits if e.saved_at is not None]
    deadline = time.monotonic() + BOUND_S
    last_said = 0.0
    while True:
        done = await in_step_times(run)
        if len(done) >= len(saved) or time.monotonic() > deadline:
            return done
        if time.monotonic() - last_said > 10:
            say(f"{len(done)}/{len(saved)} in step")
            last_said = time.monotonic()
        await asyncio.sleep(1)


def figures(run: Run, offered_for: float, done: dict[str, float], counters: dict[str, Any]) -> None:
    saved = {e.edit_id: e.saved_at for e in run.edits if e.saved_at and e.edit_id}
    latencies = sorted(done[i] - at for i, at in saved.items() if i in done)
    first_save = min(saved.values(), default=0.0)
    last_in_step = max(done.values(), default=first_save)
    by_path: dict[str, int] = counters["requests_by_path"]
    edits = max(len(saved), 1)
    report(BENCH, "offered", RATE, "edits/s")
    report(BENCH, "saved", len(saved) / offered_for, "edits/s")
    report(BENCH, "achieved", len(done) / max(last_in_step - first_save, 1e-9), "edits/s")
    if latencies:
        report(BENCH, "save_to_in_step_p50", statistics.median(latencies), "s")
        report(BENCH, "save_to_in_step_p99", _percentile(latencies, 0.99), "s")
        report(BENCH, "save_to_in_step_max", latencies[-1], "s")
    report(BENCH, "queue_max", run.queue_max, "edits")
    report(BENCH, "mews_calls_per_edit", sum(by_path.values()) / edits, "calls/edit")
    for path, figure in (
        ("customers/update", "customers_update_per_edit"),
        ("customers/getAll", "customers_getall_per_edit"),
    ):
        report(BENCH, figure, by_path.get(path, 0) / edits, "calls/edit")
    report(BENCH, "not_in_step", len(saved) - len(done), "edits")
    report(BENCH, "rate_limited", counters.get("rate_limited", 0), "429s")
    others = {p: c for p, c in by_path.items() if p not in ("customers/update", "customers/getAll")}
    say(f"other Mews calls meanwhile: {others}")


def _percentile(ordered: list[float], q: float) -> float:
    index = min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))
    return ordered[index]
