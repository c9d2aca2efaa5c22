"""Cursor paging, time filters and UpdatedUtc semantics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from attendandt.mews_sim import clock


def window(days_back: int = 89) -> dict[str, str]:
    now = datetime.now(UTC).replace(microsecond=0)
    return {
        "StartUtc": (now - timedelta(days=days_back)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "EndUtc": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def all_pages(api, operation, body, key, count):
    seen, cursor, pages = [], None, 0
    while True:
        response = api(operation, {**body, "Limitation": {"Count": count, "Cursor": cursor}})
        assert response.status_code == 200, response.text
        data = response.json()
        items = data[key]
        pages += 1
        if not items:
            assert data["Cursor"] is None
            return seen, pages
        assert data["Cursor"] == items[-1]["Id"]
        seen.extend(i["Id"] for i in items)
        if len(items) < count:
            return seen, pages
        cursor = data["Cursor"]


def test_customer_pages_cover_everything_once(api) -> None:
    body = {"Extent": {"Customers": True}, "CreatedUtc": window(89)}
    whole = api("customers/getAll", {**body, "Limitation": {"Count": 1000}}).json()["Customers"]
    assert 5 < len(whole) < 1000
    ids, pages = all_pages(api, "customers/getAll", body, "Customers", 7)
    assert ids == [c["Id"] for c in whole]
    assert len(set(ids)) == len(ids)
    assert pages >= len(ids) // 7


def test_empty_page_has_null_cursor(api) -> None:
    body = {
        "Extent": {"Customers": True},
        "Emails": ["nobody@nowhere.example"],
        "Limitation": {"Count": 10},
    }
    data = api("customers/getAll", body).json()
    assert data == {"Customers": [], "Documents": None, "Cursor": None}


def test_extent_false_still_returns_the_cursor(api) -> None:
    body = {"Extent": {"Customers": False}, "CreatedUtc": window(), "Limitation": {"Count": 3}}
    data = api("customers/getAll", body).json()
    assert data["Customers"] == []
    assert data["Cursor"] is not None


def test_reservation_pages_are_stable_while_data_changes(api, mews_sim) -> None:
    body = {"UpdatedUtc": window(80)}
    first = api("reservations/getAll/2023-06-06", {**body, "Limitation": {"Count": 5}}).json()
    assert len(first["Reservations"]) == 5
    mews_sim.control.touch("reservations", 3)
    second = api(
        "reservations/getAll/2023-06-06",
        {**body, "Limitation": {"Count": 5, "Cursor": first["Cursor"]}},
    ).json()
    overlap = {r["Id"] for r in first["Reservations"]} & {r["Id"] for r in second["Reservations"]}
    assert not overlap


def test_unknown_cursor_is_400(api) -> None:
    body = {
        "Extent": {"Customers": True},
        "CreatedUtc": window(),
        "Limitation": {"Count": 3, "Cursor": "00000000-0000-4000-8000-000000000001"},
    }
    assert api("customers/getAll", body).status_code == 400


def test_updated_utc_is_the_change_time_never_ahead_and_half_open_filter(api, mews_sim) -> None:
    customer = api(
        "customers/getAll",
        {"Extent": {"Customers": True}, "CreatedUtc": window(), "Limitation": {"Count": 1}},
    ).json()["Customers"][0]
    first = mews_sim.control.update_customer(customer["Id"], Notes="one")
    second = mews_sim.control.update_customer(customer["Id"], Notes="two")
    now = api("configuration/get", {}).json()["NowUtc"]
    # Moves with every change, but never past Mews's clock: a sweep up to NowUtc sees it.
    assert customer["UpdatedUtc"] < first["UpdatedUtc"] <= second["UpdatedUtc"] <= now
    stamp = second["UpdatedUtc"]
    second_before = clock.fmt(clock.parse(stamp) - timedelta(seconds=1))
    second_after = clock.fmt(clock.parse(stamp) + timedelta(seconds=1))
    ids = {
        "CustomerIds": [customer["Id"]],
        "Extent": {"Customers": True},
        "Limitation": {"Count": 5},
    }
    exact = api(
        "customers/getAll", {**ids, "UpdatedUtc": {"StartUtc": stamp, "EndUtc": stamp}}
    ).json()
    assert [c["Id"] for c in exact["Customers"]] == [customer["Id"]]
    within = api(
        "customers/getAll", {**ids, "UpdatedUtc": {"StartUtc": stamp, "EndUtc": second_after}}
    ).json()
    assert [c["Id"] for c in within["Customers"]] == [customer["Id"]]  # start is inclusive
    before = api(
        "customers/getAll",
        {**ids, "UpdatedUtc": {"StartUtc": second_before, "EndUtc": stamp}},
    ).json()
    assert before["Customers"] == []  # end is exclusive
    starting = api(
        "customers/getAll",
        {**ids, "UpdatedUtc": {"StartUtc": stamp, "EndUtc": "2999-01-01T00:00:00Z"}},
    )
    assert starting.status_code == 400  # far over 3 months


def test_dates_use_the_wire_format(api) -> None:
    data = api(
        "reservations/getAll/2023-06-06", {"UpdatedUtc": window(30), "Limitation": {"Count": 50}}
    ).json()
    for reservation in data["Reservations"]:
        for key in ("CreatedUtc", "UpdatedUtc", "ScheduledStartUtc", "ScheduledEndUtc"):
            datetime.strptime(reservation[key], "%Y-%m-%dT%H:%M:%SZ")


def test_gross_and_net_tokens_see_different_enterprises(api, mews_sim) -> None:
    gross = api("configuration/get").json()["Enterprise"]
    net = api("configuration/get", token=mews_sim.net.token).json()["Enterprise"]
    assert gross["Id"] == mews_sim.gross.id
    assert gross["Pricing"] == "Gross"
    assert net["Id"] == mews_sim.net.id
    assert net["Pricing"] == "Net"
    net_customers = api(
        "customers/getAll",
        {"Extent": {"Customers": True}, "CreatedUtc": window(), "Limitation": {"Count": 1000}},
        token=mews_sim.net.token,
    ).json()
    assert all(c["ChainId"] == mews_sim.net.chain_id for c in net_customers["Customers"])
