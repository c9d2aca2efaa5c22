"""The whole system as `make run` starts it (the `stack` fixture, conftest.py): a reservation
made in the simulator reaches the gateway's API, and a charge made through the gateway lands on
the guest's bill in Mews."""

from __future__ import annotations

import os
import signal
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from stack_support import child_pid, mews_call, signed_in, wait_until

from attendandt.mews_sim.control_client import SimControl

pytestmark = pytest.mark.slow


_mews = mews_call


@pytest.fixture(scope="module")
def api(stack) -> httpx.Client:
    return signed_in(stack, timeout=10)


def test_reservation_made_in_mews_reaches_the_api_and_a_charge_lands_on_the_bill(
    stack, api
) -> None:
    sim = stack["sim"]
    enterprise = _mews(sim, "configuration/get")["Enterprise"]["Id"]
    today = datetime.now(UTC).date().isoformat()

    made_at = time.monotonic()
    created = httpx.post(
        f"{sim}/_sim/reservations", json={"enterprise_id": enterprise, "state": "Confirmed"}
    )
    created.raise_for_status()
    reservation = created.json()

    def arrived() -> dict[str, Any] | None:
        page = api.get(
            "/arrivals", params={"date": today, "enterprise_id": enterprise, "limit": 200}
        )
        for item in page.json().get("items", []):
            if item["mews_id"] == reservation["Id"]:
                return dict(item)
        return None

    stay = wait_until("the new reservation through the API", arrived, timeout=60)
    print(f"reservation visible through the gateway after {time.monotonic() - made_at:.2f} s")

    def linked_owner() -> dict[str, Any] | None:
        detail = api.get(f"/stays/{stay['stay_id']}", params={"enterprise_id": enterprise})
        return next((g for g in detail.json()["stay"]["guests"] if g.get("guest_id")), None)

    owner = wait_until("the owner linked to a guest", linked_owner)

    # The hotel as Mews describes it, and the demo spa's offering on its Spa service.
    hotel = wait_until(
        "the hotel in guests",
        lambda: next(
            (h for h in api.get("/properties").json() if h["enterprise_id"] == enterprise), None
        ),
    )
    assert (hotel["enterprise_id"], hotel["time_zone"], hotel["default_currency"]) == (
        enterprise, "Europe/London", "GBP",
    )  # fmt: skip
    catalogue = wait_until(
        "the hotel's catalogue in vendors",
        lambda: (
            (c := api.get(f"/properties/{enterprise}/catalogue")).status_code == 200 and c.json()
        ),
    )
    spa = next(s for s in catalogue["services"] if s["name"] == "Spa")
    massage = next(p for p in spa["products"] if p["name"] == "Massage 60 min")
    demo_vendor = next(v for v in api.get("/vendors").json()["items"] if v["name"] == "Lagoon Spa")
    [demo_offering] = api.get(f"/vendors/{demo_vendor['vendor_id']}/offerings").json()["items"]
    assert (demo_offering["mews_service_id"], demo_offering["mews_product_id"]) == (
        spa["mews_id"], massage["mews_id"],
    )  # fmt: skip
    assert demo_offering["currency"] == "GBP"

    vendor = api.post(
        "/vendors", json={"enterprise_id": enterprise, "name": "Harbour Spa", "category": "spa"}
    )
    assert vendor.status_code == 201, vendor.text
    offering = api.post(
        f"/vendors/{vendor.json()['vendor_id']}/offerings",
        json={
            "name": "Massage 60 min",
            "unit_price": "80.00",
            "mews_service_id": spa["mews_id"],
            "mews_product_id": massage["mews_id"],
        },
    )
    assert offering.status_code == 201, offering.text
    assert offering.json()["currency"] == "GBP"
    booking = api.post(
        "/bookings",
        json={
            "offering_id": offering.json()["offering_id"],
            "guest_id": owner["guest_id"],
            "stay_id": stay["stay_id"],
            "quantity": 2,
        },
    )
    assert booking.status_code == 201, booking.text
    booking_id = booking.json()["booking_id"]
    assert api.post(f"/bookings/{booking_id}/confirm").status_code == 200
    fulfilled = api.post(f"/bookings/{booking_id}/fulfil")
    assert fulfilled.status_code == 200, fulfilled.text
    charge_id = fulfilled.json()["charge"]["charge_id"]

    charge = wait_until(
        "the charge to be posted",
        lambda: (
            (c := api.get(f"/charges/{charge_id}", params={"enterprise_id": enterprise}).json())[
                "state"
            ]
            == "posted"
            and c
        ),
        timeout=90,
    )
    items = _mews(
        sim,
        "orderItems/getAll",
        ServiceOrderIds=[charge["mews_order_id"]],
        Limitation={"Count": 100},
    )["OrderItems"]
    assert items, "no order in Mews for the posted charge"
    assert {item["ExternalIdentifier"] for item in items} == {charge["reference"]}
    assert {item["AccountId"] for item in items} == {reservation["AccountId"]}
    bill_ids = {item["BillId"] for item in items}
    [bill] = _mews(sim, "bills/getAll", BillIds=sorted(bill_ids), Limitation={"Count": 10})["Bills"]
    assert bill["AccountId"] == reservation["AccountId"]
    assert bill["State"] == "Open"


