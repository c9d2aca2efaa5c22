"""serviceOrderNotes/getAll (types, ids, paging, validation) and serviceOrderNotes/add."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from mews_sim_channels import events_until, wait_connections, webhook_ids
from websockets.asyncio.client import connect

from attendandt.mews_sim import clock

ALL_TYPES = ["General", "ChannelManager", "SpecialRequest"]
NOTE_FIELDS = {"Id", "OrderId", "Text", "Type", "CreatedUtc", "UpdatedUtc"}
RESTAURANT = "fc79a518-bc69-45b8-93bd-83326201bd14"


def notes(api, body: dict[str, Any], count: int = 1000) -> dict[str, Any]:
    response = api("serviceOrderNotes/getAll", {"Limitation": {"Count": count}, **body})
    assert response.status_code == 200, response.text
    return dict(response.json())


def stay_ids(mews_sim) -> list[str]:
    return [r["Id"] for r in mews_sim.control.reservations()][:1000]


def test_notes_of_the_stays_default_types_and_type_filter(api, mews_sim) -> None:
    stays = stay_ids(mews_sim)
    everything = notes(api, {"ServiceOrderIds": stays, "Types": ALL_TYPES})["ServiceOrderNotes"]
    assert len(everything) > 10
    assert all(set(n) == NOTE_FIELDS for n in everything)
    assert {n["OrderId"] for n in everything} <= set(stays)
    assert all(n["Text"] and n["CreatedUtc"] <= n["UpdatedUtc"] for n in everything)
    kinds = {n["Type"] for n in everything}
    assert {"General", "ChannelManager"} <= kinds
    default = notes(api, {"ServiceOrderIds": stays})["ServiceOrderNotes"]
    assert default == [n for n in everything if n["Type"] != "SpecialRequest"]
    general = notes(api, {"ServiceOrderIds": stays, "Types": ["General"]})["ServiceOrderNotes"]
    assert general == [n for n in everything if n["Type"] == "General"]
    one = everything[0]
    by_id = notes(
        api,
        {
            "ServiceOrderIds": [one["OrderId"]],
            "ServiceOrderNoteIds": [one["Id"]],
            "Types": ALL_TYPES,
        },
    )
    assert by_id["ServiceOrderNotes"] == [one]
    # A note id outside the given service orders is not found.
    elsewhere = next(n for n in everything if n["OrderId"] != one["OrderId"])
    crossed = notes(
        api, {"ServiceOrderIds": [one["OrderId"]], "ServiceOrderNoteIds": [elsewhere["Id"]]}
    )
    assert crossed == {"ServiceOrderNotes": [], "Cursor": None}


def test_pages_cover_every_note_once(api, mews_sim) -> None:
    body = {"ServiceOrderIds": stay_ids(mews_sim), "Types": ALL_TYPES}
    whole = [n["Id"] for n in notes(api, body)["ServiceOrderNotes"]]
    seen: list[str] = []
    cursor = None
    while True:
        page = notes(api, {**body, "Limitation": {"Count": 6, "Cursor": cursor}})
        if not page["ServiceOrderNotes"]:
            assert page["Cursor"] is None
            break
        assert page["Cursor"] == page["ServiceOrderNotes"][-1]["Id"]
        seen += [n["Id"] for n in page["ServiceOrderNotes"]]
        cursor = page["Cursor"]
    assert seen == whole


def test_bad_requests_are_refused(api, mews_sim) -> None:
    limitation = {"Limitation": {"Count": 10}}
    assert api("serviceOrderNotes/getAll", limitation).status_code == 400
    assert api("serviceOrderNotes/getAll", {"ServiceOrderIds": [], **limitation}).status_code == 400
    too_many = ["00000000-0000-4000-8000-000000000000"] * 1001
    assert (
        api("serviceOrderNotes/getAll", {"ServiceOrderIds": too_many, **limitation}).status_code
        == 400
    )
    stay = stay_ids(mews_sim)[0]
    wrong_type = api(
        "serviceOrderNotes/getAll", {"ServiceOrderIds": [stay], "Types": ["Secret"], **limitation}
    )
    assert wrong_type.status_code == 400
    long_window = {"StartUtc": "2026-01-01T00:00:00Z", "EndUtc": "2026-06-01T00:00:00Z"}
    too_long = api(
        "serviceOrderNotes/getAll",
        {"ServiceOrderIds": [stay], "UpdatedUtc": long_window, **limitation},
    )
    assert too_long.status_code == 400


async def test_add_notes_to_a_stay_and_an_order(api, mews_sim, webhook_receiver) -> None:
    stay = mews_sim.control.create_reservation()
    order = api(
        "orders/add",
        {
            "ServiceId": RESTAURANT,
            "AccountId": stay["AccountId"],
            "Items": [
                {"Name": "Tea", "UnitCount": 1, "UnitAmount": {"Currency": "GBP", "GrossValue": 4}}
            ],
        },
    ).json()["OrderId"]
    before = api("configuration/get").json()["NowUtc"]
    async with connect(
        mews_sim.ws_url, additional_headers={"Cookie": mews_sim.gross.token.cookie()}
    ) as socket:
        await wait_connections(mews_sim, 1)
        added = api(
            "serviceOrderNotes/add",
            {
                "ServiceOrderNotes": [
                    {"ServiceOrderId": stay["Id"], "Text": "Late arrival around 23:00."},
                    {"ServiceOrderId": order, "Text": "Bring it to the terrace."},
                ]
            },
        )
        assert added.status_code == 200, added.text
        await events_until(socket, {("Reservation", stay["Id"])})
    webhook_receiver.wait_for(lambda b: stay["Id"] in webhook_ids(b, "ServiceOrderUpdated"))
    written = added.json()["ServiceOrderNotes"]
    assert [(n["OrderId"], n["Type"]) for n in written] == [
        (stay["Id"], "General"),
        (order, "General"),
    ]
    assert all(set(n) == NOTE_FIELDS and n["CreatedUtc"] >= before for n in written)
    later = clock.fmt(clock.parse(before) + timedelta(days=1))
    read = notes(
        api,
        {
            "ServiceOrderIds": [stay["Id"], order],
            "UpdatedUtc": {"StartUtc": before, "EndUtc": later},
        },
    )
    assert sorted(n["Id"] for n in read["ServiceOrderNotes"]) == sorted(n["Id"] for n in written)
    reservation = api(
        "reservations/getAll/2023-06-06",
        {"ReservationIds": [stay["Id"]], "Limitation": {"Count": 1}},
    ).json()["Reservations"][0]
    assert reservation["UpdatedUtc"] >= before
    # Nothing is written when one of the notes is refused.
    refused = api(
        "serviceOrderNotes/add",
        {
            "ServiceOrderNotes": [
                {"ServiceOrderId": stay["Id"], "Text": "Should not stay."},
                {"ServiceOrderId": "00000000-0000-4000-8000-000000000000", "Text": "Nowhere"},
            ]
        },
    )
    assert refused.status_code == 400
    assert "ServiceOrderId" in refused.json()["Message"]
    empty_text = api(
        "serviceOrderNotes/add", {"ServiceOrderNotes": [{"ServiceOrderId": stay["Id"], "Text": ""}]}
    )
    assert empty_text.status_code == 400
    assert api("serviceOrderNotes/add", {"ServiceOrderNotes": []}).status_code == 400
    after = notes(api, {"ServiceOrderIds": [stay["Id"]]})["ServiceOrderNotes"]
    assert [n["Text"] for n in after] == ["Late arrival around 23:00."]
