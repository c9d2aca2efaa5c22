"""A property onboarded through Integration Webhooks (an entry in MEWS_INTEGRATIONS, its
token sealed) is synced beside the one of MEWS_ACCESS_TOKENS: started, stopped when its
integration is disabled (no further Mews call with its token, its changes wait), started
again when enabled, and re-keyed on a new key without restarting anything. The simulator
counts every request by enterprise and token, so "no call" is checked, not assumed."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any

import msgspec
import pytest
from cryptography.fernet import Fernet
from nats.js import JetStreamContext
from sync_support import announce, health_of, stored_commands, sync_settings, wait_for

from attendandt.contracts.deadletter import DEAD_LETTER
from attendandt.contracts.kv import ImportState, IntegrationProperty, MewsIntegration, SyncHealth
from attendandt.contracts.mews import MewsEntity
from attendandt.contracts.streams import DEAD_LETTERS, SYNC_HEALTH, ensure_streams
from attendandt.mews import HandoverClient
from attendandt.platform.integrations import IntegrationDirectory, TokenSeal, token_hint
from attendandt.sync.app import SyncApp
from attendandt.sync.consumer import DURABLE, SERVICE
from attendandt.sync.initial_import import read_state

#: The hotel refresher's period here: a running property calls Mews several times a second.
REFRESH_S = 0.2
#: How long a stopped property is watched for a call it should not make (many periods).
QUIET_S = 2.0


async def _dead_letters(js: JetStreamContext) -> int:
    subject = DEAD_LETTER.format(service=SERVICE, consumer=DURABLE)
    info = await js.stream_info(DEAD_LETTERS.name, subjects_filter=subject)
    return sum((info.state.subjects or {}).values())


async def _new_guest(mews_sim: Any, enterprise_id: str, name: str) -> str:
    """A new customer in the enterprise's chain (an id no earlier change named)."""
    add = mews_sim.control.add_customer
    found = await asyncio.to_thread(add, LastName=name, FirstName="A", enterprise_id=enterprise_id)
    return str(found["Id"])


async def _more_requests(mews_sim: Any, access_token: str, than: int) -> int | None:
    now = await asyncio.to_thread(mews_sim.control.requests_with, access_token)
    return now if now > than else None


