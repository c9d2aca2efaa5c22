"""A charge for a property of a Portfolio Access Token lands on that property's bill: the
publisher writes with the portfolio's one token, naming the property (`EnterpriseId`), and
the token's other property is not touched."""

from __future__ import annotations

import asyncio
from typing import Any

from cryptography.fernet import Fernet
from nats.js import JetStreamContext
from publisher_testkit import Hotel, charge, results, running, send, settings_for, wait_for

from attendandt.contracts.kv import IntegrationProperty, MewsIntegration
from attendandt.contracts.streams import ensure_streams
from attendandt.mews import Credentials, MewsClient, UnlimitedLimiter
from attendandt.mews_publisher.app import create_app
from attendandt.platform.integrations import IntegrationDirectory, TokenSeal, token_hint


async def test_a_charge_for_a_portfolio_property_lands_on_its_own_bill(
    mews_sim: Any, nats_url: str, jetstream: JetStreamContext, publisher_url: str
) -> None:
    await ensure_streams(jetstream)
    control = mews_sim.control
    group = await asyncio.to_thread(control.connect_portfolio, "Quay Group", properties=2)
    first, second = group["enterprise_ids"]
    token = Credentials(group["client_token"], group["access_token"])
    async with MewsClient(
        token.scoped(second, group["chain_id"]),
        environment=mews_sim.base_url,
        limiter=UnlimitedLimiter(),
    ) as mews:
        services = await mews.get_services().collect()
    spa = next(s for s in services if "Spa" in (s.names or {}).get("en-US", ""))
    guest = await asyncio.to_thread(
        control.add_customer, LastName="Quay", FirstName="Guest", enterprise_id=second
    )
    currency = next(i["currency"] for i in control.info()["enterprises"] if i["id"] == second)
    hotel = Hotel(second, spa.id, (guest["Id"],), currency)

    key = Fernet.generate_key().decode()
    seal = TokenSeal.of(key)
    assert seal is not None
    await IntegrationDirectory(jetstream, seal).put(
        MewsIntegration(
            integration_id=group["integration_id"],
            enterprise_id=group["enterprise_id"],
            state="enabled",
            sealed_token=seal.seal(token.access_token),
            token_hint=token_hint(token.access_token),
            portfolio=True,
            properties=tuple(
                IntegrationProperty(enterprise_id=e, chain_id=group["chain_id"])
                for e in (first, second)
            ),
        )
    )
    app = create_app(
        settings_for(nats_url, publisher_url, mews_sim, token_key=key, integrations_poll_s=0.1)
    )
    task, stop = await running(app)
    try:
        links = app.enterprises.links
        await wait_for(lambda: {first, second} <= links.keys(), what="both properties linked")
        posted = charge(hotel, 0)
        await send(jetstream, posted)

        async def on_its_bill() -> bool:
            return any(
                r.charge_id == posted.charge_id and r.posted for r in await results(jetstream)
            )

        await wait_for(on_its_bill, what="the charge posted")
        items = await asyncio.to_thread(control.order_items, second)
        assert [i["AccountId"] for i in items if i["ServiceId"] == spa.id] == [guest["Id"]]
        assert not [
            i
            for i in await asyncio.to_thread(control.order_items, first)
            if i["ServiceId"] == spa.id
        ]
    finally:
        stop.set()
        await task
