"""Privacy by default, end to end on real NATS and Postgres: guests, users and vendors are
driven through their command consumers (as sync and provisioning drive them) with personal
data, then ATTENDANDT_EVENTS is replayed from its first message and searched byte by byte
for every seeded value, so no field, old or new, can carry one out. The guests' contact data
must be on ATTENDANDT_RESTRICTED instead."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import msgspec
from guests_support import ENT, T0, Running, eventually, guest, stay, upsert_guest, upsert_stay
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy

from attendandt.contracts.commands import (
    UPSERT_GUEST,
    UPSERT_STAY,
    UPSERT_USER,
    UPSERT_VENDOR,
    UpsertUser,
    UpsertVendor,
)
from attendandt.contracts.events import RestrictedGuestEvent
from attendandt.contracts.snapshots import StayNote, UserRole, VendorSnapshot
from attendandt.contracts.streams import ATTENDANDT_EVENTS, ATTENDANDT_RESTRICTED
from attendandt.platform.migrations import upgrade
from attendandt.platform.provision import provision, role_url
from attendandt.platform.settings import DatabaseSettings, NatsSettings, ObservabilitySettings
from attendandt.testing.apps import running_app
from attendandt.users.app import create_app as create_users
from attendandt.users.migrations_set import MIGRATIONS as USERS_MIGRATIONS
from attendandt.users.passwords import HashParameters
from attendandt.users.settings import UsersSettings
from attendandt.vendors.app import create_app as create_vendors
from attendandt.vendors.migrations_set import MIGRATIONS as VENDORS_MIGRATIONS
from attendandt.vendors.settings import VendorsSettings

LATER = T0 + timedelta(minutes=5)

# Every value below is personal data that must never reach a public event.
ADA = {
    "email": "ada.private-51@mail.example",
    "phone": "+44 20 7946 0123",
    "birth_date": date(1815, 12, 10),
    "notes": "allergic to hazelnuts; asks for a room near the lift",
    "nationality_code": "NZ",
    "classifications": ("DisabledPerson",),
    "company_mews_id": "company-analytical-engines",
}
ADA_LATER = {
    "email": "ada.moved-52@mail.example",
    "phone": "+44 20 7946 0456",
    "birth_date": date(1815, 12, 11),
    "notes": "prefers decaf after 6 pm",
}
GRACE = {
    "email": "grace.private-53@mail.example",
    "phone": "+1 212 555 0199",
    "birth_date": date(1906, 12, 9),
    "notes": "celebrating a retirement, surprise cake on day two",
}
STAFF_EMAILS = ("desk.private-54@hotel.example", "root.private-55@hotel.example")
STAY_NOTE = "guest of room 101 is coeliac-57: no gluten at breakfast"
VENDOR_CONTACT = {"contact_email": "jo.masseuse-56@spa.example", "contact_phone": "+44 7700 900777"}
CHEAP = HashParameters(time_cost=1, memory_cost_kib=1024, parallelism=1)


def _needles() -> list[bytes]:
    values: list[str] = []
    for person in (ADA, ADA_LATER, GRACE):
        for key in ("email", "phone", "notes"):
            values.append(str(person[key]))
        birth = person["birth_date"]
        assert isinstance(birth, date)
        values += [birth.isoformat(), birth.strftime("%d/%m/%Y")]
        # The phone's digits alone, in case something normalises it on the way.
        values.append("".join(c for c in str(person["phone"]) if c.isdigit()))
    values += ["DisabledPerson", "company-analytical-engines", *STAFF_EMAILS, STAY_NOTE]
    values += list(VENDOR_CONTACT.values())
    return [v.encode() for v in values] + [v.lower().encode() for v in values]


async def _migrated(database_url: str, name: str, script_location: Any) -> str:
    await provision(database_url, schema=name, role=name, password=None)
    url = role_url(database_url, name)
    await upgrade(url, script_location, name)
    return url


async def _replay(js: JetStreamContext, stream: str) -> list[tuple[str, bytes]]:
    """Every message of `stream` from its first, as subject and raw bytes (body and headers),
    through an ordered ephemeral consumer over whatever subjects the stream holds."""
    info = await js.stream_info(stream)
    subjects = list(info.config.subjects or [])
    sub = await js.subscribe(
        subjects[0],
        stream=stream,
        ordered_consumer=True,
        config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, filter_subjects=subjects),
    )
    found: list[tuple[str, bytes]] = []
    try:
        while len(found) < info.state.messages:
            msg = await sub.next_msg(timeout=5)
            headers = msgspec.json.encode(msg.headers or {})
            found.append((msg.subject, msg.data + b"\n" + headers))
    finally:
        await sub.unsubscribe()
    return found


async def _count(js: JetStreamContext, stream: str, subject: str) -> int:
    info = await js.stream_info(stream, subjects_filter=subject)
    return sum((info.state.subjects or {}).values())


async def test_public_events_carry_no_personal_data_and_the_restricted_stream_does(
    running: Running, database_url: str, nats_url: str
) -> None:
    js = running.js
    users_url = await _migrated(database_url, "users", USERS_MIGRATIONS.script_location)
    vendors_url = await _migrated(database_url, "vendors", VENDORS_MIGRATIONS.script_location)
    users = create_users(
        UsersSettings(
            database=DatabaseSettings(url=users_url, schema="users", pool_size=2),
            nats=NatsSettings(url=nats_url),
            health_host="127.0.0.1",
            health_port=0,
            hashing=CHEAP,
        )
    )
    vendors = create_vendors(
        VendorsSettings(
            nats=NatsSettings(url=nats_url),
            database=DatabaseSettings(url=vendors_url, schema="vendors", pool_size=2),
            observability=ObservabilitySettings(service="vendors"),
            health_port=0,
        )
    )
    async with running_app(users), running_app(vendors):
        # Guests: created with everything Mews may hold, then updated with new contact data.
        await running.send(
            UPSERT_GUEST.template, upsert_guest(guest("c-ada", first_name="Ada", **ADA))
        )
        await running.send(
            UPSERT_GUEST.template,
            upsert_guest(guest("c-grace", first_name="Grace", last_name="Hopper", **GRACE)),
        )

        async def created() -> bool:
            return await _count(js, ATTENDANDT_RESTRICTED.name, ">") == 2

        # The update only once the first version is in: otherwise it could apply first and
        # make the first one stale (nothing published for it).
        await eventually(created)
        await running.send(
            UPSERT_GUEST.template,
            upsert_guest(guest("c-ada", LATER, first_name="Ada", **{**ADA, **ADA_LATER})),
        )
        await running.send(
            UPSERT_STAY.template,
            upsert_stay(
                stay(
                    "r-1",
                    owner_mews_id="c-ada",
                    resource_name="101",
                    notes=(StayNote(mews_id="n-1", text=STAY_NOTE, type="General"),),
                )
            ),
        )
        # Users: one provisioned through the users command, one admin seeded.
        await running.send(
            UPSERT_USER.template,
            UpsertUser(
                command_id="cmd-user-1", enterprise_id=ENT, issued_at=T0,
                email=STAFF_EMAILS[0], name="Front Desk", role=UserRole.FRONT_DESK,
            ),
        )  # fmt: skip
        await users.service.ensure_admin(STAFF_EMAILS[1], "a long enough admin password")
        # Vendors: a partner company with its contact person's email and phone.
        await running.send(
            UPSERT_VENDOR.template,
            UpsertVendor(
                command_id="cmd-vendor-1", enterprise_id=ENT, issued_at=T0,
                vendor=VendorSnapshot(vendor_id="v-mews-1", name="Lagoon Spa", category="spa",
                                      mews_id="company-spa", mews_updated_utc=T0, **VENDOR_CONTACT),
            ),
        )  # fmt: skip

        async def everything_published() -> bool:
            return (
                await _count(js, ATTENDANDT_EVENTS.name, "attendandt.v1.*.guest.>") == 3
                and await _count(js, ATTENDANDT_EVENTS.name, "attendandt.v1.*.stay.>") == 1
                and await _count(js, ATTENDANDT_EVENTS.name, "attendandt.*.*.user.>") == 2
                and await _count(js, ATTENDANDT_EVENTS.name, "attendandt.v1.*.vendor.>") == 1
                and await _count(js, ATTENDANDT_RESTRICTED.name, ">") == 3
            )

        await eventually(everything_published)

    public = await _replay(js, ATTENDANDT_EVENTS.name)
    assert len(public) == 7
    assert {s.split(".")[3] for s, _ in public} == {"guest", "stay", "user", "vendor"}
    for subject, raw in public:
        for needle in _needles():
            assert needle not in raw, f"{needle!r} is in the public event on {subject}"
    # What hotel systems serving the guest need is still there: who, by name.
    assert any(b'"Lovelace"' in raw for _, raw in public)
    assert any(b'"Front Desk"' in raw for _, raw in public)

    restricted = await _replay(js, ATTENDANDT_RESTRICTED.name)
    # Commands of one batch may apply in any order: find each event by guest and name.
    assert sorted(s for s, _ in restricted) == [
        f"attendandt.restricted.v1.{ENT}.guest.created",
        f"attendandt.restricted.v1.{ENT}.guest.created",
        f"attendandt.restricted.v1.{ENT}.guest.updated",
    ]
    events = [
        msgspec.json.decode(raw.split(b"\n")[0], type=RestrictedGuestEvent) for _, raw in restricted
    ]
    by_name = {(e.guest.mews_id, e.event): e.guest for e in events}
    ada, grace = by_name["c-ada", "created"], by_name["c-grace", "created"]
    ada_later = by_name["c-ada", "updated"]
    assert (ada.email, ada.phone, ada.birth_date, ada.notes) == (
        ADA["email"], ADA["phone"], ADA["birth_date"], ADA["notes"],
    )  # fmt: skip
    assert (ada.nationality_code, ada.classifications, ada.company_mews_id) == (
        "NZ", ("DisabledPerson",), "company-analytical-engines",
    )  # fmt: skip
    assert (grace.email, grace.notes) == (GRACE["email"], GRACE["notes"])
    assert (ada_later.email, ada_later.phone, ada_later.notes) == (
        ADA_LATER["email"], ADA_LATER["phone"], ADA_LATER["notes"],
    )  # fmt: skip
    # Keyed like the public events, so a granted system can join the two.
    assert ada_later.guest_id == ada.guest_id != grace.guest_id
    assert all(e.event_id.startswith("restricted:guest:") for e in events)
    public_guest_ids = {
        msgspec.json.decode(raw.split(b"\n")[0])["guest_id"] for s, raw in public if ".guest." in s
    }
    assert public_guest_ids == {ada.guest_id, grace.guest_id}