async def test_an_onboarded_property_is_started_stopped_and_rekeyed(
    mews_sim: Any, nats_url: str, jetstream: JetStreamContext, start_sync: Any
) -> None:
    await ensure_streams(jetstream)
    gross, net = mews_sim.gross, mews_sim.net
    first = net.tokens[0].access_token
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

    base = sync_settings(mews_sim, nats_url)  # MEWS_ACCESS_TOKENS: the first hotel's only
    app: SyncApp = await start_sync(
        mews=replace(base.mews, token_key=key),
        hotel_refresh_s=REFRESH_S,
        health_interval_s=0.1,
        integrations_poll_s=0.1,
        onboarded_wait_s=0.5,
    )
    assert app.ready.is_set()
    assert set(app.clients) == {gross.id}  # the onboarded one is no env-bound client
    onboarded = app.onboarded
    assert onboarded is not None

    # Started: its hotel refresher reads its configuration with its own token.
    async def configured(enterprise_id: str) -> SyncHealth | None:
        health = await health_of(jetstream, enterprise_id)
        return health if health and health.configuration_synced_at else None

    health = await wait_for(lambda: configured(net.id), what="the onboarded hotel read")
    assert health.property_name == net.name
    await wait_for(lambda: configured(gross.id), what="the env-bound hotel read")
    assert await _requests_with_more(mews_sim, first, 0)
    [running] = onboarded.running.values()
    tasks = list(running.tasks)
    assert sorted(t.get_name() for t in tasks) == sorted(
        f"onboarded-{name}-{net.id}" for name in ("hotel", "bills", "charges-reconcile")
    )
    # Its changes reach the applier the consumer looks up.
    customer = await _new_guest(mews_sim, net.id, "First")
    await announce(jetstream, net.id, MewsEntity.CUSTOMER, [customer])

    async def guest_of(mews_id: str) -> bool:
        guests, _ = await stored_commands(jetstream)
        return any(g.guest.mews_id == mews_id and g.enterprise_id == net.id for g in guests)

    await wait_for(lambda: guest_of(customer), what="the onboarded property's change applied")

    # Disabled: out of the lookups, its tasks over, its client closed, and no call with its
    # token any more, while the env-bound hotel goes on.
    await directory.put(msgspec.structs.replace(integration, state="disabled"))
    client = running.client

    def stopped() -> bool:
        done = all(t.done() for t in tasks)
        return done and client.closed and client.in_flight() == 0 and not onboarded.running

    await wait_for(stopped, what="the property stopped", timeout=10)
    assert net.id not in app.appliers
    assert gross.id in app.appliers
    calls_when_stopped = mews_sim.control.requests_for(net.id)
    gross_calls = mews_sim.control.requests_for(gross.id)
    # A change for it meanwhile waits in the stream: no dead letter, applied once it runs.
    waiting = await _new_guest(mews_sim, net.id, "Waiting")
    await announce(jetstream, net.id, MewsEntity.CUSTOMER, [waiting])
    await asyncio.sleep(QUIET_S)  # ten refresh periods, each of which would call Mews
    assert mews_sim.control.requests_for(net.id) == calls_when_stopped
    assert mews_sim.control.requests_for(gross.id) > gross_calls
    assert not await guest_of(waiting)
    assert await _dead_letters(jetstream) == 0

    # Enabled again: started again, and the change that waited is applied.
    before = mews_sim.control.requests_with(first)
    await directory.put(msgspec.structs.replace(integration, state="enabled"))
    await wait_for(lambda: _more_requests(mews_sim, first, before), what="calls again")
    assert net.id in app.appliers
    await wait_for(lambda: guest_of(waiting), what="the waiting change applied")
    assert await _dead_letters(jetstream) == 0

    # A new key (the property regenerated it in Mews; the old one works a while longer): the
    # next calls use the new token; the same tasks go on (none started again).
    rotated = await asyncio.to_thread(
        mews_sim.control.rotate_api_key, net.integration_id, old_token_grace_s=60
    )
    second = str(rotated["access_token"])
    assert second != first
    [running] = onboarded.running.values()
    tasks = list(running.tasks)
    old_client = running.client.current
    await directory.put(
        msgspec.structs.replace(
            integration,
            sealed_token=seal.seal(second),
            token_hint=token_hint(second),
            key_version=2,
        )
    )
    await wait_for(lambda: _more_requests(mews_sim, second, 0), what="calls with the new token")
    assert isinstance(running.client, HandoverClient)
    assert running.client.current is not old_client
    assert running.client.credentials.access_token == second
    assert onboarded.running[net.id] is running
    assert running.tasks == tasks
    assert not any(t.done() for t in tasks)
    # Once the old token's calls in flight are over, it makes no more.
    await wait_for(lambda: running.client.in_flight(old_client) == 0, what="old calls over")
    with_first = mews_sim.control.requests_with(first)
    with_second = mews_sim.control.requests_with(second)
    await asyncio.sleep(QUIET_S)
    assert mews_sim.control.requests_with(first) == with_first
    assert mews_sim.control.requests_with(second) > with_second
    renamed = await _new_guest(mews_sim, net.id, "Rekeyed")
    await announce(jetstream, net.id, MewsEntity.CUSTOMER, [renamed])
    await wait_for(lambda: guest_of(renamed), what="a change applied with the new key")


async def _requests_with_more(mews_sim: Any, access_token: str, than: int) -> int:
    return int(
        await wait_for(
            lambda: _more_requests(mews_sim, access_token, than),
            what="calls with the onboarded token",
        )
    )


