"""Waiting in tests for something real and asynchronous (a consumer, a service) to happen."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any


async def eventually(
    check: Callable[[], Any | Awaitable[Any]],
    *,
    timeout: float = 10.0,
    what: str = "condition",
    interval: float = 0.05,
) -> Any:
    """Poll `check` (plain or async) until it returns something truthy, and return that;
    fail after `timeout` seconds with `what` in the message."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = check()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result
        if loop.time() > deadline:
            raise AssertionError(
                f"timed out after {timeout}s waiting for {what} (last: {result!r})"
            )
        await asyncio.sleep(interval)
