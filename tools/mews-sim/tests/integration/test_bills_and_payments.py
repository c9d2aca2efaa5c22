"""A stay's money as Mews shows it: items linked to the reservation
(`productServiceOrders/getAll` by `LinkedReservationIds`, then `orderItems/getAll` by
`ServiceOrderIds`), payments taken at the desk (`payments/getAll`, a `PaymentUpdated`
webhook), and the bill closing when the guest checks out."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

RESTAURANT = "fc79a518-bc69-45b8-93bd-83326201bd14"


def in_house(mews_sim: Any) -> dict[str, Any]:
    return next(
        r for r in mews_sim.control.reservations(mews_sim.gross.id) if r["State"] == "Started"
    )


def charge(api: Any, stay: dict[str, Any], gross: float, name: str = "Massage") -> str:
    answer = api(
        "orders/add",
        {
            "ServiceId": RESTAURANT,
            "AccountId": stay["AccountId"],
            "LinkedReservationId": stay["Id"],
            "Items": [
                {
                    "Name": name,
                    "UnitCount": 2,
                    "UnitAmount": {"Currency": "GBP", "GrossValue": gross, "TaxCodes": ["UK-S"]},
                    "ExternalIdentifier": f"charge-{name}",
                }
            ],
        },
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["OrderId"])


def payments_of(api: Any, **filters: Any) -> list[dict[str, Any]]:
    answer = api("payments/getAll", {**filters, "Limitation": {"Count": 100}})
    assert answer.status_code == 200, answer.text
    return list(answer.json()["Payments"])


def test_items_linked_to_a_stay_are_found_through_its_product_orders(mews_sim, api) -> None:
    stay = in_house(mews_sim)
    order_id = charge(api, stay, 40)
    orders = api(
        "productServiceOrders/getAll",
        {
            "ServiceIds": [RESTAURANT],
            "LinkedReservationIds": [stay["Id"]],
            "Limitation": {"Count": 100},
        },
    ).json()
    found = {o["Id"]: o for o in orders["ProductServiceOrders"]}
    assert found[order_id]["LinkedReservationId"] == stay["Id"]
    assert found[order_id]["AccountId"] == stay["AccountId"]
    items = api(
        "orderItems/getAll", {"ServiceOrderIds": [order_id], "Limitation": {"Count": 10}}
    ).json()["OrderItems"]
    assert [(i["BillingName"], i["UnitCount"], i["Amount"]["GrossValue"]) for i in items] == [
        ("Massage", 2, 80)
    ]
    # ServiceIds is required.
    refused = api(
        "productServiceOrders/getAll",
        {"LinkedReservationIds": [stay["Id"]], "Limitation": {"Count": 1}},
    )
    assert refused.status_code == 400


def test_a_payment_at_the_desk_lands_on_the_stays_open_bill(
    mews_sim, api, webhook_receiver
) -> None:
    stay = in_house(mews_sim)
    order_id = charge(api, stay, 30, "Dinner")
    item = api(
        "orderItems/getAll", {"ServiceOrderIds": [order_id], "Limitation": {"Count": 1}}
    ).json()["OrderItems"][0]
    payment = mews_sim.control.add_payment(stay["Id"], 25.5, type="CashPayment")
    assert payment["Amount"]["GrossValue"] == -25.5  # Mews reports payments negative
    assert (payment["BillId"], payment["ReservationId"]) == (item["BillId"], stay["Id"])
    assert (payment["State"], payment["AccountingState"], payment["Type"]) == (
        "Charged",
        "Open",
        "CashPayment",
    )
    by_stay = payments_of(api, ReservationIds=[stay["Id"]])
    assert [p["Id"] for p in by_stay] == [payment["Id"]]
    assert payments_of(api, PaymentIds=[payment["Id"]]) == by_stay
    assert payments_of(api, BillIds=[item["BillId"]]) == by_stay
    assert payments_of(api, AccountIds=[stay["AccountId"]], States=["Failed"]) == []
    bodies = webhook_receiver.wait_for(
        lambda b: any(
            e["Discriminator"] == "PaymentUpdated" and e["Value"]["Id"] == payment["Id"]
            for body in b
            for e in body["Events"]
        )
    )
    assert all(b["EnterpriseId"] == mews_sim.gross.id for b in bodies)

    # Checking out closes the bill with its items and payments.
    mews_sim.control.process_reservation(stay["Id"])
    bill = api("bills/getAll", {"BillIds": [item["BillId"]], "Limitation": {"Count": 1}}).json()[
        "Bills"
    ][0]
    assert bill["State"] == "Closed"
    closed = payments_of(api, ReservationIds=[stay["Id"]])[0]
    assert closed["AccountingState"] == "Closed"
    assert closed["ClosedUtc"] is not None
    assert closed["UpdatedUtc"] >= payment["UpdatedUtc"]
    items = api(
        "orderItems/getAll", {"ServiceOrderIds": [order_id], "Limitation": {"Count": 1}}
    ).json()["OrderItems"]
    assert items[0]["AccountingState"] == "Closed"


def test_payment_reads_follow_the_documented_limits_and_faults(mews_sim, api) -> None:
    assert api("payments/getAll", {"Limitation": {"Count": 10}}).status_code == 400
    too_many = [f"00000000-0000-4000-8000-{n:012d}" for n in range(101)]
    assert (
        api("payments/getAll", {"AccountIds": too_many, "Limitation": {"Count": 10}}).status_code
        == 400
    )
    stay = in_house(mews_sim)
    first = mews_sim.control.add_payment(stay["Id"], 10)
    second = mews_sim.control.add_payment(stay["Id"], 20)
    page = api(
        "payments/getAll", {"ReservationIds": [stay["Id"]], "Limitation": {"Count": 1}}
    ).json()
    assert [p["Id"] for p in page["Payments"]] == [second["Id"]]  # newest first
    rest = api(
        "payments/getAll",
        {"ReservationIds": [stay["Id"]], "Limitation": {"Count": 1, "Cursor": page["Cursor"]}},
    ).json()
    assert [p["Id"] for p in rest["Payments"]] == [first["Id"]]
    mews_sim.control.fail_next(1, status=503, path="payments/getAll")
    assert (
        api(
            "payments/getAll", {"PaymentIds": [first["Id"]], "Limitation": {"Count": 1}}
        ).status_code
        == 503
    )
    with pytest.raises(httpx.HTTPStatusError) as refused:  # a payment must be positive
        mews_sim.control.add_payment(stay["Id"], -5)
    assert refused.value.response.status_code == 400
