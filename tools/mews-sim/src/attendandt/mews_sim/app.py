"""Composition: the Litestar app (Connector API, WebSocket, control API) behind a thin ASGI
layer that stamps a `Request-Id` on every response and can drop a connection on demand."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Litestar, Request, Response, WebSocket, post, websocket
from litestar.exceptions import HTTPException
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from attendandt.mews_sim import connector, integrations
from attendandt.mews_sim.control import control_router
from attendandt.mews_sim.errors import ApiError
from attendandt.mews_sim.state import Settings, SimState
from attendandt.mews_sim.ws import parse_cookie_header

SCOPE_KEY = "mews_sim"
MAX_BODY = 20 * 1024 * 1024


def _request_context(scope: Any) -> dict[str, Any]:
    holder = scope.get(SCOPE_KEY)
    if holder is None:
        holder = {"request_id": str(uuid.uuid4()), "drop": False}
        scope[SCOPE_KEY] = holder
    return holder  # type: ignore[no-any-return]


@post("/api/connector/v1/{rest:path}", status_code=200)
async def connector_endpoint(request: Request[Any, Any, Any], rest: str) -> Response[bytes]:
    holder = _request_context(request.scope)
    state: SimState = request.app.state.sim
    raw_path = request.scope.get("raw_path") or request.scope["path"].encode()
    path = raw_path.decode("latin-1") if isinstance(raw_path, bytes) else str(raw_path)
    body = await request.body()
    answer = await connector.handle(state, path, body, holder["request_id"])
    if answer.drop_connection:
        holder["drop"] = True
    return Response(
        answer.body,
        status_code=answer.status,
        media_type="application/json",
        headers=answer.headers,
    )


@websocket("/ws/connector")
async def websocket_endpoint(socket: WebSocket[Any, Any, Any]) -> None:
    state: SimState = socket.app.state.sim
    cookies = parse_cookie_header(socket.headers.get("cookie", ""))
    token = state.store.tokens.get(cookies.get("AccessToken", ""))
    if (
        token is None
        or token.client_token != cookies.get("ClientToken")
        or integrations.refusal(state.store, token) is not None
    ):
        # Closing before accepting refuses the handshake (HTTP 403).
        await socket.close(code=4001, reason="Invalid tokens")
        return
    await state.ws.serve(socket, token)


def _error_response(
    request: Request[Any, Any, Any],
    status: int,
    message: str,
    headers: dict[str, str] | None = None,
) -> Response[dict[str, str]]:
    holder = _request_context(request.scope)
    return Response(
        {"Message": message, "RequestId": holder["request_id"]},
        status_code=status,
        headers=headers or {},
        media_type="application/json",
    )


def api_error_handler(request: Request[Any, Any, Any], exc: ApiError) -> Response[dict[str, str]]:
    return _error_response(request, exc.status, exc.message, exc.headers)


def http_error_handler(
    request: Request[Any, Any, Any], exc: HTTPException
) -> Response[dict[str, str]]:
    status = exc.status_code
    messages = {404: "Not found.", 405: "Method not allowed.", 413: "Request too large."}
    message = messages.get(status) or (
        str(exc.detail) if status < 500 else "Internal server error."
    )
    if status == 405:
        # Mews answers wrong methods like an unknown address.
        status = 404
    return _error_response(request, status, message)


def unexpected_error_handler(
    request: Request[Any, Any, Any], exc: Exception
) -> Response[dict[str, str]]:
    return _error_response(request, 500, "Internal server error.")


class RequestIdLayer:
    """Outermost ASGI layer: the `Request-Id` header, and dropping a connection on demand."""

    def __init__(self, app: ASGIApp, state: SimState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # type: ignore[comparison-overlap]
            await self.app(scope, receive, send)
            return
        holder = _request_context(scope)

        async def send_with_id(message: Message) -> None:
            if holder["drop"]:
                if message["type"] == "http.response.start":
                    _close_transport(send)
                return
            if message["type"] == "http.response.start":
                headers = [
                    *message.get("headers", []),
                    (b"request-id", holder["request_id"].encode()),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_id)


def _close_transport(send: Send) -> None:
    # uvicorn hands the app a bound method of its per-request cycle, which owns the transport.
    # Closing it looks to the client exactly like Mews dropping the connection.
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is not None:
        transport.close()


def create_app(settings: Settings | None = None) -> RequestIdLayer:
    state = SimState(settings or Settings())

    async def on_shutdown() -> None:
        await state.webhooks.close()
        state.ws.drop_all(1001)

    litestar_app = Litestar(
        route_handlers=[connector_endpoint, websocket_endpoint, control_router],
        exception_handlers={
            ApiError: api_error_handler,
            HTTPException: http_error_handler,
            Exception: unexpected_error_handler,
        },
        on_shutdown=[on_shutdown],
        request_max_body_size=MAX_BODY,
        openapi_config=None,
        debug=False,
    )
    litestar_app.state.sim = state
    return RequestIdLayer(litestar_app, state)
