"""The live stream: domain events from ATTENDANDT_EVENTS as server-sent events, filtered by
what the caller may see, replayable after a sequence (Last-Event-ID)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from gateway_testkit import ENT, NOW, OTHER_ENT, OTHER_VENDOR_ID, VENDOR_ID, Running
from nats.js import JetStreamContext

from attendandt.contracts.base import Payload
from attendandt.contracts.events import (
    BOOKING_EVENT,
    GUEST_EVENT,
    STAY_EVENT,
    USER_EVENT,
    BookingEvent,
    GuestEvent,
    StayEvent,
    UserEvent,
)
from attendandt.contracts.examples import BOOKING, GUEST, STAY, USER
from attendandt.contracts.privacy import public_user
from attendandt.contracts.snapshots import UserRole
from attendandt.platform.messaging import publish

EVENTS = "/api/v1/events"


@dataclass
class Seen:
    id: int
    event: str
    data: dict[str, Any]


async def _read(running: Running, role: UserRole, until: str, headers: dict[str, str] | None = None,
                opened: asyncio.Event | None = None) -> list[Seen]:  # fmt: skip
    """Events of one stream until one of type `until` arrives."""
    seen: list[Seen] = []
    current: dict[str, str] = {}
    async with running.client.stream(
        "GET", EVENTS, headers={**running.auth(role), **(headers or {})}
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        async for line in response.aiter_lines():
            if line.startswith(":"):
                if opened is not None:
                    opened.set()
                continue
            if line == "":
                if "data" in current:
                    seen.append(
                        Seen(int(current["id"]), current["event"], json.loads(current["data"]))
                    )
                    if current["event"] == until:
                        return seen
                current = {}
                continue
            key, _, value = line.partition(": ")
            current[key] = value
    return seen


def _event(kind: type[Payload], enterprise: str, name: str, **fields: Any) -> Any:
    return kind(event_id=f"{name}-{enterprise}-{len(fields)}", enterprise_id=enterprise,  # type: ignore[call-arg]
                occurred_at=NOW, event=name, **fields)  # fmt: skip


async def _publish_all(js: JetStreamContext) -> None:
    own = BOOKING
    other = type(BOOKING)(**{**{f: getattr(BOOKING, f) for f in BOOKING.__struct_fields__},
                             "vendor_id": OTHER_VENDOR_ID, "booking_id": "b-2"})  # fmt: skip
    assert own.vendor_id == "v-1" == VENDOR_ID
    guest = type(GUEST)(**{**{f: getattr(GUEST, f) for f in GUEST.__struct_fields__},
                           "email": "ada@example.com", "notes": "allergic to nuts"})  # fmt: skip
    await publish(js, GUEST_EVENT, _event(GuestEvent, ENT, "updated", guest_id="g-1", guest=guest),
                  msg_id=None, enterprise=ENT, event="updated")  # fmt: skip
    await publish(js, BOOKING_EVENT, _event(BookingEvent, ENT, "requested", booking=own),
                  msg_id=None, enterprise=ENT, event="requested")  # fmt: skip
    await publish(js, BOOKING_EVENT, _event(BookingEvent, ENT, "confirmed", booking=other),
                  msg_id=None, enterprise=ENT, event="confirmed")  # fmt: skip
    await publish(js, BOOKING_EVENT, _event(BookingEvent, OTHER_ENT, "requested", booking=own),
                  msg_id=None, enterprise=OTHER_ENT, event="requested")  # fmt: skip
    await publish(js, USER_EVENT, _event(UserEvent, ENT, "updated", user=public_user(USER)),
                  msg_id=None, enterprise=ENT, event="updated")  # fmt: skip
    await publish(js, STAY_EVENT, _event(StayEvent, ENT, "checked_in", stay_id="s-1", stay=STAY),
                  msg_id=None, enterprise=ENT, event="checked_in")  # fmt: skip


async def test_each_caller_sees_what_it_may(gateway: Running, jetstream: JetStreamContext) -> None:
    opened = {role: asyncio.Event() for role in UserRole}
    readers = {
        role: asyncio.create_task(_read(gateway, role, "stay.checked_in", opened=opened[role]))
        for role in (UserRole.VENDOR, UserRole.FRONT_DESK, UserRole.ADMIN)
    }
    await asyncio.wait_for(asyncio.gather(*(opened[r].wait() for r in readers)), 10)
    await _publish_all(jetstream)
    seen = {role: await asyncio.wait_for(task, 10) for role, task in readers.items()}

    vendor = seen[UserRole.VENDOR]
    assert [s.event for s in vendor] == ["guest.updated", "booking.requested", "stay.checked_in"]
    assert vendor[1].data["booking"]["vendor_id"] == VENDOR_ID
    # Guest and stay events reach a vendor as ids only (enough to refresh, no names).
    assert vendor[0].data == {"event_id": f"updated-{ENT}-2", "enterprise_id": ENT,
                              "occurred_at": vendor[0].data["occurred_at"], "event": "updated",
                              "guest_id": "g-1"}  # fmt: skip
    shown = json.dumps([s.data for s in vendor])
    for personal in ("ada@example.com", "Lovelace", "nuts", str(STAY.resource_name)):
        assert personal not in shown
    assert set(vendor[2].data) == {"event_id", "enterprise_id", "occurred_at", "event",
                                   "stay_id", "guest_ids"}  # fmt: skip

    desk = seen[UserRole.FRONT_DESK]
    assert [s.event for s in desk] == [
        "guest.updated", "booking.requested", "booking.confirmed", "stay.checked_in",
    ]  # fmt: skip
    assert desk[0].data["guest"]["notes"] == "allergic to nuts"
    admin = seen[UserRole.ADMIN]
    assert "user.updated" in [s.event for s in admin]
    assert all(s.data["enterprise_id"] == ENT for s in admin)
    assert [s.id for s in desk] == sorted(s.id for s in desk)


async def test_replay_after_the_last_event_id(
    gateway: Running, jetstream: JetStreamContext
) -> None:
    await _publish_all(jetstream)
    info = await jetstream.stream_info("ATTENDANDT_EVENTS")
    first = info.state.first_seq
    replayed = await asyncio.wait_for(
        _read(gateway, UserRole.FRONT_DESK, "stay.checked_in", {"Last-Event-ID": str(first)}), 10
    )
    assert [s.event for s in replayed] == ["booking.requested", "booking.confirmed",
                                           "stay.checked_in"]  # fmt: skip
    assert replayed[0].id == first + 1
    from_query = await gateway.client.get(
        EVENTS + "?after=-1", headers=gateway.auth(UserRole.ADMIN)
    )
    assert from_query.status_code == 400
