"""The WebSocket: cookie auth, Reservation/Resource events on every change, drops."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets
from websockets.asyncio.client import connect


async def next_events(socket, timeout: float = 5.0) -> list[dict]:
    message = await asyncio.wait_for(socket.recv(), timeout)
    return json.loads(message)["Events"]


async def wait_connections(mews_sim, count: int) -> None:
    for _ in range(200):
        if mews_sim.control.ws_connections() == count:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("socket not registered")


async def test_reservation_and_resource_events(mews_sim) -> None:
    async with connect(
        mews_sim.ws_url, additional_headers={"Cookie": mews_sim.gross.token.cookie()}
    ) as socket:
        await wait_connections(mews_sim, 1)
        reservation = mews_sim.control.create_reservation()
        events = await next_events(socket)
        assert events == [
            {
                "Type": "Reservation",
                "Id": reservation["Id"],
                "State": "Confirmed",
                "StartUtc": reservation["StartUtc"],
                "EndUtc": reservation["EndUtc"],
                "AssignedResourceId": reservation["AssignedResourceId"],
            }
        ]
        mews_sim.control.cancel_reservation(reservation["Id"])
        assert (await next_events(socket))[0]["State"] == "Canceled"
        room = mews_sim.control.set_resource_state("20e00c32-d561-4008-8609-82d8aa525714", "Dirty")
        assert await next_events(socket) == [
            {"Type": "Resource", "Id": room["Id"], "State": "Dirty"}
        ]
        touched = mews_sim.control.touch("reservations", 5)
        burst = await next_events(socket)
        assert [e["Id"] for e in burst] == touched


async def test_other_enterprise_does_not_receive(mews_sim) -> None:
    async with connect(
        mews_sim.ws_url, additional_headers={"Cookie": mews_sim.net.token.cookie()}
    ) as socket:
        await wait_connections(mews_sim, 1)
        mews_sim.control.create_reservation(enterprise_id=mews_sim.gross.id)
        mews_sim.control.create_reservation(enterprise_id=mews_sim.net.id)
        events = await next_events(socket)
        assert len(events) == 1
        with pytest.raises(TimeoutError):
            await next_events(socket, timeout=0.3)


@pytest.mark.parametrize("cookie", ["", "ClientToken=x; AccessToken=y", "{spaced}"])
async def test_bad_cookies_are_refused(mews_sim, cookie) -> None:
    token = mews_sim.gross.token
    if cookie == "{spaced}":
        cookie = f"ClientToken = {token.client_token}; AccessToken = {token.access_token}"
    with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
        async with connect(mews_sim.ws_url, additional_headers={"Cookie": cookie}):
            pass
    assert refused.value.response.status_code == 403


async def test_drop_closes_every_socket(mews_sim) -> None:
    headers = {"Cookie": mews_sim.gross.token.cookie()}
    async with (
        connect(mews_sim.ws_url, additional_headers=headers) as first,
        connect(mews_sim.ws_url, additional_headers=headers) as second,
    ):
        await wait_connections(mews_sim, 2)
        assert mews_sim.control.drop_websockets(code=1012) == 2
        for socket in (first, second):
            with pytest.raises(websockets.exceptions.ConnectionClosed) as closed:
                await asyncio.wait_for(socket.recv(), 5)
            assert closed.value.rcvd.code == 1012
    await wait_connections(mews_sim, 0)
