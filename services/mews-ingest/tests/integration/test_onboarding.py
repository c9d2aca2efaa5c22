"""A property connected in Mews is onboarded from its Integration Webhooks alone: its token
stored sealed, ingested at once, re-keyed with no lost change, stopped (no Mews call) when
disabled, resumed when enabled. Real nats-server, the simulator sending the webhooks,
ingest in the test's process with only the first hotel in its environment."""

from __future__ import annotations

import asyncio

import httpx
from ingest_support import (
    WEBHOOK_SECRET,
    onboarding_mews,
    stream_changes,
    wait_for,
)
from nats.js import JetStreamContext

from attendandt.contracts.streams import MEWS_INTEGRATIONS
from attendandt.platform.integrations import IntegrationDirectory, TokenSeal


async def test_a_connected_property_is_ingested_rekeyed_stopped_and_resumed(
    mews_sim, nats_url: str, jetstream: JetStreamContext, start_ingest
) -> None:
    mews, key = onboarding_mews(mews_sim, nats_url)
    ingest = await start_ingest(mews=mews)
    control = mews_sim.control

    hotel = control.connect_property("Hotel Nova")
    enterprise, integration = hotel["enterprise_id"], hotel["integration_id"]
    await wait_for(lambda: enterprise in ingest.app.enterprises, what="the onboarded property")

    # Stored sealed: the bucket holds no token, the key opens it.
    raw = await jetstream.get_last_msg(
        MEWS_INTEGRATIONS.stream, f"$KV.{MEWS_INTEGRATIONS.bucket}.integration.{integration}"
    )
    assert raw.data is not None
    assert hotel["access_token"].encode() not in raw.data
    stored = await IntegrationDirectory(jetstream, TokenSeal.of(key)).get(integration)
    assert stored is not None
    assert stored.enterprise_id == enterprise
    assert stored.state == "enabled"

    async def arrived(mews_id: str) -> bool:
        return any(c.mews_id == mews_id for c in await stream_changes(jetstream))

    # A change made in Mews for it arrives.
    first = control.add_customer(LastName="Onboarded", enterprise_id=enterprise)
    await wait_for(lambda: arrived(first["Id"]), what="the new property's change")

    # A new key: the next change is read with it, none is lost.
    rotated = control.rotate_api_key(integration)
    onboarded = ingest.app.onboarded
    assert onboarded is not None
    await wait_for(
        lambda: enterprise in onboarded.running and onboarded.running[enterprise].key_version == 1,
        what="the new key in use",
    )
    client = ingest.app.enterprises[enterprise].client
    assert client.credentials.access_token == rotated["access_token"]
    after_rotation = control.add_customer(LastName="Rekeyed", enterprise_id=enterprise)
    await wait_for(lambda: arrived(after_rotation["Id"]), what="the change after the new key")

    # Disabled: stopped, and no request with its token after that.
    control.integration_action(integration, "disable")
    await wait_for(lambda: enterprise not in ingest.app.enterprises, what="the property stopped")
    shown = ingest.app.board.get(enterprise)
    assert (shown.integration_id, shown.integration_state) == (integration, "disabled")
    calls_then = control.requests_for(enterprise)
    control.drop_websockets()  # a socket still open would reconnect and sweep
    await asyncio.sleep(3)
    assert control.requests_for(enterprise) == calls_then

    # Enabled again: ingested again, changes made meanwhile included.
    meanwhile = control.add_customer(LastName="Meanwhile", enterprise_id=enterprise)
    control.integration_action(integration, "enable")
    await wait_for(lambda: enterprise in ingest.app.enterprises, what="the property resumed")
    await wait_for(lambda: arrived(meanwhile["Id"]), what="the change made while disabled")


async def test_an_action_for_an_unknown_integration_is_refused_for_a_resend(
    mews_sim, nats_url: str, start_ingest
) -> None:
    ingest = await start_ingest()
    port = ingest.app.settings.http_port
    body = {
        "Action": "IntegrationEnabled",
        "Data": {"Integration": {"Id": "0d4c2b1a-0000-4000-8000-000000000001", "Name": "X"}},
    }
    async with httpx.AsyncClient() as http:
        answer = await http.post(
            f"http://127.0.0.1:{port}/webhooks/mews",
            params={"Token": WEBHOOK_SECRET},
            json=body,
        )
        assert answer.status_code == 409
        assert "no IntegrationCreated received yet" in answer.json()["detail"]
        # Without a token key, a token is not stored: 503, so Mews sends it again.
        created = {
            "Action": "IntegrationCreated",
            "Data": {
                "Integration": {"Id": "0d4c2b1a-0000-4000-8000-000000000002"},
                "Enterprise": {"Id": "0d4c2b1a-0000-4000-8000-000000000003"},
                "AccessToken": "C66EF7B239D24632943D115EDE9CB810-EA00F8FD8294692C940F6B5A8F9453D",
                "IsEnabled": True,
            },
        }
        answer = await http.post(
            f"http://127.0.0.1:{port}/webhooks/mews",
            params={"Token": WEBHOOK_SECRET},
            json=created,
        )
        assert answer.status_code == 503
        assert "MEWS_TOKEN_KEY" in answer.json()["detail"]
        assert "C66EF7B2" not in answer.text
