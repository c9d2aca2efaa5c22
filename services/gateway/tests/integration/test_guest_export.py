"""A guest's access request: everything held about the guest, from the guests and vendors
services, in one document to download; for managers and admins only."""

from __future__ import annotations

from gateway_testkit import ENT, OTHER_ENT, FakeServices, Running

from attendandt.contracts.rpc import vendors as vendors_rpc
from attendandt.contracts.snapshots import UserRole


async def test_a_manager_downloads_everything_held_about_a_guest(
    gateway: Running, services: FakeServices
) -> None:
    manager = gateway.auth(UserRole.MANAGER)
    response = await gateway.client.get("/api/v1/guests/g-1/export", headers=manager)

    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == 'attachment; filename="guest-g-1.json"'
    document = response.json()
    assert document["enterprise_id"] == ENT
    # The contact data too: this is the guest's own file.
    assert (document["guest"]["email"], document["guest"]["notes"]) == (
        "ada@example.com", "allergic to nuts",
    )  # fmt: skip
    assert [s["stay_id"] for s in document["stays"]] == ["s-1"]
    assert [b["booking_id"] for b in document["bookings"]] == ["b-1"]
    assert [c["charge_id"] for c in document["charges"]] == ["c-1"]
    assert document["sources"] == ["guests", "vendors"]
    # The vendors service was asked for this guest's bookings and charges at this property.
    lists = (vendors_rpc.ListBookingsRequest, vendors_rpc.ListChargesRequest)
    asked = [r for _, r in services.calls if isinstance(r, lists)]
    assert {(r.enterprise_id, r.guest_id) for r in asked} == {(ENT, "g-1")}


async def test_only_managers_and_admins_of_the_property_export(
    gateway: Running, services: FakeServices
) -> None:
    for role in (UserRole.FRONT_DESK, UserRole.VENDOR):
        refused = await gateway.client.get("/api/v1/guests/g-1/export", headers=gateway.auth(role))
        assert refused.status_code == 403, role
        assert refused.headers["content-type"].startswith("application/problem+json")
    elsewhere = await gateway.client.get(
        "/api/v1/guests/g-1/export", params={"enterprise_id": OTHER_ENT},
        headers=gateway.auth(UserRole.MANAGER),
    )  # fmt: skip
    assert elsewhere.status_code == 404
