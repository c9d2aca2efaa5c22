"""OpenTelemetry set up once per process, and trace context carried in NATS headers.

A publisher injects `traceparent` into the message headers inside a PRODUCER span; the
consumer opens its CONSUMER span with the extracted context as parent, so one trace follows
a change from Mews through every service it touches: ingest's span for the WebSocket frame
or webhook (`receive_span`), sync's pass over a batch of changes (`batch_span`), the domain
service's command, its outbox row (the context is stored with the row and the relay's
publish continues it) and the gateway's server-sent event (`delivery_span`).

Spans leave the process through OTLP over HTTP (protobuf) when the standard variables say
where to: `OTEL_EXPORTER_OTLP_ENDPOINT` (the collector's base URL, e.g.
`http://otel-collector:4318`; `/v1/traces` is added) or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`
(the full URL). `OTEL_EXPORTER_OTLP_HEADERS`, `_TIMEOUT`, `_COMPRESSION` and `_CERTIFICATE`
are read by the exporter itself. Neither endpoint set, `OTEL_TRACES_EXPORTER=none` or
`OTEL_SDK_DISABLED=true`: nothing is exported (spans are still made, so trace ids still
appear in logs and headers). Metrics are scraped instead (`/metrics`, `platform.metrics`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Final, Literal

from opentelemetry import context as otel_context
from opentelemetry import metrics, propagate, trace
from opentelemetry.context import Context
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON, Sampler, SamplingResult
from opentelemetry.trace import (
    Link,
    NonRecordingSpan,
    Span,
    SpanContext,
    SpanKind,
    TraceFlags,
    TraceState,
)
from opentelemetry.util.types import Attributes

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


class _RecordWhenWatched(Sampler):
    """Spans are recorded once something receives them (an exporter, a test's processor).
    Until then they are non-recording, which costs a fraction of a recorded span (at
    thousands of messages a second, a tenth of a core), and still carry trace ids into logs
    and headers. Once watched, every span is recorded, whatever its parent says."""

    def __init__(self) -> None:
        self.watched = False

    def should_sample(  # noqa: PLR0917 (the SDK calls it with these, positionally)
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        sampler = ALWAYS_ON if self.watched else ALWAYS_OFF
        return sampler.should_sample(
            parent_context, trace_id, name, kind, attributes, links, trace_state
        )

    def get_description(self) -> str:
        return "RecordWhenWatched"


class ProcessTracerProvider(TracerProvider):
    """The process's provider: records spans from the first span processor added on."""

    def __init__(self, resource: Resource) -> None:
        self._switch = _RecordWhenWatched()
        super().__init__(resource=resource, sampler=self._switch)

    def add_span_processor(self, span_processor: SpanProcessor) -> None:
        super().add_span_processor(span_processor)
        self._switch.watched = True

    @property
    def watched(self) -> bool:
        """Whether its spans are recorded (a span processor receives them)."""
        return self._switch.watched


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
        provider = ProcessTracerProvider(resource)
        trace.set_tracer_provider(provider)
        metrics.set_meter_provider(MeterProvider(resource=resource))
    if exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    try:
        export_spans(provider, env)
    except SettingsError as exc:
        raise SystemExit(f"{service}: {exc}") from exc
    return provider


#: The tracer of the provider it came from (asking the provider makes a new one each time).
_tracer: tuple[object, trace.Tracer] | None = None


def tracer() -> trace.Tracer:
    global _tracer  # noqa: PLW0603 (one cache for the process)
    provider = trace.get_tracer_provider()
    if _tracer is None or _tracer[0] is not provider:
        _tracer = (provider, provider.get_tracer(_TRACER_NAME))
    return _tracer[1]


#: `_unwatched`'s answer when no SDK is installed (the API's no-op spans).
_NO_SDK: Final = "no sdk"


def _unwatched() -> ProcessTracerProvider | Literal["no sdk"] | None:
    """How spans are made now when nothing records them, the cheap way (a few microseconds
    instead of tens, at thousands of messages a second): the process's provider while
    nothing receives its spans (a span with ids of its own), `_NO_SDK` when no SDK is
    installed (the API's no-op span: its parent's). None while spans are recorded, or when
    the SDK is another's: the full path."""
    provider = trace.get_tracer_provider()
    if type(provider) is ProcessTracerProvider:
        return None if provider.watched else provider
    if isinstance(provider, (trace.ProxyTracerProvider, trace.NoOpTracerProvider)):
        return _NO_SDK
    return None


@contextmanager
def _unrecorded_span(
    provider: ProcessTracerProvider | Literal["no sdk"], context: Context | None
) -> Iterator[Span]:
    """What the SDK makes of a span its sampler drops, made directly: a non-recording span
    with ids of its own in its parent's trace (`context`'s span, else the current one; a
    new trace when there is none), current until the block ends, so trace ids still appear
    in logs and in the headers of what is published within. With no SDK (`_NO_SDK`), what
    the API's no-op tracer makes: the parent's span, current again."""
    current = trace.get_current_span(context)
    if not isinstance(provider, ProcessTracerProvider):
        span: Span = (
            current
            if isinstance(current, NonRecordingSpan)
            else NonRecordingSpan(current.get_span_context())
        )
    else:
        parent = current.get_span_context()
        ids = provider.id_generator
        if parent.is_valid:
            trace_id, random_id = parent.trace_id, parent.trace_flags.random_trace_id
            state: TraceState | None = parent.trace_state
        else:
            trace_id, random_id, state = ids.generate_trace_id(), ids.is_trace_id_random(), None
        flags = TraceFlags.RANDOM_TRACE_ID if random_id else TraceFlags.DEFAULT
        span = NonRecordingSpan(
            SpanContext(
                trace_id,
                ids.generate_span_id(),
                is_remote=False,
                trace_flags=TraceFlags(flags),
                trace_state=state,
            )
        )
    # Made current in the current context, as `use_span` does (not in `context`).
    token = otel_context.attach(trace.set_span_in_context(span))
    try:
        yield span
    finally:
        otel_context.detach(token)


def recorded() -> bool:
    """Whether spans made now are recorded (a publisher that only forwards a stored context
    may skip its own span when they are not)."""
    return _unwatched() is None


#: The fields the propagator injected last, with the context and propagator they came from:
#: the messages a handler publishes in one context (a command's events) carry the same.
_injected: tuple[Context, object, dict[str, str]] | None = None


def inject(headers: dict[str, str]) -> dict[str, str]:
    """Add the current trace context (traceparent, tracestate) to `headers`."""
    global _injected  # noqa: PLW0603 (one cache for the process)
    current, propagator = otel_context.get_current(), propagate.get_global_textmap()
    cached = _injected
    if cached is None or cached[0] is not current or cached[1] is not propagator:
        fields: dict[str, str] = {}
        propagator.inject(fields, current)
        cached = _injected = (current, propagator, fields)
    headers.update(cached[2])
    return headers


#: The header names the process's propagator reads, by propagator.
_fields: tuple[object, frozenset[str]] | None = None


def _context_of(headers: Mapping[str, str] | None) -> Context:
    """The context the headers carry (`propagate.extract`): an empty one, without asking the
    propagator, when they hold none of the names it reads (a message from outside a trace)."""
    global _fields  # noqa: PLW0603 (one cache for the process)
    propagator = propagate.get_global_textmap()
    if _fields is None or _fields[0] is not propagator:
        _fields = (propagator, frozenset(propagator.fields))
    if not headers or _fields[1].isdisjoint(headers):
        return Context()
    return propagate.extract(headers)


def _messaging(subject: str) -> dict[str, str]:
    return {"messaging.system": "nats", "messaging.destination.name": subject}


@contextmanager
def producer_span(subject: str, parent: Mapping[str, str] | None = None) -> Iterator[Span]:
    """A PRODUCER span around one publish: a child of the current span, or of the context
    `parent` headers carry (a message written earlier and published now: an outbox row)."""
    unwatched = _unwatched()
    if unwatched is not None:
        with _unrecorded_span(unwatched, None if parent is None else _context_of(parent)) as span:
            yield span
        return
    with tracer().start_as_current_span(
        f"publish {subject}",
        context=None if parent is None else _context_of(parent),
        kind=SpanKind.PRODUCER,
        attributes=_messaging(subject),
    ) as span:
        yield span


@contextmanager
def consumer_span(subject: str, headers: Mapping[str, str] | None) -> Iterator[Span]:
    """A CONSUMER span whose parent is the publisher's span, when the headers carry one."""
    unwatched = _unwatched()
    if unwatched is not None:
        with _unrecorded_span(unwatched, _context_of(headers)) as span:
            yield span
        return
    with tracer().start_as_current_span(
        f"process {subject}",
        context=_context_of(headers),
        kind=SpanKind.CONSUMER,
        attributes=_messaging(subject),
    ) as span:
        yield span


def delivery_span(
    name: str,
    subject: str,
    headers: Mapping[str, str] | None,
    attributes: Mapping[str, str | int] | None = None,
) -> Span:
    """A CONSUMER span continuing the publisher's trace, started but not made current: for
    work that runs across a `yield` (a message written to a streaming response), where the
    caller ends it."""
    return tracer().start_span(
        name,
        context=_context_of(headers),
        kind=SpanKind.CONSUMER,
        attributes={**_messaging(subject), **(attributes or {})},
    )


@contextmanager
def batch_span(subject: str, headers: Sequence[Mapping[str, str] | None]) -> Iterator[Span]:
    """A CONSUMER span for work done on several messages at once: a child of the first
    message's publisher, so that change's trace runs on through the work, and linked to
    every message's publisher, so each other trace leads here too."""
    contexts = [_context_of(h) for h in headers]
    publishers = [trace.get_current_span(c).get_span_context() for c in contexts]
    with tracer().start_as_current_span(
        f"process {subject}",
        context=contexts[0] if contexts else None,
        kind=SpanKind.CONSUMER,
        links=[Link(p) for p in publishers if p.is_valid],
        attributes={**_messaging(subject), "messaging.batch.message_count": len(headers)},
    ) as span:
        yield span


@contextmanager
def receive_span(name: str, attributes: Mapping[str, str] | None = None) -> Iterator[Span]:
    """A span for input from outside (a Mews WebSocket frame, a webhook delivery), where its
    trace begins: what it is published as continues it."""
    with tracer().start_as_current_span(
        name, kind=SpanKind.CONSUMER, attributes=dict(attributes or {})
    ) as span:
        yield span
