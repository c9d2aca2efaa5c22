import json
import logging

import msgspec
import pytest
from nats.js import JetStreamContext
from nats.js.api import StreamConfig
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from attendandt.contracts.deadletter import DeadLetter
from attendandt.contracts.examples import EXAMPLES
from attendandt.contracts.mews import MEWS_CHANGE, MewsChange
from attendandt.contracts.streams import ensure_streams
from attendandt.platform.logging import JsonFormatter, redact_body, redact_text
from attendandt.platform.messaging import dead_letter, dead_letter_raw, publish
from attendandt.platform.telemetry import batch_span, consumer_span, setup_telemetry

CHANGE = next(e for e in EXAMPLES if isinstance(e, MewsChange))


@pytest.fixture
def spans() -> InMemorySpanExporter:
    exporter = InMemorySpanExporter()
    setup_telemetry("platform-tests").add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


async def test_consumer_span_continues_the_publishers_trace(
    jetstream: JetStreamContext, spans: InMemorySpanExporter
) -> None:
    await ensure_streams(jetstream)
    await publish(
        jetstream, MEWS_CHANGE, CHANGE, msg_id=CHANGE.msg_id(),
        enterprise=CHANGE.enterprise_id, entity=CHANGE.entity,
    )  # fmt: skip
    sub = await jetstream.pull_subscribe(MEWS_CHANGE.filter(), durable="trace-test")
    [msg] = await sub.fetch(1, timeout=5)
    with consumer_span(msg.subject, msg.headers):
        pass
    await msg.ack()
    finished = {s.kind: s for s in spans.get_finished_spans()}
    producer, consumer = finished[SpanKind.PRODUCER], finished[SpanKind.CONSUMER]
    assert consumer.parent is not None
    assert consumer.parent.span_id == producer.context.span_id
    assert consumer.context.trace_id == producer.context.trace_id


async def test_a_batch_continues_its_first_changes_trace_and_links_every_one(
    jetstream: JetStreamContext, spans: InMemorySpanExporter, unique: str
) -> None:
    await ensure_streams(jetstream)
    changes = [msgspec.structs.replace(CHANGE, mews_id=f"{unique}-{n}") for n in range(3)]

    async def publish_change(change: MewsChange) -> None:
        await publish(
            jetstream, MEWS_CHANGE, change, msg_id=change.msg_id(),
            enterprise=change.enterprise_id, entity=change.entity,
        )  # fmt: skip

    for change in changes[:2]:  # each in a trace of its own
        await publish_change(change)
    sub = await jetstream.pull_subscribe(MEWS_CHANGE.filter(), durable=f"batch_{unique}")
    batch = await sub.fetch(2, timeout=5)
    with batch_span(batch[0].subject, [msg.headers for msg in batch]):
        await publish_change(changes[2])  # what the pass makes of them
        # A production log line written meanwhile names the same trace.
        line = json.loads(JsonFormatter("sync").format(logging.makeLogRecord({"msg": "pass"})))
    for msg in batch:
        await msg.ack()
    finished = spans.get_finished_spans()
    first, second, made = (s for s in finished if s.kind == SpanKind.PRODUCER)
    [work] = [s for s in finished if s.kind == SpanKind.CONSUMER]
    assert first.context.trace_id != second.context.trace_id
    assert work.parent is not None
    assert work.parent.span_id == first.context.span_id
    assert [link.context.span_id for link in work.links] == [
        first.context.span_id, second.context.span_id,
    ]  # fmt: skip
    assert made.parent is not None
    assert made.parent.span_id == work.context.span_id
    assert made.context.trace_id == first.context.trace_id
    assert line["trace_id"] == f"{first.context.trace_id:032x}"
    assert line["span_id"] == f"{work.context.span_id:016x}"


async def test_dead_letter_keeps_the_original_and_the_reason_once(
    jetstream: JetStreamContext, unique: str
) -> None:
    await ensure_streams(jetstream)
    await jetstream.add_stream(StreamConfig(name=f"BAD_{unique}", subjects=[f"bad.{unique}"]))
    await jetstream.publish(f"bad.{unique}", b"\xff not json", headers={"Nats-Msg-Id": "b-1"})
    sub = await jetstream.pull_subscribe(f"bad.{unique}", durable=f"c_{unique}")
    [msg] = await sub.fetch(1, timeout=5)
    for _ in range(2):  # a consumer that rejects the same delivery twice writes one letter
        await dead_letter(jetstream, msg, service="guests", consumer="cmds", reason="cannot decode")
    await msg.term()
    info = await jetstream.stream_info("DEAD_LETTERS")
    assert info.state.messages == 1
    stored = await jetstream.get_last_msg("DEAD_LETTERS", "deadletter.v1.guests.cmds")
    letter = msgspec.json.decode(stored.data, type=DeadLetter)
    assert letter.data == b"\xff not json"
    assert letter.subject == f"bad.{unique}"
    assert letter.reason == "cannot decode"
    assert letter.headers["Nats-Msg-Id"] == "b-1"
    assert letter.stream == f"BAD_{unique}"
    assert letter.redacted is False  # nothing secret: kept exactly as it arrived


