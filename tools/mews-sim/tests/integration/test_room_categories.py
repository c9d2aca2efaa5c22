"""resourceCategories/getAll and resourceCategoryAssignments/getAll: each hotel's own room
types, named in its language, every room in one of them, stays asking for one of them."""

from __future__ import annotations

from typing import Any

ASSIGNMENT_FIELDS = {"Id", "IsActive", "ResourceId", "CategoryId", "CreatedUtc", "UpdatedUtc"}


def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return dict(response.json())


def _hotel(api, token) -> dict[str, Any]:
    """The hotel's default language, accommodation service, categories and rooms."""
    config = _ok(api("configuration/get", {}, token=token))
    services = _ok(api("services/getAll", {"Limitation": {"Count": 100}}, token=token))
    [accommodation] = [
        s for s in services["Services"] if (s.get("Data") or {}).get("Discriminator") == "Bookable"
    ]
    categories = _ok(
        api(
            "resourceCategories/getAll",
            {"ServiceIds": [accommodation["Id"]], "Limitation": {"Count": 1000}},
            token=token,
        )
    )["ResourceCategories"]
    rooms = _ok(
        api(
            "resources/getAll",
            {"Extent": {"Resources": True}, "Limitation": {"Count": 1000}},
            token=token,
        )
    )["Resources"]
    return {
        "language": config["Enterprise"]["DefaultLanguageCode"],
        "categories": categories,
        "rooms": rooms,
    }


def _assignments(api, body: dict[str, Any], token=None, count: int = 1000) -> dict[str, Any]:
    return _ok(
        api(
            "resourceCategoryAssignments/getAll",
            {"Limitation": {"Count": count}, **body},
            token=token,
        )
    )


def test_each_hotel_names_its_own_room_types_in_its_language(api, mews_sim) -> None:
    london = _hotel(api, mews_sim.gross.token)
    washington = _hotel(api, mews_sim.net.token)
    assert (london["language"], washington["language"]) == ("en-GB", "en-US")
    london_names = {c["Names"][london["language"]] for c in london["categories"]}
    washington_names = {c["Names"][washington["language"]] for c in washington["categories"]}
    assert {"Standard Double", "Deluxe King", "Riverside Suite"} <= london_names
    assert {"Standard Queen", "Deluxe King", "Capitol Suite"} <= washington_names
    # Another language beside the hotel's own (the name a client picks must be the hotel's).
    assert all(len(c["Names"]) == 2 for c in london["categories"] + washington["categories"])
    assert not {c["Id"] for c in london["categories"]} & {c["Id"] for c in washington["categories"]}


def test_every_room_is_in_one_category_of_its_hotel(api, mews_sim) -> None:
    for token in (mews_sim.gross.token, mews_sim.net.token):
        hotel = _hotel(api, token)
        category_ids = [c["Id"] for c in hotel["categories"]]
        answer = _assignments(api, {"ResourceCategoryIds": category_ids}, token=token)
        found = answer["ResourceCategoryAssignments"]
        assert all(set(a) == ASSIGNMENT_FIELDS for a in found)
        assert all(a["IsActive"] and a["CategoryId"] in category_ids for a in found)
        by_room = {}
        for assignment in found:
            assert assignment["ResourceId"] not in by_room, "a room in two categories"
            by_room[assignment["ResourceId"]] = assignment["CategoryId"]
        assert set(by_room) == {r["Id"] for r in hotel["rooms"]}


