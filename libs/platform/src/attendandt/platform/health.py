"""`/healthz` (the process is alive) and `/readyz` (its dependencies answer, its consumers
run), for probes; `/metrics`, the process's Prometheus figures (`platform.metrics`).

A deliberately tiny HTTP server on asyncio streams: services that have no web framework
still get probes, and no request can block the event loop.

`ConsumerWatch` knows a process's consumer tasks. A consumer whose task ended, by an
exception or by returning, takes no more messages while the process looks alive: readiness
fails at once, and `guard` stops the process with `ConsumerEnded`, because `attendandt dev`
restarts a child only when it exits (Kubernetes would restart it on the failing probe too,
but not as soon). A consumer whose task runs but that is stuck while messages wait
(`stall.StallWatch`) is treated the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from nats.js import JetStreamContext

from attendandt.platform import metrics
from attendandt.platform.stall import STALL_S, StallWatch

log = logging.getLogger(__name__)

ReadinessCheck = Callable[[], Awaitable[dict[str, bool]]]


class ProbeServer(Protocol):
    """What answers a process's probes: a `HealthServer`, or a service's own HTTP server
    that serves `/healthz` and `/readyz` too (`platform.runtime` says when)."""

    @property
    def port(self) -> int: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


#: How often `ConsumerWatch.guard` looks at the tasks (a dead one is seen by readiness at
#: once; this only bounds how long the process lingers before exiting).
GUARD_INTERVAL_S = 1.0


class ConsumerEnded(RuntimeError):
    """A consumer's task ended while the process was serving: the process must restart."""


class ConsumerWatch:
    def __init__(self, interval_s: float = GUARD_INTERVAL_S, stall_s: float = STALL_S) -> None:
        self.interval_s = interval_s
        self._tasks: dict[str, asyncio.Task[Any]] = {}
        self.stall = StallWatch(stall_s)
        #: How often the guard asks the server whether a consumer is stuck (and so how
        #: fresh the consumer lag figures of `/metrics` are).
        self.stall_check_s = min(5.0, stall_s / 5)
        self.ended: list[str] = []

    def watch(
        self,
        name: str,
        task: asyncio.Task[Any],
        *,
        js: JetStreamContext | None = None,
        stream: str | None = None,
    ) -> asyncio.Task[Any]:
        """A consumer loop's task; with `js` and `stream`, `name` is its durable and is
        watched for a stall too."""
        self._tasks[name] = task
        if js is not None and stream is not None:
            self.stall.watch(js, stream, name)
        return task

    def dead(self) -> list[str]:
        names = [name for name, task in self._tasks.items() if task.done()]
        return names + [f"{name} (stuck)" for name in self.stall.stalled]

    def readiness(self) -> dict[str, bool]:
        # `ended`: the guard is stopping the process; its subscribers may already be gone.
        return {"consumers": not (self.ended or self.dead())}

    async def guard(self, stop: asyncio.Event) -> None:
        """Every `interval_s` until `stop` (the first look one interval after start): once a
        consumer is dead, say so, record it and set `stop`; the app then raises
        `ConsumerEnded` from its `run` (`raise_if_ended`)."""
        next_stall_check = 0.0
        loop = asyncio.get_running_loop()
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval_s)
            if stop.is_set():
                return
            if loop.time() >= next_stall_check:
                await self.stall.check()
                next_stall_check = loop.time() + self.stall_check_s
                if stop.is_set():
                    return  # a stop asked for while the server answered: the loops end now
            dead = self.dead()
            if dead:
                log.error("ALERT consumer ended or stuck; the process stops to be restarted",
                          extra={"consumers": dead})  # fmt: skip
                self.ended = dead
                stop.set()
                return

    def raise_if_ended(self) -> None:
        if self.ended:
            raise ConsumerEnded(f"consumer ended or stuck: {', '.join(self.ended)}")


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
        content_type = "application/json"
        payload: bytes | None = None
        try:
            body: dict[str, Any]
            request_line = await asyncio.wait_for(reader.readline(), 5)
            parts = request_line.decode("latin-1").split()
            path = parts[1].split("?", 1)[0] if len(parts) > 1 else "/"
            # The headers are read (and ignored): closing with unread input resets the
            # connection, and a scraper would lose the answer.
            while (await asyncio.wait_for(reader.readline(), 5)).strip():
                pass
            if path == "/metrics":
                status, body = 200, {}
                payload, content_type = metrics.exposition()
            elif path == "/healthz":
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
        except (TimeoutError, ConnectionError, UnicodeDecodeError, ValueError):
            status, body = 503, {"status": "not ready"}
        if payload is None:
            payload = json.dumps(body).encode()
        reason = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}[status]
        writer.write(
            f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode()
            + payload
        )
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        writer.close()
