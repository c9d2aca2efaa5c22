"""A property onboarded through Integration Webhooks (an entry in MEWS_INTEGRATIONS, its
token sealed) is written to beside the one of MEWS_ACCESS_TOKENS: linked, unlinked when its
integration is disabled (no further Mews call with its token, its charges wait in the
stream), linked again when enabled, and re-keyed on a new key. The simulator counts every
request by enterprise and token, so "no call" is checked, not assumed."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
from cryptography.fernet import Fernet
from nats.js import JetStreamContext
from publisher_testkit import Hotel, charge, results, running, send, settings_for, wait_for

from attendandt.contracts.kv import IntegrationProperty, MewsIntegration
from attendandt.contracts.streams import ensure_streams
from attendandt.mews import Credentials, HandoverClient, MewsClient, UnlimitedLimiter
from attendandt.mews_publisher.app import create_app
from attendandt.platform.integrations import IntegrationDirectory, TokenSeal, token_hint

#: How long an unlinked property is watched for a call it should not make.
QUIET_S = 2.0


async def _net_hotel(mews_sim: Any) -> Hotel:
    """The net enterprise's Spa and a guest, read with a token the test keeps to itself (the
    last one), so the counts of the tokens under test are the publisher's only."""
    net = mews_sim.net
    token = net.tokens[-1]
    async with MewsClient(
        Credentials(token.client_token, token.access_token),
        environment=mews_sim.base_url,
        limiter=UnlimitedLimiter(),
    ) as mews:
        services = await mews.get_services().collect()
    spa = next(s for s in services if "Spa" in (s.names or {}).get("en-US", ""))
    guest = await asyncio.to_thread(
        mews_sim.control.add_customer, LastName="Onboarded", FirstName="Guest", enterprise_id=net.id
    )
    return Hotel(net.id, spa.id, (guest["Id"],), net.currency)


async def _posted(js: JetStreamContext, charge_id: str) -> bool:
    return any(r.charge_id == charge_id and r.posted for r in await results(js))


async def test_an_onboarded_property_is_linked_unlinked_and_rekeyed(
    mews_sim: Any, nats_url: str, jetstream: JetStreamContext, publisher_url: str
) -> None:
    await ensure_streams(jetstream)
    gross, net = mews_sim.gross, mews_sim.net
    first = net.tokens[0].access_token
    hotel = await _net_hotel(mews_sim)
    key = Fernet.generate_key().decode()
    seal = TokenSeal.of(key)
    assert seal is not None
    directory = IntegrationDirectory(jetstream, seal)
    integration = MewsIntegration(
        integration_id="integration-net",
        integration_name="Attendandt",
        enterprise_id=net.id,
        enterprise_name=net.name,
        state="enabled",
        sealed_token=seal.seal(first),
        token_hint=token_hint(first),
        key_version=1,
        # As mews-ingest writes it once it has asked Mews which properties the token opens.
        properties=(IntegrationProperty(enterprise_id=net.id),),
    )
    await directory.put(integration)

    # MEWS_ACCESS_TOKENS: the first hotel's only.
    app = create_app(
        settings_for(nats_url, publisher_url, mews_sim, token_key=key, integrations_poll_s=0.1)
    )
    task, stop = await running(app)
    try:
        links = app.enterprises.links
        assert gross.id in links
        link = await wait_for(lambda: links.get(net.id), what="the onboarded link")
        assert link.integration_id == "integration-net"
        assert isinstance(link.client, HandoverClient)

        # Linked: a charge for it is posted with its token.
        posted = charge(hotel, 0)
        await send(jetstream, posted)
        await wait_for(lambda: _posted(jetstream, posted.charge_id), what="the charge posted")
        assert mews_sim.control.requests_with(first) > 0

        # Disabled: unlinked, its client closed, no call with its token any more; a charge
        # for it meanwhile waits in the stream (not failed).
        await directory.put(msgspec.structs.replace(integration, state="disabled"))
        await wait_for(lambda: net.id not in links, what="the link gone", timeout=10)
        await wait_for(lambda: link.client.closed, what="its client closed", timeout=10)
        calls = mews_sim.control.requests_for(net.id)
        waiting = charge(hotel, 1)
        await send(jetstream, waiting)
        await asyncio.sleep(QUIET_S)
        assert mews_sim.control.requests_for(net.id) == calls
        assert not any(r.charge_id == waiting.charge_id for r in await results(jetstream))
        assert (await app.runtime.readiness())["mews"] is True  # the others are fine

        # Enabled again: linked again, and the charge that waited is posted.
        await directory.put(msgspec.structs.replace(integration, state="enabled"))
        again = await wait_for(lambda: links.get(net.id), what="linked again")
        assert again is not link
        await wait_for(
            lambda: _posted(jetstream, waiting.charge_id),
            what="the waiting charge posted",
            timeout=40,
        )

        # A new key (the property regenerated it in Mews; the old one works a while longer):
        # the same link writes with the new token from now on.
        rotated = await asyncio.to_thread(
            mews_sim.control.rotate_api_key, net.integration_id, old_token_grace_s=60
        )
        second = str(rotated["access_token"])
        assert second != first
        await directory.put(
            msgspec.structs.replace(
                integration,
                sealed_token=seal.seal(second),
                token_hint=token_hint(second),
                key_version=2,
            )
        )
        await wait_for(
            lambda: links[net.id].client.credentials.access_token == second,
            what="the new token in use",
        )
        assert links[net.id] is again
        with_first = mews_sim.control.requests_with(first)
        with_second = mews_sim.control.requests_with(second)
        rekeyed = charge(hotel, 2)
        await send(jetstream, rekeyed)
        await wait_for(lambda: _posted(jetstream, rekeyed.charge_id), what="posted, new key")
        assert mews_sim.control.requests_with(second) > with_second
        assert mews_sim.control.requests_with(first) == with_first
        client = again.client
        assert isinstance(client, HandoverClient)
        assert client.current.credentials.access_token == second
    finally:
        stop.set()
        await task