ACCESS_TOKEN = "C66EF7B239D24632943D115EDE9CB810-EA00F8FD8294692C940F6B5A8F9453D"


@pytest.mark.parametrize(
    "text",
    [
        f"calling Mews with {ACCESS_TOKEN}",
        f'body {{"AccessToken": "{ACCESS_TOKEN}"}}',
        "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig",
        "password=hunter2 user=ada",
        "postgresql://svc:s3cret@db:5432/attendandt",
    ],
)
def test_secrets_are_masked_in_text(text: str) -> None:
    redacted = redact_text(text)
    for secret in (ACCESS_TOKEN, "eyJzdWIiOiJ4In0", "hunter2", "s3cret"):
        assert secret not in redacted


def test_json_log_lines_hide_secret_fields() -> None:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "token %s", (ACCESS_TOKEN,), None)
    record.access_token = ACCESS_TOKEN
    record.enterprise = "ent-1"
    line = json.loads(JsonFormatter("tests").format(record))
    assert ACCESS_TOKEN not in json.dumps(line)
    assert line["access_token"] == "***"
    assert line["enterprise"] == "ent-1"


def test_json_body_secrets_are_masked_at_any_depth_and_the_rest_kept() -> None:
    body = json.dumps(
        {
            "Action": "IntegrationCreated",
            "Data": {
                "AccessToken": "opaque-value-1",
                "Integration": {"Id": "i-1", "ApiKey": "opaque-value-2"},
                "Users": [{"email": "a@b.c", "password": "opaque-value-3", "has_password": True}],
                "Note": "refresh_token=opaque-value-4 was sent",
            },
        }
    ).encode()
    masked = redact_body(body)
    for value in (b"opaque-value-1", b"opaque-value-2", b"opaque-value-3", b"opaque-value-4"):
        assert value not in masked
    kept = json.loads(masked)
    assert kept["Data"]["AccessToken"] == "***"
    assert kept["Data"]["Integration"] == {"Id": "i-1", "ApiKey": "***"}
    assert kept["Data"]["Users"][0]["has_password"] is True  # a flag tells nothing
    assert kept["Data"]["Users"][0]["email"] == "a@b.c"


@pytest.mark.parametrize(
    "body",
    [b'{"EnterpriseId": "e-1", "Events": []}', b"{nope", b"\xff not text", b""],
)
def test_a_body_without_secrets_is_kept_byte_for_byte(body: bytes) -> None:
    assert redact_body(body) is body


def test_truncated_json_is_masked_by_pattern() -> None:
    truncated = b'{"Data": {"AccessToken": "opaque-1", "ApiKey": "opaque-2", "Pad": "xx'
    masked = redact_body(truncated)
    assert b"opaque-1" not in masked
    assert b"opaque-2" not in masked


async def test_a_dead_letter_is_stored_with_its_secrets_masked(
    jetstream: JetStreamContext, unique: str
) -> None:
    await ensure_streams(jetstream)
    body = b'{"user_id": "u-1", "new_password": "opaque-pw-1"}'
    await dead_letter_raw(
        jetstream,
        service="users",
        consumer=f"c{unique}",
        subject="cmd.v1.users.set_password",
        data=body,
        headers={"Authorization": "Bearer opaque-jwt-1", "Nats-Msg-Id": "m-1"},
        reason="password=opaque-pw-1 refused",
    )
    stored = await jetstream.get_last_msg("DEAD_LETTERS", f"deadletter.v1.users.c{unique}")
    assert b"opaque-pw-1" not in stored.data
    assert b"opaque-jwt-1" not in stored.data
    letter = msgspec.json.decode(stored.data, type=DeadLetter)
    assert json.loads(letter.data) == {"user_id": "u-1", "new_password": "***"}
    assert letter.headers == {"Authorization": "***", "Nats-Msg-Id": "m-1"}
    assert letter.redacted is True