async def test_an_onboarded_property_is_imported_once_whatever_its_restarts(
    mews_sim: Any, nats_url: str, jetstream: JetStreamContext, start_sync: Any
) -> None:
    await ensure_streams(jetstream)
    net = mews_sim.net
    token = net.tokens[0].access_token
    key = Fernet.generate_key().decode()
    seal = TokenSeal.of(key)
    assert seal is not None
    directory = IntegrationDirectory(jetstream, seal)
    integration = MewsIntegration(
        integration_id="integration-net",
        enterprise_id=net.id,
        enterprise_name=net.name,
        state="enabled",
        sealed_token=seal.seal(token),
        token_hint=token_hint(token),
        key_version=1,
        # As mews-ingest writes it once it has asked Mews which properties the token opens.
        properties=(IntegrationProperty(enterprise_id=net.id),),
    )
    await directory.put(integration)
    base = sync_settings(mews_sim, nats_url)
    app: SyncApp = await start_sync(
        mews=replace(base.mews, token_key=key),
        initial_import=True,
        integrations_poll_s=0.1,
        onboarded_wait_s=0.5,
    )
    onboarded = app.onboarded
    assert onboarded is not None
    kv = await jetstream.key_value(SYNC_HEALTH.bucket)

    async def imported() -> ImportState | None:
        state = await read_state(kv, net.id)
        return state if state is not None and state.state == "done" else None

    done = await wait_for(imported, what="the onboarded property's import", timeout=60)
    assert done.rooms > 0
    assert done.windows_done == done.windows_total > 0

    # Stopped and started again: its import task starts, finds the import done, and ends.
    await directory.put(msgspec.structs.replace(integration, state="disabled"))
    await wait_for(lambda: not onboarded.running, what="the property stopped", timeout=10)
    await directory.put(msgspec.structs.replace(integration, state="enabled"))
    [running] = await wait_for(lambda: list(onboarded.running.values()), what="started again")
    [job] = [t for t in running.tasks if t.get_name().startswith("onboarded-initial-import-")]
    await wait_for(job.done, what="the import task's end")
    again = await read_state(kv, net.id)
    assert again is not None
    assert (again.state, again.started_at, again.finished_at) == (
        "done",
        done.started_at,
        done.finished_at,
    )


async def test_the_environments_token_wins_over_an_onboarded_one_for_its_enterprise(
    mews_sim: Any,
    nats_url: str,
    jetstream: JetStreamContext,
    start_sync: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await ensure_streams(jetstream)
    gross = mews_sim.gross
    env_token = gross.token.access_token
    rotated = await asyncio.to_thread(
        mews_sim.control.rotate_api_key, gross.integration_id, old_token_grace_s=600
    )
    other = str(rotated["access_token"])
    key = Fernet.generate_key().decode()
    seal = TokenSeal.of(key)
    assert seal is not None
    directory = IntegrationDirectory(jetstream, seal)
    integration = MewsIntegration(
        integration_id="integration-gross",
        enterprise_id=gross.id,
        state="enabled",
        sealed_token=seal.seal(other),
        token_hint=token_hint(other),
        key_version=1,
        # As mews-ingest writes it once it has asked Mews which properties the token opens.
        properties=(IntegrationProperty(enterprise_id=gross.id),),
    )
    await directory.put(integration)
    caplog.set_level(logging.WARNING, logger="attendandt.sync.onboarded")
    base = sync_settings(mews_sim, nats_url)
    app: SyncApp = await start_sync(
        mews=replace(base.mews, token_key=key), hotel_refresh_s=REFRESH_S, integrations_poll_s=0.1
    )
    onboarded = app.onboarded
    assert onboarded is not None
    await wait_for(onboarded.follower.caught_up.is_set, what="the bucket read")
    # Another version of the entry: still the environment's, and said once only.
    await directory.put(msgspec.structs.replace(integration, key_version=2))
    await wait_for(lambda: _more_requests(mews_sim, env_token, 0), what="calls, env token")
    await wait_for(lambda: onboarded.follower.seen >= 2, what="the second version read")
    assert not onboarded.running
    assert app.appliers[gross.id].client is app.clients[gross.id]
    assert mews_sim.control.requests_with(other) == 0
    told = [r for r in caplog.records if "the environment's token is used" in r.getMessage()]
    assert len(told) == 1
