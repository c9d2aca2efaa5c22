"""`HandoverClient`: a re-key hands the next calls to the new token's client without cutting
the call in flight on the old one, which is closed once that call is over; closed, the
client refuses every call without sending it."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from attendandt.mews import (
    Credentials,
    HandoverClient,
    MewsClient,
    MewsConnectionError,
    UnlimitedLimiter,
)


class Recorder:
    """A Mews stand-in: records the AccessToken of every request; holds those of `hold`."""

    def __init__(self) -> None:
        self.tokens: list[str] = []
        self.hold: asyncio.Event | None = None

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        token = json.loads(request.content)["AccessToken"]
        self.tokens.append(token)
        if token == "old" and self.hold is not None:
            await self.hold.wait()
        return httpx.Response(200, json={"Token": token})


def _client(mews: Recorder, token: str) -> MewsClient:
    return MewsClient(
        Credentials(client_token="client", access_token=token),
        environment="http://mews.invalid",
        limiter=UnlimitedLimiter(),
        transport=httpx.MockTransport(mews),
    )


async def _call(client: MewsClient) -> dict[str, Any]:
    return await client.call("configuration/get", None, dict[str, Any])


async def test_a_switch_lets_the_call_in_flight_end_then_closes_the_old_client() -> None:
    mews = Recorder()
    old = _client(mews, "old")
    handover = HandoverClient(old)
    assert await _call(handover) == {"Token": "old"}

    mews.hold = asyncio.Event()
    in_flight = asyncio.create_task(_call(handover))
    while handover.in_flight(old) == 0:
        await asyncio.sleep(0)
    new = _client(mews, "new")
    await handover.switch(new)
    assert handover.credentials.access_token == "new"
    assert await _call(handover) == {"Token": "new"}
    assert not old._http.is_closed  # its call is still under way
    mews.hold.set()
    assert await in_flight == {"Token": "old"}
    assert old._http.is_closed
    assert mews.tokens == ["old", "old", "new"]
    assert handover.in_flight() == 0

    await handover.aclose()
    assert new._http.is_closed
    with pytest.raises(MewsConnectionError):
        await _call(handover)
    assert mews.tokens == ["old", "old", "new"]  # nothing sent once closed
