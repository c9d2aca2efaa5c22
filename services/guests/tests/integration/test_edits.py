"""Staff edits of a guest on real Postgres (as the service's role): judged against the version
the user saw, queued for Mews once, shown and announced as the author's when Mews took them,
our own write's echo recognised, conflicts settled by a user or the hotel's rule, audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import msgspec
import pytest
from guests_support import ENT, OTHER_ENT, T0, fetch_all, guest, next_id, upsert_guest
from sqlalchemy.ext.asyncio import AsyncEngine

from attendandt.contracts.caller import Caller
from attendandt.contracts.commands import EditFieldOutcome, RecordGuestEditResult
from attendandt.contracts.events import GuestEvent
from attendandt.contracts.outbound import UpdateCustomer
from attendandt.contracts.rpc.guests import (
    ConflictChoice,
    EditGuestRequest,
    EditRulesRequest,
    FieldChange,
    FieldRule,
    GetGuestRequest,
    GuestEditReply,
    ResolveConflictsRequest,
    SearchGuestsRequest,
    SetEditRulesRequest,
)
from attendandt.contracts.snapshots import UserRole
from attendandt.guests.applied import Applied
from attendandt.guests.service import GuestsService
from attendandt.platform.rpc import Conflict, Forbidden, Invalid, NotFound

C = "guests-test"
RESULTS = "guests-edit-results-test"
T1 = T0 + timedelta(minutes=1)
T2 = T0 + timedelta(minutes=2)
T3 = T0 + timedelta(minutes=3)

FRONT_DESK = Caller(
    user_id="u-frontdesk",
    role=UserRole.FRONT_DESK,
    permissions=("guests:read", "guests:contact:read", "guests:edit"),
    enterprise_ids=(ENT,),
)
MANAGER = Caller(
    user_id="u-manager",
    role=UserRole.MANAGER,
    permissions=("guests:read", "guests:contact:read", "guests:edit", "guests:edit:rules"),
    enterprise_ids=(ENT,),
)
VENDOR = Caller(
    user_id="u-vendor",
    role=UserRole.VENDOR,
    permissions=("guests:read",),
    enterprise_ids=(ENT,),
    vendor_id="v-1",
)


async def _guest(service: GuestsService, mews_id: str, **fields: Any) -> str:
    fields.setdefault("phone", "+420 111 222 333")
    fields.setdefault("email", "ada@example.com")
    fields.setdefault("notes", "Early riser")
    updated = fields.pop("updated", T0)
    assert await service.upsert_guest(upsert_guest(guest(mews_id, updated, **fields)), consumer=C)
    detail = await service.get_guest(GetGuestRequest(enterprise_id=ENT, mews_id=mews_id), MANAGER)
    return detail.guest.guest_id


def _edit(guest_id: str, base=T0, **changes: Any) -> EditGuestRequest:
    return EditGuestRequest(
        enterprise_id=ENT,
        guest_id=guest_id,
        base_version=base,
        changes=tuple(FieldChange(field=k, value=v) for k, v in changes.items()),
    )


async def _outbox(engine: AsyncEngine, subject_part: str, payload_type: type) -> list[Any]:
    rows = await fetch_all(engine, "select subject, payload from guests.outbox order by id")
    return [
        msgspec.json.decode(r.payload, type=payload_type)
        for r in rows
        if subject_part in r.subject and r.subject.startswith(("attendandt.v1.", "mews.v1."))
    ]


async def _writes(engine: AsyncEngine) -> list[UpdateCustomer]:
    return await _outbox(engine, ".outbound.update_customer", UpdateCustomer)


async def _events(engine: AsyncEngine) -> list[GuestEvent]:
    return await _outbox(engine, ".guest.", GuestEvent)


def _result(
    write: UpdateCustomer, *outcomes: tuple[str, str, Any], at=T1, written=True, **extra: Any
) -> RecordGuestEditResult:
    assert write.edit_id is not None
    return RecordGuestEditResult(
        command_id=f"guest-edit-result:{write.command_id}",
        enterprise_id=write.enterprise_id,
        issued_at=at,
        edit_id=write.edit_id,
        edit_round=write.edit_round,
        customer_mews_id=write.customer_id,
        outcomes=tuple(EditFieldOutcome(field=f, outcome=o, mews_value=v) for f, o, v in outcomes),
        written=written,
        mews_updated_utc=at,
        **extra,
    )


def _states(reply: GuestEditReply) -> dict[str, str]:
    return {f.field: f.state for f in reply.edit.fields}


async def _detail(service: GuestsService, guest_id: str):  # type: ignore[no-untyped-def]
    return await service.get_guest(GetGuestRequest(enterprise_id=ENT, guest_id=guest_id), MANAGER)


async def _audit(engine: AsyncEngine, guest_id: str) -> list[tuple[str, str]]:
    rows = await fetch_all(
        engine,
        "select actor, action from guests.guest_audit where guest_id = :g order by entry_id",
        g=guest_id,
    )
    return [(r.actor, r.action) for r in rows]


async def test_an_edit_is_queued_once_then_shown_and_announced_as_its_authors(
    service: GuestsService, engine: AsyncEngine
) -> None:
    guest_id = await _guest(service, "c-1")
    reply = await service.edit_guest(
        _edit(guest_id, phone="+44 7700 900123", notes="Late riser"), FRONT_DESK
    )
    assert reply.sync_state == "saving"
    assert _states(reply) == {"phone": "saving", "notes": "saving"}
    [write] = await _writes(engine)
    assert write.command_id == f"guest-edit:{reply.edit.edit_id}:1"
    assert write.customer_id == "c-1"
    assert {(c.field, c.value, c.base) for c in write.changes} == {
        ("phone", "+44 7700 900123", "+420 111 222 333"),
        ("notes", "Late riser", "Early riser"),
    }
    detail = await _detail(service, guest_id)
    assert detail.guest.sync_state == "saving"
    assert detail.guest.phone == "+420 111 222 333"  # Mews's until Mews has ours
    assert [e.edit_id for e in detail.edits] == [reply.edit.edit_id]
    page = await service.search(SearchGuestsRequest(enterprise_id=ENT, query="lovelace"), MANAGER)
    assert [g.sync_state for g in page.items] == ["saving"]

    # A second click on Save: the same edit, nothing queued again.
    again = await service.edit_guest(
        _edit(guest_id, phone="+44 7700 900123", notes="Late riser"), FRONT_DESK
    )
    assert again.edit.edit_id == reply.edit.edit_id
    assert len(await _writes(engine)) == 1

    events_before = len(await _events(engine))
    result = _result(
        write, ("phone", "applied", "+44 7700 900123"), ("notes", "applied", "Late riser")
    )
    assert await service.record_edit_result(result, consumer=RESULTS)
    assert not await service.record_edit_result(result, consumer=RESULTS)  # a repeat
    detail = await _detail(service, guest_id)
    assert detail.guest.sync_state == "in_step"
    assert (detail.guest.phone, detail.guest.notes) == ("+44 7700 900123", "Late riser")
    assert detail.guest.mews_updated_utc == T1
    assert detail.edits[0].state == "in_step"
    assert [(h.actor, h.action, h.edit_round, h.fields) for h in detail.edits[0].history] == [
        ("u-frontdesk", "edited", 0, ("notes", "phone")),
        ("mews", "written", 1, ("notes", "phone")),
    ]
    [event] = (await _events(engine))[events_before:]
    assert (event.event, event.source, event.changed_by, event.edit_id) == (
        "updated",
        "attendandt",
        "u-frontdesk",
        reply.edit.edit_id,
    )
    assert set(event.changed_fields) == {"phone", "notes"}
    assert event.guest.phone is None  # the public event carries no contact details

    # Mews's echo of our write (webhook or sweep: the same version read back): nothing.
    echo = guest("c-1", T1, phone="+44 7700 900123", email="ada@example.com", notes="Late riser")
    assert await service.upsert_guest(upsert_guest(echo), consumer=C) is Applied.STALE
    assert len(await _events(engine)) == events_before + 1
    assert len(await _writes(engine)) == 1
    assert await _audit(engine, guest_id) == [("u-frontdesk", "edited"), ("mews", "written")]


async def test_the_echo_first_puts_the_edit_in_step_and_the_report_after_changes_nothing(
    service: GuestsService, engine: AsyncEngine
) -> None:
    guest_id = await _guest(service, "c-2")
    reply = await service.edit_guest(_edit(guest_id, email="ada@new.example"), FRONT_DESK)
    [write] = await _writes(engine)
    events_before = len(await _events(engine))
    echo = guest("c-2", T1, phone="+420 111 222 333", email="ada@new.example", notes="Early riser")
    assert await service.upsert_guest(upsert_guest(echo), consumer=C) is Applied.APPLIED
    [event] = (await _events(engine))[events_before:]
    assert (event.source, event.changed_fields, event.changed_by) == (
        "attendandt",
        ("email",),
        "u-frontdesk",
    )
    assert (await _detail(service, guest_id)).guest.sync_state == "in_step"
    # The publisher's report arrives after: the guest already holds that version.
    result = _result(write, ("email", "applied", "ada@new.example"))
    assert await service.record_edit_result(result, consumer=RESULTS)
    assert len(await _events(engine)) == events_before + 1
    assert (await _detail(service, guest_id)).edits[0].edit_id == reply.edit.edit_id


async def test_a_field_mews_changed_since_the_users_version_conflicts_the_others_merge(
    service: GuestsService, engine: AsyncEngine
) -> None:
    guest_id = await _guest(service, "c-3")
    # Mews staff change the phone after our user loaded the guest (at T0).
    newer = guest("c-3", T1, phone="+420 999 888 777", email="ada@example.com", notes="Early riser")
    assert await service.upsert_guest(upsert_guest(newer), consumer=C) is Applied.APPLIED
    events = await _events(engine)
    assert (events[-1].source, events[-1].changed_fields) == ("mews", ("phone",))

    reply = await service.edit_guest(
        _edit(guest_id, base=T0, phone="+44 7700 900123", email="ada@new.example"), FRONT_DESK
    )
    assert _states(reply) == {"phone": "conflict", "email": "saving"}
    phone = next(f for f in reply.edit.fields if f.field == "phone")
    assert (phone.value, phone.mews_value) == ("+44 7700 900123", "+420 999 888 777")
    assert reply.sync_state == "conflict"
    [write] = await _writes(engine)
    assert [(c.field, c.base) for c in write.changes] == [("email", "ada@example.com")]

    # The user keeps ours: written in round 2 over the Mews value they were shown.
    settled = await service.resolve_conflicts(
        ResolveConflictsRequest(
            enterprise_id=ENT,
            guest_id=guest_id,
            edit_id=reply.edit.edit_id,
            choices=(ConflictChoice(field="phone", keep="ours"),),
        ),
        FRONT_DESK,
    )
    assert _states(settled) == {"phone": "saving", "email": "saving"}
    second = (await _writes(engine))[-1]
    assert second.edit_round == 2
    assert [(c.field, c.value, c.base) for c in second.changes] == [
        ("phone", "+44 7700 900123", "+420 999 888 777")
    ]
    # Settling a field that is no longer in conflict is refused.
    with pytest.raises(Conflict):
        await service.resolve_conflicts(
            ResolveConflictsRequest(
                enterprise_id=ENT,
                guest_id=guest_id,
                edit_id=reply.edit.edit_id,
                choices=(ConflictChoice(field="phone", keep="mews"),),
            ),
            FRONT_DESK,
        )
    assert await _audit(engine, guest_id) == [
        ("u-frontdesk", "edited"),
        ("u-frontdesk", "resolved"),
    ]


async def test_editing_a_field_again_answers_its_open_conflict(
    service: GuestsService, engine: AsyncEngine
) -> None:
    guest_id = await _guest(service, "c-8")
    newer = guest("c-8", T1, phone="+420 999 888 777", email="ada@example.com", notes="Early riser")
    assert await service.upsert_guest(upsert_guest(newer), consumer=C) is Applied.APPLIED
    first = await service.edit_guest(_edit(guest_id, base=T0, phone="+44 1"), FRONT_DESK)
    assert first.sync_state == "conflict"
    # Having seen Mews's phone, the user types another one (on the newer version).
    second = await service.edit_guest(_edit(guest_id, base=T1, phone="+44 2"), FRONT_DESK)
    assert (second.sync_state, _states(second)) == ("saving", {"phone": "saving"})
    detail = await _detail(service, guest_id)
    older = next(e for e in detail.edits if e.edit_id == first.edit.edit_id)
    [phone] = older.fields
    assert (older.state, phone.state, phone.resolution) == ("in_step", "kept_mews", "superseded")
    assert [(c.field, c.value, c.base) for c in (await _writes(engine))[-1].changes] == [
        ("phone", "+44 2", "+420 999 888 777")
    ]
    assert ("u-frontdesk", "superseded") in await _audit(engine, guest_id)


async def test_a_conflict_found_in_mews_waits_for_the_user_who_may_keep_mews(
    service: GuestsService, engine: AsyncEngine
) -> None:
    guest_id = await _guest(service, "c-4")
    reply = await service.edit_guest(
        _edit(guest_id, phone="+44 7700 900123", notes="Vegan"), FRONT_DESK
    )
    [write] = await _writes(engine)
    events_before = len(await _events(engine))
    # The publisher found the phone changed in Mews (not synced here yet); notes written.
    result = _result(
        write, ("phone", "conflict", "+420 555 000 111"), ("notes", "applied", "Vegan")
    )
    assert await service.record_edit_result(result, consumer=RESULTS)
    detail = await _detail(service, guest_id)
    assert detail.guest.sync_state == "conflict"
    assert detail.guest.notes == "Vegan"
    [edit] = detail.edits
    phone = next(f for f in edit.fields if f.field == "phone")
    assert (phone.state, phone.value, phone.mews_value) == (
        "conflict",
        "+44 7700 900123",
        "+420 555 000 111",
    )
    [event] = (await _events(engine))[events_before:]
    assert (event.source, event.changed_fields) == ("attendandt", ("notes",))

    settled = await service.resolve_conflicts(
        ResolveConflictsRequest(
            enterprise_id=ENT,
            guest_id=guest_id,
            edit_id=reply.edit.edit_id,
            choices=(ConflictChoice(field="phone", keep="mews"),),
        ),
        MANAGER,
    )
    assert settled.sync_state == "in_step"
    assert _states(settled) == {"phone": "kept_mews", "notes": "in_step"}
    phone = next(f for f in settled.edit.fields if f.field == "phone")
    assert (phone.resolution, phone.resolved_by) == ("mews", "u-manager")
    assert len(await _writes(engine)) == 1  # keeping Mews's value writes nothing
    assert await _audit(engine, guest_id) == [
        ("u-frontdesk", "edited"),
        ("mews", "written"),
        ("u-manager", "resolved"),
    ]


async def test_the_hotels_rules_settle_conflicts_without_asking(
    service: GuestsService, engine: AsyncEngine
) -> None:
    rules = await service.set_edit_rules(
        SetEditRulesRequest(
            enterprise_id=ENT,
            rules=(
                FieldRule(field="notes", rule="we_win"),
                FieldRule(field="phone", rule="mews_wins"),
                FieldRule(field="email", rule="newest_wins"),
            ),
        ),
        MANAGER,
    )
    assert {r.field: r.rule for r in rules.rules}["notes"] == "we_win"
    assert {r.field: r.rule for r in rules.rules}["first_name"] == "ask"
    with pytest.raises(Forbidden):
        await service.set_edit_rules(
            SetEditRulesRequest(enterprise_id=ENT, rules=(FieldRule(field="notes", rule="ask"),)),
            FRONT_DESK,
        )
    assert (await service.edit_rules(EditRulesRequest(enterprise_id=ENT), FRONT_DESK)) == rules

    guest_id = await _guest(service, "c-5")
    reply = await service.edit_guest(
        _edit(guest_id, notes="Ours", phone="+44 1", email="ours@example.com"), FRONT_DESK
    )
    [write] = await _writes(engine)
    # Mews changed all three since: by the rules, notes are rewritten (round 2), the phone
    # is Mews's, and Mews's email is newer than the edit (its version is after it).
    result = _result(
        write,
        ("notes", "conflict", "Theirs"),
        ("phone", "conflict", "+420 2"),
        ("email", "conflict", "theirs@example.com"),
        written=False,
    )
    assert await service.record_edit_result(result, consumer=RESULTS)
    detail = await _detail(service, guest_id)
    [edit] = detail.edits
    assert {f.field: (f.state, f.resolution) for f in edit.fields} == {
        "notes": ("saving", "rule:we_win"),
        "phone": ("kept_mews", "rule:mews_wins"),
        "email": ("kept_mews", "rule:newest_wins"),
    }
    second = (await _writes(engine))[-1]
    assert (second.edit_round, [(c.field, c.base) for c in second.changes]) == (
        2,
        [("notes", "Theirs")],
    )
    assert reply.edit.edit_id == second.edit_id
    assert [a for a in await _audit(engine, guest_id) if a[0] == "rule"] == [
        ("rule", "resolved")
    ] * 3


async def test_who_may_edit_and_what_is_refused(service: GuestsService) -> None:
    guest_id = await _guest(service, "c-6")
    with pytest.raises(Forbidden):
        await service.edit_guest(_edit(guest_id, phone="+44 1"), VENDOR)
    other_property = Caller(
        user_id="u-x",
        role=UserRole.FRONT_DESK,
        permissions=("guests:read", "guests:contact:read", "guests:edit"),
        enterprise_ids=(OTHER_ENT,),
    )
    with pytest.raises(NotFound):
        await service.edit_guest(_edit(guest_id, phone="+44 1"), other_property)
    with pytest.raises(NotFound):
        await service.edit_guest(_edit(next_id("no-such") + "-x", phone="+44 1"), FRONT_DESK)
    for changes, why in (
        ({"phone": ""}, "cannot clear"),
        ({"email": "not an email"}, "email address"),
        ({"nationality_code": "gbr"}, "country code"),
        ({"classifications": ("Important", "Royalty")}, "Royalty"),
        ({"mews_id": "x"}, "cannot be edited here"),
    ):
        with pytest.raises(Invalid, match=why):
            await service.edit_guest(_edit(guest_id, **changes), FRONT_DESK)
    with pytest.raises(Invalid, match="newer than any version"):
        await service.edit_guest(_edit(guest_id, base=T3, phone="+44 1"), FRONT_DESK)
    # Already so: nothing to write, the edit is in step at once.
    reply = await service.edit_guest(_edit(guest_id, phone="+420 111 222 333"), FRONT_DESK)
    assert (reply.sync_state, _states(reply)) == ("in_step", {"phone": "unchanged"})


async def test_a_mews_version_with_another_change_besides_ours_is_mews_news(
    service: GuestsService, engine: AsyncEngine
) -> None:
    guest_id = await _guest(service, "c-7")
    await service.edit_guest(_edit(guest_id, phone="+44 7700 900123"), FRONT_DESK)
    events_before = len(await _events(engine))
    # Mews's version has our phone and a change of its own (the notes).
    mixed = guest("c-7", T2, phone="+44 7700 900123", email="ada@example.com", notes="Diet: none")
    assert await service.upsert_guest(upsert_guest(mixed), consumer=C) is Applied.APPLIED
    [event] = (await _events(engine))[events_before:]
    assert (event.source, set(event.changed_fields)) == ("mews", {"phone", "notes"})
    detail = await _detail(service, guest_id)
    assert (detail.guest.sync_state, detail.edits[0].state) == ("in_step", "in_step")


async def test_versions_of_a_new_guest_arriving_newest_first_still_make_an_edit_a_conflict(
    service: GuestsService,
) -> None:
    # Mews's second version (a phone added at T1) is applied before its first (T0): the
    # phone's change time is still known, so an edit based on T0 does not overwrite it.
    newest = guest("c-newest-first", T1, phone="+420 999 888 777", email="ada@example.com")
    assert await service.upsert_guest(upsert_guest(newest), consumer=C) is Applied.APPLIED
    first = guest("c-newest-first", T0, email="ada@example.com")
    assert await service.upsert_guest(upsert_guest(first), consumer=C) is Applied.STALE
    detail = await service.get_guest(
        GetGuestRequest(enterprise_id=ENT, mews_id="c-newest-first"), MANAGER
    )
    reply = await service.edit_guest(
        _edit(detail.guest.guest_id, base=T0, phone="+44 7700 900123"), FRONT_DESK
    )
    assert _states(reply) == {"phone": "conflict"}


async def test_our_write_in_the_second_of_a_read_shows_at_once(
    service: GuestsService, engine: AsyncEngine
) -> None:
    guest_id = await _guest(service, "c-same-second")
    reply = await service.edit_guest(_edit(guest_id, phone="+44 7700 900123"), FRONT_DESK)
    [write] = await _writes(engine)
    # Read in the second of our write, before it (Mews stamps whole seconds): staff's note.
    read = guest("c-same-second", T1, phone="+420 111 222 333", email="ada@example.com",
                 notes="Quiet room")  # fmt: skip
    assert await service.upsert_guest(upsert_guest(read), consumer=C) is Applied.APPLIED
    # Mews answers our write with that same UpdatedUtc, after the read.
    result = _result(write, ("phone", "applied", "+44 7700 900123"), at=T1)
    assert await service.record_edit_result(result, consumer=RESULTS)
    detail = await _detail(service, guest_id)
    assert (detail.guest.phone, detail.guest.notes) == ("+44 7700 900123", "Quiet room")
    assert (detail.guest.sync_state, detail.edits[0].edit_id) == ("in_step", reply.edit.edit_id)
