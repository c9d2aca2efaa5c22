"""Helpers for tests that watch the simulator's WebSocket and webhooks."""

from __future__ import annotations

import asyncio
import json
from typing import Any


async def next_events(socket: Any, timeout: float = 5.0) -> list[dict[str, Any]]:
    message = await asyncio.wait_for(socket.recv(), timeout)
    events: list[dict[str, Any]] = json.loads(message)["Events"]
    return events


async def events_until(
    socket: Any, wanted: set[tuple[str, str]], timeout: float = 5.0
) -> list[dict[str, Any]]:
    """Every event received until each `(Type, Id)` in `wanted` has been seen."""
    seen: list[dict[str, Any]] = []
    while not wanted <= {(e["Type"], e["Id"]) for e in seen}:
        seen += await next_events(socket, timeout)
    return seen


async def wait_connections(mews_sim: Any, count: int) -> None:
    for _ in range(200):
        if mews_sim.control.ws_connections() == count:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("socket not registered")


def webhook_ids(bodies: list[dict[str, Any]], discriminator: str) -> set[str]:
    return {
        e["Value"]["Id"] for b in bodies for e in b["Events"] if e["Discriminator"] == discriminator
    }
