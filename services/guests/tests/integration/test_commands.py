"""Applying Mews customers and reservations on real Postgres (as the service's role): effect
once, last write wins, the right event in the outbox, stays linked to guests that arrive later,
vendor events in the timeline once."""

from datetime import timedelta
from decimal import Decimal

import msgspec
import pytest
from guests_support import (
    ENT,
    OTHER_ENT,
    STAFF,
    T0,
    fetch_all,
    guest,
    next_id,
    outbox_subjects,
    room,
    stay,
    upsert_guest,
    upsert_room,
    upsert_stay,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from attendandt.contracts.caller import Caller
from attendandt.contracts.events import (
    BookingEvent,
    ChargeEvent,
    GuestEvent,
    RestrictedGuestEvent,
    StayEvent,
)
from attendandt.contracts.privacy import public_guest, restricted_guest
from attendandt.contracts.rpc.guests import (
    DayStaysRequest,
    GetGuestRequest,
    GetStayRequest,
    StayNoteView,
)
from attendandt.contracts.snapshots import (
    BookingSnapshot,
    BookingState,
    ChargeSnapshot,
    ChargeState,
    StayNote,
    StayState,
    UserRole,
)
from attendandt.guests.applied import Applied
from attendandt.guests.service import GuestsService
from attendandt.platform.rpc import Invalid

C = "guests-test"
LATER = T0 + timedelta(minutes=5)


async def _outbox_events(engine: AsyncEngine, payload_type: type) -> list:
    aggregate = ".stay." if payload_type is StayEvent else ".guest."
    rows = await fetch_all(engine, "select subject, payload from guests.outbox order by id")
    return [
        msgspec.json.decode(row.payload, type=payload_type)
        for row in rows
        if aggregate in row.subject and row.subject.startswith("attendandt.v1.")
    ]


async def _guest_row(engine: AsyncEngine, mews_id: str, enterprise: str = ENT):
    [row] = await fetch_all(
        engine,
        "select * from guests.guests where enterprise_id = :e and mews_id = :m",
        e=enterprise,
        m=mews_id,
    )
    return row


async def test_a_new_guest_is_stored_with_its_sync_fields_and_announced(
    service: GuestsService, engine: AsyncEngine
) -> None:
    snapshot = guest(
        "c-1",
        first_name="Ada",
        email="ada@example.com",
        phone="+44 20 7946 0000",
        classifications=("VeryImportant",),
    )
    assert await service.upsert_guest(upsert_guest(snapshot), consumer=C) is Applied.APPLIED

    row = await _guest_row(engine, "c-1")
    assert (row.enterprise_id, row.mews_id, row.mews_updated_utc) == (ENT, "c-1", T0)
    assert row.synced_at == T0  # the service clock
    assert row.classifications == ["VeryImportant"]
    assert (row.search_last, row.search_email, row.phone_reversed) == (
        "lovelace",
        "ada@example.com",
        "442079460000"[::-1],
    )
    [event] = await _outbox_events(engine, GuestEvent)
    public = public_guest(snapshot)
    assert (event.event, event.guest_id, event.guest) == ("created", str(row.id), public)
    assert (public.email, public.phone, public.classifications) == (None, None, ())
    assert event.event_id == f"guest:{row.id}:{T0.isoformat()}:{snapshot.digest()}"
    assert (row.mews_read_at, row.mews_digest) == (T0, snapshot.digest())  # the command's
    assert await outbox_subjects(engine) == [f"attendandt.v1.{ENT}.guest.created"]
    # The contact data went to the restricted family, in the same transaction.
    [(subject, payload)] = await fetch_all(
        engine,
        "select subject, payload from guests.outbox where subject like 'attendandt.restricted.%'",
    )
    assert subject == f"attendandt.restricted.v1.{ENT}.guest.created"
    restricted = msgspec.json.decode(payload, type=RestrictedGuestEvent)
    assert restricted.event_id == f"restricted:{event.event_id}"
    assert restricted.guest == restricted_guest(str(row.id), snapshot)
    assert (restricted.guest.email, restricted.guest.classifications) == (
        "ada@example.com",
        ("VeryImportant",),
    )


async def test_a_redelivered_command_changes_nothing_and_announces_nothing(
    service: GuestsService, engine: AsyncEngine
) -> None:
    command = upsert_guest(guest("c-1"))
    assert await service.upsert_guest(command, consumer=C) is Applied.APPLIED
    # Even carrying a newer version, the same command id is the same command.
    again = upsert_guest(guest("c-1", LATER, last_name="Byron"), command_id=command.command_id)
    assert await service.upsert_guest(again, consumer=C) is Applied.DUPLICATE
    assert (await _guest_row(engine, "c-1")).last_name == "Lovelace"
    assert len(await outbox_subjects(engine)) == 1


async def test_last_write_wins_on_mews_updated_utc(
    service: GuestsService, engine: AsyncEngine
) -> None:
    newer = upsert_guest(guest("c-1", LATER, last_name="King"))
    older = upsert_guest(guest("c-1", T0, last_name="Byron"))
    repeat = upsert_guest(guest("c-1", LATER, last_name="Someone else"))
    # Out of order: the newer version first.
    assert await service.upsert_guest(newer, consumer=C) is Applied.APPLIED
    assert await service.upsert_guest(older, consumer=C) is Applied.STALE
    assert await service.upsert_guest(repeat, consumer=C) is Applied.STALE
    row = await _guest_row(engine, "c-1")
    assert (row.last_name, row.mews_updated_utc) == ("King", LATER)
    assert await outbox_subjects(engine) == [f"attendandt.v1.{ENT}.guest.created"]

    newest = upsert_guest(guest("c-1", LATER + timedelta(seconds=1), last_name="Lovelace"))
    assert await service.upsert_guest(newest, consumer=C) is Applied.APPLIED
    assert (await _guest_row(engine, "c-1")).id == row.id  # same guest, our id kept
    assert (await outbox_subjects(engine))[-1] == f"attendandt.v1.{ENT}.guest.updated"


async def test_a_merge_in_mews_is_a_merged_event(
    service: GuestsService, engine: AsyncEngine
) -> None:
    await service.upsert_guest(upsert_guest(guest("c-1")), consumer=C)
    await service.upsert_guest(upsert_guest(guest("c-2", last_name="King")), consumer=C)
    merged = guest("c-1", LATER, is_active=False, merge_target_mews_id="c-2")
    await service.upsert_guest(upsert_guest(merged), consumer=C)
    assert (await outbox_subjects(engine))[-1] == f"attendandt.v1.{ENT}.guest.merged"
    detail = await service.get_guest(GetGuestRequest(enterprise_id=ENT, mews_id="c-1"), STAFF)
    target = await service.get_guest(GetGuestRequest(enterprise_id=ENT, mews_id="c-2"), STAFF)
    assert detail.guest.merge_target_guest_id == target.guest.guest_id


async def test_same_mews_id_in_two_enterprises_is_two_guests(
    service: GuestsService, engine: AsyncEngine
) -> None:
    await service.upsert_guest(upsert_guest(guest("c-1"), ENT), consumer=C)
    await service.upsert_guest(upsert_guest(guest("c-1", last_name="King"), OTHER_ENT), consumer=C)
    assert (await _guest_row(engine, "c-1", ENT)).last_name == "Lovelace"
    assert (await _guest_row(engine, "c-1", OTHER_ENT)).last_name == "King"
    assert await outbox_subjects(engine) == [
        f"attendandt.v1.{ENT}.guest.created",
        f"attendandt.v1.{OTHER_ENT}.guest.created",
    ]


@pytest.mark.parametrize(
    ("enterprise", "snapshot", "reason"),
    [
        ("ent.with.dots", guest("c-1"), "subject token"),
        (ENT, guest(" "), "mews_id is empty"),
        (ENT, guest("c-1", T0.replace(tzinfo=None)), "no time zone"),
    ],
)
async def test_invalid_commands_are_refused_before_any_write(
    service: GuestsService, engine: AsyncEngine, enterprise, snapshot, reason
) -> None:
    with pytest.raises(Invalid, match=reason):
        await service.upsert_guest(upsert_guest(snapshot, enterprise), consumer=C)
    assert await fetch_all(engine, "select * from guests.inbox") == []


async def test_a_failed_transaction_leaves_nothing_behind(
    service: GuestsService, engine: AsyncEngine
) -> None:
    """The outbox insert fails after the guest row was written: all of it rolls back."""
    async with engine.begin() as conn:
        await conn.exec_driver_sql(
            "create function guests.refuse() returns trigger language plpgsql as "
            "$$ begin raise exception 'outbox refused'; end $$"
        )
        await conn.exec_driver_sql(
            "create trigger refuse before insert on guests.outbox "
            "for each row execute function guests.refuse()"
        )
    command = upsert_guest(guest("c-1"))
    with pytest.raises(Exception, match="outbox refused"):
        await service.upsert_guest(command, consumer=C)
    assert await fetch_all(engine, "select * from guests.guests") == []
    assert await fetch_all(engine, "select * from guests.inbox") == []
    assert await outbox_subjects(engine) == []

    async with engine.begin() as conn:
        await conn.exec_driver_sql("drop trigger refuse on guests.outbox")
    # The redelivery then applies it, once.
    assert await service.upsert_guest(command, consumer=C) is Applied.APPLIED
    assert await outbox_subjects(engine) == [f"attendandt.v1.{ENT}.guest.created"]


# --------------------------------------------------------------------------- stays


async def test_a_stay_before_its_guests_links_to_them_when_they_arrive(
    service: GuestsService, engine: AsyncEngine
) -> None:
    reservation = stay(
        "r-1",
        owner_mews_id="c-1",
        companion_mews_ids=("c-1", "c-2"),
        resource_name="101",
        number="52",
    )
    assert await service.upsert_stay(upsert_stay(reservation), consumer=C) is Applied.APPLIED
    [created] = await _outbox_events(engine, StayEvent)
    assert (created.event, created.guest_ids) == ("created", ())  # nobody known yet

    found = (await service.get_stay(GetStayRequest(enterprise_id=ENT, mews_id="r-1"), STAFF)).stay
    assert [(g.customer_mews_id, g.role, g.guest_id) for g in found.guests] == [
        ("c-1", "owner", None),
        ("c-2", "companion", None),
    ]

    await service.upsert_guest(upsert_guest(guest("c-2", first_name="Mary")), consumer=C)
    linked = (
        await service.get_stay(GetStayRequest(enterprise_id=ENT, stay_id=found.stay_id), STAFF)
    ).stay
    mary = await service.get_guest(GetGuestRequest(enterprise_id=ENT, mews_id="c-2"), STAFF)
    assert [(g.customer_mews_id, g.guest_id, g.first_name) for g in linked.guests] == [
        ("c-1", None, None),
        ("c-2", mary.guest.guest_id, "Mary"),
    ]
    assert [s.stay_id for s in mary.stays] == [found.stay_id]
    # Mary arriving after the stay announces the stay again (same version), now naming her:
    # a subscriber keeping the stay's guests (vendors) learns she is on it.
    relinked = (await _outbox_events(engine, StayEvent))[-1]
    assert (relinked.event, relinked.stay_id, relinked.guest_ids) == (
        "updated",
        found.stay_id,
        (mary.guest.guest_id,),
    )
    kept = ("mews_id", "mews_updated_utc", "state", "resource_name", "number", "owner_mews_id")
    assert [getattr(relinked.stay, f) for f in kept] == [getattr(created.stay, f) for f in kept]
    assert relinked.stay.companion_mews_ids == ("c-2",)

    # The next stay event names the guests we know, owner first.
    await service.upsert_guest(upsert_guest(guest("c-1")), consumer=C)
    ada = await service.get_guest(GetGuestRequest(enterprise_id=ENT, mews_id="c-1"), STAFF)
    ada_on_it = (await _outbox_events(engine, StayEvent))[-1]
    assert ada_on_it.guest_ids == (ada.guest.guest_id, mary.guest.guest_id)
    # A guest seen again (a newer version) is no news to its stays.
    await service.upsert_guest(upsert_guest(guest("c-1", LATER)), consumer=C)
    assert len(await _outbox_events(engine, StayEvent)) == 3
    moved = stay(
        "r-1",
        LATER,
        state=StayState.STARTED,
        owner_mews_id="c-1",
        companion_mews_ids=("c-2",),
        resource_name="102",
    )
    await service.upsert_stay(upsert_stay(moved), consumer=C)
    checked_in = (await _outbox_events(engine, StayEvent))[-1]
    assert checked_in.event == "checked_in"
    assert checked_in.stay_id == found.stay_id
    assert checked_in.guest_ids == (ada.guest.guest_id, mary.guest.guest_id)


async def test_stay_events_follow_its_states_and_ignore_stale_versions(
    service: GuestsService, engine: AsyncEngine
) -> None:
    versions = [
        (StayState.CONFIRMED, "created"),
        (StayState.CONFIRMED, "updated"),
        (StayState.STARTED, "checked_in"),
        (StayState.STARTED, "updated"),
        (StayState.PROCESSED, "checked_out"),
    ]
    for minute, (state, _) in enumerate(versions):
        snapshot = stay("r-1", T0 + timedelta(minutes=minute), state=state, owner_mews_id="c-1")
        assert await service.upsert_stay(upsert_stay(snapshot), consumer=C) is Applied.APPLIED
    stale = stay("r-1", T0, state=StayState.CANCELED)
    assert await service.upsert_stay(upsert_stay(stale), consumer=C) is Applied.STALE
    assert await outbox_subjects(engine) == [
        f"attendandt.v1.{ENT}.stay.{event}" for _, event in versions
    ]
    [row] = await fetch_all(engine, "select state, mews_updated_utc from guests.stays")
    assert (row.state, row.mews_updated_utc) == ("processed", T0 + timedelta(minutes=4))

    other = stay("r-2", state=StayState.CANCELED, cancelled_utc=T0)
    await service.upsert_stay(upsert_stay(other), consumer=C)
    assert (await outbox_subjects(engine))[-1] == f"attendandt.v1.{ENT}.stay.cancelled"


async def test_two_versions_within_one_second_are_both_applied_in_read_order(
    service: GuestsService, engine: AsyncEngine
) -> None:
    """Mews stamps UpdatedUtc in whole seconds: a change within the same second as the
    previous one shares its UpdatedUtc. The later read wins; an earlier read redelivered
    after it, or the same content read again, changes nothing."""
    first = upsert_stay(stay("r-1", T0, state=StayState.CONFIRMED))
    second = msgspec.structs.replace(
        upsert_stay(stay("r-1", T0, state=StayState.STARTED)),
        issued_at=T0 + timedelta(seconds=0.4),
    )
    reread = msgspec.structs.replace(
        upsert_stay(stay("r-1", T0, state=StayState.STARTED)),
        issued_at=T0 + timedelta(seconds=2),
    )
    assert await service.upsert_stay(first, consumer=C) is Applied.APPLIED
    assert await service.upsert_stay(second, consumer=C) is Applied.APPLIED
    assert await service.upsert_stay(first, consumer=C) is Applied.DUPLICATE
    redelivered = msgspec.structs.replace(first, command_id=next_id("cmd"))
    assert await service.upsert_stay(redelivered, consumer=C) is Applied.STALE
    assert await service.upsert_stay(reread, consumer=C) is Applied.STALE
    [row] = await fetch_all(engine, "select state from guests.stays")
    assert row.state == "started"
    assert await outbox_subjects(engine) == [
        f"attendandt.v1.{ENT}.stay.created",
        f"attendandt.v1.{ENT}.stay.checked_in",
    ]


async def test_an_updated_stay_replaces_its_customers(
    service: GuestsService, engine: AsyncEngine
) -> None:
    await service.upsert_stay(
        upsert_stay(stay("r-1", owner_mews_id="c-1", companion_mews_ids=("c-2",))), consumer=C
    )
    await service.upsert_stay(upsert_stay(stay("r-1", LATER, owner_mews_id="c-3")), consumer=C)
    rows = await fetch_all(engine, "select customer_mews_id, role from guests.stay_guests")
    assert [(r.customer_mews_id, r.role) for r in rows] == [("c-3", "owner")]


#: Hotel staff whose role does not grant `guests:contact:read`: no notes, no room state.
PLAIN_STAFF = Caller(
    user_id="u-plain", role=UserRole.FRONT_DESK, permissions=("guests:read",), enterprise_ids=(ENT,)
)
DIET = StayNote(
    mews_id="n-1", text="coeliac: no gluten at breakfast", type="General", mews_updated_utc=T0
)
LATE = StayNote(mews_id="n-2", text="arrives about 23:00", type="SpecialRequest")


async def test_notes_and_companions_reach_staff_but_no_public_event(
    service: GuestsService, engine: AsyncEngine
) -> None:
    with_notes = stay(
        "r-1", owner_mews_id="c-1", companion_mews_ids=("c-1", "c-2"), notes=(DIET, LATE)
    )
    assert await service.upsert_stay(upsert_stay(with_notes), consumer=C) is Applied.APPLIED
    request = GetStayRequest(enterprise_id=ENT, mews_id="r-1")
    seen = (await service.get_stay(request, STAFF)).stay
    assert seen.notes == (
        StayNoteView(text="coeliac: no gluten at breakfast", type="General", mews_id="n-1"),
        StayNoteView(text="arrives about 23:00", type="SpecialRequest", mews_id="n-2"),
    )
    assert [(g.customer_mews_id, g.role) for g in seen.guests] == [
        ("c-1", "owner"),
        ("c-2", "companion"),
    ]
    assert (await service.get_stay(request, PLAIN_STAFF)).stay.notes == ()

    # A note changed in Mews without a new reservation UpdatedUtc: a later read with other
    # content is a newer version.
    fewer = msgspec.structs.replace(
        upsert_stay(stay("r-1", owner_mews_id="c-1", companion_mews_ids=("c-2",), notes=(LATE,))),
        issued_at=T0 + timedelta(seconds=1),
    )
    assert await service.upsert_stay(fewer, consumer=C) is Applied.APPLIED
    assert [n.text for n in (await service.get_stay(request, STAFF)).stay.notes] == [LATE.text]

    # A companion seen after the stay announces it again, rebuilt from the stored row.
    await service.upsert_guest(upsert_guest(guest("c-2", first_name="Mary")), consumer=C)
    events = await _outbox_events(engine, StayEvent)
    assert [e.event for e in events] == ["created", "updated", "updated"]
    assert all(e.stay.notes == () for e in events)
    assert events[-1].stay.companion_mews_ids == ("c-2",)
    raw = await fetch_all(engine, "select payload from guests.outbox")
    assert not any(b"gluten" in row.payload or b"23:00" in row.payload for row in raw)


async def test_a_room_is_last_write_wins_and_its_state_shows_on_its_stays(
    service: GuestsService, engine: AsyncEngine
) -> None:
    dirty = upsert_room(room("m-101", name="101", state="Dirty"))
    assert await service.upsert_room(dirty, consumer=C) is Applied.APPLIED
    assert await service.upsert_room(dirty, consumer=C) is Applied.DUPLICATE
    inspected = upsert_room(room("m-101", LATER, name="101", state="Inspected"))
    assert await service.upsert_room(inspected, consumer=C) is Applied.APPLIED
    late_dirty = upsert_room(room("m-101", name="101", state="Dirty"))
    assert await service.upsert_room(late_dirty, consumer=C) is Applied.STALE
    # The same Mews id at another property is another room.
    elsewhere = upsert_room(room("m-101", name="9", state="OutOfOrder"), OTHER_ENT)
    assert await service.upsert_room(elsewhere, consumer=C) is Applied.APPLIED
    [row] = await fetch_all(
        engine, "select name, state, is_active from guests.rooms where enterprise_id = :e", e=ENT
    )
    assert (row.name, row.state, row.is_active) == ("101", "Inspected", True)

    in_it = stay("r-1", state=StayState.STARTED, resource_mews_id="m-101", resource_name="101")
    unknown_room = stay("r-2", resource_mews_id="m-999", resource_name="999")
    for snapshot in (in_it, unknown_room):
        await service.upsert_stay(upsert_stay(snapshot), consumer=C)
    request = GetStayRequest(enterprise_id=ENT, mews_id="r-1")
    assert (await service.get_stay(request, STAFF)).stay.room_state == "Inspected"
    assert (await service.get_stay(request, PLAIN_STAFF)).stay.room_state is None
    other = GetStayRequest(enterprise_id=ENT, mews_id="r-2")
    assert (await service.get_stay(other, STAFF)).stay.room_state is None
    # The room's state changes without touching the stay.
    cleaned = upsert_room(room("m-101", LATER + timedelta(minutes=1), name="101", state="Dirty"))
    await service.upsert_room(cleaned, consumer=C)
    assert (await service.get_stay(request, STAFF)).stay.room_state == "Dirty"
    # A room is no guest's or stay's news: only the two stays were announced.
    assert await outbox_subjects(engine) == [
        f"attendandt.v1.{ENT}.stay.checked_in",
        f"attendandt.v1.{ENT}.stay.created",
    ]


async def test_a_stays_room_type_shows_beside_its_state_wherever_the_stay_does(
    service: GuestsService,
) -> None:
    typed = room("m-201", name="201", state="Clean", category_name="Deluxe King")
    await service.upsert_room(upsert_room(typed), consumer=C)
    # The same Mews id at another property is another room, of another type.
    elsewhere = room("m-201", name="201", state="Dirty", category_name="Capitol Suite")
    await service.upsert_room(upsert_room(elsewhere, OTHER_ENT), consumer=C)
    await service.upsert_guest(upsert_guest(guest("c-1", first_name="Ada")), consumer=C)
    in_it = stay(
        "r-1",
        state=StayState.STARTED,
        owner_mews_id="c-1",
        resource_mews_id="m-201",
        resource_name="201",
        scheduled_start_utc=T0 - timedelta(days=1),
        scheduled_end_utc=T0 + timedelta(days=1),
    )
    await service.upsert_stay(upsert_stay(in_it), consumer=C)

    request = GetStayRequest(enterprise_id=ENT, mews_id="r-1")
    shown = (await service.get_stay(request, STAFF)).stay
    assert (shown.resource_name, shown.room_state, shown.room_category) == (
        "201",
        "Clean",
        "Deluxe King",
    )
    # Like the room's state, the hotel's own business: not for callers without contact rights.
    assert (await service.get_stay(request, PLAIN_STAFF)).stay.room_category is None
    # On the guest's stays and on the day lists too.
    detail = await service.get_guest(GetGuestRequest(enterprise_id=ENT, mews_id="c-1"), STAFF)
    assert [s.room_category for s in detail.stays] == ["Deluxe King"]
    today = DayStaysRequest(enterprise_id=ENT, date=T0.date(), timezone="UTC")
    assert [s.room_category for s in (await service.in_house(today, STAFF)).items] == [
        "Deluxe King"
    ]
    # The room given another type in Mews: the stay shows it, untouched itself.
    retyped = room("m-201", LATER, name="201", state="Clean", category_name="Junior Suite")
    await service.upsert_room(upsert_room(retyped), consumer=C)
    assert (await service.get_stay(request, STAFF)).stay.room_category == "Junior Suite"
    # A room whose type is not known (yet) shows none.
    untyped = room("m-201", LATER + timedelta(minutes=1), name="201", state="Clean")
    await service.upsert_room(upsert_room(untyped), consumer=C)
    assert (await service.get_stay(request, STAFF)).stay.room_category is None


async def test_an_invalid_room_command_is_refused(service: GuestsService) -> None:
    with pytest.raises(Invalid):
        await service.upsert_room(upsert_room(room("m-1"), enterprise="bad.subject"), consumer=C)
    with pytest.raises(Invalid):
        await service.upsert_room(upsert_room(room(" ")), consumer=C)


# --------------------------------------------------------------------------- timeline


def _booking_event(
    event_id: str, guest_id: str, state: BookingState, at_minute: int
) -> BookingEvent:
    return BookingEvent(
        event_id=event_id,
        enterprise_id=ENT,
        occurred_at=T0 + timedelta(minutes=at_minute),
        event=state.value,
        booking=BookingSnapshot(
            booking_id="b-1",
            vendor_id="v-1",
            offering_id="o-1",
            guest_id=guest_id,
            quantity=2,
            state=state,
        ),
    )


async def test_vendor_events_fill_the_guest_timeline_once_each(
    service: GuestsService, engine: AsyncEngine
) -> None:
    await service.upsert_guest(upsert_guest(guest("c-1")), consumer=C)
    ada = (await service.get_guest(GetGuestRequest(enterprise_id=ENT, mews_id="c-1"), STAFF)).guest
    await service.upsert_stay(
        upsert_stay(
            stay(
                "r-1",
                owner_mews_id="c-1",
                scheduled_start_utc=T0 - timedelta(days=1),
                scheduled_end_utc=T0 + timedelta(days=1),
            )
        ),
        consumer=C,
    )
    requested = _booking_event("e-1", ada.guest_id, BookingState.REQUESTED, 1)
    confirmed = _booking_event("e-2", ada.guest_id, BookingState.CONFIRMED, 2)
    posted = ChargeEvent(
        event_id="e-3",
        enterprise_id=ENT,
        occurred_at=T0 + timedelta(minutes=3),
        event="posted",
        charge=ChargeSnapshot(
            charge_id="ch-1",
            vendor_id="v-1",
            booking_id="b-1",
            guest_id=ada.guest_id,
            description="Massage",
            quantity=1,
            unit_amount=Decimal("85.50"),
            currency="EUR",
            state=ChargeState.POSTED,
            mews_order_id="o-9",
        ),
    )
    assert await service.record_booking(requested)
    assert await service.record_booking(confirmed)
    assert await service.record_charge(posted)
    assert not await service.record_booking(requested)  # redelivered: already there
    assert not await service.record_charge(posted)

    detail = await service.get_guest(
        GetGuestRequest(enterprise_id=ENT, guest_id=ada.guest_id), STAFF
    )
    assert [(e.kind, e.event, e.ref_id) for e in detail.timeline] == [
        ("charge", "posted", "ch-1"),
        ("booking", "confirmed", "b-1"),
        ("booking", "requested", "b-1"),
        ("stay", "confirmed", detail.stays[0].stay_id),
    ]
    assert detail.timeline[0].charge == posted.charge  # money comes back exact
    assert detail.timeline[1].booking == confirmed.booking
    # Guest events announce nothing for the timeline: only the two commands are in the outbox.
    assert len(await outbox_subjects(engine)) == 2
