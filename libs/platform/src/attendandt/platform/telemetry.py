"""OpenTelemetry set up once per process, and trace context carried in NATS headers.

A publisher injects `traceparent` into the message headers inside a PRODUCER span; the
consumer opens its CONSUMER span with the extracted context as parent, so one trace follows
a change from Mews through every service it touches.

Spans leave the process through OTLP over HTTP (protobuf) when the standard variables say
where to: `OTEL_EXPORTER_OTLP_ENDPOINT` (the collector's base URL, e.g.
`http://otel-collector:4318`; `/v1/traces` is added) or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`
(the full URL). `OTEL_EXPORTER_OTLP_HEADERS`, `_TIMEOUT`, `_COMPRESSION` and `_CERTIFICATE`
are read by the exporter itself. Neither endpoint set, `OTEL_TRACES_EXPORTER=none` or
`OTEL_SDK_DISABLED=true`: nothing is exported (spans are still made, so trace ids still
appear in logs and headers). Metrics are scraped instead (`/metrics`, `platform.metrics`).
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

from attendandt.platform.settings import SettingsError, process_env

_TRACER_NAME = "attendandt"
#: The one OTLP protocol bundled (the collector's port 4318).
OTLP_PROTOCOL = "http/protobuf"
#: Variables that say where spans go (for `--help` texts and docs).
OTEL_VARIABLES = (
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_HEADERS",
    "OTEL_EXPORTER_OTLP_PROTOCOL",
    "OTEL_TRACES_EXPORTER",
    "OTEL_SDK_DISABLED",
)

_installed: set[int] = set()


def otlp_endpoint(env: Mapping[str, str]) -> str | None:
    """Where this process's spans go by the standard `OTEL_*` variables; None: nowhere."""
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return None
    exporters = env.get("OTEL_TRACES_EXPORTER", "otlp").strip().lower() or "otlp"
    if "otlp" not in {name.strip() for name in exporters.split(",")}:
        return None
    traces = env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "").strip()
    base = env.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip()
    if not traces and not base:
        return None
    protocol = (
        env.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or env.get("OTEL_EXPORTER_OTLP_PROTOCOL")
    ) or OTLP_PROTOCOL
    if protocol.strip() != OTLP_PROTOCOL:
        raise SettingsError(
            f"OTEL_EXPORTER_OTLP_PROTOCOL={protocol!r}: only {OTLP_PROTOCOL!r} is supported; "
            "unset it and point OTEL_EXPORTER_OTLP_ENDPOINT at the collector's OTLP/HTTP "
            "port (4318)"
        )
    return traces or f"{base.rstrip('/')}/v1/traces"


def otlp_exporter(env: Mapping[str, str]) -> SpanExporter | None:
    """An OTLP/HTTP span exporter when `env` names an endpoint, else None."""
    endpoint = otlp_endpoint(env)
    if endpoint is None:
        return None
    # Imported here: a process that exports nothing does not load the protobuf stack.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter(endpoint=endpoint)


def export_spans(provider: TracerProvider, env: Mapping[str, str]) -> SpanExporter | None:
    """Send `provider`'s spans where `env` says, once per provider; the exporter installed."""
    if id(provider) in _installed:
        return None
    exporter = otlp_exporter(env)
    if exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(exporter))
        _installed.add(id(provider))
    return exporter


def setup_telemetry(
    service: str,
    exporter: SpanExporter | None = None,
    env: Mapping[str, str] | None = None,
) -> TracerProvider:
    """Install the SDK providers for this process, once; later calls return the same one.

    Spans go to `exporter` when given, and to the OTLP endpoint the `OTEL_*` variables of
    `env` (the process environment by default) name; with neither, spans are still created,
    so trace ids appear in logs and headers.
    """
    env = process_env() if env is None else env
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        provider = current
    else:
        resource = Resource.create({"service.name": service})
        provider = TracerProvider(resource=resource)
        trace.set_tracer_provider(provider)
        metrics.set_meter_provider(MeterProvider(resource=resource))
    if exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    try:
        export_spans(provider, env)
    except SettingsError as exc:
        raise SystemExit(f"{service}: {exc}") from exc
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
