"""Portfolio Access Tokens: one token reads every property of its portfolio (narrowed by
`EnterpriseIds`), writes to the one named in `EnterpriseId`, works in its chain by `ChainId(s)`
and is refused anything outside its scope; single tokens keep ignoring those parameters."""

from __future__ import annotations

from typing import Any

from portfolio_support import LIMIT, portfolio_token

REQUIRED = "The value is required with a Portfolio Access Token."


def message(response: Any) -> str:
    return str(response.json()["Message"])


def test_reads_cover_every_property_unless_narrowed(api, portfolio) -> None:
    token = portfolio_token(portfolio)
    first, second, third = portfolio["enterprise_ids"]

    services = api("services/getAll", LIMIT, token=token)
    assert services.status_code == 200, services.text
    assert {s["EnterpriseId"] for s in services.json()["Services"]} == {first, second, third}
    rooms = api("resources/getAll", {"Extent": {"Resources": True}, **LIMIT}, token=token).json()[
        "Resources"
    ]
    assert {r["EnterpriseId"] for r in rooms} == {first, second, third}
    assert len(rooms) == 3 * 5

    narrowed = api("services/getAll", {"EnterpriseIds": [second], **LIMIT}, token=token)
    assert {s["EnterpriseId"] for s in narrowed.json()["Services"]} == {second}
    accommodation = {portfolio["service_ids"][second]}
    stays = api(
        "reservations/getAll/2023-06-06", {"EnterpriseIds": [second], **LIMIT}, token=token
    ).json()["Reservations"]
    assert stays
    assert {r["ServiceId"] for r in stays} == accommodation
    every_stay = api("reservations/getAll/2023-06-06", LIMIT, token=token).json()["Reservations"]
    assert {r["ServiceId"] for r in every_stay} == set(portfolio["service_ids"].values())


def test_an_enterprise_outside_the_scope_is_refused(api, mews_sim, portfolio) -> None:
    token = portfolio_token(portfolio)
    first = portfolio["enterprise_ids"][0]
    for outside in (mews_sim.gross.id, portfolio["enterprise_id"]):
        refused = api("services/getAll", {"EnterpriseIds": [first, outside], **LIMIT}, token=token)
        assert refused.status_code == 403
        assert message(refused) == f"The access token has no access to the enterprise {outside}."
    write = api(
        "reservations/start",
        {"EnterpriseId": mews_sim.gross.id, "ReservationId": portfolio["integration_id"]},
        token=token,
    )
    assert write.status_code == 403
    # A single token still ignores another enterprise in EnterpriseIds: it finds nothing.
    single = api("services/getAll", {"EnterpriseIds": [first], **LIMIT})
    assert single.status_code == 200
    assert single.json()["Services"] == []


def test_orders_add_needs_enterprise_id_and_lands_on_that_property(
    api, mews_sim, portfolio
) -> None:
    token = portfolio_token(portfolio)
    first, second, _third = portfolio["enterprise_ids"]
    stay = api(
        "reservations/getAll/2023-06-06",
        {"EnterpriseIds": [second], "Limitation": {"Count": 1}},
        token=token,
    ).json()["Reservations"][0]
    guest = {"Id": stay["AccountId"]}
    order = {
        "ServiceId": portfolio["service_ids"][second],
        "AccountId": guest["Id"],
        "Items": [
            {
                "Name": "Minibar",
                "UnitCount": 1,
                "UnitAmount": {"Currency": "EUR", "GrossValue": 7, "TaxCodes": ["UK-S"]},
                "ExternalIdentifier": "portfolio-1",
            }
        ],
    }
    missing = api("orders/add", order, token=token)
    assert missing.status_code == 400
    assert message(missing) == f"Invalid EnterpriseId. {REQUIRED}"
    # The service is the second property's: the first one has no such service.
    elsewhere = api("orders/add", {**order, "EnterpriseId": first}, token=token)
    assert elsewhere.status_code == 400
    assert message(elsewhere).startswith("Invalid ServiceId.")

    added = api("orders/add", {**order, "EnterpriseId": second}, token=token)
    assert added.status_code == 200, added.text
    [item] = api(
        "orderItems/getAll",
        {"ServiceOrderIds": [added.json()["OrderId"]], **LIMIT},
        token=token,
    ).json()["OrderItems"]
    assert item["EnterpriseId"] == second
    assert item["ExternalIdentifier"] == "portfolio-1"
    [bill] = api(
        "bills/getAll",
        {"BillIds": [item["BillId"]], "EnterpriseIds": [second], **LIMIT},
        token=token,
    ).json()["Bills"]
    assert bill["EnterpriseId"] == second
    assert bill["AccountId"] == guest["Id"]
    assert item["Id"] in {i["Id"] for i in mews_sim.control.order_items(second)}
    assert item["Id"] not in {i["Id"] for i in mews_sim.control.order_items(first)}


