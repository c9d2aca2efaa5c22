"""A batch of customers applied together (`GuestsService.upsert_guests`, set-based writes) on
real Postgres: the same rows, outcomes and events as one by one (the unit tests compare the
two on the in-memory store), the customers' locks, and a stay stored before its guests."""

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import msgspec
from guests_support import ENT, OTHER_ENT, T0, fetch_all, guest, stay, upsert_guest, upsert_stay
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from attendandt.contracts.events import GuestEvent, StayEvent
from attendandt.contracts.snapshots import GuestSnapshot, StayState
from attendandt.contracts.versioning import MewsVersion
from attendandt.guests import batch_repository as bat
from attendandt.guests import upsert_repository as ur
from attendandt.guests.applied import Applied
from attendandt.guests.service import GuestsService
from attendandt.platform.db import session_factory

C = "guests-test"
LATER = T0 + timedelta(minutes=5)


async def _events(engine: AsyncEngine) -> list[GuestEvent | StayEvent]:
    """The public events in the outbox, in order."""
    rows = await fetch_all(engine, "select subject, payload from guests.outbox order by id")
    return [
        msgspec.json.decode(row.payload, type=StayEvent if ".stay." in row.subject else GuestEvent)
        for row in rows
        if row.subject.startswith("attendandt.v1.")
    ]


async def test_a_batch_applies_each_command_as_one_by_one_would(
    service: GuestsService, engine: AsyncEngine
) -> None:
    known = upsert_guest(guest("c-1", T0, last_name="Old"))
    assert await service.upsert_guest(known, consumer=C) is Applied.APPLIED
    reservation = stay("r-1", owner_mews_id="c-2")
    assert await service.upsert_stay(upsert_stay(reservation), consumer=C) is Applied.APPLIED
    before = len(await _events(engine))

    newer = upsert_guest(guest("c-1", LATER, last_name="New"))
    batch = [
        newer,
        upsert_guest(guest("c-2", first_name="Mary")),  # named on r-1 already
        upsert_guest(guest("c-3", T0)),
        upsert_guest(guest("c-3", LATER, email="c3@x.test")),  # two versions, in order
        upsert_guest(guest("c-1", T0, last_name="Older")),  # older than stored: stale
        known,  # delivered again
        upsert_guest(guest("c-1", T0), OTHER_ENT),  # another hotel's customer c-1
    ]
    outcomes = await service.upsert_guests(batch, consumer=C)
    assert outcomes == [
        Applied.APPLIED, Applied.APPLIED, Applied.APPLIED, Applied.APPLIED,
        Applied.STALE, Applied.DUPLICATE, Applied.APPLIED,
    ]  # fmt: skip
    rows = await fetch_all(
        engine,
        "select enterprise_id, mews_id, last_name, email, mews_updated_utc from guests.guests"
        " order by enterprise_id, mews_id",
    )
    assert [tuple(r) for r in rows] == [
        (ENT, "c-1", "New", None, LATER),
        (ENT, "c-2", "Lovelace", None, T0),
        (ENT, "c-3", "Lovelace", "c3@x.test", LATER),
        (OTHER_ENT, "c-1", "Lovelace", None, T0),
    ]
    events = (await _events(engine))[before:]
    guest_events = [(e.event, e.guest.mews_id) for e in events if isinstance(e, GuestEvent)]
    assert sorted(guest_events) == sorted(
        [("updated", "c-1"), ("created", "c-2"), ("created", "c-3"), ("updated", "c-3"),
         ("created", "c-1")]
    )  # fmt: skip
    # c-3's two versions announced in their order.
    assert [n for n, m in guest_events if m == "c-3"] == ["created", "updated"]
    # The stay stored before its owner is announced again, now with the owner's guest id.
    [again] = [e for e in events if isinstance(e, StayEvent)]
    mary = await fetch_all(
        engine, "select id from guests.guests where enterprise_id = :e and mews_id = 'c-2'", e=ENT
    )
    assert again.guest_ids == (str(mary[0].id),)
    claimed = await fetch_all(
        engine, "select count(*) as n from guests.inbox where consumer = :c", c=C
    )
    assert claimed[0].n == 2 + 6  # the guest and the stay before, then six distinct ids


