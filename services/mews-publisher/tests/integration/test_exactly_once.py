"""Many charges through every fault the simulator has: exactly one order each in Mews, and
each charge reported posted with that order's id.

The fast test runs the publisher in this process; the slow one runs it as its own process
(`python -m attendandt.mews_publisher serve`) and kills it with SIGKILL while Mews holds the
answer to a write it already committed, then starts a new one.
"""

import asyncio
import os
import signal
import sys
from typing import Any

import pytest
from nats.js import JetStreamContext
from publisher_testkit import (
    Hotel,
    charge,
    ledger,
    orders_in_mews,
    process_env,
    result_count,
    results,
    send,
    wait_for,
    wait_results,
)

from attendandt.mews_publisher.app import PublisherApp
from attendandt.testing.processes import spawn, stop


def inject_faults(control: Any, scale: int) -> None:
    """Lost answers (dropped and held past the client timeout), 5xx on writes and lookups,
    and 429s: injected ones, so that they surely happen (the simulator's own limit, set by
    the tests too, is met only when the publisher happens to be fast enough)."""
    control.lose_response(path="orders/add", mode="drop", count=2 * scale)
    control.lose_response(path="orders/add", mode="hold", hold_s=2.0, count=max(1, scale // 2))
    control.fail_next(2 * scale, status=503, path="orders/add")
    control.fail_next(scale, status=429, path="orders/add")
    control.fail_next(scale, status=500, path="orders/add")
    control.fail_next(scale, status=502, path="orderItems/getAll")


def write_faults(scale: int) -> int:
    """The write faults `inject_faults` sets that fail a request (503s, 429s and 500s)."""
    return 2 * scale + scale + scale


def check_exactly_once(found: list[Any], items: list[Any], charges: list[Any]) -> None:
    references = [i.external_identifier for i in items]
    assert len(references) == len(charges), "not exactly one order item per charge"
    assert set(references) == {c.reference for c in charges}
    order_of = {i.external_identifier: i.service_order_id for i in items}
    by_charge = {r.charge_id: r for r in found}
    assert len(found) == len(charges), "one result per charge"
    for c in charges:
        result = by_charge[c.charge_id]
        assert result.posted, result.failure_reason
        assert result.mews_order_id == order_of[c.reference]


async def test_a_hundred_charges_through_faults_are_each_posted_once(
    publisher: PublisherApp, jetstream: JetStreamContext, gross: Hotel, mews_sim
) -> None:
    charges = [charge(gross, n) for n in range(100)]
    inject_faults(mews_sim.control, scale=4)
    mews_sim.control.rate_limit(limit=40, window_s=1.0, retry_after=False)
    for c in charges[:50]:
        await send(jetstream, c)
    await wait_results(jetstream, 50, timeout=60)
    mews_sim.control.rate_limit(limit=40, window_s=1.0, retry_after=True)
    for c in charges[50:]:
        await send(jetstream, c)
    found = await wait_results(jetstream, 100, timeout=60)
    mews_sim.control.rate_limit(enabled=False)
    counters = mews_sim.control.counters()
    # Every failing write fault was hit (the injected 429s among them).
    assert counters["faults_injected"] >= write_faults(4)
    check_exactly_once(found, await orders_in_mews(mews_sim, gross), charges)
    assert counters["orders_created"] >= 100  # plus the re-sends after a 5xx
    rows = await ledger(str(publisher.settings.database.url))
    states = {r["state"] for r in rows}
    assert states <= {"posted", "not_sent"}
    assert sum(r["state"] == "posted" for r in rows) == 100


def start_publisher(env: dict[str, str]) -> Any:
    return spawn(
        [sys.executable, "-m", "attendandt.mews_publisher", "serve"], env={**os.environ, **env}
    )


@pytest.mark.slow
async def test_a_thousand_charges_through_faults_and_a_kill_9_are_each_posted_once(
    nats_url: str, jetstream: JetStreamContext, publisher_url: str, gross: Hotel, mews_sim
) -> None:
    from attendandt.contracts.streams import ensure_streams

    await ensure_streams(jetstream)
    env = process_env(nats_url, publisher_url, mews_sim)
    charges = [charge(gross, n) for n in range(1000)]
    inject_faults(mews_sim.control, scale=10)
    mews_sim.control.rate_limit(limit=60, window_s=1.0, retry_after=True)
    first = start_publisher(env)
    second = None
    try:
        await asyncio.gather(*(send(jetstream, c) for c in charges))

        async def some_done() -> bool:
            return await result_count(jetstream) >= 300

        await wait_for(some_done, timeout=60, what="300 charges posted")
        mews_sim.control.rate_limit(limit=60, window_s=1.0, retry_after=False)
        # The next write is committed in Mews, its answer held: kill the writer right then.
        before = mews_sim.control.counters()["faults_injected"]
        mews_sim.control.lose_response(path="orders/add", mode="hold", hold_s=30.0)

        async def held() -> bool:
            return mews_sim.control.counters()["faults_injected"] > before

        await wait_for(held, timeout=30, what="a held write")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        held_at_kill = [r for r in await ledger(publisher_url) if r["state"] == "sending"]
        assert held_at_kill, "the kill must leave a write in 'sending'"

        second = start_publisher(env)
        found = await wait_results(jetstream, 1000, timeout=100)
    finally:
        stop(first)
        if second is not None:
            stop(second)
    mews_sim.control.rate_limit(enabled=False)
    counters = mews_sim.control.counters()
    assert counters["faults_injected"] >= write_faults(10)  # the injected 429s among them
    check_exactly_once(found, await orders_in_mews(mews_sim, gross), charges)
    rows = await ledger(publisher_url)
    assert sum(r["state"] == "posted" for r in rows) == 1000
    # The write in flight at the kill was found in Mews, not sent again.
    for row in held_at_kill:
        attempts = [r for r in rows if r["reference"] == row["reference"]]
        assert attempts[-1]["state"] == "posted"
    assert len(await results(jetstream)) == 1000
