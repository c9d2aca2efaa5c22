"""OpenTelemetry set up once per process, and trace context carried in NATS headers.

A publisher injects `traceparent` into the message headers inside a PRODUCER span; the
consumer opens its CONSUMER span with the extracted context as parent, so one trace follows
a change from Mews through every service it touches.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from opentelemetry import metrics, propagate, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.trace import Span, SpanKind

_TRACER_NAME = "attendandt"


def setup_telemetry(service: str, exporter: SpanExporter | None = None) -> TracerProvider:
    """Install the SDK providers for this process, once; later calls return the same one.

    `exporter` is where spans go (an OTLP exporter in deployments); without one, spans are
    still created, so trace ids appear in logs and headers.
    """
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        if exporter is not None:
            current.add_span_processor(BatchSpanProcessor(exporter))
        return current
    resource = Resource.create({"service.name": service})
    provider = TracerProvider(resource=resource)
    if exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    metrics.set_meter_provider(MeterProvider(resource=resource))
    return provider


def tracer() -> trace.Tracer:
    return trace.get_tracer(_TRACER_NAME)


def inject(headers: dict[str, str]) -> dict[str, str]:
    """Add the current trace context (traceparent, tracestate) to `headers`."""
    propagate.inject(headers)
    return headers


@contextmanager
def producer_span(subject: str) -> Iterator[Span]:
    with tracer().start_as_current_span(
        f"publish {subject}",
        kind=SpanKind.PRODUCER,
        attributes={"messaging.system": "nats", "messaging.destination.name": subject},
    ) as span:
        yield span


@contextmanager
def consumer_span(subject: str, headers: Mapping[str, str] | None) -> Iterator[Span]:
    """A CONSUMER span whose parent is the publisher's span, when the headers carry one."""
    parent = propagate.extract(dict(headers or {}))
    with tracer().start_as_current_span(
        f"process {subject}",
        context=parent,
        kind=SpanKind.CONSUMER,
        attributes={"messaging.system": "nats", "messaging.destination.name": subject},
    ) as span:
        yield span
