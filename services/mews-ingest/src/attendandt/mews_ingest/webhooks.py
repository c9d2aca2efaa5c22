"""HTTP edge of ingest: the Mews General Webhooks endpoint, health, readiness and metrics,
on one port (`WebhookServer`, which answers the process's probes in place of a
`HealthServer`: `platform.runtime`).

How Mews proves it is Mews. Mews sends webhooks as a plain `POST` with a JSON body to the
one URL its support registered: no special headers, no payload signature (no HMAC). The
only mechanism its docs offer ("Webhooks FAQ: How can I authenticate Mews?") is a shared
secret token that Mews adds to the registered URL as a query parameter:
`https://<host>/webhooks/mews?Token=<secret>`. So that is what we take: the secret comes in
the `Token` query parameter (the name matched case-insensitively), never in the path, and:

- it is compared in constant time (`hmac.compare_digest` over SHA-256 digests, so not even
  its length leaks through timing);
- a missing or wrong secret is 401 with a problem body, before the body is even read:
  nothing is published and nothing is dead-lettered;
- it is never logged: the access log here writes the path only (never the query string),
  uvicorn's own access log is off, a path that is not ours (e.g. the old
  `/webhooks/mews/<secret>` form, which is gone) is logged as `(other path)`, and the
  simulator and `make run` keep it out of their output too. Log formatters mask
  `token=...` as well, as a second line of defence.

A delivery is answered 2xx only once its changes are stored in JetStream, so a delivery we
could not store (503) is re-sent by Mews. Whatever else arrives gets a 4xx with a problem
body, one log line and a dead letter with the reason (its secrets masked, at most
KEPT_OF_OVERSIZED bytes of the body): a body larger than MAX_BODY is 413, refused while it is
read (never read whole); anything that is not the documented shape (not JSON, not UTF-8,
nested deeper than the decoder goes, wrong types, ids that are not ids) is 400. Never a 500:
Mews re-sends those, and a hostile body would be re-sent forever.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

import uvicorn
from litestar import Litestar, Request, get, post
from litestar.enums import ScopeType
from litestar.response import Response
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from attendandt.mews_ingest.normalize import (
    IntegrationNotice,
    MalformedInput,
    WebhookBatch,
    parse_webhook,
)
from attendandt.mews_ingest.onboarding import IncompleteNotice, NoTokenKey, UnknownIntegration
from attendandt.platform import metrics

log = logging.getLogger(__name__)
access_log = logging.getLogger("attendandt.mews_ingest.access")

MAX_BODY = 4 * 1024 * 1024
#: How much of an oversized body its dead letter keeps: the letter must fit in one NATS
#: message (1 MiB by default, and the body goes base64 in JSON).
KEPT_OF_OVERSIZED = 64 * 1024
WEBHOOK_PATH = "/webhooks/mews"
#: The query parameter Mews puts the agreed secret in (its docs spell it `Token`).
TOKEN_PARAM = "token"  # noqa: S105 - a parameter name, not a secret
PROBLEM_MEDIA_TYPE = "application/problem+json"
_PROBES = frozenset({"/healthz", "/readyz", "/metrics"})
_OUR_PATHS = _PROBES | {WEBHOOK_PATH}


class WebhookHandlers:
    """What the HTTP layer calls; the app provides it (plain Python, testable without HTTP)."""

    def __init__(
        self,
        secret: str | None,
        accept: Callable[[WebhookBatch], Awaitable[None]],
        reject: Callable[[bytes, str], Awaitable[None]],
        ready: Callable[[], Awaitable[dict[str, bool]]],
        onboard: Callable[[IntegrationNotice], Awaitable[None]],
    ) -> None:
        self._secret_digest = hashlib.sha256(secret.encode()).digest() if secret else None
        self.accept = accept
        self.reject = reject
        self.ready = ready
        self.onboard = onboard

    def authentic(self, given: str | None) -> bool:
        """Whether `given` is the shared secret, in time independent of both values."""
        if self._secret_digest is None or given is None:
            return False
        return hmac.compare_digest(hashlib.sha256(given.encode()).digest(), self._secret_digest)


def problem(status: int, detail: str) -> Response[dict[str, Any]]:
    """An RFC 9457 problem body."""
    return Response(
        {
            "type": "about:blank",
            "title": HTTPStatus(status).phrase,
            "status": status,
            "detail": detail,
        },
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
    )


def _token_of(request: Request[Any, Any, Any]) -> str | None:
    """The secret Mews added to the URL (`?Token=...`); None when absent or given twice."""
    values = [v for k, v in request.query_params.multi_items() if k.lower() == TOKEN_PARAM]
    return values[0] if len(values) == 1 else None


class _Disconnected(Exception):
    """The sender went away before its body was whole: nobody is left to answer."""


def _declared_length(request: Request[Any, Any, Any]) -> int | None:
    raw = request.headers.get("content-length")
    return int(raw) if raw is not None and raw.isdigit() and len(raw) < 20 else None


async def _read_capped(request: Request[Any, Any, Any]) -> tuple[bytes, bool]:
    """The body, read chunk by chunk and never beyond MAX_BODY: (body, False), or (its first
    KEPT_OF_OVERSIZED bytes, True) once it is larger. A declared length above the cap stops
    the reading at the kept prefix; the rest is never read."""
    declared = _declared_length(request)
    limit = KEPT_OF_OVERSIZED if declared is not None and declared > MAX_BODY else MAX_BODY
    chunks: list[bytes] = []
    total = 0
    while True:
        event = await request.receive()
        if event["type"] == "http.disconnect":
            raise _Disconnected
        if event["type"] != "http.request":
            continue
        chunk = event.get("body", b"")
        if chunk:
            chunks.append(chunk)
            total += len(chunk)
        if total > limit or (limit == KEPT_OF_OVERSIZED and total >= limit):
            return b"".join(chunks)[:KEPT_OF_OVERSIZED], True
        if not event.get("more_body", False):
            body = b"".join(chunks)
            if declared is not None and declared > MAX_BODY:
                return body[:KEPT_OF_OVERSIZED], True
            return body, False


def create_http_app(handlers: WebhookHandlers) -> Litestar:
    async def refuse(status: int, kept: bytes, reason: str) -> Response[dict[str, Any]]:
        """4xx with a problem body, one log line (the reason: never the body, never the
        token) and a dead letter keeping at most KEPT_OF_OVERSIZED bytes of the body, so the
        letter always fits in one NATS message. A dead letter that cannot be stored does
        not turn a bad body into a 5xx (Mews would only send it again): it is logged."""
        log.warning("webhook refused (%d): %s", status, reason, extra={"status": status})
        try:
            await handlers.reject(kept[:KEPT_OF_OVERSIZED], reason)
        except Exception as exc:
            log.warning("webhook dead letter not stored: %s", type(exc).__name__)
        return problem(status, reason)

    @post(WEBHOOK_PATH, status_code=202, request_max_body_size=None)
    async def receive(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
        if not handlers.authentic(_token_of(request)):
            client = request.client.host if request.client else "?"
            log.warning("webhook refused: missing or wrong token", extra={"client": client})
            return problem(401, "missing or wrong webhook token")
        try:
            body, oversized = await _read_capped(request)
        except _Disconnected:
            log.warning("webhook sender disconnected before its body was whole")
            return problem(400, "body incomplete: the connection closed")
        if oversized:
            return await refuse(
                413,
                body,
                f"webhook body larger than {MAX_BODY // (1024 * 1024)} MiB "
                f"(its first {len(body)} bytes kept)",
            )
        return await deliver(body)

    async def deliver(body: bytes) -> Response[dict[str, Any]]:
        try:
            parsed = parse_webhook(body, datetime.now(UTC))
        except MalformedInput as exc:
            return await refuse(400, body, str(exc))
        if isinstance(parsed, IntegrationNotice):
            return await integration(parsed, body)
        try:
            await handlers.accept(parsed)
        except Exception as exc:
            # Not stored: a 503 makes Mews send it again later (never a bare 500).
            log.warning("webhook not stored, the sender will retry: %s", type(exc).__name__)
            return problem(503, "the delivery could not be stored; send it again later")
        return Response(
            {"accepted": len(parsed.changes), "ignored": parsed.ignored}, status_code=202
        )

    async def integration(notice: IntegrationNotice, body: bytes) -> Response[dict[str, Any]]:
        """An Integration Webhook: 2xx once its entry is stored. It carries tokens
        (IntegrationCreated, ApiKeyCreated): never logged, masked in its dead letter."""
        log.info("integration webhook received", extra={"action": notice.action})
        try:
            await handlers.onboard(notice)
        except UnknownIntegration as exc:
            return await refuse(409, body, str(exc))
        except IncompleteNotice as exc:
            return await refuse(400, body, str(exc))
        except NoTokenKey as exc:
            log.error("%s", exc)  # noqa: TRY400 - the reason is the message, no traceback
            return problem(503, str(exc))
        except Exception as exc:
            log.warning(
                "integration webhook not stored, the sender will retry: %s", type(exc).__name__
            )
            return problem(503, "the integration could not be stored; send it again later")
        return Response({"accepted": 1, "action": notice.action}, status_code=202)

    @get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @get("/readyz")
    async def readyz() -> Response[dict[str, Any]]:
        checks = await handlers.ready()
        ok = all(checks.values())
        return Response(
            {"status": "ready" if ok else "not ready", **checks}, status_code=200 if ok else 503
        )

    @get("/metrics")
    async def prometheus() -> Response[bytes]:
        body, content_type = metrics.exposition()
        return Response(body, media_type=content_type)

    # logging_config=None: the process's logging (platform.logging) stays as configured.
    return Litestar(
        route_handlers=[receive, healthz, readyz, prometheus],
        openapi_config=None,
        logging_config=None,
        debug=False,
    )


class AccessLog:
    """One log line per request: method, path, status, duration. Never the query string
    (the webhook secret is there), headers or bodies; a path that is not one of ours is
    written as `(other path)`, since a caller may put anything in it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: list[int] = []

        async def record(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            path = scope["path"] if scope["path"] in _OUR_PATHS else "(other path)"
            method = str(scope.get("method", ""))
            code = status[0] if status else None
            elapsed = time.perf_counter() - started
            metrics.HTTP_REQUEST_DURATION.labels(
                method if method in ("GET", "POST") else "OTHER", path, str(code)
            ).observe(elapsed)
            access_log.log(
                logging.DEBUG if path in _PROBES else logging.INFO,
                "%s %s %s",
                method,
                path,
                code,
                extra={
                    "method": method,
                    "path": path,
                    "status": code,
                    "duration_ms": round(elapsed * 1000, 2),
                },
            )


def create_asgi_app(handlers: WebhookHandlers) -> ASGIApp:
    """What uvicorn serves: the endpoints inside their access log."""
    return AccessLog(create_http_app(handlers))


class WebhookServer:
    """uvicorn serving the edge (`create_asgi_app`), started and stopped like a
    `platform.health.HealthServer`, whose place it takes: it listens from the first moment
    of the process (before NATS and Mews answer) until the connection is closed. Deliveries
    stop being taken earlier, at intake stop (`LiveIntake.take_webhooks`)."""

    def __init__(self, app: ASGIApp, host: str, port: int) -> None:
        self.host = host
        self.server = uvicorn.Server(
            uvicorn.Config(
                app,
                host=host,
                port=port,
                log_level="warning",
                # The platform's (redacting) logging, and our access log instead of
                # uvicorn's, which would write the query string and with it the secret.
                log_config=None,
                access_log=False,
                lifespan="off",
                timeout_graceful_shutdown=5,
            )
        )
        self._ticking: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        port: int = self.server.servers[0].sockets[0].getsockname()[1]
        return port

    async def start(self) -> None:
        """Listen (an error if the port cannot be had). Not `Server.serve`: that takes over
        the process's signals, which are the process's own (`__main__`)."""
        server = self.server
        config = server.config
        if not config.loaded:
            config.load()
        server.lifespan = config.lifespan_class(config)
        try:
            await server.startup()
        except SystemExit as exc:  # how uvicorn says it cannot listen
            raise OSError(f"cannot listen on {self.host}:{config.port}") from exc
        self._ticking = asyncio.create_task(server.main_loop(), name="http")

    async def stop(self) -> None:
        if self._ticking is None:
            return
        self.server.should_exit = True
        await self._ticking
        await self.server.shutdown()
