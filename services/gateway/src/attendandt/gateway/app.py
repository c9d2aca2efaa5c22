"""The composition root: `create_app(settings)` → a `GatewayApp` with the Litestar app
(routes, auth, RBAC, problems, OpenAPI) and the ASGI app uvicorn serves (the Litestar app
inside the request context: request id, trace span, access log)."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from litestar import Litestar, Router, get
from litestar.config.cors import CORSConfig
from litestar.datastructures import MutableScopeHeaders
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.response import Response
from litestar.types import ASGIApp, Message, Scope

from attendandt.gateway.auth import AuthMiddleware, TokenVerifier
from attendandt.gateway.backend import Backend
from attendandt.gateway.clients import ClientResolver, ForwardedClientMiddleware
from attendandt.gateway.context import RequestContextMiddleware
from attendandt.gateway.permissions import permission_guard
from attendandt.gateway.problems import EXCEPTION_HANDLERS
from attendandt.gateway.routes.auth import auth_router
from attendandt.gateway.routes.billing import billing_router
from attendandt.gateway.routes.catalogue import catalogue_router
from attendandt.gateway.routes.companies import companies_router
from attendandt.gateway.routes.edits import edits_router
from attendandt.gateway.routes.events import events_router
from attendandt.gateway.routes.guests import guests_router
from attendandt.gateway.routes.privacy import privacy_router
from attendandt.gateway.routes.properties import properties_router
from attendandt.gateway.routes.stays import stays_router
from attendandt.gateway.routes.sync import sync_router
from attendandt.gateway.routes.users import users_router
from attendandt.gateway.routes.vendors import vendors_router
from attendandt.gateway.routes.web import web_router
from attendandt.gateway.settings import GatewaySettings
from attendandt.platform.health import HealthServer

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"

#: The web app's policy: its own origin only; the API docs page needs its CDN as well.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src 'self' data: https://fonts.gstatic.com https://cdn.jsdelivr.net; "
    "img-src 'self' data: https:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


async def security_headers(message: Message, scope: Scope) -> None:
    """On every response, matched route or not (a `before_send` hook)."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in SECURITY_HEADERS.items():
        headers[name] = value
    headers["content-security-policy"] = DOCS_CSP if scope["path"].startswith("/schema") else CSP
    if scope.get("scheme") == "https":
        headers["strict-transport-security"] = "max-age=63072000; includeSubDomains"
    if scope["path"].startswith(API_PREFIX):
        headers.setdefault("cache-control", "no-store")


@dataclass
class GatewayApp:
    settings: GatewaySettings
    backend: Backend
    litestar: Litestar
    #: What uvicorn serves: `litestar` inside the request context middleware.
    asgi: ASGIApp
    #: Probes and `/metrics` on their own port (`HEALTH_PORT`), when one is set.
    health: HealthServer | None = None


def create_app(
    settings: GatewaySettings,
    *,
    verifier: TokenVerifier | None = None,
    clock: Callable[[], float] = time.time,
) -> GatewayApp:
    """`clock`: wall-clock seconds of the sign-in limits (tests drive windows through it)."""
    backend = Backend(settings, verifier, clock=clock)
    health = (
        HealthServer(backend.ready, settings.health_host, settings.health_port)
        if settings.health_port is not None
        else None
    )

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await backend.start()
        if health is not None:
            await health.start()
        log.info("gateway started", extra={"nats": _safe_url(settings.nats.url)})
        try:
            yield
        finally:
            if health is not None:
                await health.stop()
            await backend.stop()

    @get("/healthz", include_in_schema=False, opt={"public": True})
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @get("/readyz", include_in_schema=False, opt={"public": True})
    async def readyz() -> Response[dict[str, Any]]:
        checks = await backend.ready()
        ok = all(checks.values())
        return Response(
            {"status": "ready" if ok else "not ready", **checks}, status_code=200 if ok else 503
        )

    api_limit = RateLimitConfig(
        rate_limit=("minute", settings.rate_limits.api_per_minute),
        # The event stream is one long request: not counted against the per-minute budget.
        # Sign-in has its own, stricter limit (auth_router), whose headers must not be
        # overwritten by this one's.
        exclude=[rf"^{API_PREFIX}/events$", rf"^{API_PREFIX}/auth/(?!me$)"],
    )
    resolver = ClientResolver(settings.forwarded_allow, settings.forwarded_header)
    api = Router(
        path=API_PREFIX,
        route_handlers=[
            auth_router,
            guests_router,
            edits_router,
            stays_router,
            privacy_router,
            properties_router,
            vendors_router,
            billing_router,
            companies_router,
            users_router,
            sync_router,
            events_router,
            catalogue_router,
        ],
        middleware=[
            api_limit.middleware,
            DefineMiddleware(AuthMiddleware, authenticator=lambda: backend.authenticator),
        ],
        guards=[permission_guard],
    )
    handlers: list[Any] = [api, healthz, readyz]
    if settings.web_dist is not None and (settings.web_dist / "index.html").is_file():
        handlers.append(web_router(settings.web_dist))
    elif settings.web_dist is not None:
        log.info("no web app build at %s: serving the API only", settings.web_dist)

    litestar = Litestar(
        route_handlers=handlers,
        dependencies={"backend": Provide(lambda: backend, sync_to_thread=False)},
        lifespan=[lifespan],
        exception_handlers=EXCEPTION_HANDLERS,
        before_send=[security_headers],
        cors_config=CORSConfig(
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "Idempotency-Key",
                "Last-Event-ID",
                "X-Request-ID",
            ],
            expose_headers=[
                "X-Request-ID",
                "RateLimit-Limit",
                "RateLimit-Remaining",
                "RateLimit-Reset",
                "Retry-After",
            ],
            allow_credentials=False,
            max_age=600,
        )
        if settings.cors_origins
        else None,
        openapi_config=OpenAPIConfig(
            title="Attendandt API",
            version="1.0.0",
            description="Guests, stays, vendors, bookings and charges of the Attendandt "
            "platform. Errors are RFC 9457 problem details.",
            path="/schema",
            render_plugins=[ScalarRenderPlugin(path="/")],
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(
                        type="http",
                        scheme="bearer",
                        bearer_format="JWT",
                        description="A gateway access token (POST /api/v1/auth/login) or a "
                        "Supabase-compatible JWT.",
                    )
                }
            ),
            use_handler_docstrings=True,
        ),
        # The platform's logging (configure_logging), not Litestar's own handlers.
        logging_config=None,
        debug=False,
    )
    # Outermost: everything inside (limits, audit, access log) sees the resolved client.
    asgi = ForwardedClientMiddleware(RequestContextMiddleware(litestar), resolver)
    return GatewayApp(settings, backend, litestar, asgi, health)


def _safe_url(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}"
