"""Spans leave the process over OTLP/HTTP exactly when the standard `OTEL_*` variables say
where to: a real receiver in the test takes what the exporter sends."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider

from attendandt.platform.settings import SettingsError
from attendandt.platform.telemetry import export_spans, otlp_endpoint


class Receiver:
    """An OTLP/HTTP endpoint: records each request's path, content type and body."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, bytes]] = []
        received = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                received.append((self.path, self.headers.get("Content-Type", ""), body))
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


def _provider() -> TracerProvider:
    return TracerProvider(resource=Resource.create({"service.name": "otlp-test"}))


def test_without_an_endpoint_nothing_is_exported(receiver: Receiver) -> None:
    provider = _provider()
    assert export_spans(provider, {}) is None
    with provider.get_tracer("t").start_as_current_span("kept at home"):
        pass
    provider.force_flush()
    provider.shutdown()
    assert receiver.requests == []


def test_with_the_endpoint_spans_reach_the_collector(receiver: Receiver) -> None:
    provider = _provider()
    exporter = export_spans(provider, {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url + "/"})
    assert isinstance(exporter, OTLPSpanExporter)
    # Once per provider: a second set-up does not send every span twice.
    assert export_spans(provider, {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url}) is None
    with provider.get_tracer("t").start_as_current_span("sent to the collector"):
        pass
    assert provider.force_flush(10_000)
    provider.shutdown()
    assert len(receiver.requests) == 1
    path, content_type, body = receiver.requests[0]
    assert path == "/v1/traces"
    assert content_type == "application/x-protobuf"
    assert b"sent to the collector" in body
    assert b"otlp-test" in body


def test_the_standard_switches() -> None:
    base = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}
    assert otlp_endpoint(base) == "http://collector:4318/v1/traces"
    assert (
        otlp_endpoint({**base, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://other/x"})
        == "http://other/x"
    )
    assert otlp_endpoint({**base, "OTEL_TRACES_EXPORTER": "none"}) is None
    assert otlp_endpoint({**base, "OTEL_SDK_DISABLED": "true"}) is None
    with pytest.raises(SettingsError, match="OTEL_EXPORTER_OTLP_PROTOCOL='grpc'"):
        otlp_endpoint({**base, "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"})
