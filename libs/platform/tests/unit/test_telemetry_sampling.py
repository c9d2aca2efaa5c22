"""Spans are recorded only once something receives them: until an exporter (or a test's
processor) is added they are non-recording, yet carry trace ids, so logs and message headers
still join one trace."""

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from attendandt.platform.telemetry import ProcessTracerProvider


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
