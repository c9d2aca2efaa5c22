"""The figures on sync's health port (`GET /metrics`) move with what sync really did: its
Mews requests and 429s as the simulator counted them, its dead letters, its consumer's lag."""

from __future__ import annotations

from nats.js import JetStreamContext
from sync_support import announce, stored_commands, wait_for

from attendandt.contracts.mews import MewsEntity
from attendandt.sync.consumer import DURABLE
from attendandt.testing.metrics import scrape


async def test_mews_requests_429s_dead_letters_and_lag_are_scraped(
    mews_sim, jetstream: JetStreamContext, start_sync
) -> None:
    app = await start_sync(coalesce_window_s=0.0, batch_max=3)
    assert app.health_server is not None
    port = app.health_server.port
    before = await scrape(port)
    mews_sim.control.reset_counters()
    mews_sim.control.rate_limit(limit=2, window_s=1.0)
    ids = mews_sim.control.touch("customers", 12, mews_sim.gross.id)
    unknown = "00000000-0000-0000-0000-00000000dead"
    await announce(jetstream, mews_sim.gross.id, MewsEntity.CUSTOMER, [*ids, unknown])

    async def all_commanded() -> bool:
        guests, _ = await stored_commands(jetstream)
        return {g.guest.mews_id for g in guests} >= set(ids)

    await wait_for(all_commanded, timeout=60, what="every customer")

    async def dead_lettered() -> bool:
        now = await scrape(port)
        return now.value(
            "attendandt_dead_letters_total", service="sync", consumer=DURABLE
        ) > before.value("attendandt_dead_letters_total", service="sync", consumer=DURABLE)

    await wait_for(dead_lettered, what="the unknown id's dead letter counted")
    mews_sim.control.rate_limit(enabled=False)
    after = await scrape(port)
    counters = mews_sim.control.counters()

    def delta(name: str, **labels: str) -> float:
        return after.value(name, **labels) - before.value(name, **labels)

    # Every request the simulator answered, and every 429 among them, is counted by status.
    answered = delta("attendandt_mews_requests_total", operation="customers/getAll")
    assert answered > 0
    limited = delta("attendandt_mews_requests_total", operation="customers/getAll", status="429")
    assert limited > 0
    # The simulator counts 429s of every operation (sync also reads products and services).
    assert delta("attendandt_mews_requests_total", status="429") == counters["rate_limited"]
    assert delta("attendandt_mews_rate_limited_total", operation="customers/getAll") == limited
    ok = delta("attendandt_mews_requests_total", operation="customers/getAll", status="200")
    assert ok == answered - limited
    # Each request waited its turn in the token bucket first.
    assert delta("attendandt_mews_limiter_wait_seconds_count", kind="read") >= answered
    # The consumer's figures: what it settled, and the server's view of its lag.
    assert delta("attendandt_consumer_messages_total", consumer=DURABLE, outcome="acked") > 0

    async def lag_reported() -> bool:
        now = await scrape(port)
        return now.has(
            "attendandt_consumer_pending_messages", stream="MEWS_CHANGES", consumer=DURABLE
        ) and now.has("attendandt_consumer_ack_pending_messages", consumer=DURABLE)

    await wait_for(lag_reported, what="the consumer's lag as the server reports it")