async def test_a_batch_repeated_whole_changes_nothing(
    service: GuestsService, engine: AsyncEngine
) -> None:
    batch = [upsert_guest(guest(f"c-{i}")) for i in range(50)]
    assert await service.upsert_guests(batch, consumer=C) == [Applied.APPLIED] * 50
    events = len(await _events(engine))
    assert await service.upsert_guests(batch, consumer=C) == [Applied.DUPLICATE] * 50
    assert len(await _events(engine)) == events == 50


async def test_a_batch_of_stays_stores_their_customers_and_announces_known_guests(
    service: GuestsService, engine: AsyncEngine
) -> None:
    await service.upsert_guests(
        [upsert_guest(guest("c-1")), upsert_guest(guest("c-2"))], consumer=C
    )
    held = upsert_stay(stay("r-1", owner_mews_id="c-9"))
    assert await service.upsert_stay(held, consumer=C) is Applied.APPLIED
    before = len(await _events(engine))
    batch = [
        upsert_stay(stay("r-1", LATER, owner_mews_id="c-1", companion_mews_ids=("c-3", "c-2"))),
        upsert_stay(stay("r-2", owner_mews_id="c-2")),
        upsert_stay(stay("r-2", LATER, state=StayState.STARTED, owner_mews_id="c-2")),
        upsert_stay(stay("r-1", T0, owner_mews_id="c-8")),  # older than stored: stale
        upsert_stay(stay("r-3"), OTHER_ENT),
        held,  # delivered again
    ]
    outcomes = await service.upsert_stays(batch, consumer=C)
    assert outcomes == [
        Applied.APPLIED, Applied.APPLIED, Applied.APPLIED, Applied.STALE, Applied.APPLIED,
        Applied.DUPLICATE,
    ]  # fmt: skip
    on_stays = await fetch_all(
        engine,
        "select s.mews_id, g.customer_mews_id, g.role from guests.stay_guests g"
        " join guests.stays s on s.id = g.stay_id order by s.mews_id, g.position",
    )
    assert [tuple(r) for r in on_stays] == [
        ("r-1", "c-1", "owner"), ("r-1", "c-3", "companion"), ("r-1", "c-2", "companion"),
        ("r-2", "c-2", "owner"),
    ]  # fmt: skip
    ids = {
        r.mews_id: str(r.id)
        for r in await fetch_all(
            engine, "select mews_id, id from guests.guests where enterprise_id = :e", e=ENT
        )
    }
    announced = [
        (e.stay.mews_id, e.event, e.guest_ids)
        for e in (await _events(engine))[before:]
        if isinstance(e, StayEvent)
    ]
    assert announced == [
        ("r-1", "updated", (ids["c-1"], ids["c-2"])),
        ("r-2", "created", (ids["c-2"],)),
        ("r-3", "created", ()),
        ("r-2", "checked_in", (ids["c-2"],)),
    ]


async def test_a_guest_stored_in_a_batch_reads_back_as_one_stored_alone(
    service: GuestsService, engine: AsyncEngine
) -> None:
    fields = {
        "first_name": "Zoë",
        "email": "z@x.test",
        "birth_date": date(1990, 2, 28),
        "classifications": ("Vip", 'say "hi"', "back\\slash", "comma,{brace}", ""),
        "notes": "line one\nline two",
        "is_active": True,
    }
    await service.upsert_guest(upsert_guest(guest("alone", **fields)), consumer=C)
    await service.upsert_guests([upsert_guest(guest("batched", **fields))], consumer=C)
    columns = (
        "first_name, last_name, email, birth_date, classifications, notes, is_active,"
        " field_changed_utc, mews_updated_utc, mews_read_at"
    )
    alone, batched = await fetch_all(
        engine, f"select {columns} from guests.guests order by mews_id = 'batched'"
    )
    assert tuple(batched) == tuple(alone)
    assert batched.classifications == list(fields["classifications"])


