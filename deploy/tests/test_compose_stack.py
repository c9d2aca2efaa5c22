"""The compose stack as `make test-deploy` starts it (deploy/tests/test-deploy.sh): every
container healthy, the services non-root on a read-only root file system, the gateway serving the
web app, a reservation made in
the simulator reaching the gateway's API, a booking fulfilled through the gateway landing once on
the simulator's bill, and each service stopped and started again losing nothing.

Not collected by `make test` (testpaths): it needs the stack the script starts, named by
TEST_DEPLOY_COMPOSE (the compose command line) and the *_PORT variables the script exports."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

COMPOSE = shlex.split(os.environ.get("TEST_DEPLOY_COMPOSE", ""))
SERVICES = ("mews-ingest", "sync", "guests", "vendors", "users", "mews-publisher", "gateway")
ADMIN = "admin@attendandt.local"
PASSWORD = "Deploy-Test-Horse-9"  # this stack's admin, made by the `stack` fixture
# The simulator's tokens in the compose sim profile (deploy/compose/dev-secrets/mews.env).
MEWS_TOKENS = {
    "ClientToken": "dev-only-client-token",
    "AccessToken": "dev-only-access-token",
    "Client": "Attendandt deploy test 1.0.0",
}


def compose(*args: str, timeout: float = 300) -> str:
    done = subprocess.run(
        [*COMPOSE, *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"compose {' '.join(args)}: {done.stdout}{done.stderr}"
    return done.stdout


def docker(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["docker", *args], capture_output=True, text=True, timeout=60, check=False
    )


def container(service: str) -> str:
    return compose("ps", "-q", service).strip()


def inspect(service: str) -> dict[str, Any]:
    done = docker("inspect", container(service))
    assert done.returncode == 0, done.stderr
    [found] = json.loads(done.stdout)
    return dict(found)


def wait_until(what: str, check: Callable[[], Any], timeout: float = 120) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
        except httpx.TransportError:  # a service restarting; an HTTP error status fails at once
            result = None
        if result:
            return result
        assert time.monotonic() < deadline, f"timed out after {timeout:.0f} s waiting for {what}"
        time.sleep(1)


def all_healthy() -> bool:
    return all(inspect(s)["State"].get("Health", {}).get("Status") == "healthy" for s in SERVICES)


class AdminLogin(httpx.Auth):
    """The admin's bearer token, logged in again when it expires (it lives 15 minutes, and the
    restart checks take longer than that)."""

    def __init__(self, gateway: str) -> None:
        self.gateway = gateway
        self.token = ""

    def login(self) -> None:
        done = httpx.post(
            f"{self.gateway}/api/v1/auth/login", json={"email": ADMIN, "password": PASSWORD}
        )
        assert done.status_code == 200, done.text
        self.token = done.json()["access_token"]

    def auth_flow(self, request: httpx.Request) -> Any:
        if not self.token:
            self.login()
        request.headers["Authorization"] = f"Bearer {self.token}"
        response = yield request
        if response.status_code == 401:
            self.login()
            request.headers["Authorization"] = f"Bearer {self.token}"
            yield request


@pytest.fixture(scope="module")
def stack() -> dict[str, Any]:
    assert COMPOSE, "TEST_DEPLOY_COMPOSE is not set: run `make test-deploy`, which starts the stack"
    wait_until("every service healthy", all_healthy, timeout=300)
    compose(
        "run", "--rm", "-T", "migrate", "attendandt", "users", "create-admin",
        "--email", ADMIN, "--password", PASSWORD,
        "--database-url", "postgresql://users:dev-only-users@postgres:5432/attendandt",
    )  # fmt: skip
    gateway = f"http://127.0.0.1:{os.environ['GATEWAY_PORT']}"
    api = httpx.Client(base_url=f"{gateway}/api/v1", auth=AdminLogin(gateway), timeout=10)
    sim = f"http://127.0.0.1:{os.environ['MEWS_SIM_PORT']}"
    enterprise = mews(sim, "configuration/get")["Enterprise"]["Id"]
    return {"api": api, "sim": sim, "enterprise": enterprise, "gateway": gateway}


def mews(sim: str, operation: str, **body: Any) -> Any:
    response = httpx.post(f"{sim}/api/connector/v1/{operation}", json={**MEWS_TOKENS, **body})
    response.raise_for_status()
    return response.json()


def make_reservation(stack: dict[str, Any]) -> dict[str, Any]:
    created = httpx.post(
        f"{stack['sim']}/_sim/reservations",
        json={"enterprise_id": stack["enterprise"], "state": "Confirmed"},
    )
    created.raise_for_status()
    return dict(created.json())


def arrivals(stack: dict[str, Any]) -> dict[str, dict[str, Any]]:
    today = datetime.now(UTC).date().isoformat()
    page = stack["api"].get(
        "/arrivals", params={"date": today, "enterprise_id": stack["enterprise"], "limit": 200}
    )
    page.raise_for_status()
    return {item["mews_id"]: item for item in page.json()["items"]}


def book_and_fulfil(stack: dict[str, Any], stay: dict[str, Any]) -> str:
    """A booking for the stay's owner fulfilled through the gateway: its charge's id."""
    api = stack["api"]

    def owner() -> Any:
        detail = api.get(f"/stays/{stay['stay_id']}", params={"enterprise_id": stack["enterprise"]})
        return next((g for g in detail.json()["stay"]["guests"] if g.get("guest_id")), None)

    guest = wait_until("the stay's owner linked to a guest", owner)
    offering = wait_until("the spa offering", lambda: spa_offering(stack))
    booking = api.post(
        "/bookings",
        json={
            "offering_id": offering,
            "guest_id": guest["guest_id"],
            "stay_id": stay["stay_id"],
            "quantity": 1,
        },
    )
    assert booking.status_code == 201, booking.text
    booking_id = booking.json()["booking_id"]
    assert api.post(f"/bookings/{booking_id}/confirm").status_code == 200
    fulfilled = api.post(f"/bookings/{booking_id}/fulfil")
    assert fulfilled.status_code == 200, fulfilled.text
    return str(fulfilled.json()["charge"]["charge_id"])


def spa_offering(stack: dict[str, Any]) -> str | None:
    """The deploy test's own vendor and its massage offering, made once."""
    api, enterprise = stack["api"], stack["enterprise"]
    if "offering" in stack:
        return str(stack["offering"])
    catalogue = api.get(f"/properties/{enterprise}/catalogue")
    if catalogue.status_code != 200 or not catalogue.json()["services"]:
        return None
    spa = next(s for s in catalogue.json()["services"] if s["name"] == "Spa")
    massage = next(p for p in spa["products"] if p["name"] == "Massage 60 min")
    vendor = api.post(
        "/vendors", json={"enterprise_id": enterprise, "name": "Deploy Spa", "category": "spa"}
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
    stack["offering"] = offering.json()["offering_id"]
    return str(stack["offering"])


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def assert_posted_once(stack: dict[str, Any], charge_id: str, account_id: str) -> None:
    api = stack["api"]
    charge = wait_until(
        "the charge to be posted",
        lambda: (
            (c := api.get(f"/charges/{charge_id}", params={"enterprise_id": stack["enterprise"]}))
            .json()
            .get("state")
            == "posted"
            and c.json()
        ),
        timeout=180,
    )
    now = datetime.now(UTC)
    items = mews(
        stack["sim"],
        "orderItems/getAll",
        CreatedUtc={
            "StartUtc": iso(now - timedelta(hours=1)),
            "EndUtc": iso(now + timedelta(hours=1)),
        },
        Limitation={"Count": 1000},
    )["OrderItems"]
    ours = [i for i in items if i.get("ExternalIdentifier") == charge["reference"]]
    assert len(ours) == 1, f"{len(ours)} items in Mews for charge {charge['reference']}"
    assert ours[0]["AccountId"] == account_id
    [bill] = mews(
        stack["sim"], "bills/getAll", BillIds=[ours[0]["BillId"]], Limitation={"Count": 1}
    )["Bills"]
    assert bill["AccountId"] == account_id


def test_every_service_is_healthy_non_root_and_on_a_read_only_root(stack: dict[str, Any]) -> None:
    for service in SERVICES:
        found = inspect(service)
        assert found["State"]["Health"]["Status"] == "healthy", service
        assert found["HostConfig"]["ReadonlyRootfs"] is True, service
        assert found["Config"]["User"] == "10001:10001", service
        uid = docker("exec", found["Id"], "id", "-u")
        assert uid.stdout.strip() == "10001", (service, uid.stdout, uid.stderr)
        write = docker("exec", found["Id"], "sh", "-c", "echo x > /app/probe")
        assert write.returncode != 0, service
        assert "Read-only file system" in write.stderr, (service, write.stderr)


def test_the_gateway_serves_the_web_app_built_into_its_image(stack: dict[str, Any]) -> None:
    with httpx.Client(base_url=stack["gateway"], timeout=10) as web:
        page = web.get("/")
        assert page.status_code == 200, page.text[:200]
        assert '<div id="root">' in page.text
        scripts = re.findall(r'<script[^>]+src="(/assets/[^"]+\.js)"', page.text)
        assert scripts, page.text  # the built page, not the source index.html
        for script in scripts:
            asset = web.get(script)
            assert asset.status_code == 200, script
            assert "javascript" in asset.headers["content-type"], asset.headers
        # A deep link (the browser reloading a page) gets the app too.
        deep = web.get("/arrivals")
        assert deep.status_code == 200
        assert deep.text == page.text


def test_a_reservation_made_in_mews_reaches_the_api_and_a_booking_lands_once_on_the_bill(
    stack: dict[str, Any],
) -> None:
    reservation = make_reservation(stack)
    stay = wait_until(
        "the reservation through the gateway", lambda: arrivals(stack).get(reservation["Id"])
    )
    charge_id = book_and_fulfil(stack, stay)
    assert_posted_once(stack, charge_id, reservation["AccountId"])


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_stopped_and_started_again_loses_nothing(
    stack: dict[str, Any], service: str
) -> None:
    """A change made in Mews while the service is down, and (for the booking path) a booking
    fulfilled just before, arrive once it is back; the charge lands on the bill once."""
    before = make_reservation(stack)
    stay = wait_until("the first reservation", lambda: arrivals(stack).get(before["Id"]))
    charge_id = book_and_fulfil(stack, stay) if service in {"vendors", "mews-publisher"} else None
    compose("stop", service)
    during = make_reservation(stack)
    compose("start", service)
    wait_until(f"{service} healthy again", all_healthy, timeout=180)
    wait_until(
        f"the reservation made while {service} was down",
        lambda: arrivals(stack).get(during["Id"]),
        timeout=180,
    )
    if charge_id is not None:
        assert_posted_once(stack, charge_id, before["AccountId"])
