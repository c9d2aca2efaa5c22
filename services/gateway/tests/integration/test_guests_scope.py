"""Guests and sync routes for every role, own property and another, through the real guests
service (its own Postgres role, real NATS): the gateway passes the caller, the service scopes
by it, and another property answers 404 (not 403: no existence oracle). A vendor sees only
the guests and stays it has bookings with, learnt from the booking events the vendors service
publishes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from gateway_testkit import (
    ENT,
    OTHER_ENT,
    PRINCIPALS,
    VENDOR_ID,
    FakeServices,
    Running,
    gateway_settings,
    migrated,
    serve,
)
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext

from attendandt.contracts.caller import Caller
from attendandt.contracts.commands import UpsertGuest, UpsertRoom, UpsertStay
from attendandt.contracts.events import BOOKING_EVENT, BookingEvent
from attendandt.contracts.rpc import guests as guests_rpc
from attendandt.contracts.rpc import ingest as ingest_rpc
from attendandt.contracts.rpc import users as users_rpc
from attendandt.contracts.rpc.users import Principal
from attendandt.contracts.snapshots import (
    BookingSnapshot,
    BookingState,
    GuestSnapshot,
    RoomSnapshot,
    StayNote,
    StaySnapshot,
    StayState,
    UserRole,
)
from attendandt.contracts.streams import INGEST_STATE, ensure_streams
from attendandt.gateway.app import create_app
from attendandt.gateway.permissions import Permission, caller_of, permissions_of
from attendandt.guests.app import create_app as create_guests
from attendandt.guests.migrations_set import MIGRATIONS as GUESTS_MIGRATIONS
from attendandt.guests.settings import GuestsSettings
from attendandt.platform.messaging import publish
from attendandt.platform.settings import DatabaseSettings, NatsSettings, ObservabilitySettings
from attendandt.testing.apps import running_app
from attendandt.testing.polling import eventually

API = "/api/v1"
DAY = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
PORTFOLIO_ADMIN = Principal(
    user_id="u-root", email="root@chain.example", name="Root", role=UserRole.ADMIN,
    enterprise_id=None,
)  # fmt: skip
ROLES = (UserRole.ADMIN, UserRole.MANAGER, UserRole.FRONT_DESK, UserRole.VENDOR)
#: Our objects at ENT: Ada (room 101, booked by the vendor), Bob (102, not booked); Dee at
#: OTHER_ENT. Filled with the guests service's ids.
Ids = dict[str, str]


@dataclass
class Stack:
    running: Running
    ids: Ids


def _guest(mews_id: str, first: str, last: str, email: str) -> GuestSnapshot:
    return GuestSnapshot(
        mews_id=mews_id, mews_updated_utc=DAY, first_name=first, last_name=last, email=email,
        phone="+420 600 000 001", notes="allergic to nuts",
    )  # fmt: skip


NOTE = "coeliac: no gluten at breakfast"


def _stay(mews_id: str, owner: str, room: str) -> StaySnapshot:
    return StaySnapshot(
        mews_id=mews_id, mews_updated_utc=DAY, state=StayState.STARTED, mews_state="Started",
        owner_mews_id=owner, resource_name=room, resource_mews_id=f"m-{room}",
        scheduled_start_utc=DAY - timedelta(days=1), scheduled_end_utc=DAY + timedelta(days=1),
        notes=(StayNote(mews_id=f"n-{mews_id}", text=NOTE, type="General"),),
    )  # fmt: skip


@pytest.fixture
async def stack(
    nats_url: str, nats_client: NatsClient, jetstream: JetStreamContext, database_url: str
) -> AsyncIterator[Stack]:
    await ensure_streams(jetstream)
    guests_url = await migrated(database_url, "guests", GUESTS_MIGRATIONS.script_location)
    guests = create_guests(
        GuestsSettings(
            nats=NatsSettings(url=nats_url),
            database=DatabaseSettings(url=guests_url, schema="guests", pool_size=3),
            observability=ObservabilitySettings(service="guests"),
            health_port=0,
            rpc_workers=4,
        )
    )
    # Users (who a token's subject is) and ingest (the sweep) stand in; guests is real.
    fake = FakeServices(nats_client)
    fake.principals[PORTFOLIO_ADMIN.user_id] = PORTFOLIO_ADMIN
    await fake.start((*users_rpc.METHODS, *ingest_rpc.METHODS))
    ids: Ids = {}
    try:
        async with running_app(guests):
            service, staff = guests.service, caller_of(PORTFOLIO_ADMIN)
            await service.upsert_room(
                UpsertRoom(command_id="cmd-m-101", enterprise_id=ENT, issued_at=DAY,
                           room=RoomSnapshot(mews_id="m-101", mews_updated_utc=DAY, name="101",
                                             state="Inspected", category_name="Deluxe King")),
                consumer="test",
            )  # fmt: skip
            for ent, mews_id, first, last in (
                (ENT, "c-ada", "Ada", "Lovelace"),
                (ENT, "c-bob", "Bob", "Adams"),
                (OTHER_ENT, "c-dee", "Dee", "Lovelace"),
            ):
                snapshot = _guest(mews_id, first, last, f"{first.lower()}@example.com")
                await service.upsert_guest(
                    UpsertGuest(command_id=f"cmd-{mews_id}", enterprise_id=ent, issued_at=DAY,
                                guest=snapshot), consumer="test",
                )  # fmt: skip
                await service.upsert_stay(
                    UpsertStay(command_id=f"cmd-r-{mews_id}", enterprise_id=ent, issued_at=DAY,
                               stay=_stay(f"r-{mews_id}", mews_id, "101")), consumer="test",
                )  # fmt: skip
                found = await service.get_guest(
                    guests_rpc.GetGuestRequest(enterprise_id=ent, mews_id=mews_id), staff
                )
                ids[first.lower()] = found.guest.guest_id
                ids[f"{first.lower()}-stay"] = found.stays[0].stay_id
            async with serve(create_app(gateway_settings(nats_url))) as running:
                yield Stack(running, ids)
    finally:
        await fake.stop()


async def _book_ada(stack: Stack, js: JetStreamContext) -> None:
    """The vendor's booking for Ada, as the vendors service publishes it; then wait until
    the guests service has it (the vendor's guest list shows her)."""
    booking_id = f"b-{uuid.uuid4()}"
    event = BookingEvent(
        event_id=f"booking:{booking_id}:1", enterprise_id=ENT, occurred_at=DAY, event="requested",
        booking=BookingSnapshot(
            booking_id=booking_id, vendor_id=VENDOR_ID, offering_id="o-1",
            guest_id=stack.ids["ada"], stay_id=stack.ids["ada-stay"], quantity=1,
            state=BookingState.REQUESTED,
        ),
    )  # fmt: skip
    await publish(
        js, BOOKING_EVENT, event, msg_id=event.event_id, enterprise=ENT, event="requested"
    )
    vendor = stack.running.auth(UserRole.VENDOR)

    async def booked() -> bool:
        listed = await stack.running.client.get(f"{API}/guests", headers=vendor)
        return bool(listed.json()["items"])

    await eventually(booked, timeout=10.0)


def _who(role: UserRole | Principal) -> str:
    return role.value if isinstance(role, UserRole) else "portfolio-admin"


async def test_guest_routes_for_every_role_own_and_other_property(
    stack: Stack, jetstream: JetStreamContext
) -> None:
    await _book_ada(stack, jetstream)
    running, ids = stack.running, stack.ids
    day = {"date": DAY.date().isoformat()}
    other = {"enterprise_id": OTHER_ENT}
    # (path, query) → expected status per role; the vendor's own-property cells name a guest
    # or stay it has a booking with (Ada's) and one it has not (Bob's).
    own_cells: list[tuple[str, dict[str, str], dict[UserRole, int]]] = [
        ("/guests", {}, dict.fromkeys(ROLES, 200)),
        (f"/guests/{ids['ada']}", {}, dict.fromkeys(ROLES, 200)),
        (f"/stays/{ids['ada-stay']}", {}, dict.fromkeys(ROLES, 200)),
        (f"/guests/{ids['bob']}", {}, {**dict.fromkeys(ROLES, 200), UserRole.VENDOR: 404}),
        (f"/stays/{ids['bob-stay']}", {}, {**dict.fromkeys(ROLES, 200), UserRole.VENDOR: 404}),
        ("/in-house", day, dict.fromkeys(ROLES, 200)),
        ("/arrivals", day, dict.fromkeys(ROLES, 200)),
        ("/departures", day, dict.fromkeys(ROLES, 200)),
    ]
    # Another property, named or not: every cell 404.
    other_cells: list[tuple[str, dict[str, str]]] = [
        ("/guests", other),
        (f"/guests/{ids['dee']}", other),
        (f"/guests/{ids['dee']}", {}),  # its id under the caller's own property
        (f"/stays/{ids['dee-stay']}", other),
        (f"/stays/{ids['dee-stay']}", {}),
        ("/in-house", {**day, **other}),
        ("/arrivals", {**day, **other}),
        ("/departures", {**day, **other}),
    ]
    seen: dict[tuple[str, str, str], int] = {}
    expected: dict[tuple[str, str, str], int] = {}
    for role in ROLES:
        headers = running.auth(role)
        for path, query, answers in own_cells:
            response = await running.client.get(API + path, params=query, headers=headers)
            seen[(role.value, path, str(query))] = response.status_code
            expected[(role.value, path, str(query))] = answers[role]
        for path, query in other_cells:
            response = await running.client.get(API + path, params=query, headers=headers)
            seen[(role.value, path, str(query))] = response.status_code
            expected[(role.value, path, str(query))] = 404
    assert seen == expected
    assert len(seen) == len(ROLES) * (len(own_cells) + len(other_cells)) == 64

    # What each one saw: staff every guest of their property with contact details, never Dee.
    for role in (UserRole.ADMIN, UserRole.MANAGER, UserRole.FRONT_DESK):
        page = (await running.client.get(f"{API}/guests", headers=running.auth(role))).json()
        assert page["view"] == "staff"
        assert [(g["first_name"], g["email"]) for g in page["items"]] == [
            ("Bob", "bob@example.com"), ("Ada", "ada@example.com"),
        ]  # fmt: skip
    # The vendor: Ada only, her name, room and dates.
    vendor = running.auth(UserRole.VENDOR)
    page = (await running.client.get(f"{API}/guests", headers=vendor)).json()
    assert page == {
        "view": "vendor", "next_cursor": None,
        "items": [{"guest_id": ids["ada"], "enterprise_id": ENT, "first_name": "Ada",
                   "last_name": "Lovelace"}],
    }  # fmt: skip
    in_house = (await running.client.get(f"{API}/in-house", params=day, headers=vendor)).json()
    assert [(s["stay_id"], s["room"]) for s in in_house["items"]] == [(ids["ada-stay"], "101")]
    staff_in_house = await running.client.get(
        f"{API}/in-house", params=day, headers=running.auth(UserRole.FRONT_DESK)
    )
    assert {s["stay_id"] for s in staff_in_house.json()["items"]} == {
        ids["ada-stay"], ids["bob-stay"],
    }  # fmt: skip

    # A portfolio-wide admin names the property and sees either.
    root = running.auth(PORTFOLIO_ADMIN)
    dee = await running.client.get(f"{API}/guests/{ids['dee']}", params=other, headers=root)
    assert (dee.status_code, dee.json()["guest"]["email"]) == (200, "dee@example.com")
    unnamed = await running.client.get(f"{API}/guests", headers=root)
    assert unnamed.status_code == 400  # a portfolio-wide list names its property, as before


async def test_staff_see_a_stays_notes_room_state_and_type_and_a_vendor_none(
    stack: Stack, jetstream: JetStreamContext
) -> None:
    await _book_ada(stack, jetstream)
    running, ids = stack.running, stack.ids
    path = f"{API}/stays/{ids['ada-stay']}"
    staff = (await running.client.get(path, headers=running.auth(UserRole.FRONT_DESK))).json()
    assert staff["view"] == "staff"
    note_id = f"n-{staff['stay']['mews_id']}"
    assert staff["stay"]["notes"] == [{"text": NOTE, "type": "General", "mews_id": note_id}]
    assert staff["stay"]["room_state"] == "Inspected"
    assert staff["stay"]["room_category"] == "Deluxe King"
    vendor_view = await running.client.get(path, headers=running.auth(UserRole.VENDOR))
    assert vendor_view.json()["view"] == "vendor"
    assert NOTE not in vendor_view.text
    assert "room_state" not in vendor_view.text
    assert "Inspected" not in vendor_view.text
    assert "room_category" not in vendor_view.text
    assert "Deluxe King" not in vendor_view.text
    # Staff find the guests of a room by its number, in the hotel's day.
    found = await running.client.get(
        f"{API}/guests", params={"q": "101", "timezone": "Europe/Prague"},
        headers=running.auth(UserRole.FRONT_DESK),
    )  # fmt: skip
    assert [g["first_name"] for g in found.json()["items"]] == ["Bob", "Ada"]
    bad_zone = await running.client.get(
        f"{API}/guests", params={"q": "101", "timezone": "Nowhere/Atlantis"},
        headers=running.auth(UserRole.FRONT_DESK),
    )  # fmt: skip
    assert bad_zone.status_code == 422  # what the guests service refused, and why


async def test_a_room_search_sends_a_zone_only_when_the_caller_names_one(
    gateway: Running, services: FakeServices
) -> None:
    desk = gateway.auth(UserRole.FRONT_DESK)
    for params in ({"q": "101"}, {"q": "101", "timezone": "Europe/Prague"}):
        response = await gateway.client.get(f"{API}/guests", params=params, headers=desk)
        assert response.status_code == 200, response.text
    sent = [r for name, r in services.calls if name == guests_rpc.SEARCH.method]
    # Left out, the guests service takes the hotel's own zone for "today".
    assert [r.timezone for r in sent] == [None, "Europe/Prague"]  # type: ignore[attr-defined]


async def test_sync_routes_for_every_role_own_and_other_property(
    stack: Stack, jetstream: JetStreamContext
) -> None:
    running = stack.running
    ingest = await jetstream.key_value(INGEST_STATE.bucket)
    for ent in (ENT, OTHER_ENT):
        await ingest.put(ent, f'{{"enterprise_id": "{ent}", "websocket": "connected"}}'.encode())
    # Status and resync per role: own property, another property. No sync permission: 403 at
    # the guard before anything is looked up (a role's refusal, not a property's).
    expected = {
        UserRole.ADMIN: {"status": (200, 404), "resync": (202, 404)},
        UserRole.MANAGER: {"status": (200, 404), "resync": (403, 403)},
        UserRole.FRONT_DESK: {"status": (403, 403), "resync": (403, 403)},
        UserRole.VENDOR: {"status": (403, 403), "resync": (403, 403)},
    }
    seen: dict[UserRole, dict[str, tuple[int, int]]] = {}
    for role in ROLES:
        headers = running.auth(role)
        statuses = [
            (await running.client.get(f"{API}/sync/{ent}", headers=headers)).status_code
            for ent in (ENT, OTHER_ENT)
        ]
        resyncs = [
            (
                await running.client.post(f"{API}/sync/{ent}/resync", json={}, headers=headers)
            ).status_code
            for ent in (ENT, OTHER_ENT)
        ]
        seen[role] = {"status": (statuses[0], statuses[1]), "resync": (resyncs[0], resyncs[1])}
    assert seen == expected

    # The overview lists the caller's own property only; a portfolio-wide admin sees both.
    manager = await running.client.get(f"{API}/sync", headers=running.auth(UserRole.MANAGER))
    assert [e["enterprise_id"] for e in manager.json()["enterprises"]] == [ENT]
    root = running.auth(PORTFOLIO_ADMIN)
    overview = (await running.client.get(f"{API}/sync", headers=root)).json()
    assert {e["enterprise_id"] for e in overview["enterprises"]} >= {ENT, OTHER_ENT}
    assert (await running.client.post(f"{API}/sync/{OTHER_ENT}/resync", json={},
                                      headers=root)).status_code == 202  # fmt: skip


def test_the_caller_carries_the_role_table_and_the_property() -> None:
    desk = caller_of(PRINCIPALS[UserRole.FRONT_DESK])
    assert desk == Caller(
        user_id="u-desk", role=UserRole.FRONT_DESK, enterprise_ids=(ENT,),
        permissions=tuple(sorted(p.value for p in permissions_of(UserRole.FRONT_DESK))),
    )  # fmt: skip
    spa = caller_of(PRINCIPALS[UserRole.VENDOR])
    assert (spa.vendor_id, spa.can(guests_rpc.CONTACT_READ)) == (VENDOR_ID, False)
    assert caller_of(PORTFOLIO_ADMIN).enterprise_ids is None
    # The services name the permissions they check by the gateway table's own strings.
    assert Permission.GUESTS_CONTACT_READ.value == guests_rpc.CONTACT_READ
    assert Permission.SYNC_RESYNC.value == ingest_rpc.RESYNC
