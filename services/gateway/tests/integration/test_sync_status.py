"""Sync status from the KV buckets ingest and sync keep, dead letter counts, and resync."""

from __future__ import annotations

import json
from typing import Any

from gateway_testkit import ENT, FakeServices, Running
from nats.js import JetStreamContext

from attendandt.contracts.base import Payload
from attendandt.contracts.rpc.users import Principal
from attendandt.contracts.snapshots import UserRole
from attendandt.contracts.streams import INGEST_STATE, SYNC_HEALTH
from attendandt.platform.rpc import Conflict, Invalid, NotFound, ServiceError


async def test_status_per_enterprise(
    gateway: Running, services: FakeServices, jetstream: JetStreamContext
) -> None:
    ingest = await jetstream.key_value(INGEST_STATE.bucket)
    health = await jetstream.key_value(SYNC_HEALTH.bucket)
    await ingest.put(ENT, json.dumps({
        "enterprise_id": ENT, "websocket": "connected", "reconnects": 2,
        "last_sweep_at": "2026-11-25T12:00:00+00:00", "checkpoint_lag_s": 3.5,
        "backfill_needed": True, "backfill_reason": "run `attendandt sync backfill ...`",
        "backfill_since": "2026-09-01T00:00:00+00:00",
        "alert_reasons": ["silence"], "alert_details": ["no live change since 10:00 UTC"],
        "alert_raised_at": "2026-11-25T12:30:00+00:00",
        "resync": {"job_id": "j-1", "enterprise_id": ENT, "state": "running",
                   "oldest_allowed": "2026-10-26T12:00:00+00:00", "entity": "customer",
                   "window": 3, "windows": 120, "eta_s": 40.5},
    }).encode())  # fmt: skip
    await health.put(ENT, json.dumps({
        "enterprise_id": ENT, "consumer_lag": 7, "rate_limited_429s": 1,
        "import_state": "running", "import_windows_done": 2, "import_windows_total": 6,
        "import_reservations": 1234, "import_started_at": "2026-11-25T11:00:00+00:00",
    }).encode())  # fmt: skip
    # sync's progress entries beside the enterprises' are no enterprises.
    await health.put(f"import.{ENT}", json.dumps({"state": "running"}).encode())
    await health.put(f"backfill.{ENT}.customers", json.dumps({"since": "x"}).encode())
    await health.put("another-hotel", json.dumps({"enterprise_id": "another-hotel"}).encode())
    await jetstream.publish("deadletter.v1.guests.guests-upsert-guest", b"{}")
    await jetstream.publish("deadletter.v1.guests.guests-upsert-guest", b"{}")

    manager = gateway.auth(UserRole.MANAGER)
    status = (await gateway.client.get(f"/api/v1/sync/{ENT}", headers=manager)).json()
    assert status["ingest"]["websocket"] == "connected"
    assert status["ingest"]["checkpoint_lag_s"] == 3.5
    # Configured by environment (no integration): its initial import runs.
    assert status["ingest"]["integration_state"] is None
    assert status["phase"] == "importing"
    # A silence alarm in force: the property is red, and says why.
    assert status["alarm"] == "red"
    assert status["ingest"]["alert_reasons"] == ["silence"]
    assert status["ingest"]["alert_details"] == ["no live change since 10:00 UTC"]
    backfill = {k: v for k, v in status["ingest"].items() if k.startswith("backfill_")}
    assert backfill == {
        "backfill_needed": True, "backfill_reason": "run `attendandt sync backfill ...`",
        "backfill_since": "2026-09-01T00:00:00Z",
    }  # fmt: skip
    resync = status["ingest"]["resync"]
    assert (resync["state"], resync["window"], resync["windows"], resync["eta_s"]) == (
        "running", 3, 120, 40.5,
    )  # fmt: skip
    assert status["sync"]["consumer_lag"] == 7
    imported = {k: v for k, v in status["sync"].items() if k.startswith("import_")}
    assert imported == {
        "import_state": "running", "import_windows_done": 2, "import_windows_total": 6,
        "import_reservations": 1234, "import_started_at": "2026-11-25T11:00:00Z",
        "import_finished_at": None, "import_error": None,
    }  # fmt: skip
    assert status["dead_letters"] == {
        "total": 2, "by_subject": {"deadletter.v1.guests.guests-upsert-guest": 2},
    }  # fmt: skip
    overview = (await gateway.client.get("/api/v1/sync", headers=manager)).json()
    # The manager belongs to ENT: the other hotel is not listed.
    assert [e["enterprise_id"] for e in overview["enterprises"]] == [ENT]
    root = Principal(
        user_id="u-root", email="root@chain.example", name="Root", role=UserRole.ADMIN,
        enterprise_id=None,
    )  # fmt: skip
    services.principals[root.user_id] = root
    everything = await gateway.client.get("/api/v1/sync", headers=gateway.auth(root))
    assert [e["enterprise_id"] for e in everything.json()["enterprises"]] == [
        ENT, "another-hotel",
    ]  # fmt: skip
    # No alarm reported (sync's entry only): green.
    assert [e["alarm"] for e in everything.json()["enterprises"]] == ["red", "green"]
    # Nothing read from Mews yet (no import, no configuration): onboarding.
    assert [e["phase"] for e in everything.json()["enterprises"]] == ["importing", "onboarding"]
    # Another hotel is not found, like one that does not exist (no 403 to tell them apart).
    unknown = await gateway.client.get("/api/v1/sync/another-hotel", headers=manager)
    assert unknown.status_code == 404


