import nats
import pytest
from nats.js import JetStreamContext
from nats.js.api import RetentionPolicy, StreamConfig

from attendandt.contracts.streams import BUCKETS, STREAMS, StreamConflict, ensure_streams
from attendandt.testing.servers import NatsCluster


async def test_ensure_streams_creates_everything_once(jetstream: JetStreamContext) -> None:
    first = await ensure_streams(jetstream)
    assert sum(line.startswith("created") for line in first) == len(STREAMS) + len(BUCKETS)
    second = await ensure_streams(jetstream)
    assert not any(line.startswith(("created", "updated")) for line in second)
    queue = await jetstream.stream_info("DOMAIN_COMMANDS")
    assert queue.config.retention == RetentionPolicy.WORK_QUEUE
    changes = await jetstream.stream_info("MEWS_CHANGES")
    assert changes.config.duplicate_window == 900
    for bucket in BUCKETS:
        kv = await jetstream.key_value(bucket.bucket)
        await kv.put("probe", b"1")


async def test_ensure_streams_updates_a_changed_stream(jetstream: JetStreamContext) -> None:
    await jetstream.add_stream(
        StreamConfig(name="ATTENDANDT_EVENTS", subjects=["attendandt.v1.old.>"])
    )
    done = await ensure_streams(jetstream)
    assert "updated stream ATTENDANDT_EVENTS" in done
    info = await jetstream.stream_info("ATTENDANDT_EVENTS")
    assert info.config.subjects == ["attendandt.v1.>", "attendandt.v2.>"]


async def test_restricted_events_have_their_own_shorter_stream(jetstream: JetStreamContext) -> None:
    await ensure_streams(jetstream)
    public = await jetstream.stream_info("ATTENDANDT_EVENTS")
    restricted = await jetstream.stream_info("ATTENDANDT_RESTRICTED")
    assert restricted.config.subjects == ["attendandt.restricted.v1.>"]
    assert 0 < (restricted.config.max_age or 0) < (public.config.max_age or 0)
    # A restricted subject must not land in the public stream (nor the other way round).
    ack = await jetstream.publish("attendandt.restricted.v1.ent-1.guest.created", b"{}")
    assert ack.stream == "ATTENDANDT_RESTRICTED"
    ack = await jetstream.publish("attendandt.v2.ent-1.user.created", b"{}")
    assert ack.stream == "ATTENDANDT_EVENTS"


async def test_ensure_streams_refuses_a_retention_it_cannot_change(
    jetstream: JetStreamContext,
) -> None:
    await jetstream.add_stream(StreamConfig(name="MEWS_OUTBOX", subjects=["mews.v1.*.outbound.>"]))
    with pytest.raises(StreamConflict, match="retention"):
        await ensure_streams(jetstream)


async def _replicas(js: JetStreamContext) -> dict[str, int]:
    names = [s.name for s in STREAMS] + [f"KV_{b.bucket}" for b in BUCKETS]
    return {name: (await js.stream_info(name)).config.num_replicas or 1 for name in names}


async def test_replicas_are_asked_for_and_then_kept(nats_cluster: NatsCluster) -> None:
    """One replica unless asked (dev, tests); `replicas=3` moves everything to three servers;
    the services' own call, which names no count, keeps three even when it updates a
    stream for another reason (an update sends the whole configuration)."""
    client = await nats.connect(nats_cluster.urls, connect_timeout=5)
    try:
        # A generous request timeout: a stream's first placement on a fresh cluster waits for
        # the meta leader, which a loaded 2-core machine has taken over 10 s to answer.
        js = client.jetstream(timeout=60)
        await ensure_streams(js)
        assert set((await _replicas(js)).values()) == {1}
        done = await ensure_streams(js, replicas=3)
        assert sum(line.startswith("updated") for line in done) == len(STREAMS) + len(BUCKETS)
        assert set((await _replicas(js)).values()) == {3}
        again = await ensure_streams(js, replicas=3)
        assert not any(line.startswith("updated") for line in again)

        changed = (await js.stream_info("MEWS_CHANGES")).config
        changed.max_age = 3600
        await js.update_stream(changed)
        assert "updated stream MEWS_CHANGES" in await ensure_streams(js)
        info = await js.stream_info("MEWS_CHANGES")
        assert info.config.max_age == 7 * 24 * 3600
        assert set((await _replicas(js)).values()) == {3}
    finally:
        await client.close()


async def test_a_replica_count_below_one_is_refused(jetstream: JetStreamContext) -> None:
    with pytest.raises(ValueError, match="at least one"):
        await ensure_streams(jetstream, replicas=0)
