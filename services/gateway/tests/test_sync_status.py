"""Sync status from the KV buckets ingest and sync keep, dead letter counts, and resync."""

from __future__ import annotations

import asyncio
import json

from gateway_testkit import ENT, FakeServices, Running
from nats.js import JetStreamContext

from attendandt.contracts.snapshots import UserRole
from attendandt.contracts.streams import INGEST_STATE, SYNC_HEALTH


async def test_status_per_enterprise(gateway: Running, jetstream: JetStreamContext) -> None:
    ingest = await jetstream.key_value(INGEST_STATE.bucket)
    health = await jetstream.key_value(SYNC_HEALTH.bucket)
    await ingest.put(ENT, json.dumps({
        "enterprise_id": ENT, "websocket": "connected", "reconnects": 2,
        "last_sweep_at": "2026-11-25T12:00:00+00:00", "checkpoint_lag_s": 3.5,
    }).encode())  # fmt: skip
    await health.put(ENT, json.dumps({"enterprise_id": ENT, "consumer_lag": 7,
                                      "rate_limited_429s": 1}).encode())  # fmt: skip
    await health.put("another-hotel", json.dumps({"enterprise_id": "another-hotel"}).encode())
    await jetstream.publish("deadletter.v1.guests.guests-upsert-guest", b"{}")
    await jetstream.publish("deadletter.v1.guests.guests-upsert-guest", b"{}")

    manager = gateway.auth(UserRole.MANAGER)
    status = (await gateway.client.get(f"/api/v1/sync/{ENT}", headers=manager)).json()
    assert status["ingest"]["websocket"] == "connected"
    assert status["ingest"]["checkpoint_lag_s"] == 3.5
    assert status["sync"]["consumer_lag"] == 7
    assert status["dead_letters"] == {
        "total": 2, "by_subject": {"deadletter.v1.guests.guests-upsert-guest": 2},
    }  # fmt: skip
    overview = (await gateway.client.get("/api/v1/sync", headers=manager)).json()
    # The manager belongs to ENT: the other hotel is not listed.
    assert [e["enterprise_id"] for e in overview["enterprises"]] == [ENT]
    # Another hotel is not found, like one that does not exist (no 403 to tell them apart).
    unknown = await gateway.client.get("/api/v1/sync/another-hotel", headers=manager)
    assert unknown.status_code == 404


async def test_resync_runs_in_the_background(gateway: Running, services: FakeServices) -> None:
    response = await gateway.client.post(
        f"/api/v1/sync/{ENT}/resync", json={"entities": ["Customer"]},
        headers=gateway.auth(UserRole.ADMIN),
    )  # fmt: skip
    assert response.status_code == 202
    for _ in range(100):
        sweeps = [r for name, r in services.calls if name == "sweep"]
        if sweeps:
            break
        await asyncio.sleep(0.02)
    assert sweeps[0].enterprise_id == ENT  # type: ignore[attr-defined]
    assert sweeps[0].entities == ("Customer",)  # type: ignore[attr-defined]