async def test_a_resync_is_started_by_ingest_and_answered_with_its_job(
    gateway: Running, services: FakeServices
) -> None:
    response = await gateway.client.post(
        f"/api/v1/sync/{ENT}/resync", json={"entities": ["customer"]},
        headers=gateway.auth(UserRole.ADMIN),
    )  # fmt: skip
    assert response.status_code == 202, response.text
    assert response.json()["job_id"] == f"job-{ENT}"
    # The call was made before the answer: nothing is left running in the gateway.
    started = [r for name, r in services.calls if name == "start_resync"]
    assert started[0].enterprise_id == ENT  # type: ignore[attr-defined]
    assert started[0].entities == ("customer",)  # type: ignore[attr-defined]


async def test_ingest_refusals_of_a_resync_are_problems(
    gateway: Running, services: FakeServices
) -> None:
    """Ingest decides (it knows its properties and its horizon); the gateway passes its
    refusal on as a problem with ingest's reason, never a 202 for a resync that never ran."""
    admin = gateway.auth(UserRole.ADMIN)
    refusals: dict[str, ServiceError] = {
        "2000-01-01T00:00:00Z": Invalid(
            "since 2000-01-01T00:00:00+00:00 is older than the resync horizon (30 days): the "
            "oldest allowed is 2026-10-26T12:30:00+00:00"
        ),
        "2026-11-20T00:00:00Z": NotFound("enterprise nowhere is not one of the properties"),
        "2026-11-21T00:00:00Z": Conflict("resync job-1 of ENT is running"),
    }

    async def refuse(request: Any) -> Payload:
        raise refusals[request.since.isoformat().replace("+00:00", "Z")]

    services.overrides["start_resync"] = refuse
    for since, error in refusals.items():
        response = await gateway.client.post(
            f"/api/v1/sync/{ENT}/resync", json={"since": since}, headers=admin
        )
        assert response.status_code == error.status, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["detail"] == str(error)


