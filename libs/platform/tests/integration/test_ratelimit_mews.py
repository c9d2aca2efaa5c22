"""The shared budget against the Mews simulator's sliding window (a real nats-server): more
requests than the limit, from several holders of one AccessToken, meet no 429, even when
the first burst reaches Mews late (as on a fresh start: connections being set up, a busy
server), which packs more requests into Mews's window than left in any window of ours.

The geometry of Mews's 200 requests / 30 s, scaled down in time so the test is short."""

import asyncio

from nats.js import JetStreamContext
from nats.js.kv import KeyValue

from attendandt.contracts.streams import MEWS_RATE_LIMITS, ensure_streams
from attendandt.mews import Credentials, MewsClient, MewsRateLimited, RetryPolicy
from attendandt.platform.ratelimit import SharedTokenBucket, bucket_key

LIMIT, WINDOW_S, BURST, MARGIN_S = 40, 6.0, 8, 1.0
#: How late the first burst reaches the simulator (within the margin).
FIRST_BURST_LATE_S = 0.5


async def test_more_than_the_limit_from_three_holders_meets_no_429(
    jetstream: JetStreamContext, mews_sim
) -> None:
    await ensure_streams(jetstream)
    kv: KeyValue = await jetstream.key_value(MEWS_RATE_LIMITS.bucket)
    mews_sim.control.rate_limit(enabled=True, limit=LIMIT, window_s=WINDOW_S, retry_after=True)
    mews_sim.control.latency(FIRST_BURST_LATE_S, count=BURST)
    token = mews_sim.gross.token
    credentials = Credentials(client_token=token.client_token, access_token=token.access_token)
    clients = [
        MewsClient(
            credentials,
            environment=mews_sim.base_url,
            limiter=SharedTokenBucket(
                kv,
                bucket_key(token.access_token),
                requests=LIMIT,
                per=WINDOW_S,
                burst=BURST,
                margin=MARGIN_S,
            ),
            retry=RetryPolicy(max_attempts=1),  # every 429 counted, none hidden in a retry
        )
        for _ in range(3)  # three processes' worth of holders, each with its own state
    ]
    total = LIMIT + LIMIT // 2
    asked, limited = 0, 0

    async def keep_asking(client: MewsClient) -> None:
        nonlocal asked, limited
        while asked < total:
            asked += 1
            try:
                await client.get_configuration()
            except MewsRateLimited:
                limited += 1

    try:
        await asyncio.gather(*(keep_asking(c) for c in clients for _ in range(4)))
    finally:
        for client in clients:
            await client.aclose()
    counters = mews_sim.control.counters()
    assert limited == 0
    assert counters["rate_limited"] == 0
    assert counters["responses_by_status"] == {"200": total}
