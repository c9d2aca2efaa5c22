"""The whole service on a real nats-server and Postgres: commands in through DOMAIN_COMMANDS,
events out through the outbox to ATTENDANDT_EVENTS, vendor events into the timeline, dead
letters for bad input, and the request-reply API."""

from datetime import timedelta
from decimal import Decimal

import httpx
import msgspec
import pytest
from guests_support import (
    ENT,
    OTHER_ENT,
    STAFF,
    T0,
    Running,
    eventually,
    fetch_all,
    guest,
    stay,
    upsert_guest,
    upsert_stay,
)
from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncEngine

from attendandt.contracts.base import RpcError, decode
from attendandt.contracts.caller import CALLER_HEADER, Caller, encode_caller
from attendandt.contracts.commands import UPSERT_GUEST, UPSERT_STAY
from attendandt.contracts.deadletter import DeadLetter
from attendandt.contracts.events import (
    BOOKING_EVENT,
    CHARGE_EVENT,
    BookingEvent,
    ChargeEvent,
    GuestEvent,
    StayEvent,
)
from attendandt.contracts.rpc.guests import (
    ARRIVALS,
    GET_GUEST,
    GET_STAY,
    IN_HOUSE,
    PUBLIC_STAY,
    SEARCH,
    DayStaysRequest,
    GetGuestRequest,
    GetStayRequest,
    PublicStay,
    PublicStayRequest,
    SearchGuestsRequest,
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
from attendandt.platform.rpc import STATUS_HEADER, RpcFailure, call

LATER = T0 + timedelta(minutes=5)


async def _stream_messages(js: JetStreamContext, stream: str, contains: str) -> list:
    info = await js.stream_info(stream)
    found = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        if info.state.messages == 0:
            break
        msg = await js.get_msg(stream, seq)
        if contains in msg.subject:
            found.append(msg)
    return found


async def _events(js: JetStreamContext, aggregate: str) -> list[tuple[str, object]]:
    payload_type = {"guest": GuestEvent, "stay": StayEvent}[aggregate]
    msgs = await _stream_messages(js, "ATTENDANDT_EVENTS", f".{aggregate}.")
    return [(m.subject, msgspec.json.decode(m.data, type=payload_type)) for m in msgs]


async def _dead_letters(js: JetStreamContext) -> list[DeadLetter]:
    msgs = await _stream_messages(js, "DEAD_LETTERS", "deadletter.")
    return [msgspec.json.decode(m.data, type=DeadLetter) for m in msgs]


async def test_the_whole_workflow(running: Running) -> None:
    js, nc = running.js, running.nc
    # The reservation arrives before its owner.
    reservation = stay(
        "r-1",
        owner_mews_id="c-1",
        number="52",
        resource_name="101",
        resource_mews_id="res-101",
        scheduled_start_utc=T0,
        scheduled_end_utc=T0 + timedelta(days=2),
    )
    await running.send(UPSERT_STAY.template, upsert_stay(reservation))
    await running.send(
        UPSERT_GUEST.template,
        upsert_guest(guest("c-1", first_name="Ada", email="ada@example.com")),
    )
    stay_events = await eventually(lambda: _events(js, "stay"))
    guest_events = await eventually(lambda: _events(js, "guest"))
    [(guest_subject, created)] = guest_events
    assert guest_subject == f"attendandt.v1.{ENT}.guest.created"
    assert stay_events[0][0] == f"attendandt.v1.{ENT}.stay.created"
    guest_id = created.guest_id

    # Search finds her; the detail links the stay and carries the Mews ids.
    page = await call(nc, SEARCH, SearchGuestsRequest(enterprise_id=ENT, query="ada"), caller=STAFF)
    assert [(g.guest_id, g.mews_id) for g in page.items] == [(guest_id, "c-1")]
    detail = await call(
        nc, GET_GUEST, GetGuestRequest(enterprise_id=ENT, guest_id=guest_id), caller=STAFF
    )
    [her_stay] = detail.stays
    assert (her_stay.mews_id, her_stay.resource_mews_id, her_stay.number) == (
        "r-1",
        "res-101",
        "52",
    )
    assert her_stay.guests[0].guest_id == guest_id
    by_mews = await call(
        nc, GET_STAY, GetStayRequest(enterprise_id=ENT, mews_id="r-1"), caller=STAFF
    )
    assert by_mews.stay.stay_id == her_stay.stay_id
    arrivals = await call(
        nc, ARRIVALS, DayStaysRequest(enterprise_id=ENT, date=T0.date()), caller=STAFF
    )
    assert [s.stay_id for s in arrivals.items] == [her_stay.stay_id]

    # Check-in: the state change is the event.
    started = stay(
        "r-1",
        LATER,
        state=StayState.STARTED,
        owner_mews_id="c-1",
        resource_name="101",
        scheduled_start_utc=T0,
        scheduled_end_utc=T0 + timedelta(days=2),
        actual_start_utc=LATER,
    )
    await running.send(UPSERT_STAY.template, upsert_stay(started))
    # Waited for by name: the stay and its owner are applied by two consumers, and when the
    # owner comes second the stay is announced again ("updated") before the check-in.
    stay_events = await eventually(lambda: _has_event(js, "stay", "checked_in"))
    subject, checked_in = stay_events[-1]
    assert subject == f"attendandt.v1.{ENT}.stay.checked_in"
    assert (checked_in.stay_id, checked_in.guest_ids) == (her_stay.stay_id, (guest_id,))
    in_house = await call(
        nc, IN_HOUSE, DayStaysRequest(enterprise_id=ENT, date=T0.date()), caller=STAFF
    )
    assert in_house.items[0].state is StayState.STARTED

    # A vendor books and charges: the events land in her timeline, once each.
    booking = BookingEvent(
        event_id="ev-b-1",
        enterprise_id=ENT,
        occurred_at=LATER + timedelta(minutes=1),
        event="confirmed",
        booking=BookingSnapshot(
            booking_id="b-1",
            vendor_id="v-1",
            offering_id="o-1",
            guest_id=guest_id,
            stay_id=her_stay.stay_id,
            quantity=1,
            state=BookingState.CONFIRMED,
        ),
    )
    charge = ChargeEvent(
        event_id="ev-c-1",
        enterprise_id=ENT,
        occurred_at=LATER + timedelta(minutes=2),
        event="posted",
        charge=ChargeSnapshot(
            charge_id="ch-1",
            vendor_id="v-1",
            guest_id=guest_id,
            description="Massage",
            quantity=1,
            unit_amount=Decimal("85.50"),
            currency="EUR",
            state=ChargeState.POSTED,
        ),
    )
    booking_subject = BOOKING_EVENT.format(enterprise=ENT, event="confirmed")
    await running.send(booking_subject, booking, msg_id="vendors-1")
    await running.send(booking_subject, booking, msg_id="vendors-1-again")  # a republish
    await running.send(CHARGE_EVENT.format(enterprise=ENT, event="posted"), charge)

    async def timeline() -> list[tuple[str, str]] | None:
        found = await call(
            nc, GET_GUEST, GetGuestRequest(enterprise_id=ENT, mews_id="c-1"), caller=STAFF
        )
        kinds = [(e.kind, e.event) for e in found.timeline]
        return kinds if len(kinds) >= 3 else None

    assert await eventually(timeline) == [
        ("charge", "posted"),
        ("booking", "confirmed"),
        ("stay", "started"),
    ]


async def _has(js: JetStreamContext, aggregate: str, count: int) -> list | None:
    found = await _events(js, aggregate)
    return found if len(found) >= count else None


async def _has_event(js: JetStreamContext, aggregate: str, event: str) -> list | None:
    """The events of `aggregate` up to and including the first named `event`, once it is
    there."""
    found = await _events(js, aggregate)
    for index, (subject, _) in enumerate(found):
        if subject.endswith(f".{aggregate}.{event}"):
            return found[: index + 1]
    return None


async def test_duplicate_and_out_of_order_deliveries_apply_once(
    running: Running, engine: AsyncEngine
) -> None:
    js = running.js
    first = upsert_guest(guest("c-1", LATER, last_name="King"))
    # The same command twice (JetStream could not tell: different message ids), then an
    # older version of the customer: one effect, one event.
    await running.send(UPSERT_GUEST.template, first, msg_id="a")
    await running.send(UPSERT_GUEST.template, first, msg_id="b")
    await running.send(UPSERT_GUEST.template, upsert_guest(guest("c-1", T0, last_name="Old")))
    marker = upsert_guest(guest("c-marker"))
    await running.send(UPSERT_GUEST.template, marker)
    await eventually(lambda: _has(js, "guest", 2))
    await eventually(lambda: _all_acked(js, "guests-upsert-guest"))
    events = await _events(js, "guest")
    assert sorted(e.guest.mews_id for _, e in events) == ["c-1", "c-marker"]
    [row] = await fetch_all(engine, "select last_name from guests.guests where mews_id = 'c-1'")
    assert row.last_name == "King"


async def _all_acked(js: JetStreamContext, durable: str) -> bool:
    info = await js.consumer_info("DOMAIN_COMMANDS", durable)
    return info.num_pending == 0 and info.num_ack_pending == 0


async def test_bad_commands_become_dead_letters_and_the_consumer_keeps_going(
    running: Running,
) -> None:
    js = running.js
    await js.publish(UPSERT_GUEST.template, b"\x00 not json")
    dotted = upsert_guest(guest("c-1"), enterprise="ent.with.dots")
    await running.send(UPSERT_GUEST.template, dotted)
    await running.send(UPSERT_STAY.template, upsert_stay(stay("r-1", T0.replace(tzinfo=None))))
    await running.send(UPSERT_GUEST.template, upsert_guest(guest("c-ok")))

    letters = await eventually(lambda: _dead_letters_when(js, 3), timeout=15)
    reasons = sorted(letter.reason for letter in letters)
    assert reasons[0].startswith("cannot decode as guests.upsert_guest/v1")
    assert any("not a single subject token" in r for r in reasons)
    assert any(
        "scheduled_start_utc has no time zone" in r or "mews_updated_utc has no time zone" in r
        for r in reasons
    )
    assert {letter.service for letter in letters} == {"guests"}
    events = await eventually(lambda: _has(js, "guest", 1))
    assert [e.guest.mews_id for _, e in events] == ["c-ok"]


async def _dead_letters_when(js: JetStreamContext, count: int) -> list[DeadLetter] | None:
    letters = await _dead_letters(js)
    return letters if len(letters) >= count else None


async def test_a_failed_transaction_publishes_nothing_and_is_retried(
    running: Running, engine: AsyncEngine
) -> None:
    js = running.js
    async with engine.begin() as conn:
        await conn.exec_driver_sql(
            "create function guests.refuse() returns trigger language plpgsql as "
            "$$ begin raise exception 'outbox refused'; end $$"
        )
        await conn.exec_driver_sql(
            "create trigger refuse before insert on guests.outbox "
            "for each row execute function guests.refuse()"
        )
    await running.send(UPSERT_GUEST.template, upsert_guest(guest("c-1")))

    async def redelivered() -> bool:
        info = await js.consumer_info("DOMAIN_COMMANDS", "guests-upsert-guest")
        return info.num_redelivered >= 1  # failed once, and delivered again

    await eventually(redelivered)
    assert await fetch_all(engine, "select * from guests.guests") == []
    assert await _events(js, "guest") == []

    async with engine.begin() as conn:
        await conn.exec_driver_sql("drop trigger refuse on guests.outbox")
    events = await eventually(lambda: _has(js, "guest", 1))
    assert [subject for subject, _ in events] == [f"attendandt.v1.{ENT}.guest.created"]


async def test_bad_rpc_input_gets_a_clear_status(running: Running) -> None:
    nc = running.nc
    # No caller, or one that is not valid: refused before anything is read.
    reply = await nc.request(SEARCH.subject, b'{"enterprise_id": "e"}', timeout=5)
    assert reply.headers[STATUS_HEADER] == "401"
    forged = {CALLER_HEADER: '{"user_id": "u", "role": "owner"}'}
    reply = await nc.request(SEARCH.subject, b'{"enterprise_id": "e"}', timeout=5, headers=forged)
    assert reply.headers[STATUS_HEADER] == "401"
    staff = {CALLER_HEADER: encode_caller(STAFF)}
    reply = await nc.request(GET_GUEST.subject, b"{not json", timeout=5, headers=staff)
    assert reply.headers[STATUS_HEADER] == "400"
    assert decode(reply.data, RpcError).title == "Bad request"
    body = b'{"enterprise_id": "e", "limit": 5000}'
    reply = await nc.request(SEARCH.subject, body, timeout=5, headers=staff)
    assert reply.headers[STATUS_HEADER] == "400"

    with pytest.raises(RpcFailure) as invalid:
        await call(nc, GET_GUEST, GetGuestRequest(enterprise_id=ENT, guest_id="42"), caller=STAFF)
    assert invalid.value.error.status == 422
    with pytest.raises(RpcFailure) as missing:
        await call(nc, GET_STAY, GetStayRequest(enterprise_id=ENT, mews_id="r-404"), caller=STAFF)
    assert missing.value.error.status == 404
    with pytest.raises(RpcFailure) as zone:
        await call(
            nc,
            ARRIVALS,
            DayStaysRequest(enterprise_id=ENT, date=T0.date(), timezone="X/Y"),
            caller=STAFF,
        )
    assert zone.value.error.status == 422
    # Still answering.
    page = await call(nc, SEARCH, SearchGuestsRequest(enterprise_id=ENT), caller=STAFF)
    assert page.items == ()


async def test_health_and_readiness(running: Running) -> None:
    port = running.app.health.port
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        assert (await client.get("/healthz")).status_code == 200
        ready = await client.get("/readyz")
    assert ready.json() == {
        "status": "ready",
        "nats": True,
        "database": True,
        "consumers": True,
    }


async def test_one_connection_carries_subscribers_and_every_publish(running: Running) -> None:
    """Consumers, RPC, outbox, dead letters and erasures share the runtime's connection:
    there is no second one, and the outbox is flushed before that one closes."""
    app = running.app
    assert app.jetstream()._nc is app.runtime.nc
    assert app.erasures._jetstream()._nc is app.runtime.nc


async def test_public_stay_answers_what_the_stay_event_carries_for_those_who_book(
    running: Running,
) -> None:
    """The owner's answer when a copy of the stay lags (vendors): the public snapshot (no
    notes) and the guests' ids, only to a caller who books or charges at that property."""
    nc = running.nc
    reservation = stay(
        "r-pub",
        owner_mews_id="c-pub-1",
        companion_mews_ids=("c-pub-2",),
        scheduled_start_utc=T0,
        scheduled_end_utc=T0 + timedelta(days=2),
        notes=(StayNote(mews_id="n-1", text="extra pillows", type="General",
                        mews_updated_utc=T0),),
    )  # fmt: skip
    await running.send(UPSERT_STAY.template, upsert_stay(reservation))
    for mews_id in ("c-pub-1", "c-pub-2"):
        await running.send(UPSERT_GUEST.template, upsert_guest(guest(mews_id)))
    booker = Caller(
        user_id="u-desk",
        role=UserRole.FRONT_DESK,
        permissions=("bookings:create",),
        enterprise_ids=(ENT,),
    )

    async def both_guests() -> PublicStay | None:
        try:
            found = await call(nc, GET_STAY, GetStayRequest(enterprise_id=ENT, mews_id="r-pub"),
                               caller=STAFF)  # fmt: skip
        except RpcFailure:
            return None  # not applied yet
        answer = await call(
            nc,
            PUBLIC_STAY,
            PublicStayRequest(enterprise_id=ENT, stay_id=found.stay.stay_id),
            caller=booker,
        )
        return answer if len(answer.guest_ids) == 2 else None

    answer = await eventually(both_guests)
    assert answer.stay.mews_id == "r-pub"
    assert answer.stay.notes == ()  # notes are not public
    found = await call(nc, GET_STAY, GetStayRequest(enterprise_id=ENT, mews_id="r-pub"),
                       caller=STAFF)  # fmt: skip
    assert answer.guest_ids == tuple(g.guest_id for g in found.stay.guests)
    request = PublicStayRequest(enterprise_id=ENT, stay_id=answer.stay_id)

    async def status(caller: Caller, req: PublicStayRequest) -> int:
        with pytest.raises(RpcFailure) as failure:
            await call(nc, PUBLIC_STAY, req, caller=caller)
        return failure.value.error.status

    reader = msgspec.structs.replace(booker, permissions=("guests:read",))
    assert await status(reader, request) == 403
    elsewhere = msgspec.structs.replace(booker, enterprise_ids=(OTHER_ENT,))
    assert await status(elsewhere, request) == 404
    other = PublicStayRequest(enterprise_id=OTHER_ENT, stay_id=answer.stay_id)
    assert await status(msgspec.structs.replace(booker, enterprise_ids=None), other) == 404
