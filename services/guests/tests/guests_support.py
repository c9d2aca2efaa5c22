"""Helpers shared by the guests tests: snapshots and commands, settings, polling."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from attendandt.contracts.base import Payload, encode
from attendandt.contracts.caller import Caller
from attendandt.contracts.commands import UpsertGuest, UpsertRoom, UpsertStay
from attendandt.contracts.snapshots import (
    GuestSnapshot,
    RoomSnapshot,
    StaySnapshot,
    StayState,
    UserRole,
)
from attendandt.contracts.streams import ensure_streams
from attendandt.guests.app import GuestsApp, create_app
from attendandt.guests.migrations_set import MIGRATIONS
from attendandt.guests.settings import GuestsSettings
from attendandt.platform.migrations import upgrade
from attendandt.platform.provision import provision, role_url
from attendandt.platform.settings import DatabaseSettings, NatsSettings, ObservabilitySettings
from attendandt.testing import polling

ENT = "ent-1"
OTHER_ENT = "ent-2"
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
_ids = itertools.count(1)

#: A portfolio-wide admin, as the gateway describes one: every property, every detail.
STAFF = Caller(
    user_id="u-admin",
    role=UserRole.ADMIN,
    permissions=("guests:read", "guests:contact:read"),
    enterprise_ids=None,
)


def next_id(prefix: str) -> str:
    return f"{prefix}-{next(_ids)}"


def guest(mews_id: str, updated: datetime = T0, **fields: Any) -> GuestSnapshot:
    fields.setdefault("last_name", "Lovelace")
    return GuestSnapshot(mews_id=mews_id, mews_updated_utc=updated, **fields)


def stay(mews_id: str, updated: datetime = T0, **fields: Any) -> StaySnapshot:
    state = fields.pop("state", StayState.CONFIRMED)
    fields.setdefault("mews_state", state.value.capitalize())
    return StaySnapshot(mews_id=mews_id, mews_updated_utc=updated, state=state, **fields)


def upsert_guest(
    snapshot: GuestSnapshot, enterprise: str = ENT, command_id: str | None = None
) -> UpsertGuest:
    return UpsertGuest(
        command_id=command_id or next_id("cmd"),
        enterprise_id=enterprise,
        issued_at=T0,
        guest=snapshot,
    )


def upsert_stay(
    snapshot: StaySnapshot, enterprise: str = ENT, command_id: str | None = None
) -> UpsertStay:
    return UpsertStay(
        command_id=command_id or next_id("cmd"),
        enterprise_id=enterprise,
        issued_at=T0,
        stay=snapshot,
    )


def room(mews_id: str, updated: datetime = T0, **fields: Any) -> RoomSnapshot:
    return RoomSnapshot(mews_id=mews_id, mews_updated_utc=updated, **fields)


def upsert_room(
    snapshot: RoomSnapshot,
    enterprise: str = ENT,
    command_id: str | None = None,
    issued_at: datetime = T0,
) -> UpsertRoom:
    return UpsertRoom(
        command_id=command_id or next_id("cmd"),
        enterprise_id=enterprise,
        issued_at=issued_at,
        room=snapshot,
    )


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def fetch_all(engine: AsyncEngine, sql: str, **params: Any) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(text(sql), params)).all())


async def outbox_subjects(engine: AsyncEngine, family: str = "attendandt.v1.") -> list[str]:
    """Subjects of one family (the public events unless told) waiting in the outbox, in
    order (when no relay runs)."""
    rows = await fetch_all(engine, "select subject from guests.outbox order by id")
    return [row.subject for row in rows if row.subject.startswith(family)]


def settings_for(nats_url: str, database_url: str) -> GuestsSettings:
    return GuestsSettings(
        nats=NatsSettings(url=nats_url),
        database=DatabaseSettings(url=database_url, schema="guests"),
        observability=ObservabilitySettings(service="guests"),
        health_port=0,
        command_batch=20,
        rpc_workers=4,
    )


@dataclass
class Running:
    app: GuestsApp
    js: JetStreamContext
    nc: NatsClient

    async def send(self, subject: str, payload: Payload, msg_id: str | None = None) -> None:
        headers = {"Nats-Msg-Id": msg_id} if msg_id else None
        await self.js.publish(subject, encode(payload), headers=headers)


eventually = partial(polling.eventually, timeout=10.0)


async def provision_and_migrate(database_url: str) -> str:
    await provision(database_url, schema="guests", role="guests", password=None)
    url = role_url(database_url, "guests")
    await upgrade(url, MIGRATIONS.script_location, MIGRATIONS.schema)
    return url


@contextlib.asynccontextmanager
async def run_app(
    nats_url: str,
    nats_client: NatsClient,
    jetstream: JetStreamContext,
    guests_url: str,
    clock: Clock | None = None,
) -> AsyncIterator[Running]:
    """The whole service, started and stopped; on `clock` when given, else the real one."""
    await ensure_streams(jetstream)
    settings = settings_for(nats_url, guests_url)
    app = create_app(settings) if clock is None else create_app(settings, clock=clock)
    stop = asyncio.Event()
    task = asyncio.create_task(app.run(stop))
    started = asyncio.create_task(app.started.wait())
    done, _ = await asyncio.wait({task, started}, timeout=20, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        task.result()  # raises the start-up failure
    assert started in done, "the app did not start"
    try:
        yield Running(app=app, js=jetstream, nc=nats_client)
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 20)
