"""A hotel connects the integration in Mews, on the whole system as `make run` starts it (the
`stack` fixture): from its `IntegrationCreated` webhook alone it is imported and shown live;
disabled in Mews, every service stops calling Mews for it within 60 s and it shows stopped;
deleted, it stays stopped, its data kept. A hotel group's hotels each show live, and follow
the group as hotels join and leave it in Mews."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from stack_support import signed_in, wait_until

from attendandt.mews_sim.control_client import SimControl

pytestmark = pytest.mark.slow

#: How long after `IntegrationDisabled` a call for the property may still go out (#19).
STOP_BOUND_S = 60.0
#: A property is taken to make no more calls once its count stood still this long.
QUIET_S = 10.0


@pytest.fixture
def admin(stack: dict[str, Any]) -> httpx.Client:
    return signed_in(stack)


@pytest.mark.timeout(420)
def test_a_hotel_connected_in_mews_is_imported_then_stopped_when_disabled(
    stack: dict[str, Any], admin: httpx.Client
) -> None:
    control = SimControl(stack["sim"])
    try:
        hotel = control.connect_property("Onboarded Riverside")
        enterprise = hotel["enterprise_id"]

        def listed() -> dict[str, Any] | None:
            found = [p for p in admin.get("/properties").json() if p["enterprise_id"] == enterprise]
            return found[0] if found and found[0]["phase"] == "live" else None

        shown = wait_until("the new hotel, live", listed, timeout=180, every=1)
        assert shown["name"] == hotel["enterprise_name"]
        assert shown["integration_state"] == "enabled"
        status = admin.get(f"/sync/{enterprise}").json()
        assert status["sync"]["import_state"] == "done"
        assert status["sync"]["import_reservations"] > 0

        def calls() -> int:
            return control.requests_for(enterprise)

        assert calls() > 0
        control.integration_action(hotel["integration_id"], "disable")
        disabled_at = time.monotonic()
        wait_until(
            "the hotel shown stopped",
            lambda: admin.get(f"/sync/{enterprise}").json()["phase"] == "stopped",
            timeout=STOP_BOUND_S,
        )
        # The last call for it: the count stands still for QUIET_S, within the bound.
        last = [calls(), time.monotonic()]

        def quiet() -> bool:
            now_calls = calls()
            if now_calls != last[0]:
                last[:] = [now_calls, time.monotonic()]
            return time.monotonic() - last[1] >= QUIET_S

        wait_until("no more calls for the hotel", quiet, timeout=STOP_BOUND_S + QUIET_S)
        assert last[1] - disabled_at <= STOP_BOUND_S
        # A change made in Mews meanwhile is not fetched by anyone.
        control.add_customer(enterprise_id=enterprise, LastName="WhileDisabled")
        time.sleep(3)
        assert calls() == last[0]

        control.integration_action(hotel["integration_id"], "delete")
        wait_until(
            "the hotel deleted",
            lambda: (
                admin.get(f"/sync/{enterprise}").json()["ingest"]["integration_state"] == "deleted"
            ),
            timeout=30,
        )
        # Its data stays: the stays imported are still there.
        assert admin.get(f"/sync/{enterprise}").json()["sync"]["import_reservations"] > 0
    finally:
        control.close()


@pytest.mark.timeout(480)
def test_a_hotel_group_connected_with_one_portfolio_token_shows_each_hotel_live(
    stack: dict[str, Any], admin: httpx.Client
) -> None:
    control = SimControl(stack["sim"])
    try:
        group = control.connect_portfolio("Onboarded Coast Group", properties=2)
        hotels = set(group["enterprise_ids"])

        def live() -> dict[str, dict[str, Any]] | None:
            shown = {p["enterprise_id"]: p for p in admin.get("/properties").json()}
            ready = {e: shown[e] for e in hotels if shown.get(e, {}).get("phase") == "live"}
            return ready if len(ready) == len(hotels) else None

        shown = wait_until("both hotels of the group, live", live, timeout=180, every=1)
        listed = {p["enterprise_id"] for p in admin.get("/properties").json()}
        assert group["enterprise_id"] not in listed  # the portfolio's own is no hotel
        for enterprise, hotel in shown.items():
            assert hotel["integration_state"] == "enabled"
            status = admin.get(f"/sync/{enterprise}").json()["sync"]
            # Each imported its own stays only, although one token reads them all.
            assert status["import_reservations"] == len(control.reservations(enterprise)) > 0

        # A hotel joins the group in Mews and another leaves it; Mews says nothing.
        first, second = group["enterprise_ids"]
        joined = control.join_portfolio(group["integration_id"], "Coast Annex")["enterprise_id"]
        control.leave_portfolio(group["integration_id"], second)
        hotels = {first, joined}
        wait_until("the hotel that joined, live", live, timeout=180, every=1)
        status = admin.get(f"/sync/{joined}").json()["sync"]
        assert status["import_reservations"] == len(control.reservations(joined)) > 0

        def left() -> dict[str, Any] | None:
            hotel = {p["enterprise_id"]: p for p in admin.get("/properties").json()}[second]
            return hotel if hotel["phase"] == "stopped" else None

        # Still listed (its data is kept), stopped, and why.
        hotel = wait_until("the hotel that left, stopped", left, timeout=60, every=1)
        assert hotel["integration_state"] == "removed from its portfolio"
    finally:
        control.close()
