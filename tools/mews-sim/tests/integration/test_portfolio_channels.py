"""A portfolio connects with one integration and one token: `IntegrationCreated` names the
portfolio's own enterprise, disabling it refuses every property, its socket hears every
property, its requests share one rate budget and are counted per property they target."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import websockets
from mews_sim_channels import events_until, next_events, wait_connections
from portfolio_support import LIMIT, portfolio_token
from websockets.asyncio.client import connect

from attendandt.mews_sim.counters import token_hint


def actions(bodies: list[dict[str, Any]], action: str) -> list[dict[str, Any]]:
    return [b for b in bodies if b.get("Action") == action]


def test_connect_portfolio_announces_the_portfolio_enterprise(mews_sim, webhook_receiver) -> None:
    connected = mews_sim.control.connect_portfolio("Alpine Group (SIM)", properties=2)
    bodies = webhook_receiver.wait_for(lambda b: bool(actions(b, "IntegrationCreated")))
    [created] = actions(bodies, "IntegrationCreated")
    data = created["Data"]
    assert data == {
        "Enterprise": {"Id": connected["enterprise_id"], "Name": "Alpine Group (SIM)"},
        "Service": None,
        "Requestor": data["Requestor"],
        "AccessToken": connected["access_token"],
        "CreatedUtc": data["CreatedUtc"],
        "IsEnabled": True,
        "Integration": {"Id": connected["integration_id"], "Name": connected["name"]},
    }
    assert len(connected["enterprise_ids"]) == 2
    assert connected["enterprise_id"] not in connected["enterprise_ids"]
    assert set(connected["service_ids"]) == set(connected["enterprise_ids"])
    # One integration, on the portfolio's own enterprise, with the one token.
    mine = [i for i in mews_sim.control.integrations() if i["id"] == connected["integration_id"]]
    assert [i["enterprise_id"] for i in mine] == [connected["enterprise_id"]]
    assert [t["access_token"] for t in mine[0]["tokens"]] == [connected["access_token"]]
    listed = {e["id"]: e for e in mews_sim.control.info()["enterprises"]}
    assert listed[connected["enterprise_id"]]["is_portfolio"] is True
    for enterprise_id in connected["enterprise_ids"]:
        assert listed[enterprise_id]["is_portfolio"] is False
        assert listed[enterprise_id]["chain_id"] == connected["chain_id"]
        assert listed[enterprise_id]["integration_id"] == connected["integration_id"]
    assert connected["access_token"] not in json.dumps(mews_sim.control.webhooks()["recent"])


def test_each_property_gets_its_own_general_webhooks(mews_sim, webhook_receiver, portfolio) -> None:
    first, second, _third = portfolio["enterprise_ids"]
    stay = mews_sim.control.create_reservation(enterprise_id=second)
    bodies = webhook_receiver.wait_for(lambda b: any("Events" in x for x in b))
    [general] = [b for b in bodies if "Events" in b]
    assert general["EnterpriseId"] == second
    assert general["IntegrationId"] == portfolio["integration_id"]
    assert [e["Value"]["Id"] for e in general["Events"]] == [stay["Id"]]
    # A chain's guest is heard of by each property, never by the portfolio's own enterprise.
    webhook_receiver.bodies.clear()
    mews_sim.control.add_customer(enterprise_id=first, LastName="Chained")
    bodies = webhook_receiver.wait_for(lambda b: len(b) >= 3)
    time.sleep(0.3)
    assert sorted(b["EnterpriseId"] for b in webhook_receiver.bodies) == sorted(
        portfolio["enterprise_ids"]
    )


def test_disabled_portfolio_is_refused_for_every_property(
    mews_sim, webhook_receiver, api, portfolio
) -> None:
    token = portfolio_token(portfolio)
    first, second, _third = portfolio["enterprise_ids"]
    mews_sim.control.integration_action(portfolio["integration_id"], "disable")
    webhook_receiver.wait_for(lambda b: bool(actions(b, "IntegrationDisabled")))
    for body in ({}, {"EnterpriseId": first}, {"EnterpriseId": second}):
        refused = api("configuration/get", body, token=token)
        assert refused.status_code == 401
        assert refused.json()["Message"] == "Invalid AccessToken. The integration is disabled."
    assert api("services/getAll", LIMIT, token=token).status_code == 401
    assert mews_sim.control.counters()["unauthorized_by_enterprise"] == {
        portfolio["enterprise_id"]: 4
    }

    mews_sim.control.integration_action(portfolio["integration_id"], "enable")
    rotated = mews_sim.control.rotate_api_key(portfolio["integration_id"])
    new = portfolio_token(portfolio, rotated["access_token"])
    assert api("configuration/get", {"EnterpriseId": second}, token=token).status_code == 401
    # The new key opens the same properties.
    services = api("services/getAll", LIMIT, token=new).json()["Services"]
    assert {s["EnterpriseId"] for s in services} == set(portfolio["enterprise_ids"])


def test_one_token_is_one_rate_budget_across_properties(mews_sim, api, portfolio) -> None:
    token = portfolio_token(portfolio)
    first, second, third = portfolio["enterprise_ids"]
    statuses = [
        api("configuration/get", {"EnterpriseId": (first, second)[n % 2]}, token=token).status_code
        for n in range(200)
    ]
    assert statuses == [200] * 200
    for enterprise_id in (first, second, third):
        limited = api("configuration/get", {"EnterpriseId": enterprise_id}, token=token)
        assert limited.status_code == 429
        assert limited.headers["Retry-After"]
    assert api("services/getAll", LIMIT, token=token).status_code == 429
    # Other tokens keep their own budget.
    assert api("configuration/get").status_code == 200
    counters = mews_sim.control.counters()
    assert counters["rate_limited"] == 4
    assert counters["requests_by_token_hint"][token_hint(portfolio["access_token"])] == 204
    assert mews_sim.control.requests_for_scope(first) == 100 + 1
    assert mews_sim.control.requests_for_scope(second) == 100 + 1
    assert mews_sim.control.requests_for_scope(third) == 1


def test_requests_by_scope_counts_every_targeted_enterprise(mews_sim, api, portfolio) -> None:
    token = portfolio_token(portfolio)
    first, second, third = portfolio["enterprise_ids"]
    control = mews_sim.control
    api("services/getAll", {"EnterpriseIds": [first, second], **LIMIT}, token=token)
    api("services/getAll", {"EnterpriseIds": [second, second], **LIMIT}, token=token)
    api("configuration/get", {}, token=token)  # names none: the portfolio's own
    api("services/getAll", LIMIT, token=token)  # names none: the portfolio's own
    api("configuration/get", {"EnterpriseId": third}, token=token)
    api("services/getAll", {"EnterpriseIds": [mews_sim.gross.id], **LIMIT}, token=token)  # 403
    api("configuration/get", {"EnterpriseId": third})  # a single token: its own enterprise
    counters = control.counters()
    assert counters["requests_by_scope"] == {
        first: 1,
        second: 2,
        third: 1,
        portfolio["enterprise_id"]: 2,
        "(unknown)": 1,
        mews_sim.gross.id: 1,
    }
    assert control.requests_for_scope(second) == 2
    assert control.requests_for_scope(mews_sim.net.id) == 0
    # Per token, as before: the portfolio's requests count for its own enterprise.
    assert counters["requests_by_enterprise"] == {
        portfolio["enterprise_id"]: 6,
        mews_sim.gross.id: 1,
    }
    assert control.requests_for(mews_sim.gross.id) == 1


async def test_portfolio_socket_hears_every_property(mews_sim, portfolio) -> None:
    token = portfolio_token(portfolio)
    first, second, _third = portfolio["enterprise_ids"]
    async with connect(mews_sim.ws_url, additional_headers={"Cookie": token.cookie()}) as socket:
        await wait_connections(mews_sim, 1)
        outside = mews_sim.control.create_reservation(enterprise_id=mews_sim.gross.id)
        one = mews_sim.control.create_reservation(enterprise_id=first)
        two = mews_sim.control.create_reservation(enterprise_id=second)
        seen = await events_until(socket, {("Reservation", one["Id"]), ("Reservation", two["Id"])})
        assert outside["Id"] not in {e["Id"] for e in seen}
        assert all("EnterpriseId" not in e for e in seen)
        burst = mews_sim.control.touch("reservations", 2, enterprise_id=first)
        burst += mews_sim.control.touch("reservations", 2, enterprise_id=second)
        got = await events_until(socket, {("Reservation", i) for i in burst})
        assert {e["Id"] for e in got} == set(burst)

        mews_sim.control.integration_action(portfolio["integration_id"], "disable")
        with pytest.raises(websockets.exceptions.ConnectionClosed) as closed:
            await next_events(socket)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1008
