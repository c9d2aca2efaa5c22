"""Sync against the Mews simulator and a real nats-server: publish changes as ingest would,
read the commands sync stored in DOMAIN_COMMANDS."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any

import httpx
import msgspec
import pytest
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from attendandt.contracts.commands import UpsertGuest, UpsertRoom, UpsertStay
from attendandt.contracts.kv import SyncHealth
from attendandt.contracts.mews import MEWS_CHANGE, ChangeSource, MewsChange, MewsEntity
from attendandt.contracts.streams import SYNC_HEALTH
from attendandt.mews import Credentials, MewsSettings
from attendandt.platform.messaging import publish_all
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
        # Tests of the live passes start from an empty domain; the import has its own.
        initial_import=False,
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


#: Publishes in flight at once, as ingest's outbox keeps them (a thousand at once on a busy
#: machine wait longer than an ack's timeout for the last of them).
async def announce(
    js: JetStreamContext, enterprise_id: str, entity: MewsEntity, ids: list[str]
) -> None:
    """Publish change notifications as ingest does (id only, from the WebSocket), through the
    same bounded, retrying `publish_all`."""
    now = datetime.now(UTC)
    changes = [
        MewsChange(
            enterprise_id=enterprise_id,
            entity=entity,
            mews_id=mews_id,
            source=ChangeSource.WEBSOCKET,
            observed_at=now,
            sighting=f"{now.isoformat()}:{i}",
        )
        for i, mews_id in enumerate(ids)
    ]
    await publish_all(
        js, MEWS_CHANGE, changes, msg_id=MewsChange.msg_id, parts=MewsChange.subject_parts
    )


async def stored_commands(js: JetStreamContext) -> tuple[list[UpsertGuest], list[UpsertStay]]:
    guests, stays, _ = await all_commands(js)
    return guests, stays


async def all_commands(
    js: JetStreamContext,
) -> tuple[list[UpsertGuest], list[UpsertStay], list[UpsertRoom]]:
    try:
        info = await js.stream_info("DOMAIN_COMMANDS")
    except NotFoundError:
        return [], [], []
    guests: list[UpsertGuest] = []
    stays: list[UpsertStay] = []
    rooms: list[UpsertRoom] = []
    if info.state.messages == 0:
        return guests, stays, rooms
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        with contextlib.suppress(NotFoundError):
            msg = await js.get_msg("DOMAIN_COMMANDS", seq)
            if msg.subject.endswith("upsert_guest"):
                guests.append(msgspec.json.decode(msg.data or b"", type=UpsertGuest))
            elif msg.subject.endswith("upsert_stay"):
                stays.append(msgspec.json.decode(msg.data or b"", type=UpsertStay))
            elif msg.subject.endswith("upsert_room"):
                rooms.append(msgspec.json.decode(msg.data or b"", type=UpsertRoom))
    return guests, stays, rooms


wait_for = partial(eventually, timeout=30.0)


COMPANIONSHIPS = "companionships/getAll"
NOTES = "serviceOrderNotes/getAll"


@dataclass
class CompanionsAndNotes:
    """The simulator, plus `companionships/getAll` and `serviceOrderNotes/getAll` answered
    from the tables below with the documented request and answer shapes (ids filter,
    Limitation, Cursor), for a client's `transport`. Every other call goes to the simulator.
    `refuse` answers both with that status instead (an operation the token may not use).
    """

    #: Reservation id -> its companions' customer ids.
    companions: dict[str, list[str]] = field(default_factory=dict)
    #: Reservation id -> its notes, as Mews writes them (Id, Text, Type, ...).
    notes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    refuse: int | None = None
    #: What was asked of the two operations: (operation, ids, body).
    requests: list[tuple[str, list[str], dict[str, Any]]] = field(default_factory=list)
    inner: httpx.AsyncBaseTransport = field(default_factory=httpx.AsyncHTTPTransport)

    def calls(self) -> Counter[str]:
        return Counter(operation for operation, _, _ in self.requests)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        for operation in (COMPANIONSHIPS, NOTES):
            if path.endswith("/" + operation):
                body = json.loads(await request.aread())
                return self._answer(operation, body)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()

    def _answer(self, operation: str, body: dict[str, Any]) -> httpx.Response:
        ids_field = "ReservationIds" if operation == COMPANIONSHIPS else "ServiceOrderIds"
        ids = list(body.get(ids_field) or [])
        self.requests.append((operation, ids, body))
        if self.refuse is not None:
            return httpx.Response(self.refuse, json={"Message": "Not permitted."})
        if len(ids) > 1000 or "Limitation" not in body:
            return httpx.Response(400, json={"Message": f"Invalid {ids_field} or Limitation."})
        if operation == COMPANIONSHIPS:
            rows: list[dict[str, Any]] = [
                {
                    "Id": f"cs-{reservation}-{i}",
                    "CustomerId": customer,
                    "ReservationGroupId": f"g-{reservation}",
                    "ReservationId": reservation,
                }
                for reservation in ids
                for i, customer in enumerate(self.companions.get(reservation, []))
            ]
            key = "Companionships"
        else:
            rows = [
                {**note, "OrderId": reservation}
                for reservation in ids
                for note in self.notes.get(reservation, [])
            ]
            key = "ServiceOrderNotes"
        count = int(body["Limitation"]["Count"])
        cursor = body["Limitation"].get("Cursor")
        start = next((i + 1 for i, row in enumerate(rows) if row["Id"] == cursor), 0)
        page = rows[start : start + count]
        return httpx.Response(200, json={key: page, "Cursor": page[-1]["Id"] if page else None})


async def health_of(js: JetStreamContext, enterprise_id: str) -> SyncHealth | None:
    """What sync reports on the property in SYNC_HEALTH (None: nothing yet)."""
    kv = await js.key_value(SYNC_HEALTH.bucket)
    try:
        entry = await kv.get(enterprise_id)
    except Exception:
        return None
    return msgspec.json.decode(entry.value or b"{}", type=SyncHealth)
