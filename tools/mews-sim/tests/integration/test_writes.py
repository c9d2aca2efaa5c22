"""Customer and reservation writes; charges from orders/add read back as order items and bills."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

JOHN = "fadd5bb6-b428-45d5-94f8-fd0d89fece6d"
ACCOMMODATION = "bd26d8db-86da-4f96-9efc-e5a4654a4a94"
RESTAURANT = "fc79a518-bc69-45b8-93bd-83326201bd14"


def wire(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_customer_add_duplicate_email_and_overwrite(api) -> None:
    body = {
        "LastName": "Novak",
        "FirstName": "Eva",
        "Email": "eva.novak@example.com",
        "OverwriteExisting": False,
    }
    created = api("customers/add", body)
    assert created.status_code == 200, created.text
    again = api("customers/add", body)
    assert again.status_code == 403
    overwritten = api(
        "customers/add", {**body, "FirstName": "Evička", "OverwriteExisting": True}
    ).json()
    assert overwritten["Id"] == created.json()["Id"]
    assert overwritten["FirstName"] == "Evička"
    missing = api("customers/add", {"FirstName": "No last name", "OverwriteExisting": False})
    assert missing.status_code == 400


def test_customer_update_keeps_blank_fields_and_rejects_taken_email(api) -> None:
    updated = api(
        "customers/update", {"CustomerId": JOHN, "Phone": "+1 555 0100", "Occupation": ""}
    ).json()
    assert updated["Phone"] == "+1 555 0100"
    assert updated["Occupation"] == "Carpenter"
    taken = api("customers/update", {"CustomerId": JOHN, "Email": "thea.carbone@old.example"})
    assert taken.status_code == 403
    unknown = api("customers/update", {"CustomerId": "00000000-0000-4000-8000-000000000000"})
    assert unknown.status_code == 400


def vacate_a_room(api, mews_sim, category_id: str, start: datetime, end: datetime) -> None:
    """The seeded hotel is built at the real clock, so on some days every room of the category
    is taken over the window: a desk moves the guests of one room elsewhere (unassigns them) and
    readies the room, so the new stay surely gets a room, whatever the date."""
    assignments = api(
        "resourceCategoryAssignments/getAll",
        {"ResourceCategoryIds": [category_id], "Limitation": {"Count": 100}},
    ).json()["ResourceCategoryAssignments"]
    room = assignments[0]["ResourceId"]
    mews_sim.control.set_resource_state(room, "Inspected")
    for held in mews_sim.control.reservations(mews_sim.gross.id):
        if (
            held["AssignedResourceId"] == room
            and held["ScheduledStartUtc"] < wire(end)
            and held["ScheduledEndUtc"] > wire(start)
        ):
            mews_sim.control.update_reservation(held["Id"], AssignedResourceId=None)


def test_reservation_lifecycle_through_the_connector(api, mews_sim) -> None:
    categories = api(
        "resourceCategories/getAll", {"ServiceIds": [ACCOMMODATION], "Limitation": {"Count": 10}}
    ).json()
    rates = api("rates/getAll", {"ServiceIds": [ACCOMMODATION], "Limitation": {"Count": 10}}).json()
    category = next(c for c in categories["ResourceCategories"] if c["Type"] == "Suite")
    now = datetime.now(UTC)
    vacate_a_room(api, mews_sim, category["Id"], now - timedelta(hours=1), now + timedelta(days=2))
    added = api(
        "reservations/add",
        {
            "ServiceId": ACCOMMODATION,
            "Reservations": [
                {
                    "Identifier": "r1",
                    "State": "Confirmed",
                    "StartUtc": wire(now - timedelta(hours=1)),
                    "EndUtc": wire(now + timedelta(days=2)),
                    "CustomerId": JOHN,
                    "RequestedCategoryId": category["Id"],
                    "RateId": rates["Rates"][0]["Id"],
                    "PersonCounts": [
                        {"AgeCategoryId": "00000000-0000-4000-8000-000000000000", "Count": 1}
                    ],
                }
            ],
        },
    )
    assert added.status_code == 200, added.text
    entry = added.json()["Reservations"][0]
    assert entry["Identifier"] == "r1"
    reservation_id = entry["Reservation"]["Id"]
    assert api("reservations/start", {"ReservationId": reservation_id}).json() == {}
    assert api("reservations/start", {"ReservationId": reservation_id}).status_code == 403
    # John has open charges on his bill: checkout needs CloseBills (or AllowOpenBalance + Notes).
    assert api("reservations/process", {"ReservationId": reservation_id}).status_code == 403
    assert (
        api("reservations/process", {"ReservationId": reservation_id, "CloseBills": True}).json()
        == {}
    )
    bill = api(
        "bills/getAll",
        {"BillIds": ["ea087d64-3901-4eee-b0b7-9fce4c58a005"], "Limitation": {"Count": 1}},
    ).json()
    assert bill["Bills"][0]["State"] == "Closed"
    read = api(
        "reservations/getAll/2023-06-06",
        {"ReservationIds": [reservation_id], "Limitation": {"Count": 1}},
    ).json()
    reservation = read["Reservations"][0]
    assert reservation["State"] == "Processed"
    assert reservation["ActualStartUtc"]
    assert reservation["ActualEndUtc"]
    assert reservation["Options"]["ConnectorCheckIn"] is True
    assert (
        api("reservations/cancel", {"ReservationIds": [reservation_id], "Notes": "x"}).status_code
        == 403
    )


def test_cancel_and_bad_references(api, mews_sim) -> None:
    created = mews_sim.control.create_reservation(
        start_utc=wire(datetime.now(UTC) + timedelta(days=30))
    )
    ok = api("reservations/cancel", {"ReservationIds": [created["Id"]], "Notes": "Guest asked"})
    assert ok.json() == {"ReservationIds": [created["Id"]]}
    read = api(
        "reservations/getAll/2023-06-06",
        {"ReservationIds": [created["Id"]], "Limitation": {"Count": 1}},
    ).json()
    assert read["Reservations"][0]["State"] == "Canceled"
    assert read["Reservations"][0]["CancelledUtc"]
    assert (
        api("reservations/cancel", {"ReservationIds": [created["Id"]]}).status_code == 400
    )  # Notes missing
    assert (
        api(
            "reservations/start", {"ReservationId": "00000000-0000-4000-8000-000000000000"}
        ).status_code
        == 400
    )


def test_order_items_and_bill_hold_the_charge(api, mews_sim) -> None:
    products = api(
        "products/getAll", {"ServiceIds": [RESTAURANT], "Limitation": {"Count": 10}}
    ).json()["Products"]
    beer = next(p for p in products if p["Names"]["en-US"] == "Beer")
    before = mews_sim.control.counters()["orders_created"]
    order = api(
        "orders/add",
        {
            "ServiceId": RESTAURANT,
            "AccountId": JOHN,
            "LinkedReservationId": "0f515589-99b4-423d-b83a-b237009f0509",
            "ProductOrders": [{"ProductId": beer["Id"], "Count": 2, "ExternalIdentifier": "pos-1"}],
            "Items": [
                {
                    "Name": "Towel",
                    "UnitCount": 1,
                    "UnitAmount": {"Currency": "GBP", "GrossValue": 12, "TaxCodes": ["UK-S"]},
                    "ExternalIdentifier": "pos-2",
                }
            ],
        },
    )
    assert order.status_code == 200, order.text
    order_id = order.json()["OrderId"]
    assert mews_sim.control.counters()["orders_created"] == before + 1
    items = api(
        "orderItems/getAll", {"ServiceOrderIds": [order_id], "Limitation": {"Count": 10}}
    ).json()["OrderItems"]
    assert sorted(i["ExternalIdentifier"] for i in items) == ["pos-1", "pos-2"]
    by_ext = {i["ExternalIdentifier"]: i for i in items}
    assert by_ext["pos-1"]["UnitCount"] == 2
    assert by_ext["pos-1"]["Amount"]["GrossValue"] == 2 * beer["Price"]["GrossValue"]
    assert by_ext["pos-2"]["Amount"] == {
        "Currency": "GBP",
        "NetValue": 10,
        "GrossValue": 12,
        "TaxValues": [{"Code": "UK-S", "Value": 2}],
        "Breakdown": {"Items": [{"TaxRateCode": "UK-S", "NetValue": 10, "TaxValue": 2}]},
    }
    assert all(i["AccountId"] == JOHN for i in items)
    by_account = api(
        "orderItems/getAll", {"AccountIds": [JOHN], "Limitation": {"Count": 100}}
    ).json()["OrderItems"]
    assert {i["Id"] for i in items} <= {i["Id"] for i in by_account}
    bill_id = items[0]["BillId"]
    bill = api("bills/getAll", {"BillIds": [bill_id], "Limitation": {"Count": 1}}).json()["Bills"][
        0
    ]
    assert bill["AccountId"] == JOHN
    assert bill["State"] == "Open"
    on_bill = api("orderItems/getAll", {"BillIds": [bill_id], "Limitation": {"Count": 100}}).json()[
        "OrderItems"
    ]
    assert {i["Id"] for i in items} <= {i["Id"] for i in on_bill}
    with_items = api(
        "bills/getAll",
        {"BillIds": [bill_id], "Extent": {"Items": True}, "Limitation": {"Count": 1}},
    ).json()
    assert {i["Id"] for i in items} <= {i["Id"] for i in with_items["Bills"][0]["OrderItems"]}
    # The control API lists them too (unpaged, outside the rate limit), in brief.
    listed = {i["Id"]: i for i in mews_sim.control.order_items(mews_sim.gross.id)}
    assert {i["Id"] for i in items} <= set(listed)
    assert {listed[i["Id"]]["ExternalIdentifier"] for i in items} == {"pos-1", "pos-2"}
    assert {listed[i["Id"]]["ServiceOrderId"] for i in items} == {order_id}
    assert {listed[i["Id"]]["BillId"] for i in items} == {bill_id}
    assert not {i["Id"] for i in items} & {
        i["Id"] for i in mews_sim.control.order_items(mews_sim.net.id)
    }


def test_orders_add_errors(api, mews_sim) -> None:
    item = {"Name": "Towel", "UnitCount": 1, "UnitAmount": {"Currency": "GBP", "GrossValue": 12}}
    missing_account = api(
        "orders/add",
        {
            "ServiceId": RESTAURANT,
            "AccountId": "00000000-0000-4000-8000-000000000000",
            "Items": [item],
        },
    )
    assert missing_account.status_code == 400
    assert "AccountId" in missing_account.json()["Message"]
    missing_service = api(
        "orders/add",
        {"ServiceId": "00000000-0000-4000-8000-000000000000", "AccountId": JOHN, "Items": [item]},
    )
    assert missing_service.status_code == 400
    assert "ServiceId" in missing_service.json()["Message"]
    assert api("orders/add", {"ServiceId": RESTAURANT, "AccountId": JOHN}).status_code == 400
    bill_id = "ea087d64-3901-4eee-b0b7-9fce4c58a005"
    mews_sim.control.close_bill(bill_id)
    closed = api(
        "orders/add",
        {"ServiceId": RESTAURANT, "AccountId": JOHN, "BillId": bill_id, "Items": [item]},
    )
    assert closed.status_code == 403
    assert mews_sim.control.counters()["orders_created"] == 0
