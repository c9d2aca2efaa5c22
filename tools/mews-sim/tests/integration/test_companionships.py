"""companionships/getAll (filters, extents, paging, validation) and reservations/addCompanion."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from mews_sim_channels import next_events, wait_connections, webhook_ids
from websockets.asyncio.client import connect

from attendandt.mews_sim import clock


def with_companions(mews_sim) -> list[dict[str, Any]]:
    found = [r for r in mews_sim.control.reservations() if r["CompanionIds"]]
    assert found, "the seed puts companions on some stays"
    return found


def group_of(api, reservation_id: str) -> str:
    answer = api(
        "reservations/getAll/2023-06-06",
        {"ReservationIds": [reservation_id], "Limitation": {"Count": 1}},
    ).json()
    return str(answer["Reservations"][0]["GroupId"])


def companionships(api, body: dict[str, Any], count: int = 1000) -> dict[str, Any]:
    response = api("companionships/getAll", {"Extent": {}, "Limitation": {"Count": count}, **body})
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_filters_find_the_companions_of_a_stay(api, mews_sim) -> None:
    reservation = with_companions(mews_sim)[0]
    group_id = group_of(api, reservation["Id"])
    by_reservation = companionships(api, {"ReservationIds": [reservation["Id"]]})
    found = by_reservation["Companionships"]
    assert sorted(c["CustomerId"] for c in found) == sorted(reservation["CompanionIds"])
    assert all(set(c) == {"Id", "CustomerId", "ReservationGroupId", "ReservationId"} for c in found)
    assert all(c["ReservationId"] == reservation["Id"] for c in found)
    assert all(c["ReservationGroupId"] == group_id for c in found)
    assert by_reservation["Customers"] is None
    assert by_reservation["Reservations"] is None
    assert by_reservation["ReservationGroups"] is None

    companion = found[0]["CustomerId"]
    by_customer = companionships(api, {"CustomerIds": [companion]})["Companionships"]
    assert found[0]["Id"] in {c["Id"] for c in by_customer}
    assert all(c["CustomerId"] == companion for c in by_customer)
    by_group = companionships(api, {"ReservationGroupIds": [group_id]})["Companionships"]
    assert {c["Id"] for c in by_group} == {c["Id"] for c in found}
    by_id = companionships(api, {"CompanionshipIds": [found[0]["Id"]]})["Companionships"]
    assert by_id == [found[0]]
    # Filters combine: this customer is not on another stay's companionships.
    other = next(r for r in with_companions(mews_sim) if companion not in r["CompanionIds"])
    both = companionships(api, {"CustomerIds": [companion], "ReservationIds": [other["Id"]]})
    assert both["Companionships"] == []
    assert both["Cursor"] is None


def test_extents_bring_customers_reservations_and_groups(api, mews_sim) -> None:
    reservation = with_companions(mews_sim)[0]
    answer = companionships(
        api,
        {
            "ReservationIds": [reservation["Id"]],
            "Extent": {"Customers": True, "Reservations": True, "ReservationGroups": True},
        },
    )
    assert sorted(c["Id"] for c in answer["Customers"]) == sorted(reservation["CompanionIds"])
    assert all(c["LastName"] for c in answer["Customers"])
    [legacy] = answer["Reservations"]
    assert legacy["Id"] == reservation["Id"]
    assert legacy["CompanionIds"] == [reservation["AccountId"], *legacy["CompanionIds"][1:]]
    assert sorted(legacy["CompanionIds"][1:]) == sorted(reservation["CompanionIds"])
    assert answer["ReservationGroups"] == [{"Id": legacy["GroupId"], "Name": None}]


def test_pages_cover_every_companionship_once_newest_first(api, mews_sim) -> None:
    stays = [r["Id"] for r in with_companions(mews_sim)]
    whole = companionships(api, {"ReservationIds": stays})["Companionships"]
    assert len(whole) > 10
    seen: list[str] = []
    cursor = None
    while True:
        page = companionships(
            api, {"ReservationIds": stays, "Limitation": {"Count": 7, "Cursor": cursor}}
        )
        items = page["Companionships"]
        if not items:
            assert page["Cursor"] is None
            break
        assert page["Cursor"] == items[-1]["Id"]
        seen += [c["Id"] for c in items]
        cursor = page["Cursor"]
    assert seen == [c["Id"] for c in whole]
    assert len(set(seen)) == len(seen)


def test_bad_requests_are_refused(api, mews_sim) -> None:
    stay = with_companions(mews_sim)[0]["Id"]
    window = {"StartUtc": "2026-01-01T00:00:00Z", "EndUtc": "2026-02-01T00:00:00Z"}
    no_filter = api("companionships/getAll", {"Extent": {}, "Limitation": {"Count": 10}})
    assert no_filter.status_code == 400
    only_updated = api(
        "companionships/getAll",
        {"UpdatedUtc": window, "Extent": {}, "Limitation": {"Count": 10}},
    )
    assert only_updated.status_code == 400
    assert "UpdatedUtc" in only_updated.json()["Message"]
    too_long = {"StartUtc": "2026-01-01T00:00:00Z", "EndUtc": "2026-06-01T00:00:00Z"}
    long_window = api(
        "companionships/getAll",
        {
            "ReservationIds": [stay],
            "UpdatedUtc": too_long,
            "Extent": {},
            "Limitation": {"Count": 1},
        },
    )
    assert long_window.status_code == 400
    no_extent = api(
        "companionships/getAll", {"ReservationIds": [stay], "Limitation": {"Count": 10}}
    )
    assert no_extent.status_code == 400
    too_many = api(
        "companionships/getAll",
        {
            "CustomerIds": ["00000000-0000-4000-8000-000000000000"] * 1001,
            "Extent": {},
            "Limitation": {"Count": 10},
        },
    )
    assert too_many.status_code == 400


async def test_add_companion_changes_the_reservation(api, mews_sim, webhook_receiver) -> None:
    reservations = mews_sim.control.reservations()
    customers = sorted({r["AccountId"] for r in reservations})
    stay = mews_sim.control.create_reservation(customer_id=customers[0])  # two adults
    guest, third = customers[1], customers[2]
    before = api("configuration/get").json()["NowUtc"]
    async with connect(
        mews_sim.ws_url, additional_headers={"Cookie": mews_sim.gross.token.cookie()}
    ) as socket:
        await wait_connections(mews_sim, 1)
        added = api("reservations/addCompanion", {"ReservationId": stay["Id"], "CustomerId": guest})
        assert added.status_code == 200, added.text
        companionship_id = added.json()["CompanionshipId"]
        events = await next_events(socket)
    assert [(e["Type"], e["Id"]) for e in events] == [("Reservation", stay["Id"])]
    webhook_receiver.wait_for(lambda b: stay["Id"] in webhook_ids(b, "ServiceOrderUpdated"))
    later = clock.fmt(clock.parse(before) + timedelta(days=1))
    recent = companionships(
        api, {"ReservationIds": [stay["Id"]], "UpdatedUtc": {"StartUtc": before, "EndUtc": later}}
    )
    assert [c["Id"] for c in recent["Companionships"]] == [companionship_id]
    read = api(
        "reservations/getAll/2023-06-06",
        {"ReservationIds": [stay["Id"]], "Limitation": {"Count": 1}},
    ).json()["Reservations"][0]
    assert read["UpdatedUtc"] >= before
    # Two adults: the owner and one companion fill the stay.
    full = api("reservations/addCompanion", {"ReservationId": stay["Id"], "CustomerId": third})
    assert full.status_code == 403
    again = api("reservations/addCompanion", {"ReservationId": stay["Id"], "CustomerId": guest})
    assert again.status_code == 403
    net_customer = mews_sim.control.reservations(mews_sim.net.id)[0]["AccountId"]
    foreign = api(
        "reservations/addCompanion", {"ReservationId": stay["Id"], "CustomerId": net_customer}
    )
    assert foreign.status_code == 400
    assert len(companionships(api, {"ReservationIds": [stay["Id"]]})["Companionships"]) == 1
