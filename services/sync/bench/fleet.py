"""fleet: many properties on one box, onboarded through Mews Integration Webhooks alone.

The real ingest, sync and guests processes (one each) start with one property in their
environment and a token key. Then FLEET_PROPERTIES (default 500) small hotels connect in the
simulator, one after another: FLEET_PORTFOLIOS (default 5) hotel groups of
FLEET_PORTFOLIO_SIZE (default 8) properties each connect with one Portfolio Access Token per
group, the rest each with a token of its own. Each connection sends `IntegrationCreated` to
ingest, which stores the token sealed and asks Mews which properties it opens; every process
picks them up from there and sync imports each. A property is onboarded when sync reports
its first import done: `onboard_p99_s` is measured from its `IntegrationCreated`.

Then FLEET_STEADY_S (default 120) seconds of steady traffic at a realistic rate per property:
a 150-room hotel makes a few thousand Mews changes a day, taken here as FLEET_CHANGES_PER_DAY
(default 3,000) reservation changes per property per day, each a random stay of a random
property. `change_to_row_p99_ms`: from the change in the simulator to its row in Postgres
(`synced_at`), for the last change of each stay changed.

Measured over the steady window: `cpu_share` (CPU seconds of our processes / wall seconds x
cores), `budget_share_max` (the requests of the busiest token / its Mews budget, 200 per
30 s; goal <= 0.25; a portfolio's token carries all its properties' requests), and over the
whole run `429s` (goal 0). `portfolio_fair_min`: in steady state, per portfolio, the fewest
requests any of its properties made over the mean of its properties (1.0: equal shares; the
traffic is spread evenly, so each property needs about the same). `rss_total_mib` is the
resident memory of our processes at the end.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import msgspec
from _sync_pipeline import Pipeline, pipeline
from cryptography.fernet import Fernet
from nats.js.errors import KeyNotFoundError

from attendandt.contracts.kv import SyncHealth
from attendandt.contracts.streams import SYNC_HEALTH
from attendandt.testing.bench import report

BENCH = "fleet"
PROPERTIES = int(os.environ.get("FLEET_PROPERTIES", "500"))
STEADY_S = float(os.environ.get("FLEET_STEADY_S", "120"))
CHANGES_PER_DAY = float(os.environ.get("FLEET_CHANGES_PER_DAY", "3000"))
PORTFOLIOS = int(os.environ.get("FLEET_PORTFOLIOS", "5"))
PORTFOLIO_SIZE = int(os.environ.get("FLEET_PORTFOLIO_SIZE", "8"))
ONBOARD_TIMEOUT_S = 3600.0
#: How long the last changes may take to land before the ones still missing are counted out.
CONVERGE_S = 60.0
#: Mews's budget per AccessToken.
BUDGET_REQUESTS, BUDGET_WINDOW_S = 200, 30.0
WEBHOOK_SECRET = "fleet-webhook-secret"
ONE_SECOND = timedelta(seconds=1)
#: Stay → the property it belongs to (for the report of a stay not in step).
property_of: dict[str, str] = {}
TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    with open(f"/proc/{pid}/stat") as stat:  # noqa: PTH123 - /proc, read once
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def _rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:  # noqa: PTH123 - /proc, read once
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _ours(line: Pipeline) -> list[int]:
    return [p.pid for p in line.processes.values()]


async def _imported(line: Pipeline, enterprises: list[str]) -> set[str]:
    kv = await line.js.key_value(SYNC_HEALTH.bucket)
    done: set[str] = set()
    for enterprise in enterprises:
        try:
            entry = await kv.get(enterprise)
        except KeyNotFoundError:
            continue
        health = msgspec.json.decode(entry.value or b"{}", type=SyncHealth)
        if health.import_state == "done":
            done.add(enterprise)
    return done


async def _connect(line: Pipeline) -> tuple[dict[str, float], list[list[str]]]:
    """Connect the portfolios, then single properties up to PROPERTIES; when each property's
    IntegrationCreated went, and each portfolio's properties."""
    control = line.sim.control
    connected_at: dict[str, float] = {}
    groups: list[list[str]] = []
    for g in range(min(PORTFOLIOS, PROPERTIES // max(PORTFOLIO_SIZE, 1))):
        group = await asyncio.to_thread(
            control.connect_portfolio, f"Fleet Group {g + 1}", properties=PORTFOLIO_SIZE
        )
        groups.append(list(group["enterprise_ids"]))
        connected_at.update(dict.fromkeys(group["enterprise_ids"], time.perf_counter()))
    while len(connected_at) < PROPERTIES:
        hotel = await asyncio.to_thread(control.connect_property, f"Fleet {len(connected_at) + 1}")
        connected_at[hotel["enterprise_id"]] = time.perf_counter()
        if len(connected_at) % 50 == 0:
            print(f"# connected {len(connected_at)}/{PROPERTIES}", file=sys.stderr, flush=True)
    return connected_at, groups


async def _onboard(line: Pipeline, connected_at: dict[str, float]) -> dict[str, float]:
    """Per property, the seconds from its IntegrationCreated to its import done."""
    onboarded: dict[str, float] = {}
    deadline = time.perf_counter() + ONBOARD_TIMEOUT_S
    waiting = list(connected_at)
    while waiting:
        if time.perf_counter() > deadline:
            raise SystemExit(f"{len(waiting)} properties not onboarded in {ONBOARD_TIMEOUT_S} s")
        now = time.perf_counter()
        for enterprise in await _imported(line, waiting):
            onboarded[enterprise] = now - connected_at[enterprise]
        waiting = [e for e in waiting if e not in onboarded]
        print(f"# onboarded {len(onboarded)}/{PROPERTIES}", file=sys.stderr, flush=True)
        await asyncio.sleep(1.0)
    return onboarded


async def _steady(line: Pipeline, stays: dict[str, list[str]]) -> tuple[dict[str, datetime], float]:
    """Changes at the fleet's rate for STEADY_S (a random stay of a random property, its
    notes edited as staff would), each sent at its own time (none waits for the one
    before); when each stay was last changed, and the rate reached."""
    rate = PROPERTIES * CHANGES_PER_DAY / 86400
    changed_at: dict[str, datetime] = {}
    enterprises = [e for e, ids in stays.items() if ids]
    async with httpx.AsyncClient(base_url=f"{line.sim.base_url}/_sim", timeout=60) as http:

        async def change(enterprise: str) -> None:
            stay = random.choice(stays[enterprise])
            at = datetime.now(UTC)
            answer = await http.post(
                f"/reservations/{stay}/update", json={"Notes": f"fleet {at.isoformat()}"}
            )
            answer.raise_for_status()
            changed_at[stay] = max(at, changed_at.get(stay, at))
            property_of[stay] = enterprise

        started = time.perf_counter()
        sent: list[asyncio.Task[None]] = []
        while time.perf_counter() - started < STEADY_S:
            sent.append(asyncio.create_task(change(random.choice(enterprises))))
            await asyncio.sleep(max(0.0, started + len(sent) / rate - time.perf_counter()))
        await asyncio.gather(*sent)
        reached = len(sent) / (time.perf_counter() - started)
    return changed_at, reached


async def _synced(line: Pipeline, changed_at: dict[str, datetime]) -> tuple[list[float], int]:
    """Per stay changed, ms from its last change to its row, waited for up to CONVERGE_S;
    and how many stays were in step although their row is older than their last change.

    Mews's UpdatedUtc has whole seconds: a stay changed twice within one second keeps its
    version, and when the second change touched nothing we keep (the notes edited here are
    not), nothing is applied for it: its row holds Mews's version, older than the change.
    Such a stay is in step, but has no latency to measure. Any other stay still missing is
    reported with Mews's and our versions."""
    deadline = time.perf_counter() + CONVERGE_S
    conn = await asyncpg.connect(line.admin_url)
    try:
        while True:
            rows = await conn.fetch(
                "select mews_id, synced_at, mews_updated_utc from guests.stays"
                " where mews_id = any($1)",
                list(changed_at),
            )
            latest = [r for r in rows if r["synced_at"] >= changed_at[r["mews_id"]]]
            if len(latest) == len(changed_at) or time.perf_counter() > deadline:
                break
            await asyncio.sleep(0.5)
        ours = {r["mews_id"]: r["mews_updated_utc"] for r in rows}
        missing = sorted(set(changed_at) - {r["mews_id"] for r in latest})
        same_second = 0
        for stay in missing:
            [mews] = [
                r for r in line.sim.control.reservations(property_of[stay]) if r["Id"] == stay
            ]
            theirs = datetime.fromisoformat(str(mews.get("UpdatedUtc")))
            if ours.get(stay) == theirs and theirs <= changed_at[stay] < theirs + ONE_SECOND:
                same_second += 1
                continue
            print(
                f"# not in step: stay {stay} changed {changed_at[stay].isoformat()}, "
                f"Mews UpdatedUtc {theirs.isoformat()}, ours {ours.get(stay)}",
                file=sys.stderr,
                flush=True,
            )
    finally:
        await conn.close()
    latencies = sorted(
        (row["synced_at"] - changed_at[row["mews_id"]]).total_seconds() * 1000 for row in latest
    )
    return latencies, same_second


def _fairness(group: list[str], before: dict[str, Any], after: dict[str, Any]) -> float:
    """The fewest steady-state requests a property of the portfolio made, over the mean."""
    made = [
        after["requests_by_scope"].get(e, 0) - before["requests_by_scope"].get(e, 0) for e in group
    ]
    mean = statistics.mean(made)
    return min(made) / mean if mean else 1.0


def _p99(ascending: list[float]) -> float:
    return ascending[max(0, int(len(ascending) * 0.99) - 1)]


async def main() -> None:
    line = await pipeline(
        with_ingest=True,
        seed="small",
        extra_env={
            "MEWS_TOKEN_KEY": Fernet.generate_key().decode(),
            "WEBHOOK_SECRET": WEBHOOK_SECRET,
        },
    )
    try:
        control = line.sim.control
        control.configure_webhooks(
            f"http://127.0.0.1:{line.ingest_port}/webhooks/mews",
            secret=WEBHOOK_SECRET,
            retry_delay_s=1.0,
            max_attempts=30,
        )
        limited_before = control.counters()["rate_limited"]
        connected_at, groups = await _connect(line)
        onboarded = await _onboard(line, connected_at)
        onboard = sorted(onboarded.values())
        stays = {
            e: [r["Id"] for r in await asyncio.to_thread(control.reservations, e)]
            for e in onboarded
        }
        await asyncio.sleep(5)  # the import's last commands land
        before = control.counters()
        cpu_before = sum(_cpu_s(pid) for pid in _ours(line))
        wall_before = time.perf_counter()
        changed_at, rate = await _steady(line, stays)
        wall = time.perf_counter() - wall_before
        cpu = sum(_cpu_s(pid) for pid in _ours(line)) - cpu_before
        after = control.counters()
        latencies, same_second = await _synced(line, changed_at)
        rss = sum(_rss_mib(pid) for pid in _ours(line))
        limited = control.counters()["rate_limited"] - limited_before
    finally:
        await line.close()
    by_token = {
        hint: n - before["requests_by_token_hint"].get(hint, 0)
        for hint, n in after["requests_by_token_hint"].items()
    }
    budget = BUDGET_REQUESTS * wall / BUDGET_WINDOW_S
    fair = [_fairness(group, before, after) for group in groups]
    report(BENCH, "properties", len(onboard), "properties")
    report(BENCH, "portfolio_properties", sum(map(len, groups)), "properties")
    report(BENCH, "tokens", len(onboard) - sum(map(len, groups)) + len(groups), "tokens")
    report(BENCH, "onboard_p50_s", statistics.median(onboard), "s")
    report(BENCH, "onboard_p99_s", _p99(onboard), "s")
    report(BENCH, "change_rate", rate, "changes/s")
    report(BENCH, "changes", len(changed_at), "stays changed")
    report(BENCH, "applied", len(latencies), "stays")
    report(BENCH, "in_step_same_second", same_second, "stays (nothing of ours changed)")
    report(BENCH, "change_to_row_p50_ms", statistics.median(latencies), "ms")
    report(BENCH, "change_to_row_p99_ms", _p99(latencies), "ms")
    report(BENCH, "rss_total_mib", rss, "MiB")
    report(BENCH, "cpu_share", cpu / (wall * (os.cpu_count() or 1)), "of all cores")
    report(BENCH, "budget_share_max", max(by_token.values(), default=0) / budget, "of a token")
    report(BENCH, "429s", limited, "responses")
    report(BENCH, "portfolio_fair_min", min(fair, default=1.0), "of the mean")
