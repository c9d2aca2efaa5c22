"""A Mews client whose AccessToken can be replaced while others hold it (`HandoverClient`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import Any, TypeVar

import httpx
import msgspec

from .errors import MewsConnectionError
from .operations import MewsClient

log = logging.getLogger(__name__)

T = TypeVar("T")


def _unused(request: httpx.Request) -> httpx.Response:
    raise RuntimeError("a HandoverClient sends through its current client only")


class HandoverClient(MewsClient):
    """One property's Mews client whose AccessToken can change under the objects holding it
    (a property onboarded through Integration Webhooks gets new keys): every call goes to the
    client of the current token (`current`); `switch` hands the next calls to another one and
    closes the old one once its calls in flight are over. Closed, it refuses every call (not
    sent)."""

    def __init__(self, first: MewsClient) -> None:
        super().__init__(
            first.credentials,
            environment=first.environment,
            client_name=first.client_name,
            limiter=first.limiter,
            retry=first.retry_policy,
            page_size=first.page_size,
            max_interval_months=first.max_interval_months,
            transport=httpx.MockTransport(_unused),  # never used: calls go to `current`
        )
        self.current = first
        self.closed = False
        self._in_flight: dict[MewsClient, int] = {}
        self._retired: list[MewsClient] = []
        #: Set while no call is under way.
        self._idle = asyncio.Event()
        self._idle.set()

    async def call(
        self,
        operation: str,
        request: msgspec.Struct | None,
        response_type: type[T],
        *,
        write: bool = False,
        extra: Mapping[str, Any] | None = None,
    ) -> T:
        if self.closed:
            raise MewsConnectionError(
                "the property is not served here any more (its Mews client is closed)",
                operation=operation,
            )
        client = self.current
        self._in_flight[client] = self._in_flight.get(client, 0) + 1
        self._idle.clear()
        try:
            return await client.call(operation, request, response_type, write=write, extra=extra)
        finally:
            left = self._in_flight[client] - 1
            if left:
                self._in_flight[client] = left
            else:
                del self._in_flight[client]
                if not self._in_flight:
                    self._idle.set()
                if any(client is retired for retired in self._retired):
                    self._retired = [c for c in self._retired if c is not client]
                    await _close(client)

    def in_flight(self, client: MewsClient | None = None) -> int:
        """Calls under way on `client`, or on every client of this property."""
        if client is not None:
            return self._in_flight.get(client, 0)
        return sum(self._in_flight.values())

    async def switch(self, fresh: MewsClient) -> None:
        """From now on calls go to `fresh`; the client they went to so far is closed as soon
        as nothing uses it."""
        old = self.current
        self.current = fresh
        self.credentials = fresh.credentials
        self.limiter = fresh.limiter
        if self._in_flight.get(old):
            self._retired.append(old)
        else:
            await _close(old)

    async def shut(self, grace_s: float) -> None:
        """Refuse new calls at once, give those under way up to `grace_s` to end, close."""
        self.closed = True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), grace_s)
        await self.aclose()

    async def aclose(self) -> None:
        self.closed = True
        for client in [self.current, *self._retired]:
            await _close(client)
        self._retired = []
        await super().aclose()


async def _close(client: MewsClient) -> None:
    try:
        await client.aclose()
    except Exception:
        log.warning("closing a Mews client failed", exc_info=True)
