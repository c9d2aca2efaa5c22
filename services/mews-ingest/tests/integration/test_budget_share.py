"""A long resync keeps to its share of the property's Mews budget: live requests on the same
AccessToken (sync's, the publisher's) still go through while it runs, the resync never sends
more than `resync_budget_share` of the limit in any window, and the simulator (enforcing
Mews's 200 requests / 30 s) answers no 429.

The budget's clock is the test's: it stands still until the test moves it, so "the requests
of one window" is exact (every request let through at one moment carries that moment), and
the counts are the simulator's own counters, not timings."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from ingest_support import stream_changes, wait_for
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext

from attendandt.contracts.caller import Caller
from attendandt.contracts.mews import ChangeSource
from attendandt.contracts.rpc.ingest import RESYNC, START_RESYNC, SweepRequest
from attendandt.contracts.snapshots import UserRole
from attendandt.contracts.streams import INGEST_CHECKPOINTS, MEWS_RATE_LIMITS, ensure_streams
from attendandt.mews import Credentials, MewsClient, RetryPolicy
from attendandt.mews_ingest.checkpoints import Checkpoints
from attendandt.mews_ingest.settings import BUDGET_LANE, SWEPT_ENTITIES
from attendandt.platform.ratelimit import SharedTokenBucket
from attendandt.platform.rpc import call

ADMIN = Caller(user_id="u-admin", role=UserRole.ADMIN, permissions=(RESYNC,))
LIMIT, WINDOW_S, SHARE = 200, 30.0, 0.5
RESYNC_LIMIT = int(SHARE * LIMIT)


class StillClock:
    """Wall-clock seconds that move only when told."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def _requests(mews_sim: Any) -> int:
    return sum(mews_sim.control.counters()["requests_by_path"].values())


def _most_in_any_window(steps: list[tuple[float, int]], window: float) -> int:
    return max(sum(n for t, n in steps if moment - window < t <= moment) for moment, _ in steps)


async def test_a_resync_keeps_to_its_share_and_live_requests_go_through(
    mews_sim, nats_client: NatsClient, jetstream: JetStreamContext, start_ingest
) -> None:
    hotel, token = mews_sim.gross.id, mews_sim.gross.token
    mews_sim.control.rate_limit(enabled=True, limit=LIMIT, window_s=WINDOW_S, retry_after=True)
    await ensure_streams(jetstream)
    # One-second windows over ten minutes: a resync of ~600 requests, three times its share.
    checkpoints = Checkpoints(await jetstream.key_value(INGEST_CHECKPOINTS.bucket))
    for entity in SWEPT_ENTITIES:
        await checkpoints.advance(hotel, entity, datetime.now(UTC))
    clock = StillClock()
    ingest = await start_ingest(
        sweep_window_s=1.0, sweep_overlap_s=0.0, resync_budget_share=SHARE, budget_clock=clock
    )
    job = await call(
        nats_client,
        START_RESYNC,
        SweepRequest(
            enterprise_id=hotel,
            entities=("customer",),
            since=datetime.now(UTC) - timedelta(seconds=590),
        ),
        caller=ADMIN,
        timeout=10,
    )
    assert job.state == "running"

    kv = await jetstream.key_value(MEWS_RATE_LIMITS.bucket)
    probe = SharedTokenBucket.for_access_token(kv, token.access_token, clock=clock)
    # (moment, requests ingest made at it), in the simulator's counters.
    steps: list[tuple[float, int]] = []
    counted = 0  # ingest's requests counted in earlier steps
    live_made = 0

    async def settled() -> bool:
        """Ingest can take nothing more at this moment, and every request it was let
        through has reached the simulator."""
        state = await probe.state()
        lane = state.lanes.get(BUDGET_LANE, [])
        if state.tokens >= 1 and len(lane) < RESYNC_LIMIT and len(state.sent) < LIMIT:
            return False
        now_in_lane = sum(1 for t in lane if t >= clock.now)
        return _requests(mews_sim) - live_made == counted + now_in_lane

    async def step() -> int:
        nonlocal counted
        await wait_for(settled, what="ingest to take what the budget allows now")
        made = _requests(mews_sim) - live_made - counted
        steps.append((clock.now, made))
        counted += made
        return len((await probe.state()).lanes.get(BUDGET_LANE, []))

    started = clock.now
    # The first window: ingest (start-up sweep, then the resync) takes its share, and stops.
    while await step() < RESYNC_LIMIT:
        clock.advance(1.0)
    assert counted == RESYNC_LIMIT
    resync = ingest.app.enterprises[hotel].resync
    assert resync is not None
    assert resync.job_id == job.job_id
    assert resync.state == "running"

    # Live traffic on the same token goes through meanwhile: a request of sync's...
    clock.advance(1.0)  # the smoothing bucket refills; the resync's share is still spent
    live = MewsClient(
        Credentials(client_token=token.client_token, access_token=token.access_token),
        environment=mews_sim.base_url,
        limiter=SharedTokenBucket.for_access_token(kv, token.access_token, clock=clock),
        retry=RetryPolicy(max_attempts=1),
    )
    try:
        config = await asyncio.wait_for(live.get_configuration(), 30)
    finally:
        await live.aclose()
    live_made += 1
    assert config.enterprise is not None
    assert config.enterprise.id == hotel
    # ...and a change made in Mews is announced (the WebSocket or a webhook).
    customer = mews_sim.control.add_customer(LastName="Meanwhile")

    async def announced() -> bool:
        return any(
            c.mews_id == customer["Id"] and c.source is not ChangeSource.SWEEP
            for c in await stream_changes(jetstream)
        )

    await wait_for(announced, what="the live change during the resync")
    await step()
    assert counted == RESYNC_LIMIT  # the resync took nothing more in this window

    # Its first requests leave the window (Mews's 30 s and the margin): it goes on, and
    # never has more than its share in any window.
    clock.now = started + WINDOW_S + 2.0
    while clock.now < started + WINDOW_S + 6.0:
        await step()
        clock.advance(1.0)
    assert counted > RESYNC_LIMIT
    assert _most_in_any_window(steps, WINDOW_S) <= RESYNC_LIMIT
    assert resync.state == "running"
    assert mews_sim.control.counters()["rate_limited"] == 0
