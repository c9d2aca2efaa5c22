"""Integration Webhooks: a property connects, its integration is switched off and on, its
access token regenerated; the partner hears of each in one `{"Action", "Data"}` message, and
the Connector API refuses the tokens of an integration that is not enabled (and counts it)."""

from __future__ import annotations

import asyncio
import json
import re
import time
from typing import Any

import httpx
import pytest
import websockets
from mews_sim_channels import wait_connections
from websockets.asyncio.client import connect

from attendandt.mews_sim.counters import token_hint
from attendandt.mews_sim.runner import SimToken

WIRE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def actions(bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [b for b in bodies if "Action" in b]


def wait_action(receiver: Any, action: str, count: int = 1) -> list[dict[str, Any]]:
    bodies = receiver.wait_for(
        lambda b: sum(1 for x in actions(b) if x["Action"] == action) >= count
    )
    return [b for b in actions(bodies) if b["Action"] == action]


def token_of(connected: dict[str, Any], access_token: str | None = None) -> SimToken:
    return SimToken(
        "connected",
        connected["name"],
        connected["client_token"],
        access_token or connected["access_token"],
    )


def integration_ref(connected: dict[str, Any]) -> dict[str, str]:
    return {"Id": connected["integration_id"], "Name": connected["name"]}


def wait_counter(mews_sim: Any, name: str, value: int, timeout: float = 10) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while (counters := mews_sim.control.counters())[name] < value:
        assert time.monotonic() < deadline, counters
        time.sleep(0.02)
    return counters


def test_connect_sends_integration_created_with_a_working_token(
    mews_sim, webhook_receiver, api
) -> None:
    mews_sim.control.configure_webhooks(webhook_receiver.url, secret="s3cr3t")
    started = time.monotonic()
    connected = mews_sim.control.connect_property("Lakeside Test Hotel (SIM)", rooms=5)
    assert time.monotonic() - started < 3  # a small hotel (about 0.1 s unloaded)

    [created] = wait_action(webhook_receiver, "IntegrationCreated")
    data = created["Data"]
    assert set(created) == {"Action", "Data"}  # alone, not in a General Webhook batch
    assert data == {
        "Enterprise": {"Id": connected["enterprise_id"], "Name": "Lakeside Test Hotel (SIM)"},
        "Service": {"Id": connected["service_id"], "Name": "Accommodation"},
        "Requestor": data["Requestor"],
        "AccessToken": connected["access_token"],
        "CreatedUtc": data["CreatedUtc"],
        "IsEnabled": True,
        "Integration": integration_ref(connected),
    }
    assert WIRE_TIME.match(data["CreatedUtc"])
    assert set(data["Requestor"]) == {"Name", "Email"}
    # The General Webhooks' URL and secret: Mews allows one URL for both.
    assert webhook_receiver.paths[0] == "/mews/webhook?Token=s3cr3t"

    token = token_of(connected)
    config = api("configuration/get", {}, token=token)
    assert config.status_code == 200, config.text
    assert config.json()["Enterprise"]["Id"] == connected["enterprise_id"]
    services = api("services/getAll", {"Limitation": {"Count": 100}}, token=token).json()
    assert connected["service_id"] in {s["Id"] for s in services["Services"]}
    rooms = api(
        "resources/getAll",
        {"Extent": {"Resources": True}, "Limitation": {"Count": 1000}},
        token=token,
    ).json()["Resources"]
    assert len(rooms) == 5
    # Its own enterprise only, and a General Webhook IntegrationId matching Integration.Id.
    listed = {e["id"]: e for e in mews_sim.control.info()["enterprises"]}
    assert listed[connected["enterprise_id"]]["integration_id"] == connected["integration_id"]
    assert mews_sim.gross.id in listed
    # The token never shows in clear in what the simulator records of deliveries.
    recent = json.dumps(mews_sim.control.webhooks()["recent"])
    assert "IntegrationCreated" in recent
    assert connected["access_token"] not in recent


def test_two_properties_get_their_own_ids_and_tokens(mews_sim) -> None:
    first = mews_sim.control.connect_property()
    second = mews_sim.control.connect_property()
    for key in ("integration_id", "enterprise_id", "access_token", "service_id"):
        assert first[key] != second[key]
    assert first["enterprise_name"] != second["enterprise_name"]


def test_disabled_token_is_refused_and_counted_then_enable_restores_it(
    mews_sim, webhook_receiver, api
) -> None:
    connected = mews_sim.control.connect_property()
    enterprise_id = connected["enterprise_id"]
    token = token_of(connected)
    assert api("configuration/get", {}, token=token).status_code == 200

    described = mews_sim.control.integration_action(connected["integration_id"], "disable")
    assert described["state"] == "Disabled"
    [disabled] = wait_action(webhook_receiver, "IntegrationDisabled")
    assert disabled == {
        "Action": "IntegrationDisabled",
        "Data": {"Integration": integration_ref(connected)},
    }
    refused = api("configuration/get", {}, token=token)
    assert refused.status_code == 401
    assert refused.json()["Message"].startswith("Invalid AccessToken.")
    assert refused.json()["RequestId"] == refused.headers["Request-Id"]

    counters = mews_sim.control.counters()
    hint = token_hint(connected["access_token"])
    assert counters["requests_by_enterprise"][enterprise_id] == 2  # one served, one refused
    assert counters["requests_by_token_hint"][hint] == 2
    assert counters["unauthorized_by_enterprise"] == {enterprise_id: 1}
    assert connected["access_token"] not in json.dumps(counters)
    [listed] = [i for i in mews_sim.control.integrations() if i["id"] == described["id"]]
    assert listed["tokens"][0]["token_hint"] == hint
    assert listed["tokens"][0]["works"] is False

    mews_sim.control.integration_action(connected["integration_id"], "enable")
    [enabled] = wait_action(webhook_receiver, "IntegrationEnabled")
    assert enabled["Data"] == {"Integration": integration_ref(connected)}
    assert api("configuration/get", {}, token=token).status_code == 200
    assert mews_sim.control.counters()["requests_by_enterprise"][enterprise_id] == 3


def test_an_unknown_token_is_counted_as_unknown(mews_sim, api) -> None:
    wrong = SimToken("x", "x", mews_sim.gross.token.client_token, "NOT-A-TOKEN")
    assert api("configuration/get", {}, token=wrong).status_code == 401
    counters = mews_sim.control.counters()
    assert counters["requests_by_enterprise"] == {"(unknown)": 1}
    assert counters["requests_by_token_hint"] == {token_hint("NOT-A-TOKEN"): 1}
    assert counters["unauthorized_by_enterprise"] == {"(unknown)": 1}


def test_connected_disabled_until_enabled(mews_sim, webhook_receiver, api) -> None:
    connected = mews_sim.control.connect_property(is_enabled=False)
    [created] = wait_action(webhook_receiver, "IntegrationCreated")
    assert created["Data"]["IsEnabled"] is False
    assert connected["state"] == "Disabled"
    token = token_of(connected)
    assert api("configuration/get", {}, token=token).status_code == 401
    mews_sim.control.integration_action(connected["integration_id"], "enable")
    assert api("configuration/get", {}, token=token).status_code == 200


def test_cancel_then_reinstate(mews_sim, webhook_receiver, api) -> None:
    connected = mews_sim.control.connect_property()
    token = token_of(connected)
    mews_sim.control.integration_action(connected["integration_id"], "cancel")
    [canceled] = wait_action(webhook_receiver, "IntegrationCanceled")
    assert canceled["Data"] == {"Integration": integration_ref(connected)}
    refused = api("configuration/get", {}, token=token)
    assert refused.status_code == 401
    assert "canceled" in refused.json()["Message"]

    # Only a canceled integration is reinstated, only a disabled one enabled.
    with pytest.raises(httpx.HTTPStatusError) as wrong:
        mews_sim.control.integration_action(connected["integration_id"], "enable")
    assert wrong.value.response.status_code == 400
    mews_sim.control.integration_action(connected["integration_id"], "reinstate")
    [reinstated] = wait_action(webhook_receiver, "IntegrationReinstated")
    assert reinstated["Data"] == {"Integration": integration_ref(connected)}
    assert api("configuration/get", {}, token=token).status_code == 200


def test_rotated_key_is_sent_and_the_old_one_works_for_the_grace(
    mews_sim, webhook_receiver, api
) -> None:
    connected = mews_sim.control.connect_property()
    old = token_of(connected)
    rotated = mews_sim.control.rotate_api_key(connected["integration_id"], old_token_grace_s=1.0)
    new_key = rotated["access_token"]
    assert new_key != old.access_token
    [message] = wait_action(webhook_receiver, "IntegrationApiKeyCreated")
    assert message == {
        "Action": "IntegrationApiKeyCreated",
        "Data": {"Integration": integration_ref(connected), "ApiKey": new_key},
    }
    new = token_of(connected, new_key)
    assert api("configuration/get", {}, token=new).status_code == 200
    assert api("configuration/get", {}, token=old).status_code == 200  # within the grace
    time.sleep(1.1)
    refused = api("configuration/get", {}, token=old)
    assert refused.status_code == 401
    assert refused.json()["Message"] == "Invalid AccessToken."
    assert api("configuration/get", {}, token=new).status_code == 200
    counters = mews_sim.control.counters()
    assert counters["requests_by_enterprise"][connected["enterprise_id"]] == 4
    assert counters["unauthorized_by_enterprise"][connected["enterprise_id"]] == 1
    assert counters["requests_by_token_hint"][token_hint(old.access_token)] == 2
    assert new_key not in json.dumps(mews_sim.control.webhooks()["recent"])


def test_rotation_without_grace_refuses_the_old_token_at_once(mews_sim, api) -> None:
    gross = mews_sim.gross
    rotated = mews_sim.control.rotate_api_key(gross.integration_id)
    assert api("configuration/get", {}, token=gross.token).status_code == 401
    new = SimToken("gross-1", gross.token.name, gross.token.client_token, rotated["access_token"])
    assert api("configuration/get", {}, token=new).status_code == 200
    # The handle's first token is the new one; the seeded hotel's other tokens still work.
    mews_sim.refresh()
    assert mews_sim.gross.token.access_token == rotated["access_token"]
    assert api("configuration/get", {}, token=mews_sim.gross.tokens[1]).status_code == 200


def test_delete_sends_deleted_utc_and_is_final(mews_sim, webhook_receiver, api) -> None:
    connected = mews_sim.control.connect_property()
    before = mews_sim.control.clock()["now_utc"]
    described = mews_sim.control.integration_action(connected["integration_id"], "delete")
    assert described["state"] == "Deleted"
    [deleted] = wait_action(webhook_receiver, "IntegrationDeleted")
    assert deleted["Data"] == {
        "DeletedUtc": described["deleted_utc"],
        "Integration": integration_ref(connected),
    }
    assert WIRE_TIME.match(deleted["Data"]["DeletedUtc"])
    assert deleted["Data"]["DeletedUtc"] >= before
    assert api("configuration/get", {}, token=token_of(connected)).status_code == 401
    for action in ("enable", "reinstate", "rotate-api-key"):
        with pytest.raises(httpx.HTTPStatusError) as refused:
            mews_sim.control.integration_action(connected["integration_id"], action)
        assert refused.value.response.status_code == 400


def test_seeded_hotel_disabled_refuses_every_token_and_gets_no_general_webhooks(
    mews_sim, webhook_receiver, api
) -> None:
    gross = mews_sim.gross
    [integration] = [i for i in mews_sim.control.integrations() if i["enterprise_id"] == gross.id]
    assert integration["id"] == gross.integration_id  # the General Webhooks' IntegrationId
    mews_sim.control.integration_action(gross.integration_id, "disable")
    for token in gross.tokens:
        assert api("configuration/get", {}, token=token).status_code == 401
    assert api("configuration/get", {}, token=mews_sim.net.token).status_code == 200
    mews_sim.control.add_customer(LastName="Unheard")
    wait_action(webhook_receiver, "IntegrationDisabled")
    time.sleep(0.4)  # several batch delays: a General Webhook would have come by now
    assert [b for b in webhook_receiver.bodies if "Events" in b] == []

    mews_sim.control.integration_action(gross.integration_id, "enable")
    customer = mews_sim.control.add_customer(LastName="Heard")
    bodies = webhook_receiver.wait_for(lambda b: any("Events" in x for x in b))
    [general] = [b for b in bodies if "Events" in b]
    assert general["IntegrationId"] == gross.integration_id
    assert {e["Value"]["Id"] for e in general["Events"]} == {customer["Id"]}


def test_integration_webhooks_are_retried_and_dropped_like_general_ones(
    mews_sim, webhook_receiver
) -> None:
    webhook_receiver.fail_remaining = 2
    connected = mews_sim.control.connect_property()
    wait_action(webhook_receiver, "IntegrationCreated")
    counters = wait_counter(mews_sim, "integration_webhooks_delivered", 1)
    assert counters["integration_webhook_attempts_failed"] == 2
    assert counters["webhook_messages_delivered"] == 0  # not counted as General Webhooks

    mews_sim.control.webhook_target_down(True)
    mews_sim.control.integration_action(connected["integration_id"], "disable")
    counters = wait_counter(mews_sim, "integration_webhooks_dropped", 1)
    assert counters["integration_webhook_attempts_failed"] == 2 + 3  # max_attempts: 3
    assert not any(b["Action"] == "IntegrationDisabled" for b in actions(webhook_receiver.bodies))

    mews_sim.control.webhook_target_down(False)
    mews_sim.control.fail_webhooks(1)
    mews_sim.control.integration_action(connected["integration_id"], "enable")
    wait_action(webhook_receiver, "IntegrationEnabled")
    assert (
        wait_counter(mews_sim, "integration_webhooks_delivered", 2)[
            "integration_webhook_attempts_failed"
        ]
        == 2 + 3 + 1
    )


def test_bad_control_requests(mews_sim) -> None:
    with pytest.raises(httpx.HTTPStatusError) as unknown:
        mews_sim.control.integration_action("00000000-0000-0000-0000-000000000000", "disable")
    assert unknown.value.response.status_code == 404
    with pytest.raises(httpx.HTTPStatusError) as action:
        mews_sim.control.integration_action(mews_sim.gross.integration_id, "pause")
    assert action.value.response.status_code == 400
    with pytest.raises(httpx.HTTPStatusError) as rooms:
        mews_sim.control.connect_property(rooms=1)
    assert rooms.value.response.status_code == 400


async def test_disabling_closes_the_sockets_and_refuses_new_ones(mews_sim) -> None:
    cookie = {"Cookie": mews_sim.gross.token.cookie()}
    async with connect(mews_sim.ws_url, additional_headers=cookie) as socket:
        await wait_connections(mews_sim, 1)
        mews_sim.control.integration_action(mews_sim.gross.integration_id, "disable")
        with pytest.raises(websockets.exceptions.ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), 5)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1008
    with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
        async with connect(mews_sim.ws_url, additional_headers=cookie):
            pass
    assert refused.value.response.status_code == 403
