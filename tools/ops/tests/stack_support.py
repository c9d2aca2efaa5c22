"""Helpers for the tests that drive the whole stack over HTTP."""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from attendandt.mews import DemoTokens


def wait_until(what: str, check: Callable[[], Any], timeout: float = 60, every: float = 0.1) -> Any:
    """Poll `check` until it returns something truthy (HTTP errors count as not yet)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
        except httpx.HTTPError:
            result = None
        if result:
            return result
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(every)


def signed_in(
    stack: dict[str, Any], email: str = "admin@attendandt.local", *, timeout: float = 15
) -> httpx.Client:
    """An API client of the stack's gateway, signed in as one of its demo accounts."""
    password = stack["passwords"].get(email, stack["password"])
    login = httpx.post(
        f"{stack['gateway']}/api/v1/auth/login", json={"email": email, "password": password}
    )
    assert login.status_code == 200, login.text
    return httpx.Client(
        base_url=f"{stack['gateway']}/api/v1",
        headers={"Authorization": f"Bearer {login.json()['access_token']}"},
        timeout=timeout,
    )


def mews_call(sim: str, operation: str, **body: Any) -> Any:
    """A Connector API call to the simulator, as the gross demo hotel's integration."""
    credentials = {
        "ClientToken": DemoTokens.GROSS_1.client_token,
        "AccessToken": DemoTokens.GROSS_1.access_token,
        "Client": "Attendandt tests 1.0.0",
    }
    # The services may be spending the whole token's budget (an import is Mews-bound): this
    # test's own call then waits its turn as Mews says (Retry-After), for up to two windows.
    for _ in range(30):
        response = httpx.post(f"{sim}/api/connector/v1/{operation}", json={**credentials, **body})
        if response.status_code != 429:
            break
        time.sleep(min(float(response.headers.get("Retry-After", "2")), 5.0))
    response.raise_for_status()
    return response.json()


def child_pid(parent: int, module: str) -> int:
    """The PID of the child of `parent` running `python -m <module>`."""
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
            )
            cmdline = (status.parent / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(parent) and module.encode() in cmdline:
            return int(status.parent.name)
    raise AssertionError(f"no {module} process under {parent}")


class Events:
    """The gateway's live event stream, read in the background from now on."""

    def __init__(self, client: httpx.Client) -> None:
        self.items: list[dict[str, Any]] = []
        self._client = client
        self._connected = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        assert self._connected.wait(30), "the event stream did not open"

    def _read(self) -> None:
        try:
            self._follow()
        except httpx.HTTPError:
            if not self._stop.is_set():
                raise  # the stream broke while the test still read it

    def _follow(self) -> None:
        with self._client.stream("GET", "/events", timeout=None) as response:
            event: dict[str, Any] = {}
            for line in response.iter_lines():
                if self._stop.is_set():
                    return
                if line.startswith(":"):
                    self._connected.set()
                elif line.startswith("event:"):
                    event["event"] = line[6:].strip()
                elif line.startswith("id:"):
                    event["id"] = line[3:].strip()
                elif line.startswith("data:"):
                    event["data"] = json.loads(line[5:])
                elif not line and event:
                    self.items.append(event)
                    event = {}

    def of_guest(self, guest_id: str) -> list[dict[str, Any]]:
        return [
            e["data"]
            for e in list(self.items)
            if e.get("event", "").startswith("guest.") and e["data"].get("guest_id") == guest_id
        ]

    def close(self) -> None:
        self._stop.set()


@dataclass(frozen=True)
class ReceivedSpan:
    service: str
    name: str
    trace_id: str
    span_id: str
    #: Empty for the root of a trace.
    parent_id: str
    attributes: dict[str, Any]


def _spans_of(body: bytes) -> list[ReceivedSpan]:
    request = ExportTraceServiceRequest.FromString(body)
    found = []
    for resource_spans in request.resource_spans:
        resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                attributes = {
                    a.key: getattr(a.value, a.value.WhichOneof("value") or "string_value")
                    for a in span.attributes
                }
                found.append(
                    ReceivedSpan(
                        service=resource.get("service.name", ""),
                        name=span.name,
                        trace_id=span.trace_id.hex(),
                        span_id=span.span_id.hex(),
                        parent_id=span.parent_span_id.hex(),
                        attributes=attributes,
                    )
                )
    return found


class SpanReceiver:
    """An OTLP/HTTP collector (protobuf) in the test process: keeps every span it is sent,
    from now until `close`."""

    def __init__(self) -> None:
        self.spans: list[ReceivedSpan] = []
        received = self.spans

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                received.extend(_spans_of(body))
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
