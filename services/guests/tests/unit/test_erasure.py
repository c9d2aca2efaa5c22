"""Erasing a guest (`erasure_writes`, `erasure.Erasures`) on the in-memory unit of work: a
request recorded once with its two commands, this service's tables erased once (the guest
blanked, `guest.erased` queued once), receipts kept once and completing the request, the
order of this service's parts around the stream purges, and the access log. The same use
cases run on Postgres in test_deleted_in_mews.py, test_retention.py and the gateway's
test_guest_erasure.py."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from guests_fakes import FakeUnitOfWork
from guests_support import ENT, OTHER_ENT, T0, guest, stay, upsert_guest, upsert_stay

from attendandt.contracts.caller import Caller
from attendandt.contracts.erasure import (
    ERASE_GUEST_IN_GUESTS,
    ERASE_GUEST_IN_VENDORS,
    ERASURE_PARTS,
    GUEST_ERASED,
    EraseGuest,
    ErasureReceipt,
    GuestErased,
)
from attendandt.contracts.events import BookingEvent
from attendandt.contracts.rpc.privacy import (
    GetErasureRequest,
    GuestAccessRequest,
    ListErasuresRequest,
    RequestErasureRequest,
)
from attendandt.contracts.snapshots import BookingSnapshot, BookingState, StayNote, UserRole
from attendandt.contracts.versioning import ERASED
from attendandt.guests import entity_upserts, erasure, erasure_writes, stay_upserts, vendor_events
from attendandt.guests.erasure import Erasures
from attendandt.guests.stream_purge import GuestMarks
from attendandt.platform.rpc import Forbidden, Invalid, NotFound

C = "guests-test"
LATER = T0 + timedelta(hours=1)
DPO = Caller(
    user_id="u-dpo",
    role=UserRole.ADMIN,
    permissions=("guests:read", "guests:erase", "audit:read"),
    enterprise_ids=(ENT,),
)
READER = Caller(
    user_id="u-reader",
    role=UserRole.FRONT_DESK,
    permissions=("guests:read", "guests:contact:read"),
    enterprise_ids=(ENT,),
)


def new_id() -> str:
    return str(uuid.uuid4())


async def with_guest(uow: FakeUnitOfWork, enterprise: str = ENT) -> str:
    """A guest with personal data, on a stay with a note, with a booking on its timeline."""
    personal = guest(
        "c-1", first_name="Ada", email="ada@x.test", phone="+44 20 7946 0000", notes="VIP"
    )
    await entity_upserts.upsert_guest(
        uow, upsert_guest(personal, enterprise), consumer=C, clock=lambda: T0, make_id=new_id
    )
    note = StayNote(mews_id="n-1", text="allergic to nuts", type="General")
    await stay_upserts.upsert_stay(
        uow,
        upsert_stay(stay("r-1", owner_mews_id="c-1", notes=(note,)), enterprise),
        consumer=C,
        clock=lambda: T0,
        make_id=new_id,
    )
    guest_id = uow.store.guests[(enterprise, "c-1")]
    booking = BookingSnapshot(
        booking_id="b-1",
        vendor_id="v-1",
        offering_id="o-1",
        guest_id=guest_id,
        quantity=1,
        notes="gluten free",
        state=BookingState.CONFIRMED,
    )
    event = BookingEvent(
        event_id="ev-1", enterprise_id=enterprise, occurred_at=T0, event="created", booking=booking
    )
    await vendor_events.record_booking(uow, event, clock=lambda: T0)
    return guest_id


def no_broker() -> Any:
    raise AssertionError("only erase_here purges streams")


def erasures(uow: FakeUnitOfWork, jetstream: Callable[[], Any] = no_broker) -> Erasures:
    return Erasures(None, jetstream, clock=lambda: LATER, units=lambda: uow)  # type: ignore[arg-type]


def ask(guest_id: str, enterprise: str = ENT) -> RequestErasureRequest:
    return RequestErasureRequest(
        enterprise_id=enterprise, guest_id=guest_id, reason="asked by mail"
    )


def receipt(request_id: str, part: str, removed: dict[str, int] | None = None) -> ErasureReceipt:
    return ErasureReceipt(
        command_id=f"erasure-receipt:{request_id}:{part}",
        enterprise_id=ENT,
        issued_at=LATER,
        request_id=request_id,
        part=part,
        removed=removed or {},
        done_at=LATER,
    )


async def test_a_request_is_recorded_once_with_its_commands_to_both_holders() -> None:
    uow = FakeUnitOfWork()
    guest_id = await with_guest(uow)
    queued_before = len(uow.store.outbox)

    view = await erasures(uow).request(ask(guest_id), DPO)
    again = await erasures(uow).request(ask(guest_id), DPO)

    assert (view.created, again.created) == (True, False)
    assert again.request_id == view.request_id
    assert (view.state, view.waiting_for, view.source) == ("pending", ERASURE_PARTS, "staff")
    assert view.pseudonym == erasure_writes.pseudonym_for(view.request_id)
    assert list(uow.store.erasure_requests) == [view.request_id]
    commands = uow.store.outbox[queued_before:]
    assert [(q.subject, q.msg_id, q.correlation_id) for q in commands] == [
        (ERASE_GUEST_IN_GUESTS.format(), f"erase:{view.request_id}:guests", view.request_id),
        (ERASE_GUEST_IN_VENDORS.format(), f"erase:{view.request_id}:vendors", view.request_id),
    ]
    command = commands[0].payload
    assert isinstance(command, EraseGuest)
    assert (command.guest_id, command.customer_mews_id) == (guest_id, "c-1")


async def test_a_request_nobody_may_make_records_nothing() -> None:
    uow = FakeUnitOfWork()
    guest_id = await with_guest(uow)
    with pytest.raises(Forbidden):
        await erasures(uow).request(ask(guest_id), READER)
    with pytest.raises(NotFound):  # a property the caller does not act for
        await erasures(uow).request(ask(guest_id, OTHER_ENT), DPO)
    with pytest.raises(NotFound):
        await erasures(uow).request(ask(new_id()), DPO)
    assert uow.store.erasure_requests == {}


async def test_erasing_the_tables_blanks_the_guest_and_announces_it_once() -> None:
    uow = FakeUnitOfWork()
    guest_id = await with_guest(uow)
    view = await erasures(uow).request(ask(guest_id), DPO)
    request = uow.store.erasure_requests[view.request_id]
    queued_before = len(uow.store.outbox)

    await erasure_writes.erase_tables(uow, request, clock=lambda: LATER)
    await erasure_writes.erase_tables(uow, request, clock=lambda: LATER)  # redelivered

    row = uow.store.guest_rows[(ENT, "c-1")]
    assert row.guest_id == guest_id
    assert row.snapshot is not None
    personal = (row.snapshot.first_name, row.snapshot.email, row.snapshot.phone)
    assert personal == (None, None, None)
    assert row.snapshot.notes is None
    assert (row.snapshot.last_name, row.snapshot.is_active) == (view.pseudonym, False)
    assert row.version.updated_utc == ERASED  # Mews cannot write the guest back
    assert uow.store.stays[(ENT, "r-1")].notes == []
    assert uow.store.timeline == {}
    assert list(uow.store.vendor_bookings) == ["b-1"]  # ids only, nothing personal: kept

    erased = uow.store.outbox[queued_before:]
    assert [(q.subject, q.msg_id) for q in erased] == [
        (GUEST_ERASED.format(enterprise=ENT), f"guest-erased:{view.request_id}")
    ]
    event = erased[0].payload
    assert isinstance(event, GuestErased)
    assert (event.guest_id, event.guest.last_name, event.guest.email) == (
        guest_id,
        view.pseudonym,
        None,
    )
    part = uow.store.erasure_receipts[view.request_id]["guests"]
    assert part.removed == {"stay_notes": 1, "guest_edits": 0, "timeline": 1}
    assert part.pseudonymised == {"guests": 1}
    assert uow.store.erasure_requests[view.request_id].completed_at is None  # others to come


async def test_receipts_are_kept_once_and_the_last_one_completes_the_request() -> None:
    uow = FakeUnitOfWork()
    guest_id = await with_guest(uow)
    view = await erasures(uow).request(ask(guest_id), DPO)
    rid = view.request_id
    request = uow.store.erasure_requests[rid]
    await erasure_writes.erase_tables(uow, request, clock=lambda: T0 + timedelta(minutes=1))

    def record(part: ErasureReceipt) -> Any:
        return erasure_writes.record_receipt(uow, part, clock=lambda: LATER)

    assert await record(receipt(rid, "vendors", {"bookings": 2})) is False
    assert await record(receipt(rid, "vendors", {"bookings": 9})) is False  # a repeat
    assert uow.store.erasure_receipts[rid]["vendors"].removed == {"bookings": 2}
    assert await record(receipt(rid, "event-streams")) is True
    assert uow.store.erasure_requests[rid].completed_at == LATER

    done = await erasures(uow).get(GetErasureRequest(request_id=rid), DPO)
    assert (done.state, done.waiting_for) == ("done", ())
    assert {r.part: r.removed for r in done.receipts}["vendors"] == {"bookings": 2}


async def test_a_receipt_of_no_request_records_nothing() -> None:
    uow = FakeUnitOfWork()
    assert (
        await erasure_writes.record_receipt(uow, receipt(new_id(), "vendors"), clock=lambda: LATER)
        is False
    )
    assert uow.store.erasure_receipts == {}
    with pytest.raises(Invalid):
        await erasure_writes.record_receipt(uow, receipt("r-1", "vendors"), clock=lambda: LATER)


async def test_this_service_purges_the_streams_around_its_tables_and_once_more_on_redelivery(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    uow = FakeUnitOfWork()
    guest_id = await with_guest(uow)
    view = await erasures(uow).request(ask(guest_id), DPO)
    purged: list[tuple[GuestMarks, bool]] = []

    async def purge(_: Any, enterprise_id: str, marks: GuestMarks) -> dict[str, int]:
        tables_done = "guests" in uow.store.erasure_receipts.get(view.request_id, {})
        purged.append((marks, tables_done))
        return {"GUEST_EVENTS": 3}

    monkeypatch.setattr(erasure, "purge_guest", purge)
    here = erasures(uow, lambda: "the broker")  # what purge_guest is handed (faked)
    command = uow.store.outbox[-2].payload
    assert isinstance(command, EraseGuest)

    await here.erase_here(command)
    await here.erase_here(command)  # redelivered: the tables are done

    ids = GuestMarks(guest_id=guest_id, mews_id="c-1")
    contact = GuestMarks(
        guest_id=guest_id, mews_id="c-1", email="ada@x.test", phone="+44 20 7946 0000"
    )
    assert purged == [(contact, False), (ids, True), (ids, True)]
    streams = uow.store.erasure_receipts[view.request_id]["event-streams"]
    assert streams.removed == {"GUEST_EVENTS": 6}  # the first delivery's two purges
    erased = [q for q in uow.store.outbox if q.subject == GUEST_ERASED.format(enterprise=ENT)]
    assert len(erased) == 1


async def test_reads_are_logged_once_per_guest_and_listed_newest_first() -> None:
    uow = FakeUnitOfWork()
    here = erasures(uow)
    await here.log_access(READER, ENT, ["g-1", "g-2", "g-1"], "search")
    await here.log_access(READER, ENT, [], "detail")  # nothing read, nothing logged
    await here.log_access(READER, ENT, ["g-2"], "detail")

    page = await here.access_log(GuestAccessRequest(), DPO)
    assert [(a.guest_id, a.action, a.user_id) for a in page.items] == [
        ("g-2", "detail", "u-reader"),
        ("g-2", "search", "u-reader"),
        ("g-1", "search", "u-reader"),
    ]
    with pytest.raises(Forbidden):
        await here.access_log(GuestAccessRequest(), READER)


async def test_a_customer_deleted_in_mews_is_erased_as_asked_by_mews() -> None:
    uow = FakeUnitOfWork()
    await with_guest(uow)
    view = await erasures(uow).erase_deleted_in_mews(ENT, "c-1")
    assert view is not None
    assert (view.created, view.source, view.requested_by) == (True, "mews", "mews")
    assert await erasures(uow).erase_deleted_in_mews(ENT, "c-unknown") is None
    pending = await erasures(uow).list_requests(ListErasuresRequest(state="pending"), DPO)
    assert [v.request_id for v in pending.items] == [view.request_id]
