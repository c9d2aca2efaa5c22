"""The billing routes against stand-in services: the caller the vendors service is given (in
the Attendandt-Caller header, never the body), and another property's manager refused."""

from __future__ import annotations

import httpx
from gateway_testkit import ENT, OTHER_ENT, FakeServices, Running

from attendandt.contracts.rpc.users import Principal
from attendandt.contracts.snapshots import UserRole
from attendandt.gateway.app import API_PREFIX

OTHER_MANAGER = Principal(
    user_id="u-manager-2", email="max@other.example", name="Max", role=UserRole.MANAGER,
    enterprise_id=OTHER_ENT,
)  # fmt: skip


async def test_approval_is_made_for_the_authenticated_manager(
    gateway: Running, services: FakeServices
) -> None:
    response = await gateway.client.post(
        API_PREFIX + "/charges/c-1/approve", headers=gateway.auth(UserRole.MANAGER)
    )
    assert response.status_code == 200, response.text
    [caller] = [c for subject, c in services.callers if subject.endswith(".approve_charge")]
    assert caller is not None
    assert (caller.user_id, caller.role, caller.enterprise_ids, caller.vendor_id) == (
        "u-manager",
        UserRole.MANAGER,
        (ENT,),
        None,
    )
    assert caller.can("charges:approve")
    assert caller.can("billing:settings")


async def test_a_manager_of_another_property_cannot_approve_or_reject(
    gateway: Running, services: FakeServices
) -> None:
    services.principals[OTHER_MANAGER.user_id] = OTHER_MANAGER
    headers = gateway.auth(OTHER_MANAGER)
    approve = await gateway.client.post(API_PREFIX + "/charges/c-1/approve", headers=headers)
    reject = await gateway.client.post(
        API_PREFIX + "/charges/c-1/reject", json={"reason": "not ours"}, headers=headers
    )
    for response in (approve, reject):
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["detail"] == "charge c-1 not found"
    settings = await gateway.client.get(
        API_PREFIX + "/billing-settings", params={"enterprise_id": ENT}, headers=headers
    )
    assert settings.status_code == 404


async def test_a_rejection_needs_a_reason_and_settings_are_bounded(gateway: Running) -> None:
    manager = gateway.auth(UserRole.MANAGER)
    no_reason = await gateway.client.post(
        API_PREFIX + "/charges/c-1/reject", json={"reason": ""}, headers=manager
    )
    assert no_reason.status_code == 400
    assert no_reason.headers["content-type"].startswith("application/problem+json")
    too_long = await gateway.client.patch(
        API_PREFIX + "/billing-settings", json={"checkout_grace_hours": 10_000}, headers=manager
    )
    assert too_long.status_code == 400
    for role in (UserRole.FRONT_DESK, UserRole.VENDOR):
        refused = await gateway.client.post(
            API_PREFIX + "/charges/c-1/approve", headers=gateway.auth(role)
        )
        assert refused.status_code == 403


async def test_a_manager_cancels_a_charge_with_a_reason(
    gateway: Running, services: FakeServices
) -> None:
    response = await gateway.client.post(
        API_PREFIX + "/charges/c-1/cancel",
        json={"reason": "the guest was not satisfied"},
        headers=gateway.auth(UserRole.MANAGER),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["state"], body["cancel_reason"], body["cancel_requested_by"]) == (
        "cancelling",
        "the guest was not satisfied",
        "u-manager",
    )
    [(_, request)] = [(m, r) for m, r in services.calls if m == "cancel_charge"]
    assert (request.charge_id, request.reason) == ("c-1", "the guest was not satisfied")
    [caller] = [c for subject, c in services.callers if subject.endswith(".cancel_charge")]
    assert caller is not None
    assert (caller.user_id, caller.enterprise_ids) == ("u-manager", (ENT,))
    assert caller.can("charges:cancel")


async def test_a_cancel_is_refused_with_problem_details(
    gateway: Running, services: FakeServices
) -> None:
    manager = gateway.auth(UserRole.MANAGER)

    async def cancel(charge_id: str, body: object, headers: dict[str, str]) -> httpx.Response:
        return await gateway.client.post(
            API_PREFIX + f"/charges/{charge_id}/cancel", json=body, headers=headers
        )

    reason = {"reason": "guest complaint"}
    services.principals[OTHER_MANAGER.user_id] = OTHER_MANAGER
    refusals = {
        404: await cancel("c-1", reason, gateway.auth(OTHER_MANAGER)),
        409: await cancel("c-rejected", reason, manager),
        400: await cancel("c-1", {"reason": ""}, manager),
    }
    for role in (UserRole.FRONT_DESK, UserRole.VENDOR):
        refused = await cancel("c-1", reason, gateway.auth(role))
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("application/problem+json")
    for status, response in refusals.items():
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    assert refusals[404].json()["detail"] == "charge c-1 not found"
    assert (
        refusals[409].json()["detail"] == "charge c-rejected cannot be cancelled: it was rejected"
    )
    # Neither the front desk, nor the vendor, nor a request without a reason reached vendors.
    called = [c for subject, c in services.callers if subject.endswith(".cancel_charge")]
    assert [c.user_id for c in called if c is not None] == ["u-manager-2", "u-manager"]