async def test_a_resync_is_cancelled_through_the_api(
    gateway: Running, services: FakeServices
) -> None:
    admin = gateway.auth(UserRole.ADMIN)
    cancelled = await gateway.client.delete(f"/api/v1/sync/{ENT}/resync", headers=admin)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["state"] == "cancelled"
    assert [r.enterprise_id for n, r in services.calls if n == "cancel_resync"] == [ENT]  # type: ignore[attr-defined]

    async def none_running(request: Any) -> Payload:
        raise NotFound(f"no resync of {request.enterprise_id} is running")

    services.overrides["cancel_resync"] = none_running
    idle = await gateway.client.delete(f"/api/v1/sync/{ENT}/resync", headers=admin)
    assert idle.status_code == 404
    assert idle.json()["detail"] == f"no resync of {ENT} is running"
    # A role without the resync permission is refused at the guard.
    manager = await gateway.client.delete(
        f"/api/v1/sync/{ENT}/resync", headers=gateway.auth(UserRole.FRONT_DESK)
    )
    assert manager.status_code == 403


def _root(services: FakeServices) -> Principal:
    """A portfolio-wide admin: every property."""
    root = Principal(
        user_id="u-root", email="root@chain.example", name="Root", role=UserRole.ADMIN,
        enterprise_id=None,
    )  # fmt: skip
    services.principals[root.user_id] = root
    return root


async def test_each_property_shows_its_phase(
    gateway: Running, services: FakeServices, jetstream: JetStreamContext
) -> None:
    """The phase is `property_phase` of the two KV entries: an integration Mews disabled is
    stopped (whatever sync reports), a running import is importing, a finished one live."""
    ingest = await jetstream.key_value(INGEST_STATE.bucket)
    health = await jetstream.key_value(SYNC_HEALTH.bucket)
    # ENT: onboarded through Integration Webhooks, then disabled in Mews.
    await ingest.put(ENT, json.dumps({
        "enterprise_id": ENT, "websocket": "disconnected", "integration_id": "int-1",
        "integration_state": "disabled",
    }).encode())  # fmt: skip
    await health.put(ENT, json.dumps({"enterprise_id": ENT, "import_state": "done"}).encode())
    await ingest.put("hotel-importing", json.dumps({
        "enterprise_id": "hotel-importing", "integration_id": "int-2",
        "integration_state": "enabled",
    }).encode())  # fmt: skip
    await health.put("hotel-importing", json.dumps({
        "enterprise_id": "hotel-importing", "import_state": "running",
        "import_windows_done": 1, "import_windows_total": 6,
    }).encode())  # fmt: skip
    await health.put("hotel-live", json.dumps({
        "enterprise_id": "hotel-live", "import_state": "done",
        "import_finished_at": "2026-11-25T11:00:00+00:00",
    }).encode())  # fmt: skip
    await ingest.put("hotel-new", json.dumps({
        "enterprise_id": "hotel-new", "integration_id": "int-3", "integration_state": "enabled",
    }).encode())  # fmt: skip

    root = gateway.auth(_root(services))
    overview = (await gateway.client.get("/api/v1/sync", headers=root)).json()
    phases = {
        e["enterprise_id"]: (e["phase"], (e["ingest"] or {}).get("integration_state"))
        for e in overview["enterprises"]
    }
    assert phases == {
        ENT: ("stopped", "disabled"),
        "hotel-importing": ("importing", "enabled"),
        "hotel-live": ("live", None),
        "hotel-new": ("onboarding", "enabled"),
    }
    one = (await gateway.client.get("/api/v1/sync/hotel-live", headers=root)).json()
    assert (one["phase"], one["ingest"], one["sync"]["import_state"]) == ("live", None, "done")

    # The property's own staff see their property's phase, and only theirs.
    manager = gateway.auth(UserRole.MANAGER)
    own = (await gateway.client.get("/api/v1/sync", headers=manager)).json()
    assert [(e["enterprise_id"], e["phase"]) for e in own["enterprises"]] == [(ENT, "stopped")]
    mine = (await gateway.client.get(f"/api/v1/sync/{ENT}", headers=manager)).json()
    assert (mine["phase"], mine["ingest"]["integration_state"]) == ("stopped", "disabled")
    other = await gateway.client.get("/api/v1/sync/hotel-live", headers=manager)
    assert other.status_code == 404

    # The properties list carries the same phase, for the caller's properties only.
    for role in (UserRole.FRONT_DESK, UserRole.VENDOR):
        listed = await gateway.client.get("/api/v1/properties", headers=gateway.auth(role))
        assert listed.status_code == 200, listed.text
        assert [
            (p["enterprise_id"], p["phase"], p["integration_state"]) for p in listed.json()
        ] == [(ENT, "stopped", "disabled")]

    # Mews enables the integration again: the property is live.
    await ingest.put(ENT, json.dumps({
        "enterprise_id": ENT, "websocket": "connected", "integration_id": "int-1",
        "integration_state": "enabled",
    }).encode())  # fmt: skip
    again = (await gateway.client.get(f"/api/v1/sync/{ENT}", headers=manager)).json()
    assert (again["phase"], again["ingest"]["integration_state"]) == ("live", "enabled")
    listed = (await gateway.client.get("/api/v1/properties", headers=manager)).json()
    assert [(p["phase"], p["integration_state"]) for p in listed] == [("live", "enabled")]


