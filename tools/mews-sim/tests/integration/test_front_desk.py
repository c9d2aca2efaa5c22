"""Front-desk work through the control API at a set clock: the day lists computed from the
simulator's own reservations, then check-in, check-out, cancellation and new dates, each
stamped with the clock's time and announced on the WebSocket and by webhook."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from mews_sim_channels import events_until, wait_connections, webhook_ids
from websockets.asyncio.client import connect

from attendandt.mews_sim import clock

# 16:00 in London: some guests have left today, others are still due out; check-in is open.
NOW = "2026-06-10T15:00:00Z"


def local_day(value: str | None, zone: ZoneInfo) -> date | None:
    return clock.parse(value).astimezone(zone).date() if value else None


def day_lists(reservations: list[dict[str, Any]], zone: ZoneInfo, day: date) -> dict[str, list]:
    """The front desk's lists for `day` (see the hotel's definitions)."""
    lists: dict[str, list] = {"due_in": [], "checked_in": [], "due_out": [], "checked_out": []}
    for r in reservations:
        state = r["State"]
        if local_day(r["ScheduledStartUtc"], zone) == day:
            if state in ("Confirmed", "Optional"):
                lists["due_in"].append(r)
            elif state == "Started":
                lists["checked_in"].append(r)
        if local_day(r["ScheduledEndUtc"], zone) == day:
            if state == "Started":
                lists["due_out"].append(r)
            elif state == "Processed":
                lists["checked_out"].append(r)
    return lists


def read(api, reservation_id: str) -> dict[str, Any]:
    answer = api(
        "reservations/getAll/2023-06-06",
        {"ReservationIds": [reservation_id], "Limitation": {"Count": 1}},
    ).json()
    return dict(answer["Reservations"][0])


def test_reset_at_a_set_clock_builds_the_hotel_around_it(mews_sim, api) -> None:
    mews_sim.reset("small", now_utc=NOW, frozen=True)
    assert api("configuration/get").json()["NowUtc"] == NOW
    assert mews_sim.control.clock()["frozen"] is True
    info = mews_sim.control.info()
    assert [e["local_date"] for e in info["enterprises"]] == ["2026-06-10", "2026-06-10"]
    listed = mews_sim.control.reservations(mews_sim.gross.id)
    assert len(listed) > 300
    assert all(r["UpdatedUtc"] <= NOW for r in listed)
    lists = day_lists(listed, ZoneInfo(mews_sim.gross.time_zone), date(2026, 6, 10))
    assert all(lists.values()), {k: len(v) for k, v in lists.items()}
    # The Connector API tells the same story as the control listing.
    started = api(
        "reservations/getAll/2023-06-06",
        {
            "States": ["Started"],
            "CollidingUtc": {"StartUtc": "2026-06-10T00:00:00Z", "EndUtc": "2026-06-11T00:00:00Z"},
            "Limitation": {"Count": 1000},
        },
    ).json()["Reservations"]
    assert {r["Id"] for r in started} >= {r["Id"] for r in lists["due_out"]}


def test_the_clock_only_moves_forward(mews_sim) -> None:
    mews_sim.reset("small", now_utc=NOW, frozen=True)
    moved = mews_sim.control.set_clock(advance_s=3600)
    assert moved["now_utc"] == "2026-06-10T16:00:00Z"
    with pytest.raises(httpx.HTTPStatusError) as back:
        mews_sim.control.set_clock("2026-06-10T15:30:00Z")
    assert back.value.response.status_code == 400
    mews_sim.reset("small")
    assert mews_sim.control.clock()["set"] is False


async def test_a_burst_of_front_desk_work(mews_sim, api, webhook_receiver) -> None:
    mews_sim.reset("small", now_utc=NOW, frozen=True)
    zone = ZoneInfo(mews_sim.gross.time_zone)
    today = date(2026, 6, 10)
    listed = mews_sim.control.reservations(mews_sim.gross.id)
    lists = day_lists(listed, zone, today)
    arriving = lists["due_in"][0]
    if arriving["State"] != "Confirmed":
        arriving = next(r for r in lists["due_in"] if r["State"] == "Confirmed")
    leaving = lists["due_out"][0]
    ahead = [
        r
        for r in listed
        if r["State"] == "Confirmed" and local_day(r["ScheduledStartUtc"], zone) > today
    ]
    to_cancel, to_move = ahead[0], ahead[1]
    new_start = clock.fmt(clock.parse(to_move["ScheduledStartUtc"]) + timedelta(days=1))
    new_end = clock.fmt(clock.parse(to_move["ScheduledEndUtc"]) + timedelta(days=2))
    changed = {r["Id"] for r in (arriving, leaving, to_cancel, to_move)}
    async with connect(
        mews_sim.ws_url, additional_headers={"Cookie": mews_sim.gross.token.cookie()}
    ) as socket:
        await wait_connections(mews_sim, 1)
        checked_in = mews_sim.control.start_reservation(arriving["Id"])
        checked_out = mews_sim.control.process_reservation(leaving["Id"])
        cancelled = mews_sim.control.cancel_reservation(to_cancel["Id"], reason="BookedElsewhere")
        moved = mews_sim.control.update_reservation(
            to_move["Id"], ScheduledStartUtc=new_start, ScheduledEndUtc=new_end
        )
        events = await events_until(socket, {("Reservation", i) for i in changed})
    bodies = webhook_receiver.wait_for(lambda b: webhook_ids(b, "ServiceOrderUpdated") >= changed)
    assert {(e["Id"], e["State"]) for e in events if e["Type"] == "Reservation"} == {
        (arriving["Id"], "Started"),
        (leaving["Id"], "Processed"),
        (to_cancel["Id"], "Canceled"),
        (to_move["Id"], to_move["State"]),
    }
    # The room the guest left needs cleaning.
    room = api(
        "resources/getAll",
        {
            "ResourceIds": [leaving["AssignedResourceId"]],
            "Extent": {"Resources": True},
            "Limitation": {"Count": 1},
        },
    ).json()["Resources"][0]
    assert room["State"] == "Dirty"
    assert all(b["EnterpriseId"] == mews_sim.gross.id for b in bodies)

    assert (checked_in["State"], checked_in["ActualStartUtc"]) == ("Started", NOW)
    assert (checked_out["State"], checked_out["ActualEndUtc"]) == ("Processed", NOW)
    assert (cancelled["State"], cancelled["CancelledUtc"]) == ("Canceled", NOW)
    assert cancelled["CancellationReason"] == "BookedElsewhere"
    assert (moved["ScheduledStartUtc"], moved["ScheduledEndUtc"]) == (new_start, new_end)
    for entity in (checked_in, checked_out, cancelled, moved):
        assert entity["UpdatedUtc"] == NOW
        assert read(api, entity["Id"])["UpdatedUtc"] == NOW
    after = day_lists(mews_sim.control.reservations(mews_sim.gross.id), zone, today)
    assert arriving["Id"] in {r["Id"] for r in after["checked_in"]}
    assert leaving["Id"] in {r["Id"] for r in after["checked_out"]}


def test_front_desk_refusals(mews_sim) -> None:
    mews_sim.reset("small", now_utc=NOW, frozen=True)
    zone = ZoneInfo(mews_sim.gross.time_zone)
    today = date(2026, 6, 10)
    listed = mews_sim.control.reservations(mews_sim.gross.id)
    tomorrow = next(
        r
        for r in listed
        if r["State"] == "Confirmed"
        and local_day(r["ScheduledStartUtc"], zone) == today + timedelta(days=1)
    )
    past = next(r for r in listed if r["State"] == "Processed")
    in_house = next(
        r
        for r in listed
        if r["State"] == "Started"
        and local_day(r["ActualStartUtc"], zone) < today < local_day(r["ScheduledEndUtc"], zone)
    )
    refusals = [
        lambda: mews_sim.control.start_reservation(tomorrow["Id"]),  # not due yet
        lambda: mews_sim.control.process_reservation(tomorrow["Id"]),  # never checked in
        lambda: mews_sim.control.cancel_reservation(past["Id"]),  # history
        lambda: mews_sim.control.update_reservation(
            past["Id"], ScheduledEndUtc=clock.fmt(clock.parse(NOW) + timedelta(days=1))
        ),
        lambda: mews_sim.control.update_reservation(
            in_house["Id"], ScheduledStartUtc=clock.fmt(clock.parse(NOW) - timedelta(hours=1))
        ),
    ]
    for refused in refusals:
        with pytest.raises(httpx.HTTPStatusError) as caught:
            refused()
        assert caught.value.response.status_code == 403
    with pytest.raises(httpx.HTTPStatusError) as bad_reason:
        mews_sim.control.cancel_reservation(tomorrow["Id"], reason="Bored")
    assert bad_reason.value.response.status_code == 400
    unchanged = {r["Id"]: r for r in mews_sim.control.reservations(mews_sim.gross.id)}
    for r in (tomorrow, past, in_house):
        assert unchanged[r["Id"]] == r
