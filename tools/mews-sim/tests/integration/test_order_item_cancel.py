"""orderItems/cancel as Mews documents it (Restricted, beta), and the rebate that offsets an
item Mews will not cancel: a negative item posted with orders/add."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

JOHN = "fadd5bb6-b428-45d5-94f8-fd0d89fece6d"
RESTAURANT = "fc79a518-bc69-45b8-93bd-83326201bd14"
UNKNOWN = "00000000-0000-4000-8000-000000000000"


def post_items(api: Any, *names: str, gross: float = 12) -> list[dict[str, Any]]:
    """One order of John's with an item per name (ExternalIdentifier = the name)."""
    order = api(
        "orders/add",
        {
            "ServiceId": RESTAURANT,
            "AccountId": JOHN,
            "Items": [
                {
                    "Name": name,
                    "UnitCount": 1,
                    "UnitAmount": {"Currency": "GBP", "GrossValue": gross, "TaxCodes": ["UK-S"]},
                    "ExternalIdentifier": name,
                }
                for name in names
            ],
        },
    )
    assert order.status_code == 200, order.text
    items = api(
        "orderItems/getAll",
        {"ServiceOrderIds": [order.json()["OrderId"]], "Limitation": {"Count": 100}},
    ).json()["OrderItems"]
    return sorted(items, key=lambda i: i["ExternalIdentifier"])


def an_hour_after(item: dict[str, Any]) -> str:
    at = datetime.strptime(item["CanceledUtc"], "%Y-%m-%dT%H:%M:%SZ") + timedelta(hours=1)
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def read(api: Any, *ids: str) -> dict[str, dict[str, Any]]:
    items = api(
        "orderItems/getAll", {"OrderItemIds": list(ids), "Limitation": {"Count": 100}}
    ).json()["OrderItems"]
    return {i["Id"]: i for i in items}


def cancel(api: Any, *ids: str) -> httpx.Response:
    return api("orderItems/cancel", {"OrderItemIds": list(ids)})


def test_cancel_turns_items_canceled_on_the_bill(api, mews_sim) -> None:
    towel, robe = post_items(api, "robe", "towel")[::-1]
    answer = cancel(api, towel["Id"])
    assert answer.status_code == 200, answer.text
    assert answer.json() == {}
    after = read(api, towel["Id"], robe["Id"])
    canceled = after[towel["Id"]]
    assert canceled["AccountingState"] == "Canceled"
    assert canceled["CanceledUtc"] is not None
    assert canceled["UpdatedUtc"] >= towel["UpdatedUtc"]  # whole seconds, as Mews stamps
    assert after[robe["Id"]]["AccountingState"] == "Open"  # only what was named
    assert mews_sim.control.counters()["order_items_canceled"] == 1
    # The bill still lists it, canceled; a CanceledUtc filter finds it.
    bill = api(
        "bills/getAll",
        {"BillIds": [towel["BillId"]], "Extent": {"Items": True}, "Limitation": {"Count": 1}},
    ).json()["Bills"][0]
    on_bill = {i["Id"]: i["AccountingState"] for i in bill["OrderItems"]}
    assert on_bill[towel["Id"]] == "Canceled"
    by_time = api(
        "orderItems/getAll",
        {
            "CanceledUtc": {"StartUtc": canceled["CanceledUtc"], "EndUtc": an_hour_after(canceled)},
            "AccountingStates": ["Canceled"],
            "Limitation": {"Count": 100},
        },
    ).json()["OrderItems"]
    assert towel["Id"] in {i["Id"] for i in by_time}


def test_cancel_is_all_or_none_and_checks_its_ids(api, mews_sim) -> None:
    items = post_items(api, *(f"item-{n:02}" for n in range(11)))
    eleven = cancel(api, *(i["Id"] for i in items))
    assert eleven.status_code == 400
    assert eleven.json()["Message"] == "Invalid OrderItemIds. Maximum count of items is 10."
    assert cancel(api).status_code == 400  # required
    unknown = cancel(api, items[0]["Id"], UNKNOWN)
    assert unknown.status_code == 400
    assert UNKNOWN in unknown.json()["Message"]
    assert cancel(api, "not-a-guid").status_code == 400
    # Another enterprise's token does not see the gross hotel's items.
    assert cancel_as(api, mews_sim.net.token, items[0]["Id"]).status_code == 400
    states = {i["AccountingState"] for i in read(api, *(i["Id"] for i in items)).values()}
    assert states == {"Open"}
    ten = cancel(api, *(i["Id"] for i in items[:10]))
    assert ten.status_code == 200, ten.text
    assert mews_sim.control.counters()["order_items_canceled"] == 10


def cancel_as(api: Any, token: Any, *ids: str) -> httpx.Response:
    return api("orderItems/cancel", {"OrderItemIds": list(ids)}, token=token)


def test_an_item_already_canceled_is_refused(api, mews_sim) -> None:
    [item] = post_items(api, "massage")
    assert cancel(api, item["Id"]).status_code == 200
    again = cancel(api, item["Id"])
    assert again.status_code == 400
    assert again.json()["Message"] == (
        f"Invalid OrderItemIds. The order item {item['Id']} is already canceled."
    )
    assert mews_sim.control.counters()["order_items_canceled"] == 1


def test_an_item_on_a_closed_bill_is_offset_by_a_rebate(api, mews_sim) -> None:
    [item] = post_items(api, "dinner", gross=30)
    mews_sim.control.close_bill(item["BillId"])
    refused = cancel(api, item["Id"])
    assert refused.status_code == 403
    assert "closed bill" in refused.json()["Message"]
    assert read(api, item["Id"])[item["Id"]]["AccountingState"] == "Closed"
    # The rebate: the same item with a negative amount, on the account's next open bill.
    [rebate] = post_items(api, "dinner (rebate)", gross=-30)
    assert rebate["Amount"]["GrossValue"] == -30
    assert rebate["Amount"]["NetValue"] == -25
    assert rebate["AccountingState"] == "Open"
    assert rebate["BillId"] != item["BillId"]
    assert mews_sim.control.counters()["order_items_canceled"] == 0


@pytest.mark.parametrize("mode", ["hold", "drop"])
def test_a_cancel_whose_answer_is_lost_is_applied(api, mews_sim, mode) -> None:
    [item] = post_items(api, f"lost-{mode}")
    mews_sim.control.lose_response(path="orderItems/cancel", mode=mode, hold_s=3)
    with pytest.raises((httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.ReadError)):
        httpx.post(
            mews_sim.api_url("orderItems/cancel"),
            json={**mews_sim.gross.token.body(), "OrderItemIds": [item["Id"]]},
            timeout=1.0,
        )
    assert read(api, item["Id"])[item["Id"]]["AccountingState"] == "Canceled"
    counters = mews_sim.control.counters()
    assert counters["faults_injected"] == 1
    assert counters["order_items_canceled"] == 1


def test_an_injected_error_on_cancel_applies_nothing(api, mews_sim) -> None:
    [item] = post_items(api, "spa")
    mews_sim.control.fail_next(1, status=503, path="orderItems/cancel")
    assert cancel(api, item["Id"]).status_code == 503
    assert read(api, item["Id"])[item["Id"]]["AccountingState"] == "Open"
    assert cancel(api, item["Id"]).status_code == 200
    assert mews_sim.control.counters()["order_items_canceled"] == 1
