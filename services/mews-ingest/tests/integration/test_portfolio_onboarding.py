"""A hotel group connects one Portfolio Access Token: ingest asks Mews which properties it
opens, stores them with the integration, and ingests each as a property of its own (its
changes under its own enterprise); the portfolio's own enterprise is no property; disabled,
no call is made for any of them. Real nats-server, the simulator sending the webhooks."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from cryptography.fernet import Fernet
from ingest_support import ingest_settings, stream_changes, wait_for
from nats.js import JetStreamContext
from nats.js.errors import KeyNotFoundError

from attendandt.contracts.streams import INGEST_STATE
from attendandt.platform.integrations import IntegrationDirectory, TokenSeal


async def test_a_portfolio_is_ingested_property_by_property_and_stopped_whole(
    mews_sim, nats_url: str, jetstream: JetStreamContext, start_ingest
) -> None:
    key = Fernet.generate_key().decode()
    mews = ingest_settings(mews_sim, nats_url, mews_sim.ws_url).mews
    ingest = await start_ingest(
        mews=replace(mews, token_key=key, client_token=mews_sim.gross.token.client_token)
    )
    control = mews_sim.control

    group = control.connect_portfolio("Lakeside Group", properties=2)
    own, (first, second) = group["enterprise_id"], group["enterprise_ids"]
    await wait_for(lambda: {first, second} <= ingest.app.enterprises.keys(), what="both properties")
    assert own not in ingest.app.enterprises

    stored = await IntegrationDirectory(jetstream, TokenSeal.of(key)).get(group["integration_id"])
    assert stored is not None
    assert stored.portfolio
    assert {p.enterprise_id for p in stored.properties} == {first, second}
    assert {p.chain_id for p in stored.properties} == {group["chain_id"]}
    # One token, a client per property that names it.
    scopes = {e: ingest.app.enterprises[e].client.credentials.scope for e in (first, second)}
    assert {e: s.enterprise_id for e, s in scopes.items() if s} == {first: first, second: second}
    # No socket (its events would name no property): shown as such, not as a socket down.
    assert {ingest.app.board.get(e).websocket for e in (first, second)} == {"webhooks_only"}

    async def arrived(mews_id: str, enterprise: str) -> bool:
        return any(
            c.mews_id == mews_id and c.enterprise_id == enterprise
            for c in await stream_changes(jetstream)
        )

    for enterprise in (first, second):
        guest = control.add_customer(LastName="Portfolio", enterprise_id=enterprise)
        await wait_for(
            lambda g=guest, e=enterprise: arrived(g["Id"], e), what=f"{enterprise}'s change"
        )

    # The portfolio's own enterprise is not shown as a property.
    board = await jetstream.key_value(INGEST_STATE.bucket)

    async def own_not_shown() -> bool:
        try:
            await board.get(own)
        except KeyNotFoundError:
            return True
        return False

    await wait_for(own_not_shown, what="the portfolio's own enterprise not shown")

    # Disabled: every property stops, and no request names any of them any more.
    control.integration_action(group["integration_id"], "disable")
    await wait_for(
        lambda: not ({first, second} & ingest.app.enterprises.keys()), what="both stopped"
    )
    calls_then = [control.requests_for_scope(e) for e in (first, second)]
    await asyncio.sleep(3)
    assert [control.requests_for_scope(e) for e in (first, second)] == calls_then
