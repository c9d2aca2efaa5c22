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
from attendandt.platform.logging import JsonFormatter, redact_text
from attendandt.platform.messaging import dead_letter, publish
from attendandt.platform.telemetry import consumer_span, setup_telemetry

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
