"""Sync against the Mews simulator and a real nats-server: publish changes as ingest would,
read the commands sync stored in DOMAIN_COMMANDS."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from typing import Any

import msgspec
import pytest
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from attendandt.contracts.commands import UpsertGuest, UpsertStay
from attendandt.contracts.mews import MEWS_CHANGE, ChangeSource, MewsChange, MewsEntity
from attendandt.mews import Credentials, MewsSettings
from attendandt.platform.messaging import publish
from attendandt.platform.settings import NatsSettings, ObservabilitySettings
from attendandt.sync.app import SyncApp
from attendandt.sync.settings import SyncSettings
from attendandt.testing.polling import eventually


def sync_settings(mews_sim: Any, nats_url: str, **overrides: Any) -> SyncSettings:
    token = mews_sim.gross.token
    settings = SyncSettings(
        nats=NatsSettings(url=nats_url),
        observability=ObservabilitySettings(service="sync"),
        mews=MewsSettings(
            base_url=mews_sim.base_url,
            ws_url=mews_sim.ws_url,
            credentials=(
                Credentials(client_token=token.client_token, access_token=token.access_token),
            ),
        ),
        health_interval_s=0.5,
    )
    return replace(settings, **overrides)


@pytest.fixture
async def start_sync(mews_sim: Any, nats_url: str, jetstream: JetStreamContext):
    running: list[tuple[asyncio.Event, asyncio.Task[None]]] = []

    async def start(**overrides: Any) -> SyncApp:
        app = SyncApp(sync_settings(mews_sim, nats_url, **overrides))
        stop = asyncio.Event()
        task = asyncio.create_task(app.run(stop))
        running.append((stop, task))
        for _ in range(200):
            if app.ready.is_set() or task.done():
                break
            await asyncio.sleep(0.05)
        if task.done():
            task.result()
        return app

    yield start
    for stop, task in running:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 20)


async def announce(
    js: JetStreamContext, enterprise_id: str, entity: MewsEntity, ids: list[str]
) -> None:
    """Publish change notifications as ingest would (id only, from the WebSocket)."""
    now = datetime.now(UTC)
    await asyncio.gather(
        *(
            publish(
                js,
                MEWS_CHANGE,
                change,
                msg_id=change.msg_id(),
                enterprise=enterprise_id,
                entity=entity,
            )
            for change in (
                MewsChange(
                    enterprise_id=enterprise_id,
                    entity=entity,
                    mews_id=mews_id,
                    source=ChangeSource.WEBSOCKET,
                    observed_at=now,
                    sighting=f"{now.isoformat()}:{i}",
                )
                for i, mews_id in enumerate(ids)
            )
        )
    )


async def stored_commands(js: JetStreamContext) -> tuple[list[UpsertGuest], list[UpsertStay]]:
    try:
        info = await js.stream_info("DOMAIN_COMMANDS")
    except NotFoundError:
        return [], []
    guests: list[UpsertGuest] = []
    stays: list[UpsertStay] = []
    if info.state.messages == 0:
        return guests, stays
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        with contextlib.suppress(NotFoundError):
            msg = await js.get_msg("DOMAIN_COMMANDS", seq)
            if msg.subject.endswith("upsert_guest"):
                guests.append(msgspec.json.decode(msg.data or b"", type=UpsertGuest))
            elif msg.subject.endswith("upsert_stay"):
                stays.append(msgspec.json.decode(msg.data or b"", type=UpsertStay))
    return guests, stays


wait_for = partial(eventually, timeout=30.0)
