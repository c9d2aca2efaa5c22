import pytest
from nats.js import JetStreamContext
from nats.js.api import RetentionPolicy, StreamConfig

from attendandt.contracts.streams import BUCKETS, STREAMS, StreamConflict, ensure_streams


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