async def test_of_two_batches_in_flight_the_later_waits_for_the_earlier(
    service: GuestsService, engine: AsyncEngine
) -> None:
    """A newer version in the batch begun first, an older one in the next: the older is
    stale, as one by one, even when the first batch is held up before its locks (here its
    claim waits for another transaction's inbox row of the same command)."""
    newer = upsert_guest(guest("c-1", LATER, last_name="King"))
    older = upsert_guest(guest("c-1", T0, last_name="Old"))
    async with engine.connect() as holder:
        await holder.execute(
            text("insert into guests.inbox (consumer, message_id) values (:c, :m)"),
            {"c": C, "m": newer.command_id},
        )
        first = asyncio.create_task(service.upsert_guests([newer], consumer=C))
        second = asyncio.create_task(service.upsert_guests([older], consumer=C))
        await asyncio.sleep(0.5)  # time enough for the second to apply, were it not waiting
        assert not first.done()
        assert not second.done()
        await holder.rollback()
    assert await first == [Applied.APPLIED]
    assert await second == [Applied.STALE]
    events = [(e.event, e.guest.last_name) for e in await _events(engine)]
    assert events == [("created", "King")]


#: Text as Mews may send it: any character Postgres keeps (not NUL, no lone surrogates),
#: quotes, backslashes, commas and braces included.
TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=8)
OPTIONAL = st.none() | TEXT
#: Times with and without offsets (one without counts as this process's local time).
ZONES = st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-9))])
TIMES = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=ZONES
)
SNAPSHOTS = st.builds(
    GuestSnapshot,
    mews_id=st.just("generated"),
    mews_updated_utc=TIMES,
    first_name=OPTIONAL,
    last_name=TEXT,
    email=OPTIONAL,
    phone=OPTIONAL,
    language_code=OPTIONAL,
    nationality_code=OPTIONAL,
    birth_date=st.none() | st.dates(),
    classifications=st.lists(TEXT, max_size=3).map(tuple),
    company_mews_id=OPTIONAL,
    notes=OPTIONAL,
    is_active=st.booleans(),
    merge_target_mews_id=OPTIONAL,
)
GUEST_COLUMNS = (
    "mews_updated_utc, mews_read_at, mews_digest, synced_at, first_name, last_name, email,"
    " phone, language_code, nationality_code, birth_date, classifications, company_mews_id,"
    " notes, is_active, merge_target_mews_id, field_changed_utc"
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    snapshot=SNAPSHOTS,
    read_at=st.none() | TIMES | st.datetimes(min_value=datetime(2000, 1, 1)),
    synced_at=TIMES,
    changed=st.dictionaries(TEXT, TEXT, max_size=3),
)
async def test_a_generated_guest_stored_in_a_batch_is_the_row_stored_alone(
    engine: AsyncEngine,
    snapshot: GuestSnapshot,
    read_at: datetime | None,
    synced_at: datetime,
    changed: dict[str, str],
) -> None:
    """The batch binds its rows as one JSON document, the one-row upsert each value on its
    own: whatever the values, the rows they store are the same."""
    version = MewsVersion(snapshot.mews_updated_utc, read_at, snapshot.digest())
    alone = msgspec.structs.replace(snapshot, mews_id=f"alone-{uuid.uuid4().hex}")
    batched = msgspec.structs.replace(snapshot, mews_id=f"batched-{uuid.uuid4().hex}")
    sessions = session_factory(engine)
    async with sessions() as session:
        put = ur.GuestPut(str(uuid.uuid4()), ENT, alone, version, synced_at, changed)
        assert await ur.upsert_guest(session, put) is not None
        put = ur.GuestPut(str(uuid.uuid4()), ENT, batched, version, synced_at, changed)
        assert list(await bat.upsert_guests(session, [put])) == [(ENT, batched.mews_id)]
        found = await session.execute(
            text(f"select mews_id, {GUEST_COLUMNS} from guests.guests where mews_id = any(:ids)"),
            {"ids": [alone.mews_id, batched.mews_id]},
        )
        rows = {row.mews_id.split("-")[0]: tuple(row)[1:] for row in found}
        await session.rollback()
    assert rows["batched"] == rows["alone"]