_child_pid = child_pid


def test_sync_killed_and_restarted_loses_nothing(stack, api) -> None:
    sim = stack["sim"]
    enterprise = _mews(sim, "configuration/get")["Enterprise"]["Id"]
    today = datetime.now(UTC).date().isoformat()
    sync = _child_pid(stack["pid"], "attendandt.sync")
    os.kill(sync, signal.SIGKILL)

    made = []
    for _ in range(5):  # made while sync is down
        response = httpx.post(
            f"{sim}/_sim/reservations", json={"enterprise_id": enterprise, "state": "Confirmed"}
        )
        response.raise_for_status()
        made.append(response.json()["Id"])
    wait_until(
        "sync to be started again",
        lambda: any("sync exited" in line for line in stack["log"]),
        timeout=30,
    )

    def all_arrived() -> bool:
        page = api.get(
            "/arrivals", params={"date": today, "enterprise_id": enterprise, "limit": 200}
        )
        if page.status_code != 200:
            return False  # guests busy catching up (a 504): ask again
        return set(made) <= {item["mews_id"] for item in page.json()["items"]}

    wait_until("every reservation made while sync was down", all_arrived, timeout=90)
    assert _child_pid(stack["pid"], "attendandt.sync") != sync


def test_demo_staff_and_vendor_accounts_sign_in_each_with_its_own_password(stack) -> None:
    log = "".join(stack["log"])
    passwords = stack["passwords"]
    assert len(set(passwords.values())) == len(passwords), "demo accounts share a password"
    for email, password in passwords.items():
        assert f"{email} / {password}" in log  # shown by `make run`, as the admin's is
    for email, role in (
        ("frontdesk@attendandt.local", "front_desk"),
        ("manager@attendandt.local", "manager"),
        ("spa@attendandt.local", "vendor"),
    ):
        refused = httpx.post(
            f"{stack['gateway']}/api/v1/auth/login",
            json={"email": email, "password": stack["password"]},
        )
        assert refused.status_code == 401, "a demo account takes the admin's password"
        login = httpx.post(
            f"{stack['gateway']}/api/v1/auth/login",
            json={"email": email, "password": passwords[email]},
        )
        assert login.status_code == 200, login.text
        assert login.json()["user"]["role"] == role
    vendor_token = login.json()["access_token"]
    vendors = httpx.get(
        f"{stack['gateway']}/api/v1/vendors", headers={"Authorization": f"Bearer {vendor_token}"}
    )
    assert [v["name"] for v in vendors.json()["items"]] == ["Lagoon Spa"]


def test_simulator_webhooks_are_accepted_and_the_secret_is_never_printed(stack) -> None:
    control = SimControl(stack["sim"])
    try:
        wait_until("ingest", lambda: httpx.get(f"{stack['ingest']}/readyz").status_code == 200)
        before = control.counters()["webhook_messages_delivered"]
        control.add_customer(LastName="Hookman")
        # Delivered means ingest answered 2xx: the simulator's `?Token=` was taken. (A
        # refused delivery is retried a minute later: allow one retry.)
        wait_until(
            "a webhook accepted by ingest",
            lambda: control.counters()["webhook_messages_delivered"] > before,
            timeout=90,
        )
        described = control.webhooks()
    finally:
        control.close()
    assert described["config"]["url"].endswith("/webhooks/mews")  # no secret in the path
    assert described["recent"][-1]["status"] == 202
    assert "".join(stack["log"]).count(stack["webhook_secret"]) == 0
