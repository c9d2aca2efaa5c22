"""Per-request context: the request id (taken from a well-formed `X-Request-ID` or made up),
a SERVER span continuing the caller's trace (`traceparent`), one log line per request, and
its duration in `attendandt_http_request_duration_seconds` by route template (never the
path itself: ids in it would make a series per guest).

The span makes the trace id appear in every log line of the request and travel to the
domain services in the NATS headers of each call; the request id is echoed in the response
header and in problem bodies. Never logged: the query string, headers, bodies (tokens and
passwords travel there).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar
from typing import Any

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from opentelemetry import propagate
from opentelemetry.trace import SpanKind

from attendandt.platform.metrics import HTTP_REQUEST_DURATION
from attendandt.platform.telemetry import tracer

log = logging.getLogger("attendandt.gateway.access")

REQUEST_ID_HEADER = "x-request-id"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
#: Methods kept as labels; any other a client invents counts as OTHER.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    return _request_id.get()


def _incoming_request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER.encode():
            text = value.decode("latin-1")
            if _REQUEST_ID.match(text):
                return text
    return uuid.uuid4().hex


class RequestContextMiddleware:
    """Plain ASGI middleware around the whole app (so unmatched routes are covered too)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope)
        token = _request_id.set(request_id)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        parent = propagate.extract(headers)
        method = str(scope.get("method", ""))
        path = scope["path"]
        started = time.perf_counter()
        status: dict[str, Any] = {"code": None}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                MutableScopeHeaders.from_message(message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            with tracer().start_as_current_span(
                f"{method} {path}",
                context=parent,
                kind=SpanKind.SERVER,
                attributes={"http.request.method": method, "url.path": path},
            ) as span:
                try:
                    await self.app(scope, receive, send_with_id)
                finally:
                    elapsed = time.perf_counter() - started
                    # Set by the router once a route matched; absent for a 404 or a 405.
                    route = str(scope.get("path_template") or "(unmatched)")
                    known = method if method in _METHODS else "OTHER"
                    HTTP_REQUEST_DURATION.labels(known, route, str(status["code"])).observe(elapsed)
                    if status["code"] is not None:
                        span.set_attribute("http.response.status_code", status["code"])
                        span.set_attribute("http.route", route)
                    log.info(
                        "%s %s %s",
                        method,
                        path,
                        status["code"],
                        extra={
                            "request_id": request_id,
                            "method": method,
                            "path": path,
                            "status": status["code"],
                            "duration_ms": round(elapsed * 1000, 2),
                        },
                    )
        finally:
            _request_id.reset(token)