def test_customer_operations_need_the_chain(api, mews_sim, portfolio) -> None:
    token = portfolio_token(portfolio)
    chain = portfolio["chain_id"]
    stays = api("reservations/getAll/2023-06-06", LIMIT, token=token).json()["Reservations"]
    guest_ids = sorted({r["AccountId"] for r in stays})
    query = {"Extent": {"Customers": True}, "CustomerIds": guest_ids, **LIMIT}

    missing = api("customers/getAll", query, token=token)
    assert missing.status_code == 400
    assert message(missing) == f"Invalid ChainIds. {REQUIRED}"
    foreign = api("customers/getAll", {**query, "ChainIds": [mews_sim.gross.chain_id]}, token=token)
    assert foreign.status_code == 403
    assert (
        message(foreign)
        == f"The access token has no access to the chain {mews_sim.gross.chain_id}."
    )
    guests = api("customers/getAll", {**query, "ChainIds": [chain]}, token=token)
    assert guests.status_code == 200, guests.text
    # Every property's guests, all in the portfolio's one chain.
    assert sorted(c["Id"] for c in guests.json()["Customers"]) == guest_ids

    new = {"LastName": "Portfolio", "OverwriteExisting": False}
    assert message(api("customers/add", new, token=token)) == f"Invalid ChainId. {REQUIRED}"
    added = api("customers/add", {**new, "ChainId": chain}, token=token)
    assert added.status_code == 200, added.text
    customer_id = added.json()["Id"]
    update = {"CustomerId": customer_id, "FirstName": "Paula"}
    assert api("customers/update", update, token=token).status_code == 400
    updated = api("customers/update", {**update, "ChainId": chain}, token=token)
    assert updated.status_code == 200, updated.text
    assert updated.json()["FirstName"] == "Paula"
    search = {"Name": "a"}
    assert message(api("customers/search", search, token=token)) == f"Invalid ChainId. {REQUIRED}"
    found = api("customers/search", {**search, "ChainId": chain}, token=token)
    assert found.status_code == 200, found.text
    # A single token ignores ChainId(s), as before.
    single = api("customers/getAll", {**query, "ChainIds": [chain], "CustomerIds": [customer_id]})
    assert single.status_code == 200
    assert single.json()["Customers"] == []


def test_configuration_with_and_without_enterprise_id(api, mews_sim, portfolio) -> None:
    token = portfolio_token(portfolio)
    first = portfolio["enterprise_ids"][0]
    own = api("configuration/get", {}, token=token)
    assert own.status_code == 200, own.text
    enterprise = own.json()["Enterprise"]
    assert enterprise["Id"] == portfolio["enterprise_id"]
    assert enterprise["Name"] == portfolio["enterprise_name"] == "Danube Portfolio (SIM)"
    assert enterprise["IsPortfolio"] is True
    assert enterprise["ChainId"] == portfolio["chain_id"]

    named = api("configuration/get", {"EnterpriseId": first}, token=token).json()["Enterprise"]
    assert named["Id"] == first
    assert named["IsPortfolio"] is False
    assert named["ChainId"] == portfolio["chain_id"]
    assert named["ChainName"] == "Danube Portfolio (SIM)"
    outside = api("configuration/get", {"EnterpriseId": mews_sim.gross.id}, token=token)
    assert outside.status_code == 403
    # A single token ignores EnterpriseId.
    single = api("configuration/get", {"EnterpriseId": first}).json()["Enterprise"]
    assert single["Id"] == mews_sim.gross.id


def test_enterprises_get_all_for_both_token_kinds(api, mews_sim, portfolio) -> None:
    single = api("enterprises/getAll", LIMIT)
    assert single.status_code == 200, single.text
    assert [e["Id"] for e in single.json()["Enterprises"]] == [mews_sim.gross.id]

    token = portfolio_token(portfolio)
    listed = api("enterprises/getAll", LIMIT, token=token).json()
    enterprises = listed["Enterprises"]
    assert {e["Id"] for e in enterprises} == set(portfolio["enterprise_ids"])
    config = api("configuration/get", {"EnterpriseId": enterprises[0]["Id"]}, token=token).json()
    for key in ("ChainId", "ChainName", "TimeZoneIdentifier", "Currencies", "IsPortfolio"):
        assert enterprises[0][key] == config["Enterprise"][key]
    assert {e["IsPortfolio"] for e in enterprises} == {False}
    assert {e["ChainId"] for e in enterprises} == {portfolio["chain_id"]}

    # Paged like the other reads, and filtered.
    seen: list[str] = []
    cursor = None
    while True:
        page = api(
            "enterprises/getAll", {"Limitation": {"Count": 2, "Cursor": cursor}}, token=token
        ).json()
        seen += [e["Id"] for e in page["Enterprises"]]
        if len(page["Enterprises"]) < 2:
            break
        cursor = page["Cursor"]
    assert sorted(seen) == sorted(portfolio["enterprise_ids"])
    second = portfolio["enterprise_ids"][1]
    by_id = api("enterprises/getAll", {"EnterpriseIds": [second], **LIMIT}, token=token).json()
    assert [e["Id"] for e in by_id["Enterprises"]] == [second]
    external = enterprises[0]["ExternalIdentifier"]
    by_external = api(
        "enterprises/getAll", {"ExternalIdentifiers": [external], **LIMIT}, token=token
    ).json()
    assert [e["Id"] for e in by_external["Enterprises"]] == [enterprises[0]["Id"]]
    refused = api(
        "enterprises/getAll", {"EnterpriseIds": [mews_sim.gross.id], **LIMIT}, token=token
    )
    assert refused.status_code == 403
