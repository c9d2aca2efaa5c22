"""chaos: the whole stack as `make run` starts it (`attendandt dev`: nats-server, Postgres,
the Mews simulator with its default hotels, every service under the supervisor), in a
temporary directory on free ports of its own. Once the initial import is in, for about
four minutes it makes 2,000 Mews changes in the simulator and 200 charges through the
gateway, while a chaos loop kills a random service with SIGKILL every 2-5 s, kills
nats-server once and Postgres once (the supervisor starts them again on their ports with
their data), drops the Mews WebSocket and fails webhook deliveries. Then it waits (at most
10 min) until our system shows everything, and reports:

- `lost`: changes made in the simulator whose final effect our system does not show once it
  has converged (or at the bound). Each change is made to an entity no other change touches:
  a customer's email set to a marker unique to the change (every guest row of that Mews
  customer must show it), or a reservation checked in, checked out, cancelled, moved a day
  later or newly made (its stay in the guests database must have the state, the scheduled
  and actual times and the cancellation time the simulator holds at the end). The ones not
  shown are listed on stderr.
- `duplicated`: distinct rows that repeat another: guests or stays rows sharing a hotel and
  Mews id, bookings sharing one request's marker, charges of one booking, and public events
  (one entity's one version: the event id) stored more than once in ATTENDANDT_EVENTS. Each
  repeated row or event counts once however often it repeats; the parts go to stderr.
- `charges_posted_twice`: charges found on a bill in Mews in more than one order (items with
  the charge's reference, the simulator's order items); also `charges_posted` (requests whose
  charge is on the bill; goal 200) and `charges_missing` (requests with nothing on the bill).
- `429s`: the 429 answers the simulator's Mews rate limit gave over the whole run (start-up
  and initial import included).
- `converge`: seconds from the last change or charge made until every change shows and every
  charge is on the bill and `posted` in vendors (the bound when that never happened).

Goals: 0, 0, 0, 0. Progress goes to stderr. Ctrl-C stops the stack and removes its files; a
killed bench leaves a reaper that does the same. `BENCH_CHAOS_CHANGES`, `_CHARGES` and
`_SECONDS` make a smaller run; `BENCH_CHAOS_LOG=<file>` keeps the stack's output.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import secrets
import signal
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
from _chaos_charges import ChargeRequest, charge_stays, make_charge, offering_for
from _chaos_oracle import (
    Change,
    Pools,
    StayRow,
    Target,
    charge_figures,
    not_visible,
    plan,
    repeated,
    reservation_pools,
    spare,
)
from _chaos_stack import (
    Gateway,
    Sim,
    Stack,
    ops_nats,
    patiently,
    say,
    services,
    wait_for_import,
    with_db,
)

from attendandt.contracts.streams import ATTENDANDT_EVENTS, DEAD_LETTERS
from attendandt.testing.bench import report

BENCH = "chaos"
CHANGES = int(os.environ.get("BENCH_CHAOS_CHANGES", "2000"))
CHARGES = int(os.environ.get("BENCH_CHAOS_CHARGES", "200"))
#: How long the changes and charges are spread over (the chaos lasts as long).
MAKING_S = float(os.environ.get("BENCH_CHAOS_SECONDS", "240"))
CONVERGE_BOUND_S = 600.0
#: A service is killed every this many seconds (uniformly at random).
KILL_EVERY_S = (2.0, 5.0)
WS_DROP_EVERY_S = 20.0
WEBHOOK_FAIL_EVERY_S = 25.0
WEBHOOK_FAILURES = 5
WEBHOOKS_DOWN_S = 10.0
CHARGE_WORKERS = 4


# --------------------------------------------------------------------------- the run


@dataclass
class Run:
    stack: Stack
    sim: Sim
    api: Gateway
    enterprises: list[str]
    tag: str
    rng: random.Random
    changes: list[Change] = field(default_factory=list)
    spares: Pools = field(default_factory=Pools)
    charges: list[ChargeRequest] = field(default_factory=list)
    refused: Counter[str] = field(default_factory=Counter)
    kills: Counter[str] = field(default_factory=Counter)
    #: When each kill happened (monotonic) and of what: the last ones explain a slow
    #: convergence (a consumer's unacknowledged messages wait out its ack wait).
    kill_times: list[tuple[float, str]] = field(default_factory=list)
    making: bool = True
    last_made: float = 0.0


async def prepare(run: Run) -> None:
    """Pick the entities: charge stays first, then the changes among the rest."""
    stack, sim, rng = run.stack, run.sim, run.rng
    offerings = {}
    for enterprise in run.enterprises:
        offering = await offering_for(run.api, enterprise)
        if offering is not None:
            offerings[enterprise] = offering
    if not offerings:
        raise RuntimeError("no hotel has a Spa service to charge to")
    kept: set[str] = set()
    per_hotel = -(-CHARGES // len(offerings))
    for enterprise, offering in offerings.items():
        stays = await charge_stays(stack, enterprise)
        for stay in rng.sample(stays, min(per_hotel, len(stays))):
            if len(run.charges) >= CHARGES:
                break
            marker = f"chaos-{run.tag}-charge-{len(run.charges)}"
            run.charges.append(
                ChargeRequest(
                    marker,
                    enterprise,
                    offering,
                    stay["stay_id"],
                    stay["guest_id"],
                    stay["mews_reservation_id"],
                )
            )
            kept.add(stay["mews_reservation_id"])
    if len(run.charges) < CHARGES:
        raise RuntimeError(f"only {len(run.charges)} stays to charge to")

    pools = Pools()
    info = await sim.get("/info")
    now = datetime.fromisoformat(info["now_utc"].replace("Z", "+00:00"))
    for enterprise in run.enterprises:
        listed = await sim.get(f"/reservations?enterprise_id={enterprise}")
        for target in reservation_pools(
            listed["reservations"], enterprise, now, exclude=kept, rng=rng
        ):
            pools.add(target)

    async def customers(conn: asyncpg.Connection) -> list[asyncpg.Record]:
        return list(await conn.fetch("SELECT DISTINCT enterprise_id, mews_id FROM guests.guests"))

    seen: set[str] = set()
    for row in await with_db(stack, customers):
        if row["mews_id"] in seen:
            continue
        seen.add(row["mews_id"])
        # Half of them own the reservations made new; the other half get changed.
        kind = "customer" if rng.random() < 0.5 else "create"
        pools.add(Target(kind, row["enterprise_id"], row["mews_id"]))
    run.changes, run.spares = plan(CHANGES, pools, rng)
    say(
        "planned: "
        + ", ".join(f"{k} {n}" for k, n in sorted(Counter(c.kind for c in run.changes).items()))
        + f"; {len(run.charges)} charges on {len(offerings)} hotel(s)"
    )


async def make_one(run: Run, change: Change, number: int) -> bool:
    """Make `change` in the simulator; False when the simulator refuses it."""
    target = change.target
    sim = run.sim
    if target.kind == "customer":
        change.marker = f"chaos-{run.tag}-{number}@example.com"
        answer = await sim.post(f"/customers/{target.mews_id}/update", {"Email": change.marker})
    elif target.kind == "check_in":
        answer = await sim.post(f"/reservations/{target.mews_id}/start")
    elif target.kind == "check_out":
        answer = await sim.post(f"/reservations/{target.mews_id}/process")
    elif target.kind == "cancel":
        answer = await sim.post(f"/reservations/{target.mews_id}/cancel")
    elif target.kind == "dates":
        assert target.end_utc is not None
        end = datetime.fromisoformat(target.end_utc.replace("Z", "+00:00")) + timedelta(days=1)
        answer = await sim.post(
            f"/reservations/{target.mews_id}/update",
            {"ScheduledEndUtc": end.strftime("%Y-%m-%dT%H:%M:%SZ")},
        )
    else:
        start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(
            days=run.rng.randint(1, 60), hours=run.rng.randint(0, 6)
        )
        answer = await sim.post(
            "/reservations",
            {
                "enterprise_id": target.enterprise_id,
                "customer_id": target.mews_id,
                "start_utc": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "nights": run.rng.randint(1, 5),
                "state": "Confirmed",
            },
        )
        if answer.status_code == 200:
            change.marker = answer.json()["Id"]
    if answer.status_code != 200:
        run.refused[f"{target.kind} {answer.status_code}"] += 1
        return False
    change.made_at = time.monotonic()
    return True


async def make_changes(run: Run, started: float) -> None:
    pace = MAKING_S / max(len(run.changes), 1)
    index = 0
    while index < len(run.changes):
        change = run.changes[index]
        await asyncio.sleep(max(0.0, started + index * pace - time.monotonic()))
        if await make_one(run, change, index):
            run.last_made = max(run.last_made, time.monotonic())
            index += 1
            continue
        replacement = spare(run.spares, change.kind)
        if replacement is None:
            raise RuntimeError(f"no entity left to replace a refused {change.kind}")
        run.changes[index] = Change(replacement)


async def make_charges(run: Run, started: float) -> None:
    pace = MAKING_S / max(len(run.charges), 1)
    queue: asyncio.Queue[tuple[int, ChargeRequest]] = asyncio.Queue()
    for number, request in enumerate(run.charges):
        queue.put_nowait((number, request))

    async def worker() -> None:
        while not queue.empty():
            number, request = queue.get_nowait()
            await asyncio.sleep(max(0.0, started + number * pace - time.monotonic()))
            try:
                await make_charge(run.api, request)
            except Exception as exc:
                request.failure = f"{type(exc).__name__}: {exc}"[:300]
                say(f"charge {request.marker} not made: {request.failure}")
            run.last_made = max(run.last_made, time.monotonic())

    await asyncio.gather(*(worker() for _ in range(CHARGE_WORKERS)))


async def chaos(run: Run, started: float) -> None:
    """Kill services while changes and charges are being made; once each, nats-server and
    Postgres; drop the WebSocket and fail webhooks now and then."""
    stack, sim, rng = run.stack, run.sim, run.rng
    names = services()
    nats_at = started + 0.35 * MAKING_S
    postgres_at = started + 0.65 * MAKING_S
    down_at = started + 0.5 * MAKING_S
    next_drop = started + WS_DROP_EVERY_S
    next_fail = started + WEBHOOK_FAIL_EVERY_S / 2
    while True:
        await asyncio.sleep(rng.uniform(*KILL_EVERY_S))
        if not run.making:
            return
        now = time.monotonic()
        name = rng.choice(sorted(names))
        pid = stack.pid_of(module=names[name])
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
                run.kills[name] += 1
                run.kill_times.append((now, name))
        for server, program, at in (
            ("nats-server", "nats-server", nats_at),
            ("postgres", "postgres", postgres_at),
        ):
            if at <= now and run.kills[server] == 0:
                pid = stack.pid_of(program=program)
                if pid is not None:
                    os.kill(pid, signal.SIGKILL)
                    run.kills[server] += 1
                    run.kill_times.append((now, server))
                    say(f"killed {server} (pid {pid})")
        with contextlib.suppress(httpx.HTTPError):
            if now >= next_drop:
                await sim.post("/ws/drop")
                run.kills["websocket drops"] += 1
                next_drop = now + WS_DROP_EVERY_S
            if now >= next_fail:
                await sim.post("/webhooks/fail", {"count": WEBHOOK_FAILURES})
                run.kills["webhook failures"] += WEBHOOK_FAILURES
                next_fail = now + WEBHOOK_FAIL_EVERY_S
            if now >= down_at and run.kills["webhooks down"] == 0:
                await sim.post("/webhooks/down", {"down": True})
                run.kills["webhooks down"] += 1
                await asyncio.sleep(WEBHOOKS_DOWN_S)
                await sim.post("/webhooks/down", {"down": False})


async def progress(run: Run, started: float) -> None:
    while run.making:
        await asyncio.sleep(15)
        made = sum(c.made_at is not None for c in run.changes)
        charged = sum(r.done_at is not None for r in run.charges)
        kills = ", ".join(f"{k} {n}" for k, n in sorted(run.kills.items()))
        say(
            f"t={time.monotonic() - started:.0f}s changes {made}/{len(run.changes)}, charges "
            f"{charged}/{len(run.charges)}; {kills}"
        )


# --------------------------------------------------------------------------- the oracle


@dataclass
class Observed:
    lost: list[Change]
    unposted: list[ChargeRequest]
    references: dict[str, list[str]]
    order_items: list[dict[str, Any]]
    duplicates: dict[str, int]
    vendor_states: Counter[str]


async def observe(run: Run, *, events: bool) -> Observed:
    stack, sim = run.stack, run.sim
    reservations: dict[str, dict[str, Any]] = {}
    order_items: list[dict[str, Any]] = []
    for enterprise in run.enterprises:
        listed = await sim.get(f"/reservations?enterprise_id={enterprise}")
        reservations.update({r["Id"]: r for r in listed["reservations"]})
        items = await sim.get(f"/order-items?enterprise_id={enterprise}")
        order_items += items["order_items"]
    made = [c for c in run.changes if c.made_at is not None]
    customer_ids = [c.entity_id for c in made if c.kind == "customer"]
    reservation_ids = [c.entity_id for c in made if c.kind != "customer"]
    markers = [r.marker for r in run.charges]

    async def read(conn: asyncpg.Connection) -> dict[str, Any]:
        guests = await conn.fetch(
            "SELECT mews_id, email FROM guests.guests WHERE mews_id = ANY($1::text[])",
            customer_ids,
        )
        stays = await conn.fetch(
            """
            SELECT enterprise_id, mews_id, state, scheduled_start_utc, scheduled_end_utc,
                   actual_start_utc, actual_end_utc, cancelled_utc
            FROM guests.stays WHERE mews_id = ANY($1::text[])
            """,
            reservation_ids,
        )
        bookings = await conn.fetch(
            """
            SELECT b.id, b.notes, c.id AS charge_id, c.reference, c.state
            FROM vendors.bookings b LEFT JOIN vendors.charges c ON c.booking_id = b.id
            WHERE b.notes = ANY($1::text[])
            """,
            markers,
        )
        twins = {
            "guests rows (hotel, Mews id)": await conn.fetchval(
                "SELECT count(*) FROM (SELECT 1 FROM guests.guests "
                "GROUP BY enterprise_id, mews_id HAVING count(*) > 1) t"
            ),
            "stays rows (hotel, Mews id)": await conn.fetchval(
                "SELECT count(*) FROM (SELECT 1 FROM guests.stays "
                "GROUP BY enterprise_id, mews_id HAVING count(*) > 1) t"
            ),
            "charges of one booking": await conn.fetchval(
                "SELECT count(*) FROM (SELECT 1 FROM vendors.charges WHERE booking_id IS NOT NULL "
                "GROUP BY booking_id HAVING count(*) > 1) t"
            ),
        }
        return {"guests": guests, "stays": stays, "bookings": bookings, "twins": twins}

    found = await patiently("the databases", lambda: with_db(stack, read))
    emails: dict[str, list[str | None]] = {}
    for row in found["guests"]:
        emails.setdefault(row["mews_id"], []).append(row["email"])
    stays = {
        (r["enterprise_id"], r["mews_id"]): StayRow(
            r["state"],
            r["scheduled_start_utc"],
            r["scheduled_end_utc"],
            r["actual_start_utc"],
            r["actual_end_utc"],
            r["cancelled_utc"],
        )
        for r in found["stays"]
    }
    lost = not_visible(made, emails, stays, reservations)
    references: dict[str, list[str]] = {r.marker: [] for r in run.charges}
    states: dict[str, str | None] = {}
    bookings_per_marker: Counter[str] = Counter()
    vendor_states: Counter[str] = Counter()
    for row in found["bookings"]:
        bookings_per_marker[row["notes"]] += 1
        if row["reference"]:
            references[row["notes"]].append(row["reference"])
        states[row["reference"] or row["id"]] = row["state"]
        vendor_states[row["state"] or "no charge"] += 1
    on_bill = {i["ExternalIdentifier"] for i in order_items if i.get("ExternalIdentifier")}
    unposted = [
        r
        for r in run.charges
        if not references[r.marker]
        or not all(ref in on_bill and states.get(ref) == "posted" for ref in references[r.marker])
    ]
    duplicates = {k: int(v) for k, v in found["twins"].items()}
    duplicates["bookings of one request"] = len(repeated(bookings_per_marker.elements()))
    if events:
        duplicates["events stored twice"] = await patiently(
            "the events stream", lambda: repeated_events(stack)
        )
    return Observed(lost, unposted, references, order_items, duplicates, vendor_states)


async def repeated_events(stack: Stack) -> int:
    """Distinct public events (event ids: one entity's one version) stored more than once."""
    nc = await ops_nats(stack)
    ids: list[str] = []
    try:
        js = nc.jetstream()
        for subject in ATTENDANDT_EVENTS.subjects:
            info = await js.stream_info(ATTENDANDT_EVENTS.name, subjects_filter=subject)
            expected = sum((info.state.subjects or {}).values())
            if not expected:
                continue
            sub = await js.subscribe(subject, stream=ATTENDANDT_EVENTS.name, ordered_consumer=True)
            try:
                for _ in range(expected):
                    msg = await sub.next_msg(timeout=10)
                    try:
                        ids.append(str(json.loads(msg.data)["event_id"]))
                    except (ValueError, KeyError):
                        ids.append(f"{msg.subject}:{msg.data!r}")
            finally:
                await sub.unsubscribe()
    finally:
        await nc.close()
    say(f"{len(ids)} public events read, {len(set(ids))} distinct")
    return len(repeated(ids))


async def dead_letters(stack: Stack) -> dict[str, int]:
    """Dead letters by subject (a consumer gave up on a message: worth a look even when
    nothing was lost in the end)."""
    nc = await ops_nats(stack)
    try:
        info = await nc.jetstream().stream_info(
            DEAD_LETTERS.name, subjects_filter=DEAD_LETTERS.subjects[0]
        )
        return {str(k): int(v) for k, v in (info.state.subjects or {}).items()}
    finally:
        await nc.close()


async def converge(run: Run) -> tuple[float | None, Observed]:
    """Poll until everything shows (None: not within the bound)."""
    deadline = run.last_made + CONVERGE_BOUND_S
    last_said = 0.0
    while True:
        observed = await observe(run, events=False)
        now = time.monotonic()
        if not observed.lost and not observed.unposted:
            return now - run.last_made, observed
        if now > deadline:
            return None, observed
        if now - last_said >= 15:
            kinds = Counter(c.kind for c in observed.lost)
            say(
                f"converging {now - run.last_made:.0f}s: {len(observed.lost)} changes not "
                f"shown ({dict(kinds)}), {len(observed.unposted)} charges not posted"
            )
            last_said = now
        await asyncio.sleep(5)


# --------------------------------------------------------------------------- main


async def main() -> None:
    stack = Stack.in_temporary_directory(os.environ.get("BENCH_CHAOS_LOG"))
    try:
        await bench(stack)
    finally:
        say("stopping the stack")
        await asyncio.to_thread(stack.stop)


async def bench(stack: Stack) -> None:
    began = time.monotonic()
    stack.start()
    say(f"starting the stack in {stack.workdir} (its output: {stack.log})")
    await stack.wait_started()
    sim = Sim(stack.sim)
    api = Gateway(stack.gateway)
    try:
        info = await sim.get("/info")
        enterprises = [e["id"] for e in info["enterprises"]]
        await patiently("the gateway", api.login)
        await wait_for_import(stack, enterprises)
        run = Run(stack, sim, api, enterprises, secrets.token_hex(3), random.Random())
        await prepare(run)
        await under_chaos(run)
        converged_after, _ = await converge(run)
        await finish(run, converged_after)
        say(f"whole run {time.monotonic() - began:.0f} s")
    finally:
        await api.close()
        await sim.close()


async def under_chaos(run: Run) -> None:
    """The changes and the charges, made while the chaos loop runs."""
    started = time.monotonic()
    say(f"chaos for {MAKING_S:.0f} s: {len(run.changes)} changes, {len(run.charges)} charges")
    chaos_task = asyncio.create_task(chaos(run, started))
    progress_task = asyncio.create_task(progress(run, started))
    try:
        await asyncio.gather(make_changes(run, started), make_charges(run, started))
    finally:
        run.making = False
        await chaos_task
        progress_task.cancel()
        with contextlib.suppress(httpx.HTTPError):
            await run.sim.post("/webhooks/down", {"down": False})
    kills = ", ".join(f"{k} {n}" for k, n in sorted(run.kills.items()))
    say(f"made in {time.monotonic() - started:.0f} s; chaos: {kills}")
    ended = time.monotonic()
    last = [f"{name} {ended - at:.0f}s" for at, name in run.kill_times if ended - at <= 30]
    if last:
        say(f"killed in the last 30 s (how long before the end): {', '.join(last)}")
    if run.refused:
        say(f"refused by the simulator (and replaced): {dict(run.refused)}")
    retried = sum((r.retries for r in run.charges), Counter[str]())
    if retried:
        say(f"charge steps asked again: {dict(retried)}")


async def finish(run: Run, converged_after: float | None) -> None:
    final = await observe(run, events=True)
    counters = await run.sim.get("/counters")
    figures = charge_figures(final.references, final.order_items)
    for change in final.lost[:40]:
        say(f"not shown: {change.kind} {change.enterprise_id} {change.entity_id}")
    for request in final.unposted[:20]:
        say(
            f"not posted: {request.marker} booking {request.booking_id} charge "
            f"{request.charge_id} {request.failure or ''}"
        )
    say(f"duplicates: {final.duplicates}")
    letters = await patiently("dead letters", lambda: dead_letters(run.stack))
    say(f"dead letters: {letters or 'none'}")
    say(f"vendors' charge states: {dict(final.vendor_states)}")
    if converged_after is None:
        say(f"did not converge within {CONVERGE_BOUND_S:.0f} s")
    report(BENCH, "lost", len(final.lost), "changes")
    report(BENCH, "duplicated", sum(final.duplicates.values()), "rows")
    report(BENCH, "charges_posted_twice", figures.posted_twice, "charges")
    report(BENCH, "charges_posted", figures.posted, "charges")
    report(BENCH, "charges_missing", figures.missing, "charges")
    report(BENCH, "429s", int(counters["rate_limited"]), "responses")
    waited = converged_after if converged_after is not None else CONVERGE_BOUND_S
    report(BENCH, "converge", round(waited, 1), "s")
