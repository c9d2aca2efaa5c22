"""Applying a Mews customer, hotel or room (`entity_upserts`) and a stay's bill
(`bills.upsert_bill`) on the in-memory unit of work: the claim, last write wins, the events,
and all-or-nothing. The same use cases run on Postgres in test_commands.py,
test_properties.py and test_stay_bills.py."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from guests_fakes import FakeStay, FakeStore, FakeUnitOfWork
from guests_support import ENT, T0, guest, room, stay, upsert_guest, upsert_room

from attendandt.contracts.base import Payload
from attendandt.contracts.bills import StayBillSnapshot
from attendandt.contracts.commands import UpsertProperty, UpsertStayBill
from attendandt.contracts.events import GuestEvent, RestrictedGuestEvent, StayEvent
from attendandt.contracts.snapshots import PropertySnapshot
from attendandt.contracts.versioning import read_version
from attendandt.guests import entity_upserts
from attendandt.guests.applied import Applied
from attendandt.guests.bills import upsert_bill
from attendandt.guests.edit_repository import StoredEdit
from attendandt.guests.edits import EditField
from attendandt.guests.unit_of_work import Role
from attendandt.platform.rpc import Invalid

C = "guests-test"
LATER = T0 + timedelta(minutes=5)
_ids = itertools.count(1)


def make_id() -> str:
    return f"id-{next(_ids)}"


def clock() -> datetime:
    return LATER


async def apply_guest(uow: FakeUnitOfWork, command: Any) -> Applied:
    return await entity_upserts.upsert_guest(uow, command, consumer=C, clock=clock, make_id=make_id)


def payloads(store: FakeStore, kind: type[Payload]) -> list[Any]:
    return [q.payload for q in store.outbox if isinstance(q.payload, kind)]


# ----------------------------------------------------------------- guests


async def test_a_new_guest_is_stored_and_announced_once() -> None:
    uow = FakeUnitOfWork()
    command = upsert_guest(guest("c-1", first_name="Ada"))
    assert await apply_guest(uow, command) is Applied.APPLIED
    assert await apply_guest(uow, command) is Applied.DUPLICATE

    [stored] = uow.store.guest_rows.values()
    assert stored.snapshot == command.guest
    assert uow.store.guests == {(ENT, "c-1"): stored.guest_id}
    assert uow.store.inbox == {(C, command.command_id)}
    public, restricted = uow.store.outbox
    assert (public.subject, restricted.subject) == (
        f"attendandt.v1.{ENT}.guest.created",
        f"attendandt.restricted.v1.{ENT}.guest.created",
    )
    assert isinstance(public.payload, GuestEvent)
    assert isinstance(restricted.payload, RestrictedGuestEvent)
    assert public.payload.guest_id == restricted.payload.guest_id == stored.guest_id
    assert restricted.msg_id == f"restricted:{public.msg_id}"
    assert {public.correlation_id, restricted.correlation_id} == {command.command_id}
    assert uow.locked == [("customer", ENT, "c-1")]  # the duplicate stops at the claim


async def test_an_older_guest_version_changes_nothing_but_the_command_is_done() -> None:
    uow = FakeUnitOfWork()
    newer = upsert_guest(guest("c-1", LATER, last_name="Byron"))
    older = upsert_guest(guest("c-1", T0, last_name="Lovelace"))
    assert await apply_guest(uow, newer) is Applied.APPLIED
    assert await apply_guest(uow, older) is Applied.STALE

    [stored] = uow.store.guest_rows.values()
    assert stored.snapshot == newer.guest
    assert (C, older.command_id) in uow.store.inbox  # committed: redelivery is a duplicate
    assert [e.event for e in payloads(uow.store, GuestEvent)] == ["created"]


async def test_a_newer_guest_version_keeps_the_id_and_says_what_changed() -> None:
    uow = FakeUnitOfWork()
    assert await apply_guest(uow, upsert_guest(guest("c-1", email="a@x.test"))) is Applied.APPLIED
    newer = upsert_guest(guest("c-1", LATER, email="b@x.test"))
    assert await apply_guest(uow, newer) is Applied.APPLIED

    [stored] = uow.store.guest_rows.values()
    created, updated = payloads(uow.store, GuestEvent)
    assert (updated.event, updated.changed_fields, updated.source) == (
        "updated",
        ("email",),
        "mews",
    )
    assert created.guest_id == updated.guest_id == stored.guest_id
    assert stored.field_changed_utc["email"] == LATER.isoformat()


async def test_a_guest_new_to_us_is_announced_again_on_the_stays_naming_it() -> None:
    snapshot = stay("r-1", owner_mews_id="c-0", companion_mews_ids=("c-1",))
    version = read_version(snapshot, T0)
    customers: list[tuple[str, Role]] = [("c-0", "owner"), ("c-1", "companion")]
    store = FakeStore(
        stays={(ENT, "r-1"): FakeStay("s-1", snapshot, version, [], customers)},
        guests={(ENT, "c-0"): "g-0"},
    )
    uow = FakeUnitOfWork(store)
    command = upsert_guest(guest("c-1"))
    assert await apply_guest(uow, command) is Applied.APPLIED

    [stay_event] = payloads(uow.store, StayEvent)
    guest_id = uow.store.guests[(ENT, "c-1")]
    assert (stay_event.event, stay_event.stay_id, stay_event.guest_ids) == (
        "updated",
        "s-1",
        ("g-0", guest_id),
    )
    assert stay_event.event_id.endswith(f":guest:{guest_id}")
    # Known already: no stay is announced again.
    again = upsert_guest(guest("c-1", LATER, first_name="Ada"))
    assert await apply_guest(uow, again) is Applied.APPLIED
    assert len(payloads(uow.store, StayEvent)) == 1


async def test_mews_taking_our_edit_is_announced_as_its_authors() -> None:
    uow = FakeUnitOfWork()
    assert await apply_guest(uow, upsert_guest(guest("c-1"))) is Applied.APPLIED
    guest_id = uow.store.guests[(ENT, "c-1")]
    uow.store.edits["e-1"] = StoredEdit(
        edit_id="e-1",
        enterprise_id=ENT,
        guest_id=guest_id,
        customer_mews_id="c-1",
        author_user_id="u-1",
        created_at=T0,
        base_version=T0,
        edit_round=1,
        state="saving",
        fields=[EditField(field="email", value="ada@x.test", state="saving", sent_in=1)],
        failure=None,
    )
    await uow.rollback()  # the next unit of work starts from what is committed

    echo = upsert_guest(guest("c-1", LATER, email="ada@x.test"))
    assert await apply_guest(uow, echo) is Applied.APPLIED

    event = payloads(uow.store, GuestEvent)[-1]
    assert (event.source, event.changed_by, event.edit_id) == ("attendandt", "u-1", "e-1")
    assert uow.store.edits["e-1"].state == "in_step"
    [entry] = uow.store.audit
    assert (entry["edit_id"], entry["action"]) == ("e-1", "in_step")


class _FailingQueue(FakeUnitOfWork):
    async def queue(
        self, subject: str, payload: Payload, *, msg_id: str, correlation_id: str | None = None
    ) -> None:
        raise RuntimeError("the outbox is down")


async def test_a_failed_guest_upsert_leaves_nothing_behind_so_a_redelivery_applies_it() -> None:
    failing = _FailingQueue()
    command = upsert_guest(guest("c-1"))
    with pytest.raises(RuntimeError):
        await apply_guest(failing, command)
    assert failing.store == FakeStore()

    uow = FakeUnitOfWork(failing.store)
    assert await apply_guest(uow, command) is Applied.APPLIED
    assert len(uow.store.guest_rows) == 1
    assert len(uow.store.outbox) == 2


async def test_a_guest_without_a_time_zone_is_refused_before_anything_is_claimed() -> None:
    uow = FakeUnitOfWork()
    with pytest.raises(Invalid):
        await apply_guest(uow, upsert_guest(guest("c-1", datetime(2026, 3, 1, 12))))
    assert uow.store == FakeStore()


# ----------------------------------------------------------------- hotels


def hotel(updated: datetime | None = T0, **fields: Any) -> PropertySnapshot:
    values: dict[str, Any] = {
        "enterprise_id": ENT,
        "name": "Hotel One",
        "time_zone": "Europe/London",
        "default_currency": "GBP",
        "pricing": "gross",
        "mews_updated_utc": updated,
    }
    return PropertySnapshot(**(values | fields))


def property_command(prop: PropertySnapshot, command_id: str | None = None) -> UpsertProperty:
    return UpsertProperty(
        command_id=command_id or make_id(), enterprise_id=ENT, issued_at=T0, property=prop
    )


async def apply_property(uow: FakeUnitOfWork, command: UpsertProperty) -> Applied:
    return await entity_upserts.upsert_property(uow, command, consumer=C, clock=clock)


async def test_a_hotel_is_applied_once_and_never_replaced_by_an_older_version() -> None:
    uow = FakeUnitOfWork()
    newer = property_command(hotel(LATER, name="Hotel One (renamed)"))
    assert await apply_property(uow, newer) is Applied.APPLIED
    assert await apply_property(uow, newer) is Applied.DUPLICATE
    older = property_command(hotel(T0))
    assert await apply_property(uow, older) is Applied.STALE
    undated = property_command(hotel(None, name="Undated"))
    assert await apply_property(uow, undated) is Applied.STALE

    prop, _ = uow.store.properties[ENT]
    assert prop.name == "Hotel One (renamed)"
    assert uow.store.inbox == {(C, c.command_id) for c in (newer, older, undated)}
    assert uow.store.outbox == []  # a hotel is nobody's news
    assert uow.locked == [("property", ENT, ENT)] * 3


async def test_a_hotel_that_cannot_be_right_is_refused_before_anything_is_claimed() -> None:
    uow = FakeUnitOfWork()
    with pytest.raises(Invalid, match="not the command's"):
        await apply_property(uow, property_command(hotel(enterprise_id="ent-2")))
    with pytest.raises(Invalid):
        await apply_property(uow, property_command(hotel(time_zone="Mars/Olympus")))
    assert uow.store == FakeStore()


# ----------------------------------------------------------------- rooms


async def apply_room(uow: FakeUnitOfWork, command: Any) -> Applied:
    return await entity_upserts.upsert_room(uow, command, consumer=C, clock=clock, make_id=make_id)


async def test_a_room_is_applied_once_keeps_its_id_and_an_older_version_is_ignored() -> None:
    uow = FakeUnitOfWork()
    first = upsert_room(room("rm-1", name="101", state="Dirty"))
    assert await apply_room(uow, first) is Applied.APPLIED
    assert await apply_room(uow, first) is Applied.DUPLICATE
    [stored] = uow.store.rooms.values()
    room_id = stored.room_id

    cleaned = upsert_room(room("rm-1", LATER, name="101", state="Inspected"))
    assert await apply_room(uow, cleaned) is Applied.APPLIED
    stale = upsert_room(room("rm-1", T0, name="101", state="Dirty"))
    assert await apply_room(uow, stale) is Applied.STALE

    [stored] = uow.store.rooms.values()
    assert (stored.room_id, stored.snapshot.state) == (room_id, "Inspected")
    assert (C, stale.command_id) in uow.store.inbox
    assert uow.store.outbox == []
    assert uow.locked == [("resource", ENT, "rm-1")] * 3


# ----------------------------------------------------------------- bills


def bill(updated: datetime, paid: str) -> StayBillSnapshot:
    return StayBillSnapshot(
        stay_mews_id="r-1", mews_updated_utc=updated, currency="GBP", total_paid=Decimal(paid)
    )


async def apply_bill(uow: FakeUnitOfWork, snapshot: StayBillSnapshot, command_id: str) -> bool:
    command = UpsertStayBill(command_id=command_id, enterprise_id=ENT, issued_at=T0, bill=snapshot)
    return await upsert_bill(uow, command, consumer=C, clock=clock)


async def test_a_bill_replaces_an_older_one_once_and_never_the_reverse() -> None:
    uow = FakeUnitOfWork()
    assert await apply_bill(uow, bill(LATER, "50.00"), "b-1") is True
    assert await apply_bill(uow, bill(LATER, "60.00"), "b-1") is False  # a duplicate
    assert await apply_bill(uow, bill(T0, "10.00"), "b-2") is False  # older

    stored, _ = uow.store.bills[(ENT, "r-1")]
    assert stored.total_paid == Decimal("50.00")
    assert uow.store.inbox == {(C, "b-1"), (C, "b-2")}
    assert await apply_bill(uow, bill(LATER + timedelta(1), "70.00"), "b-3") is True
    assert uow.store.bills[(ENT, "r-1")][0].total_paid == Decimal("70.00")


async def test_a_failed_bill_upsert_leaves_nothing_behind() -> None:
    class Failing(FakeUnitOfWork):
        async def commit(self) -> None:
            raise RuntimeError("the database is gone")

    failing = Failing()
    with pytest.raises(RuntimeError):
        await apply_bill(failing, bill(LATER, "50.00"), "b-1")
    assert failing.store == failing.working == FakeStore()
