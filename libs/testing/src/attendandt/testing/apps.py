"""A domain service's app running inside the test's event loop, stopped cleanly after."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any, Protocol


class RunnableApp(Protocol):
    """What every service's app offers: `run(stop)` until stop is set, `started` once up."""

    started: asyncio.Event

    async def run(self, stop: asyncio.Event) -> None: ...


@contextlib.asynccontextmanager
async def running_app(app: Any) -> AsyncIterator[Any]:
    """Run `app` (a `RunnableApp`) until the block ends; a failed start raises at once."""
    stop = asyncio.Event()
    task = asyncio.create_task(app.run(stop))
    started = asyncio.create_task(app.started.wait())
    await asyncio.wait({task, started}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        task.result()
    try:
        yield app
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)
