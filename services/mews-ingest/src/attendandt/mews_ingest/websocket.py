"""The Mews WebSocket of one AccessToken: connect, read, detect a dead link, reconnect.

Mews documents no heartbeat, idle timeout or close codes, so liveness is ours: after
`idle_s` without a frame we ping, and a missing pong within `pong_timeout_s` means the link
is dead. Reconnects back off exponentially with full jitter (many properties must not
reconnect in lock-step after a Mews restart). Every successful connect calls
`on_connected`, which triggers a catch-up sweep: the socket has no replay.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable

import websockets
from websockets.asyncio.client import ClientConnection

from attendandt.mews import Credentials

log = logging.getLogger(__name__)

FrameHandler = Callable[[str | bytes], Awaitable[None]]
Notify = Callable[[], Awaitable[None]]


def cookie_header(credentials: Credentials) -> str:
    # No spaces around "=": Mews's handshake rejects them.
    return f"ClientToken={credentials.client_token}; AccessToken={credentials.access_token}"


class EnterpriseSocket:
    def __init__(
        self,
        url: str,
        credentials: Credentials,
        *,
        on_frame: FrameHandler,
        on_connected: Notify,
        on_disconnected: Notify,
        idle_s: float = 30.0,
        pong_timeout_s: float = 10.0,
        backoff_initial_s: float = 0.5,
        backoff_max_s: float = 30.0,
    ) -> None:
        self.url = url
        self.credentials = credentials
        self.on_frame = on_frame
        self.on_connected = on_connected
        self.on_disconnected = on_disconnected
        self.idle_s = idle_s
        self.pong_timeout_s = pong_timeout_s
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self.connects = 0

    async def run(self, stop: asyncio.Event) -> None:
        failures = 0
        while not stop.is_set():
            try:
                async with websockets.connect(
                    self.url,
                    additional_headers={"Cookie": cookie_header(self.credentials)},
                    ping_interval=None,  # our own idle ping below
                    open_timeout=10,
                    close_timeout=1,  # a dead link never answers the close handshake
                    max_size=16 * 1024 * 1024,
                ) as ws:
                    failures = 0
                    self.connects += 1
                    await self.on_connected()
                    await self._read(ws, stop)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("mews websocket lost: %s", _describe(exc))
            with contextlib.suppress(Exception):
                await self.on_disconnected()
            if stop.is_set():
                break
            failures += 1
            delay = random.uniform(0, min(self.backoff_max_s, self.backoff_initial_s * 2**failures))  # noqa: S311
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)

    async def _read(self, ws: ClientConnection, stop: asyncio.Event) -> None:
        stopping: asyncio.Future[object] = asyncio.ensure_future(stop.wait())
        # One recv at a time: after an idle ping the pending recv is kept, not replaced.
        receive: asyncio.Future[object] = asyncio.ensure_future(ws.recv())
        try:
            while True:
                done, _ = await asyncio.wait(
                    {receive, stopping}, timeout=self.idle_s, return_when=asyncio.FIRST_COMPLETED
                )
                if receive in done:
                    frame = receive.result()  # raises ConnectionClosed → reconnect
                    assert isinstance(frame, str | bytes)
                    await self.on_frame(frame)
                    receive = asyncio.ensure_future(ws.recv())
                elif stopping in done:
                    await ws.close()
                    return
                else:
                    pong = await ws.ping()
                    await asyncio.wait_for(pong, self.pong_timeout_s)  # TimeoutError → reconnect
        finally:
            stopping.cancel()
            receive.cancel()
            with contextlib.suppress(BaseException):
                await receive  # consumed: no "exception never retrieved" on a dead link


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]
