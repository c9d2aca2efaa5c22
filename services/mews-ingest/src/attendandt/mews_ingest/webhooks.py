"""HTTP edge of ingest: the Mews General Webhooks endpoint, health and readiness.

A delivery is answered 2xx only once its changes are stored in JetStream, so a delivery we
could not store is re-sent by Mews. The shared secret is part of the path: a wrong secret
gets 404 (nothing to learn about the endpoint) and publishes nothing; a malformed body gets
400 and is kept as a dead letter with the reason.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from litestar import Litestar, Request, get, post
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import FromPath
from litestar.response import Response

from attendandt.mews_ingest.normalize import (
    IntegrationNotice,
    MalformedInput,
    WebhookBatch,
    parse_webhook,
)

log = logging.getLogger(__name__)

MAX_BODY = 4 * 1024 * 1024


class WebhookHandlers:
    """What the HTTP layer calls; the app provides it (plain Python, testable without HTTP)."""

    def __init__(
        self,
        secret: str | None,
        accept: Callable[[WebhookBatch], Awaitable[None]],
        reject: Callable[[bytes, str], Awaitable[None]],
        ready: Callable[[], Awaitable[dict[str, bool]]],
    ) -> None:
        self.secret = secret
        self.accept = accept
        self.reject = reject
        self.ready = ready


def create_http_app(handlers: WebhookHandlers) -> Litestar:
    @post("/webhooks/mews/{secret:str}", status_code=202)
    async def receive(secret: FromPath[str], request: Request[Any, Any, Any]) -> dict[str, Any]:
        expected = handlers.secret
        if expected is None or not hmac.compare_digest(secret.encode(), expected.encode()):
            raise NotFoundException()
        body = await request.body()
        if len(body) > MAX_BODY:
            await handlers.reject(body[:MAX_BODY], "webhook body larger than 4 MiB (truncated)")
            raise HTTPException(status_code=413, detail="body too large")
        try:
            parsed = parse_webhook(body, datetime.now(UTC))
        except MalformedInput as exc:
            await handlers.reject(body, str(exc))
            raise HTTPException(status_code=400, detail=str(exc)) from exc
        if isinstance(parsed, IntegrationNotice):
            # Carries tokens (IntegrationCreated, ApiKeyCreated): acknowledged, never logged.
            log.info("integration webhook received", extra={"action": parsed.action})
            return {"accepted": 0, "action": parsed.action}
        await handlers.accept(parsed)  # raises → 5xx → Mews re-sends later
        return {"accepted": len(parsed.changes), "ignored": parsed.ignored}

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
