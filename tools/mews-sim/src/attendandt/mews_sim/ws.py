"""The Mews WebSocket (`/ws/connector`): cookie auth, `{"Events": [...]}` notifications.

Changes within one event-loop tick are sent as one message (at most `MAX_EVENTS` events), to
every socket whose token opens the enterprise: a portfolio token's socket hears every property
in its scope (events carry no EnterpriseId, as in Mews). Each socket has its own queue and
sender task, so a slow client never holds up the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from dataclasses import dataclass, field
from typing import Any

import msgspec
from litestar import WebSocket
from litestar.exceptions import WebSocketDisconnect

from attendandt.mews_sim.counters import Counters
from attendandt.mews_sim.store import Change, Store, TokenPair

MAX_EVENTS = 100
_CLOSE = object()


def parse_cookie_header(header: str) -> dict[str, str]:
    """Cookie pairs taken literally: `ClientToken = x` (spaces around `=`) is not a match,
    as the Mews handshake does not accept it either."""
    cookies: dict[str, str] = {}
    for part in header.split(";"):
        name, sep, value = part.lstrip(" ").partition("=")
        if sep:
            cookies[name] = value
    return cookies


def reservation_event(entity: dict[str, Any]) -> dict[str, Any]:
    return {
        "Type": "Reservation",
        "Id": entity["Id"],
        "State": entity["State"],
        "StartUtc": entity["StartUtc"],
        "EndUtc": entity["EndUtc"],
        "AssignedResourceId": entity["AssignedResourceId"],
    }


def resource_event(entity: dict[str, Any]) -> dict[str, Any]:
    return {"Type": "Resource", "Id": entity["Id"], "State": entity["State"]}


@dataclass
class Connection:
    id: int
    #: The enterprises its token opens (`TokenPair.enterprise_ids`), and its integration.
    enterprise_ids: tuple[str, ...]
    integration_id: str
    socket: WebSocket[Any, Any, Any]
    queue: asyncio.Queue[object] = field(default_factory=asyncio.Queue)


class WsHub:
    def __init__(self, counters: Counters) -> None:
        self.counters = counters
        self.connections: dict[int, Connection] = {}
        self.pending: dict[str, list[dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self._flush_scheduled = False

    def on_change(self, change: Change) -> None:
        if change.kind == "reservation":
            event = reservation_event(change.entity)
        elif change.kind == "resource":
            event = resource_event(change.entity)
        else:
            return
        for enterprise_id in change.enterprise_ids:
            self.pending.setdefault(enterprise_id, []).append(event)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self.flush)

    def flush(self) -> None:
        self._flush_scheduled = False
        pending, self.pending = self.pending, {}
        # Sockets of one scope share each encoded message (many sockets, few scopes).
        by_scope: dict[tuple[str, ...], list[Connection]] = {}
        for connection in self.connections.values():
            by_scope.setdefault(connection.enterprise_ids, []).append(connection)
        for scope, targets in by_scope.items():
            events = [event for e in scope for event in pending.get(e, ())]
            for start in range(0, len(events), MAX_EVENTS):
                chunk = events[start : start + MAX_EVENTS]
                message = msgspec.json.encode({"Events": chunk}).decode()
                for connection in targets:
                    connection.queue.put_nowait(message)
                    self.counters.ws_messages_sent += 1
                    self.counters.ws_events_sent += len(chunk)

    async def serve(self, socket: WebSocket[Any, Any, Any], token: TokenPair) -> None:
        await socket.accept()
        connection = Connection(next(self._ids), token.enterprise_ids, token.integration_id, socket)
        self.connections[connection.id] = connection
        sender = asyncio.create_task(self._send_loop(connection))
        try:
            # Mews documents no client messages; reading only tells us when the client leaves.
            while True:
                await socket.receive_data(mode="text")
        except (WebSocketDisconnect, RuntimeError, asyncio.CancelledError):
            pass
        finally:
            self.connections.pop(connection.id, None)
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await sender

    async def _send_loop(self, connection: Connection) -> None:
        while True:
            message = await connection.queue.get()
            if message is _CLOSE:
                with contextlib.suppress(Exception):
                    await connection.socket.close(code=self._close_code)
                return
            try:
                await connection.socket.send_text(str(message))
            except Exception:
                return

    _close_code = 1011

    def drop_all(self, code: int = 1011) -> int:
        """Close every socket now (a Mews-side disconnect)."""
        self._close_code = code
        count = 0
        for connection in list(self.connections.values()):
            connection.queue.put_nowait(_CLOSE)
            count += 1
        return count

    def drop_integration(self, integration_id: str, code: int = 1008) -> int:
        """Close the sockets opened with the integration's tokens (it no longer works)."""
        self._close_code = code
        targets = [c for c in self.connections.values() if c.integration_id == integration_id]
        for connection in targets:
            connection.queue.put_nowait(_CLOSE)
        return len(targets)


def attach(store: Store, hub: WsHub) -> None:
    store.listeners.append(hub.on_change)
