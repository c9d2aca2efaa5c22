"""A hotel group connects one Portfolio Access Token: ingest asks Mews which properties it
opens, stores them with the integration, and ingests each as a property of its own (its
changes under its own enterprise); the portfolio's own enterprise is no property; disabled,
no call is made for any of them. Real nats-server, the simulator sending the webhooks."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from cryptography.fernet import Fernet
from ingest_support import onboarding_mews, stream_changes, wait_for
from nats.js import JetStreamContext
from nats.js.errors import KeyNotFoundError

from attendandt.contracts.kv import IntegrationProperty, MewsIntegration
from attendandt.contracts.streams import INGEST_STATE, ensure_streams
from attendandt.mews import Credentials
from attendandt.mews_ingest import onboarded as onboarded_module
from attendandt.mews_ingest.checkpoints import StateBoard
from attendandt.mews_ingest.onboarded import OnboardedProperties
from attendandt.platform.integrations import IntegrationDirectory, TokenSeal, token_hint


async def test_a_portfolio_is_ingested_property_by_property_and_stopped_whole(
    mews_sim, nats_url: str, jetstream: JetStreamContext, start_ingest
) -> None:
    mews, key = onboarding_mews(mews_sim, nats_url)
    ingest = await start_ingest(mews=mews)
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


async def test_a_property_that_joins_or_leaves_the_portfolio_is_followed(
    mews_sim, nats_url: str, jetstream: JetStreamContext, start_ingest
) -> None:
    """Mews sends no webhook when a property joins or leaves a portfolio: the token's
    properties are asked again, the entry changed, the joined one ingested and the one that
    left stopped (no request names it any more) and shown so."""
    mews, key = onboarding_mews(mews_sim, nats_url)
    ingest = await start_ingest(
        mews=mews,
        portfolio_check_s=0.5,
    )
    control = mews_sim.control
    group = control.connect_portfolio("Harbour Group", properties=2)
    first, second = group["enterprise_ids"]
    await wait_for(lambda: {first, second} <= ingest.app.enterprises.keys(), what="both properties")

    joined = control.join_portfolio(group["integration_id"], "Harbour Annex")["enterprise_id"]
    control.leave_portfolio(group["integration_id"], second)
    await wait_for(
        lambda: joined in ingest.app.enterprises and second not in ingest.app.enterprises,
        what="the joined one ingested and the one that left stopped",
    )
    stored = await IntegrationDirectory(jetstream, TokenSeal.of(key)).get(group["integration_id"])
    assert stored is not None
    assert {p.enterprise_id for p in stored.properties} == {first, joined}
    guest = control.add_customer(LastName="Annex", enterprise_id=joined)

    async def arrived() -> bool:
        return any(
            c.mews_id == guest["Id"] and c.enterprise_id == joined
            for c in await stream_changes(jetstream)
        )

    await wait_for(arrived, what="the joined property's change")
    left = ingest.app.board.get(second)
    assert left is not None
    assert left.integration_state == onboarded_module.LEFT_PORTFOLIO
    calls_then = control.requests_for_scope(second)
    await asyncio.sleep(2)
    assert control.requests_for_scope(second) == calls_then


async def test_learning_a_tokens_properties_is_retried_whatever_fails(
    jetstream: JetStreamContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure that is not Mews's (here the first try's connection is refused) must not
    leave the integration onboarding forever: nothing else would ask again."""
    await ensure_streams(jetstream)
    monkeypatch.setattr(onboarded_module, "BIND_MAX_DELAY_S", 0.1)
    seal = TokenSeal.of(Fernet.generate_key().decode())
    assert seal is not None
    directory = IntegrationDirectory(jetstream, seal)
    entry = MewsIntegration(
        integration_id="integration-retried",
        enterprise_id="hotel-retried",
        state="enabled",
        sealed_token=seal.seal("token-retried"),
        token_hint=token_hint("token-retried"),
    )
    await directory.put(entry)
    tries: list[str] = []

    async def bind_token(credentials: Credentials) -> tuple[bool, tuple[IntegrationProperty, ...]]:
        tries.append(credentials.access_token)
        if len(tries) == 1:
            raise ConnectionRefusedError("the first try finds nobody")
        return False, (IntegrationProperty(enterprise_id="hotel-retried"),)

    async def never_opened(enterprise_id: str, credentials: Credentials) -> Any:
        raise AssertionError("not asked here")

    onboarded = OnboardedProperties(
        directory,
        "client-token",
        {},
        never_opened,
        lambda enterprise: [],
        bind_token=bind_token,
        board=StateBoard(await jetstream.key_value(INGEST_STATE.bucket)),
        env_bound=(),
    )
    await onboarded.on_change(entry)

    async def bound() -> MewsIntegration | None:
        found = await directory.get(entry.integration_id)
        return found if found is not None and found.bound else None

    stored = await wait_for(bound, what="the properties stored after a failed try")
    assert [p.enterprise_id for p in stored.properties] == ["hotel-retried"]
    assert tries == ["token-retried", "token-retried"]
    await onboarded.stop_all()
