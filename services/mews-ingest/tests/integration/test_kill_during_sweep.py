"""kill -9 of the ingest process in the middle of a sweep, restart: no change missing."""

import asyncio
import os
import signal
import sys

from ingest_support import stream_changes, wait_for
from nats.js import JetStreamContext

from attendandt.contracts.mews import ChangeSource, MewsEntity
from attendandt.testing.nats_accounts import nats_env
from attendandt.testing.processes import free_port, spawn, stop


def _start(mews_sim, nats_url: str):
    token = mews_sim.gross.token
    env = {
        **os.environ,
        **nats_env(nats_url),
        "MEWS_BASE_URL": mews_sim.base_url,
        "MEWS_WS_URL": mews_sim.ws_url,
        "MEWS_CLIENT_TOKEN": token.client_token,
        "MEWS_ACCESS_TOKENS": token.access_token,
        "HTTP_PORT": str(free_port()),
        "RESYNC_HORIZON_S": "900",
        "MEWS_PAGE_SIZE": "100",  # many small pages: a sweep long enough to be killed in
    }
    return spawn([sys.executable, "-m", "attendandt.mews_ingest", "serve"], env=env)


async def test_sweep_killed_midway_resumes_and_loses_nothing(
    mews_sim, nats_url: str, jetstream: JetStreamContext
) -> None:
    mews_sim.reset("default")  # thousands of customers
    mews_sim.control.rate_limit(enabled=False)
    touched = set(
        await asyncio.to_thread(mews_sim.control.touch, "customers", 2000, mews_sim.gross.id)
    )
    assert len(touched) == 2000
    mews_sim.control.latency(0.05, path="customers/getAll")

    def swept(changes) -> set[str]:
        return {
            c.mews_id
            for c in changes
            if c.entity is MewsEntity.CUSTOMER and c.source is ChangeSource.SWEEP
        }

    first = _start(mews_sim, nats_url)
    try:

        async def partway() -> bool:
            return len(swept(await stream_changes(jetstream)) & touched) >= 500

        await wait_for(partway, timeout=60, what="the sweep to be partway")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        stop(first)
    partial = swept(await stream_changes(jetstream)) & touched
    assert 500 <= len(partial) < 2000, "the kill must land mid-sweep"

    mews_sim.control.clear_faults()
    second = _start(mews_sim, nats_url)
    try:

        async def complete() -> bool:
            return touched <= swept(await stream_changes(jetstream))

        await wait_for(complete, timeout=90, what="every touched customer after the restart")
    finally:
        stop(second)
    changes = await stream_changes(jetstream)
    versions = [(c.mews_id, c.observed_version) for c in changes if c.source is ChangeSource.SWEEP]
    assert len(versions) == len(set(versions)), "the restarted sweep stored a version twice"
