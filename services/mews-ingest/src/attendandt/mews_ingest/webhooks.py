"""HTTP edge of ingest: the Mews General Webhooks endpoint, health and readiness.

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
could not store is re-sent by Mews. A malformed body gets 400 and is kept as a dead letter
with the reason (its secrets masked: see platform.messaging).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

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
_PROBES = frozenset({"/healthz", "/readyz"})
_OUR_PATHS = _PROBES | {WEBHOOK_PATH}


class WebhookHandlers:
    """What the HTTP layer calls; the app provides it (plain Python, testable without HTTP)."""

    def __init__(
        self,
        secret: str | None,
        accept: Callable[[WebhookBatch], Awaitable[None]],
        reject: Callable[[bytes, str], Awaitable[None]],
        ready: Callable[[], Awaitable[dict[str, bool]]],
    ) -> None:
        self._secret_digest = hashlib.sha256(secret.encode()).digest() if secret else None
        self.accept = accept
        self.reject = reject
        self.ready = ready

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


def create_http_app(handlers: WebhookHandlers) -> Litestar:
    @post(WEBHOOK_PATH, status_code=202)
    async def receive(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
        if not handlers.authentic(_token_of(request)):
            client = request.client.host if request.client else "?"
            log.warning("webhook refused: missing or wrong token", extra={"client": client})
            return problem(401, "missing or wrong webhook token")
        body = await request.body()
        if len(body) > MAX_BODY:
            await handlers.reject(
                body[:KEPT_OF_OVERSIZED],
                f"webhook body larger than 4 MiB (its first {KEPT_OF_OVERSIZED} bytes kept)",
            )
            return problem(413, "webhook body larger than 4 MiB")
        try:
            parsed = parse_webhook(body, datetime.now(UTC))
        except MalformedInput as exc:
            await handlers.reject(body, str(exc))
            return problem(400, str(exc))
        if isinstance(parsed, IntegrationNotice):
            # Carries tokens (IntegrationCreated, ApiKeyCreated): acknowledged, never logged.
            log.info("integration webhook received", extra={"action": parsed.action})
            return Response({"accepted": 0, "action": parsed.action}, status_code=202)
        await handlers.accept(parsed)  # raises → 5xx → Mews re-sends later
        return Response(
            {"accepted": len(parsed.changes), "ignored": parsed.ignored}, status_code=202
        )

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

    # logging_config=None: the process's logging (platform.logging) stays as configured.
    return Litestar(
        route_handlers=[receive, healthz, readyz],
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
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )


def create_asgi_app(handlers: WebhookHandlers) -> ASGIApp:
    """What uvicorn serves: the endpoints inside their access log."""
    return AccessLog(create_http_app(handlers))
