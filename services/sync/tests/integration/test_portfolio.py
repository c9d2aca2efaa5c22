"""The properties of one Portfolio Access Token are synced each as a property of its own:
each imports its own rooms and reservations only (every request names it), a change of
one is fetched with its chain, and all draw on the token's one budget, each as its party."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import msgspec
from cryptography.fernet import Fernet
from nats.js import JetStreamContext
from sync_support import announce, stored_commands, sync_settings, wait_for

from attendandt.contracts.kv import ImportState, IntegrationProperty, MewsIntegration
from attendandt.contracts.mews import MewsEntity
from attendandt.contracts.streams import MEWS_RATE_LIMITS, SYNC_HEALTH, ensure_streams
from attendandt.platform.integrations import IntegrationDirectory, TokenSeal, token_hint
from attendandt.platform.ratelimit import BucketState, bucket_key
from attendandt.sync.app import SyncApp
from attendandt.sync.initial_import import read_state


async def test_each_property_of_a_portfolio_is_imported_alone_on_the_tokens_one_budget(
    mews_sim: Any, nats_url: str, jetstream: JetStreamContext, start_sync: Any
) -> None:
    await ensure_streams(jetstream)
    control = mews_sim.control
    group = await asyncio.to_thread(control.connect_portfolio, "Harbour Group", properties=2)
    first, second = group["enterprise_ids"]
    token = group["access_token"]
    key = Fernet.generate_key().decode()
    seal = TokenSeal.of(key)
    assert seal is not None
    # As mews-ingest stores it once it has asked Mews which properties the token opens.
    await IntegrationDirectory(jetstream, seal).put(
        MewsIntegration(
            integration_id=group["integration_id"],
            enterprise_id=group["enterprise_id"],
            state="enabled",
            sealed_token=seal.seal(token),
            token_hint=token_hint(token),
            portfolio=True,
            properties=tuple(
                IntegrationProperty(enterprise_id=e, chain_id=group["chain_id"])
                for e in (first, second)
            ),
        )
    )
    base = sync_settings(mews_sim, nats_url)
    app: SyncApp = await start_sync(
        mews=replace(base.mews, token_key=key), initial_import=True, integrations_poll_s=0.1
    )
    kv = await jetstream.key_value(SYNC_HEALTH.bucket)

    async def imported(enterprise: str) -> ImportState | None:
        state = await read_state(kv, enterprise)
        return state if state is not None and state.state == "done" else None

    for enterprise in (first, second):
        done = await wait_for(lambda e=enterprise: imported(e), what="its import", timeout=60)
        theirs = await asyncio.to_thread(control.reservations, enterprise)
        assert done.reservations == len(theirs) > 0
        assert done.rooms == 6
    assert group["enterprise_id"] not in (app.onboarded.running if app.onboarded else {})

    # A guest of the second property, fetched with the portfolio's chain.
    guest = await asyncio.to_thread(
        control.add_customer, LastName="Harbour", FirstName="A", enterprise_id=second
    )
    await announce(jetstream, second, MewsEntity.CUSTOMER, [guest["Id"]])

    async def upserted() -> bool:
        guests, _ = await stored_commands(jetstream)
        return any(g.enterprise_id == second and g.guest.mews_id == guest["Id"] for g in guests)

    await wait_for(upserted, what="the second property's guest")

    # One budget for the token, each property drawing on it as its own party.
    limits = await jetstream.key_value(MEWS_RATE_LIMITS.bucket)
    entry = await limits.get(bucket_key(token))
    state = msgspec.json.decode(entry.value or b"", type=BucketState)
    assert {first, second} <= set(state.parties)
    assert control.requests_for_scope(first) > 0
    assert control.requests_for_scope(second) > 0
