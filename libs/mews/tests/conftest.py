"""Fixtures for tests against the Mews simulator (its `mews_sim` fixture comes from its plugin)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from attendandt.mews import Credentials, MewsClient, RetryPolicy, UnlimitedLimiter

FAST_RETRIES = RetryPolicy(max_attempts=4, backoff_initial=0.05, backoff_max=0.5, jitter=0.05)


class RecordingLimiter:
    """Lets everything through and remembers what the client told it."""

    def __init__(self) -> None:
        self.acquired: list[bool] = []
        self.limited: list[float | None] = []

    async def acquire(self, *, write: bool = False) -> None:
        self.acquired.append(write)

    async def on_rate_limited(self, retry_after: float | None) -> None:
        self.limited.append(retry_after)


def sim_credentials(sim: Any, enterprise: str = "gross") -> Credentials:
    token = getattr(sim, enterprise).token
    return Credentials(token.client_token, token.access_token, token.label)


def sim_client(sim: Any, **options: Any) -> MewsClient:
    options.setdefault("limiter", UnlimitedLimiter())
    options.setdefault("retry", FAST_RETRIES)
    options.setdefault("timeout", httpx.Timeout(10.0))
    return MewsClient(
        sim_credentials(sim),
        environment=sim.base_url,
        client_name="Attendandt mews tests 1.0",
        **options,
    )


def requests_to(sim: Any, operation: str) -> int:
    return int(sim.control.counters()["requests_by_path"].get(operation, 0))


@pytest.fixture
def make_sim_client(mews_sim: Any) -> Callable[..., MewsClient]:
    """A client for the simulator's Gross enterprise; keyword arguments override defaults."""

    def make(**options: Any) -> MewsClient:
        return sim_client(mews_sim, **options)

    return make


@pytest.fixture
def sim_requests(mews_sim: Any) -> Callable[[str], int]:
    """How many requests the simulator received for an operation (e.g. ``"orders/add"``)."""

    def count(operation: str) -> int:
        return requests_to(mews_sim, operation)

    return count


@pytest.fixture
async def mews(mews_sim: Any) -> AsyncIterator[MewsClient]:
    async with sim_client(mews_sim) as client:
        yield client


@pytest.fixture
def recording_limiter() -> RecordingLimiter:
    return RecordingLimiter()
