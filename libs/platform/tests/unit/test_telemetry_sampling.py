"""Spans are recorded only once something receives them: until an exporter (or a test's
processor) is added they are non-recording, yet carry trace ids, so logs and message headers
still join one trace."""

import pytest
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from attendandt.platform.telemetry import (
    ProcessTracerProvider,
    consumer_span,
    inject,
    producer_span,
    recorded,
)


def test_spans_are_recorded_from_the_first_span_processor_on() -> None:
    provider = ProcessTracerProvider(Resource.create({"service.name": "sampling-test"}))
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("before") as before:
        assert not before.is_recording()
        context = before.get_span_context()
        assert context.is_valid  # a trace id all the same
        with tracer.start_as_current_span("child") as child:
            assert child.get_span_context().trace_id == context.trace_id

    exported = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exported))
    with tracer.start_as_current_span("after") as after:
        assert after.is_recording()
    assert [span.name for span in exported.get_finished_spans()] == ["after"]


def _unwatched(monkeypatch: pytest.MonkeyPatch) -> ProcessTracerProvider:
    """A process provider nothing receives spans from, as the process's."""
    provider = ProcessTracerProvider(Resource.create({"service.name": "unwatched-test"}))
    monkeypatch.setattr(trace, "get_tracer_provider", lambda: provider)
    return provider


def _ids(headers: dict[str, str]) -> tuple[str, str, str]:
    _, trace_id, span_id, flags = headers["traceparent"].split("-")
    return trace_id, span_id, flags


def test_unrecorded_spans_are_made_as_the_sdk_makes_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """While nothing receives spans, a consumer's span is made without the SDK's machinery,
    and is what the SDK would make: a span of its own (not recording) in the publisher's
    trace, with its flags, or a new trace for a message from outside any."""
    provider = _unwatched(monkeypatch)
    sdk = provider.get_tracer("test")
    with sdk.start_as_current_span("publish") as publishing:
        published = inject({})
    assert not publishing.is_recording()
    with consumer_span("cmd.v1.x", published) as span:
        assert not span.is_recording()
        handled = inject({"Nats-Msg-Id": "m-1"})
    assert handled["Nats-Msg-Id"] == "m-1"
    trace_id, span_id, flags = _ids(handled)
    assert (trace_id, flags) == _ids(published)[::2]
    assert span_id != _ids(published)[1]
    with sdk.start_as_current_span("process", context=propagate.extract(published)) as made:
        assert _ids(inject({}))[::2] == (trace_id, flags)
    assert not made.is_recording()

    # No trace context: a new trace each time, as the SDK's root spans.
    with consumer_span("cmd.v1.x", {"Nats-Msg-Id": "m-2"}):
        first = _ids(inject({}))
    with consumer_span("cmd.v1.x", None):
        second = _ids(inject({}))
    with sdk.start_as_current_span("root"):
        root = _ids(inject({}))
    assert first[0] != second[0]
    assert first[2] == second[2] == root[2]
    # A producer's span continues the current trace (or the one its `parent` headers carry).
    with consumer_span("cmd.v1.x", published), producer_span("attendandt.v1.x"):
        assert _ids(inject({}))[0] == trace_id
    with producer_span("attendandt.v1.x", parent=published):
        assert _ids(inject({}))[0] == trace_id
    assert inject({}) == {}  # nothing current once the blocks are left


def test_once_watched_the_sdk_makes_the_spans(monkeypatch: pytest.MonkeyPatch) -> None:
    provider = _unwatched(monkeypatch)
    exported = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exported))
    with consumer_span("cmd.v1.x", {}) as span:
        assert span.is_recording()
    assert [s.name for s in exported.get_finished_spans()] == ["process cmd.v1.x"]


def test_with_no_sdk_the_spans_are_the_apis_no_ops(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no SDK installed (a process that never set telemetry up), a span is what the
    API's no-op tracer makes, the cheap way: its parent's, so what is published within
    carries the publisher's context unchanged, and nothing is recorded."""
    sdk = ProcessTracerProvider(Resource.create({"service.name": "publisher"})).get_tracer("t")
    with sdk.start_as_current_span("publish"):
        published = inject({})
    monkeypatch.setattr(trace, "get_tracer_provider", trace.NoOpTracerProvider)
    assert not recorded()
    noop = trace.NoOpTracerProvider().get_tracer("t")
    with noop.start_as_current_span("process", context=propagate.extract(published)):
        expected = inject({})
    with consumer_span("cmd.v1.x", published) as span:
        assert not span.is_recording()
        assert inject({}) == expected == published
    with consumer_span("cmd.v1.x", {}):
        assert inject({}) == {}
    with producer_span("attendandt.v1.x", parent=published):
        assert inject({}) == published