async def test_a_property_whose_token_mews_refuses_is_refused_not_live(
    gateway: Running, services: FakeServices, jetstream: JetStreamContext
) -> None:
    """Sync last saw it in step, but Mews refuses its token (401): refused, and why, on the
    sync status and in the properties list; accepted again, it is live again."""
    ingest = await jetstream.key_value(INGEST_STATE.bucket)
    health = await jetstream.key_value(SYNC_HEALTH.bucket)
    reason = "configuration/get: HTTP 401: Invalid AccessToken."
    await health.put(ENT, json.dumps({
        "enterprise_id": ENT, "import_state": "done",
        "configuration_synced_at": "2026-11-25T11:00:00+00:00",
    }).encode())  # fmt: skip
    await ingest.put(ENT, json.dumps({
        "enterprise_id": ENT, "websocket": "connected", "integration_id": "int-1",
        "integration_state": "enabled", "last_sweep_error": reason,
        "token_refused_since": "2026-11-25T12:00:00+00:00", "token_refused_reason": reason,
    }).encode())  # fmt: skip

    manager = gateway.auth(UserRole.MANAGER)
    mine = (await gateway.client.get(f"/api/v1/sync/{ENT}", headers=manager)).json()
    assert mine["phase"] == "refused"
    assert mine["ingest"]["token_refused_since"] == "2026-11-25T12:00:00Z"
    assert mine["ingest"]["token_refused_reason"] == reason
    listed = (await gateway.client.get("/api/v1/properties", headers=manager)).json()
    assert [(p["phase"], p["integration_state"]) for p in listed] == [("refused", "enabled")]

    # Disabled in Mews meanwhile: stopped wins.
    await ingest.put(ENT, json.dumps({
        "enterprise_id": ENT, "integration_id": "int-1", "integration_state": "disabled",
        "token_refused_since": "2026-11-25T12:00:00+00:00", "token_refused_reason": reason,
    }).encode())  # fmt: skip
    mine = (await gateway.client.get(f"/api/v1/sync/{ENT}", headers=manager)).json()
    assert mine["phase"] == "stopped"

    # A new key in use, a sweep that succeeded: live again.
    await ingest.put(ENT, json.dumps({
        "enterprise_id": ENT, "websocket": "connected", "integration_id": "int-1",
        "integration_state": "enabled",
    }).encode())  # fmt: skip
    mine = (await gateway.client.get(f"/api/v1/sync/{ENT}", headers=manager)).json()
    assert (mine["phase"], mine["ingest"]["token_refused_since"]) == ("live", None)


async def test_a_property_nothing_reported_on_is_onboarding_in_the_list(
    gateway: Running,
) -> None:
    listed = await gateway.client.get("/api/v1/properties", headers=gateway.auth(UserRole.ADMIN))
    assert listed.status_code == 200, listed.text
    assert [(p["phase"], p["integration_state"]) for p in listed.json()] == [("onboarding", None)]
