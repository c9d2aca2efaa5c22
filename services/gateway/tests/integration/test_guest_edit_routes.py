"""The guest edit routes against stand-in services: what the guests service is asked (the
changed fields only, with the version the user saw, for the signed-in user), and the bodies
refused before any call."""

from __future__ import annotations

from datetime import UTC, datetime

from gateway_testkit import ENT, FakeServices, Running

from attendandt.contracts.rpc import guests as guests_rpc
from attendandt.contracts.snapshots import UserRole
from attendandt.gateway.app import API_PREFIX

BASE = "2026-11-25T12:00:00Z"


def _calls(services: FakeServices, method: str) -> list[object]:
    return [request for name, request in services.calls if name == method]


async def test_an_edit_asks_for_the_changed_fields_only(
    gateway: Running, services: FakeServices
) -> None:
    response = await gateway.client.patch(
        API_PREFIX + "/guests/g-1",
        json={
            "base_version": BASE,
            "phone": "+44 7700 900123",
            "classifications": ["Important", "Returning"],
            "birth_date": "1985-09-30",
        },
        headers=gateway.auth(UserRole.FRONT_DESK),
    )
    assert response.status_code == 200, response.text
    assert response.json()["sync_state"] == "saving"
    [request] = _calls(services, "edit_guest")
    assert isinstance(request, guests_rpc.EditGuestRequest)
    assert (request.enterprise_id, request.guest_id) == (ENT, "g-1")
    assert request.base_version == datetime(2026, 11, 25, 12, tzinfo=UTC)
    assert {(c.field, c.value) for c in request.changes} == {
        ("phone", "+44 7700 900123"),
        ("classifications", ("Important", "Returning")),
        ("birth_date", "1985-09-30"),
    }
    [caller] = [c for subject, c in services.callers if subject.endswith(".edit_guest")]
    assert caller is not None
    assert (caller.user_id, caller.can("guests:edit")) == ("u-desk", True)


async def test_bodies_refused_before_any_call(gateway: Running, services: FakeServices) -> None:
    desk = gateway.auth(UserRole.FRONT_DESK)
    for body, status in (
        ({"base_version": BASE}, 422),  # nothing to change
        ({"phone": "+44 1"}, 400),  # no base version
        ({"base_version": "2026-11-25T12:00:00", "phone": "+44 1"}, 400),  # no time zone
        ({"base_version": BASE, "phone": None}, 400),  # Mews cannot clear a field
        ({"base_version": BASE, "phone": ""}, 400),
        ({"base_version": BASE, "mews_id": "x"}, 400),  # not a field of the form
        ({"base_version": BASE, "nationality_code": "gbr"}, 400),
    ):
        response = await gateway.client.patch(API_PREFIX + "/guests/g-1", json=body, headers=desk)
        assert response.status_code == status, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert _calls(services, "edit_guest") == []


async def test_a_resolution_and_the_rules_reach_the_guests_service(
    gateway: Running, services: FakeServices
) -> None:
    resolved = await gateway.client.post(
        API_PREFIX + "/guests/g-1/conflicts/resolve",
        json={"edit_id": "e-1", "choices": [{"field": "phone", "keep": "ours"}]},
        headers=gateway.auth(UserRole.FRONT_DESK),
    )
    assert resolved.status_code == 200, resolved.text
    [request] = _calls(services, "resolve_conflicts")
    assert isinstance(request, guests_rpc.ResolveConflictsRequest)
    assert (request.edit_id, request.choices) == (
        "e-1",
        (guests_rpc.ConflictChoice(field="phone", keep="ours"),),
    )
    wrong = await gateway.client.post(
        API_PREFIX + "/guests/g-1/conflicts/resolve",
        json={"edit_id": "e-1", "choices": [{"field": "phone", "keep": "both"}]},
        headers=gateway.auth(UserRole.FRONT_DESK),
    )
    assert wrong.status_code == 400
    # The front desk may read the rules, only a manager set them.
    read = await gateway.client.get(
        f"{API_PREFIX}/properties/{ENT}/edit-rules", headers=gateway.auth(UserRole.FRONT_DESK)
    )
    assert read.status_code == 200
    body = {"rules": [{"field": "notes", "rule": "we_win"}]}
    refused = await gateway.client.put(
        f"{API_PREFIX}/properties/{ENT}/edit-rules",
        json=body,
        headers=gateway.auth(UserRole.FRONT_DESK),
    )
    assert refused.status_code == 403
    done = await gateway.client.put(
        f"{API_PREFIX}/properties/{ENT}/edit-rules",
        json=body,
        headers=gateway.auth(UserRole.MANAGER),
    )
    assert done.status_code == 200
    [request] = _calls(services, "set_edit_rules")
    assert isinstance(request, guests_rpc.SetEditRulesRequest)
    assert request.rules == (guests_rpc.FieldRule(field="notes", rule="we_win"),)
