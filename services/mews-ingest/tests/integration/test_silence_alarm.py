"""Silence alarms against the simulator and a real NATS: a property whose WebSocket and
webhooks go quiet while Mews keeps changing turns red (`sync.alert` raised, the state board
says why) and back to green by itself once a live change arrives."""

import asyncio
import contextlib
from collections.abc import AsyncIterator

import msgspec
import pytest
from ingest_support import wait_for
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg

from attendandt.contracts.alerts import SYNC_ALERT, SyncAlert
from attendandt.mews_ingest.alarms import AlarmSettings
from attendandt.mews_sim.control_client import SimControl

#: Short bounds: red once the live channels are quiet for 2 s and a change Mews reports
#: is 1 s old with nothing live since. The bounds a
#: test does not exercise are out of reach.
ALARMS = AlarmSettings(
    check_s=0.2,
    silence_s=2.0,
    probe_interval_s=0.5,
    push_grace_s=1.0,
    socket_down_s=3600.0,
    dead_letters=10_000,
    dead_letters_window_s=60.0,
)


@pytest.fixture
async def alerts(nats_client: NatsClient) -> AsyncIterator[list[SyncAlert]]:
    received: list[SyncAlert] = []

    async def on_alert(msg: Msg) -> None:
        received.append(msgspec.json.decode(msg.data, type=SyncAlert))

    subscription = await nats_client.subscribe(SYNC_ALERT.filter(), cb=on_alert)
    yield received
    await subscription.unsubscribe()


@contextlib.asynccontextmanager
async def hotel_keeps_changing(mews_sim, enterprise_id: str) -> AsyncIterator[None]:
    """A reservation changed in Mews every few tenths of a second, meanwhile (by a control
    client of its own: the calls run in a thread, beside the test's own control calls)."""
    control = SimControl(mews_sim.base_url)

    async def change() -> None:
        while True:
            await asyncio.to_thread(control.touch, "reservations", 1, enterprise_id)
            await asyncio.sleep(0.3)

    task = asyncio.create_task(change())
    try:
        yield
        assert not task.done(), task  # still changing all along (an error would show here)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        control.close()


async def test_quiet_live_channels_turn_the_property_red_and_back(
    mews_sim, start_ingest, link, alerts: list[SyncAlert]
) -> None:
    enterprise = mews_sim.gross.id
    ingest = await start_ingest(
        ws_url=f"ws://127.0.0.1:{link.port}/ws/connector",
        alarms=ALARMS,
        ws_idle_s=3600,  # no idle ping: the frozen socket stays "connected", only quiet
    )
    board = ingest.app.board
    await wait_for(lambda: board.get(enterprise).websocket == "connected")

    async with hotel_keeps_changing(mews_sim, enterprise):
        # Live: changes arrive by the socket and webhooks, and the property stays green.
        await wait_for(lambda: board.get(enterprise).last_live_at is not None, what="live news")
        assert board.get(enterprise).alert_reasons == ()

        link.frozen = True  # the socket stays open and carries nothing
        mews_sim.control.webhook_target_down(True)
        await wait_for(
            lambda: board.get(enterprise).alert_reasons == ("silence",), what="the alarm"
        )
        await wait_for(lambda: any(a.state == "raised" for a in alerts), what="sync.alert raised")
        [raised] = [a for a in alerts if a.state == "raised"]
        assert raised.enterprise_id == enterprise
        assert raised.reasons == ("silence",)
        assert "Mews reports a change" in raised.details[0]
        assert board.get(enterprise).websocket == "connected"  # quiet, not down

        # The channels come back: the next live change clears the alert by itself.
        link.frozen = False
        mews_sim.control.webhook_target_down(False)
        await wait_for(lambda: board.get(enterprise).alert_reasons == (), what="green again")
        await wait_for(lambda: alerts[-1].state == "cleared", what="sync.alert cleared")

    cleared = alerts[-1]
    assert cleared.reasons == ()
    assert cleared.raised_at == raised.raised_at
    assert [a.state for a in alerts] == ["raised", "cleared"]


async def test_a_socket_down_past_its_bound_turns_red_and_back(
    mews_sim, start_ingest, link, alerts: list[SyncAlert]
) -> None:
    enterprise = mews_sim.gross.id
    ingest = await start_ingest(
        ws_url=f"ws://127.0.0.1:{link.port}/ws/connector",
        alarms=AlarmSettings(check_s=0.2, silence_s=3600, socket_down_s=1.0, dead_letters=10_000),
    )
    board = ingest.app.board
    await wait_for(lambda: board.get(enterprise).websocket == "connected")

    link.cut()
    await wait_for(
        lambda: board.get(enterprise).alert_reasons == ("websocket_down",), what="the alarm"
    )
    link.restore()
    await wait_for(lambda: board.get(enterprise).alert_reasons == (), what="green again")
    await wait_for(lambda: [a.state for a in alerts] == ["raised", "cleared"], what="both events")
    assert alerts[0].reasons == ("websocket_down",)