def test_filters_narrow_by_room_category_and_id(api, mews_sim) -> None:
    hotel = _hotel(api, mews_sim.gross.token)
    category_ids = [c["Id"] for c in hotel["categories"]]
    everything = _assignments(api, {"ResourceCategoryIds": category_ids})
    rooms = [a["ResourceId"] for a in everything["ResourceCategoryAssignments"]][:3]
    by_room = _assignments(api, {"ResourceCategoryIds": category_ids, "ResourceIds": rooms})
    assert sorted(a["ResourceId"] for a in by_room["ResourceCategoryAssignments"]) == sorted(rooms)

    one = everything["ResourceCategoryAssignments"][0]
    by_category = _assignments(api, {"ResourceCategoryIds": [one["CategoryId"]]})
    assert {a["CategoryId"] for a in by_category["ResourceCategoryAssignments"]} == {
        one["CategoryId"]
    }
    by_id = _assignments(
        api, {"ResourceCategoryIds": category_ids, "ResourceCategoryAssignmentIds": [one["Id"]]}
    )
    assert by_id["ResourceCategoryAssignments"] == [one]
    # Filters combine: a room outside the category asked for is not answered.
    other = next(
        a for a in everything["ResourceCategoryAssignments"] if a["CategoryId"] != one["CategoryId"]
    )
    none = _assignments(
        api, {"ResourceCategoryIds": [one["CategoryId"]], "ResourceIds": [other["ResourceId"]]}
    )
    assert (none["ResourceCategoryAssignments"], none["Cursor"]) == ([], None)
    deleted = _assignments(
        api, {"ResourceCategoryIds": category_ids, "ActivityStates": ["Deleted"]}
    )
    assert deleted["ResourceCategoryAssignments"] == []
    # Another hotel's categories answer nothing to this token.
    washington = _hotel(api, mews_sim.net.token)
    theirs = _assignments(api, {"ResourceCategoryIds": [c["Id"] for c in washington["categories"]]})
    assert theirs["ResourceCategoryAssignments"] == []


def test_pages_cover_every_assignment_once(api, mews_sim) -> None:
    hotel = _hotel(api, mews_sim.gross.token)
    category_ids = [c["Id"] for c in hotel["categories"]]
    everything = _assignments(api, {"ResourceCategoryIds": category_ids})
    seen: list[str] = []
    cursor = None
    while True:
        page = _assignments(
            api,
            {
                "ResourceCategoryIds": category_ids,
                "Limitation": {"Count": 7, **({"Cursor": cursor} if cursor else {})},
            },
        )
        seen += [a["Id"] for a in page["ResourceCategoryAssignments"]]
        if len(page["ResourceCategoryAssignments"]) < 7:
            break
        cursor = page["Cursor"]
    assert seen == [a["Id"] for a in everything["ResourceCategoryAssignments"]]
    assert len(set(seen)) == len(seen) > 7


def test_bad_requests_are_refused(api) -> None:
    some = "5c0804f9-d03a-4b13-a57d-b00300781a41"
    missing = api("resourceCategoryAssignments/getAll", {"Limitation": {"Count": 10}})
    assert missing.status_code == 400
    assert "ResourceCategoryIds" in missing.text
    too_many = api(
        "resourceCategoryAssignments/getAll",
        {"ResourceCategoryIds": [some] * 1001, "Limitation": {"Count": 10}},
    )
    assert too_many.status_code == 400
    no_limitation = api("resourceCategoryAssignments/getAll", {"ResourceCategoryIds": [some]})
    assert no_limitation.status_code == 400
    not_ids = api(
        "resourceCategoryAssignments/getAll",
        {"ResourceCategoryIds": ["room 101"], "Limitation": {"Count": 10}},
    )
    assert not_ids.status_code == 400


def test_stays_ask_for_their_hotels_categories_and_mostly_get_them(api, mews_sim) -> None:
    for enterprise in (mews_sim.gross, mews_sim.net):
        hotel = _hotel(api, enterprise.token)
        category_ids = {c["Id"] for c in hotel["categories"]}
        answer = _assignments(
            api, {"ResourceCategoryIds": sorted(category_ids)}, token=enterprise.token
        )
        category_of = {
            a["ResourceId"]: a["CategoryId"] for a in answer["ResourceCategoryAssignments"]
        }
        stays = mews_sim.control.reservations(enterprise.id)
        assert stays
        assert all(s["RequestedResourceCategoryId"] in category_ids for s in stays)
        housed = [s for s in stays if s["AssignedResourceId"]]
        assert all(s["AssignedResourceId"] in category_of for s in housed)
        # A stay may be upgraded when its category is full; most get what they asked for.
        asked_for = [
            s
            for s in housed
            if category_of[s["AssignedResourceId"]] == s["RequestedResourceCategoryId"]
        ]
        assert len(asked_for) >= 0.8 * len(housed)
