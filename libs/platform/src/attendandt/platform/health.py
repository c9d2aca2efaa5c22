"""`/healthz` (the process is alive) and `/readyz` (its dependencies answer), for probes.

A deliberately tiny HTTP server on asyncio streams: services that have no web framework
still get probes, and no request can block the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

ReadinessCheck = Callable[[], Awaitable[dict[str, bool]]]


class HealthServer:
    def __init__(self, ready: ReadinessCheck, host: str = "127.0.0.1", port: int = 0) -> None:
        self._ready = ready
        self._host = host
        self._port = port
        self._server: asyncio.Server | None = None

    @property
    def port(self) -> int:
        assert self._server is not None
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, self._host, self._port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            body: dict[str, Any]
            request_line = await asyncio.wait_for(reader.readline(), 5)
            parts = request_line.decode("latin-1").split()
            path = parts[1] if len(parts) > 1 else "/"
            if path == "/healthz":
                status, body = 200, {"status": "ok"}
            elif path == "/readyz":
                checks = await asyncio.wait_for(self._ready(), 5)
                ok = all(checks.values())
                status, body = (
                    (200 if ok else 503),
                    {"status": "ready" if ok else "not ready", **checks},
                )
            else:
                status, body = 404, {"status": "not found"}
        except (TimeoutError, ConnectionError, UnicodeDecodeError):
            status, body = 503, {"status": "not ready"}
        payload = json.dumps(body).encode()
        reason = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}[status]
        writer.write(
            f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode()
            + payload
        )
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        writer.close()
