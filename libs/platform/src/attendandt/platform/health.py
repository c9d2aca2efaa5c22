"""`/healthz` (the process is alive) and `/readyz` (its dependencies answer, its consumers
run), for probes.

A deliberately tiny HTTP server on asyncio streams: services that have no web framework
still get probes, and no request can block the event loop.

`ConsumerWatch` knows a process's consumer tasks (its own, and a FastStream broker's
subscribers). A consumer whose task ended, by an exception or by returning, takes no more
messages while the process looks alive: readiness fails at once, and `guard` stops the
process with `ConsumerEnded`, because `attendandt dev` restarts a child only when it exits
(Kubernetes would restart it on the failing probe too, but not as soon).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

log = logging.getLogger(__name__)

ReadinessCheck = Callable[[], Awaitable[dict[str, bool]]]

#: How often `ConsumerWatch.guard` looks at the tasks (a dead one is seen by readiness at
#: once; this only bounds how long the process lingers before exiting).
GUARD_INTERVAL_S = 1.0


class ConsumerEnded(RuntimeError):
    """A consumer's task ended while the process was serving: the process must restart."""


class ConsumerWatch:
    def __init__(self, interval_s: float = GUARD_INTERVAL_S) -> None:
        self.interval_s = interval_s
        self._tasks: dict[str, asyncio.Task[Any]] = {}
        self._brokers: list[Any] = []
        self.ended: list[str] = []

    def watch(self, name: str, task: asyncio.Task[Any]) -> asyncio.Task[Any]:
        self._tasks[name] = task
        return task

    def watch_broker(self, broker: Any) -> None:
        """Every subscriber of a started FastStream broker. Its pull subscribers each run a
        task (FastStream starts a new one after an exception, none after a cancel); core
        subscribers have none and are the connection's business."""
        self._brokers.append(broker)

    def dead(self) -> list[str]:
        names = [name for name, task in self._tasks.items() if task.done()]
        for broker in self._brokers:
            names += [
                _subscriber_name(subscriber)
                for subscriber in broker.subscribers
                if _ended(getattr(subscriber, "tasks", ()))
            ]
        return names

    def readiness(self) -> dict[str, bool]:
        return {"consumers": not self.dead()}

    async def guard(self, stop: asyncio.Event) -> None:
        """Until `stop`: once a consumer is dead, say so, record it and set `stop`; the app
        then raises `ConsumerEnded` from its `run` (`raise_if_ended`)."""
        while not stop.is_set():
            dead = self.dead()
            if dead:
                log.error("ALERT consumer ended; the process stops to be restarted",
                          extra={"consumers": dead})  # fmt: skip
                self.ended = dead
                stop.set()
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval_s)

    def raise_if_ended(self) -> None:
        if self.ended:
            raise ConsumerEnded(f"consumer ended: {', '.join(self.ended)}")


def _ended(tasks: Iterable[asyncio.Task[Any]]) -> bool:
    """A FastStream subscriber's tasks are over: the last one was cancelled or returned
    (one that raised is being replaced by FastStream's supervisor)."""
    last = list(tasks)[-1:]
    return bool(last) and last[0].done() and (last[0].cancelled() or last[0].exception() is None)


def _subscriber_name(subscriber: Any) -> str:
    config = getattr(subscriber, "config", None)
    durable = getattr(config, "durable_name", None)
    return str(durable or getattr(subscriber, "subject", subscriber))


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
