"""Staff notes on a stay on real Postgres (as the service's role): recorded with their author
and queued for Mews once, the publisher's report taken (in step, conflict, failed), a note
Mews took shown on the stay at once, our own note coming back through sync recognised, and
callers scoped."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import msgspec
import pytest
from guests_support import ENT, OTHER_ENT, T0, fetch_all, next_id, stay, upsert_stay
from sqlalchemy.ext.asyncio import AsyncEngine

from attendandt.contracts.caller import Caller
from attendandt.contracts.commands import RecordStayNoteResult
from attendandt.contracts.events import StayEvent
from attendandt.contracts.outbound import WriteStayNote
from attendandt.contracts.rpc.guests import GetStayRequest, StayDetail, WriteStayNoteRequest
from attendandt.contracts.snapshots import StayNote, UserRole
from attendandt.guests.applied import Applied
from attendandt.guests.service import GuestsService
from attendandt.platform.rpc import Forbidden, Invalid, NotFound

C = "guests-test"
RESULTS = "guests-stay-note-results-test"
T1 = T0 + timedelta(minutes=1)
T2 = T0 + timedelta(minutes=2)
T3 = T0 + timedelta(minutes=3)

FRONT_DESK = Caller(
    user_id="u-frontdesk",
    role=UserRole.FRONT_DESK,
    permissions=("guests:read", "guests:contact:read", "stays:notes:write"),
    enterprise_ids=(ENT,),
)
READ_ONLY = Caller(
    user_id="u-reader",
    role=UserRole.FRONT_DESK,
    permissions=("guests:read", "guests:contact:read"),
    enterprise_ids=(ENT,),
)
OTHER_PROPERTY = Caller(
    user_id="u-elsewhere",
    role=UserRole.MANAGER,
    permissions=("guests:read", "guests:contact:read", "stays:notes:write"),
    enterprise_ids=(OTHER_ENT,),
)
VENDOR = Caller(
    user_id="u-vendor",
    role=UserRole.VENDOR,
    permissions=("guests:read", "guests:contact:read", "stays:notes:write"),
    enterprise_ids=(ENT,),
    vendor_id="v-1",
)

LATE = StayNote(mews_id="n-late", text="Late arrival", type="General")


async def _stay(service: GuestsService, mews_id: str, enterprise: str = ENT, **fields: Any) -> str:
    fields.setdefault("notes", (LATE,))
    snapshot = stay(mews_id, fields.pop("updated", T0), **fields)
    assert await service.upsert_stay(upsert_stay(snapshot, enterprise), consumer=C)
    detail = await service.get_stay(
        GetStayRequest(enterprise_id=enterprise, mews_id=mews_id),
        Caller(
            user_id="u-admin",
            role=UserRole.ADMIN,
            permissions=("guests:read", "guests:contact:read"),
            enterprise_ids=None,
        ),
    )
    return detail.stay.stay_id


def _note(stay_id: str, text: str, note: str | None = None, **extra: Any) -> WriteStayNoteRequest:
    return WriteStayNoteRequest(
        enterprise_id=ENT, stay_id=stay_id, note_mews_id=note, text=text, **extra
    )


async def _outbox(engine: AsyncEngine, subject_part: str, payload_type: type) -> list[Any]:
    rows = await fetch_all(engine, "select subject, payload from guests.outbox order by id")
    return [
        msgspec.json.decode(r.payload, type=payload_type) for r in rows if subject_part in r.subject
    ]


async def _writes(engine: AsyncEngine) -> list[WriteStayNote]:
    return await _outbox(engine, ".outbound.write_stay_note", WriteStayNote)


async def _stay_events(engine: AsyncEngine) -> list[StayEvent]:
    return await _outbox(engine, ".stay.", StayEvent)


def _result(
    write: WriteStayNote, outcome: str, *, note: str | None = None, text: str | None = None,
    at=T1, failure: str | None = None,
) -> RecordStayNoteResult:  # fmt: skip
    return RecordStayNoteResult(
        command_id=f"stay-note-result:{write.command_id}",
        enterprise_id=write.enterprise_id,
        issued_at=at,
        write_id=write.write_id,
        reservation_mews_id=write.reservation_id,
        outcome=outcome,  # type: ignore[arg-type]
        note_mews_id=note,
        mews_text=text,
        mews_updated_utc=at if outcome == "applied" else None,
        failure_reason=failure,
    )


async def _detail(service: GuestsService, stay_id: str) -> StayDetail:
    return await service.get_stay(GetStayRequest(enterprise_id=ENT, stay_id=stay_id), FRONT_DESK)


def _notes(detail: StayDetail) -> dict[str | None, str]:
    return {n.mews_id: n.text for n in detail.stay.notes}


async def test_a_new_note_is_recorded_with_its_author_and_queued_once(
    service: GuestsService, engine: AsyncEngine
) -> None:
    stay_id = await _stay(service, "r-add")
    reply = await service.write_stay_note(_note(stay_id, "  Extra towels  "), FRONT_DESK)
    assert (reply.write.state, reply.write.author_user_id) == ("saving", "u-frontdesk")
    assert (reply.write.text, reply.write.note_mews_id, reply.write.base_text) == (
        "Extra towels", None, None,
    )  # fmt: skip
    [write] = await _writes(engine)
    assert (write.write_id, write.reservation_id, write.text) == (
        reply.write.write_id, "r-add", "Extra towels",
    )  # fmt: skip
    assert (write.note_mews_id, write.base_text) == (None, None)
    detail = await _detail(service, stay_id)
    assert [(w.write_id, w.state) for w in detail.note_writes] == [(reply.write.write_id, "saving")]


async def test_a_second_click_returns_the_write_on_its_way(
    service: GuestsService, engine: AsyncEngine
) -> None:
    stay_id = await _stay(service, "r-double")
    first = await service.write_stay_note(_note(stay_id, "Extra towels"), FRONT_DESK)
    again = await service.write_stay_note(_note(stay_id, "Extra towels"), FRONT_DESK)
    assert again.write.write_id == first.write.write_id
    assert len(await _writes(engine)) == 1
    # Another text is another write.
    other = await service.write_stay_note(_note(stay_id, "Extra pillows"), FRONT_DESK)
    assert other.write.write_id != first.write.write_id
    assert len(await _writes(engine)) == 2


async def test_a_change_is_based_on_the_text_the_user_saw(
    service: GuestsService, engine: AsyncEngine
) -> None:
    stay_id = await _stay(service, "r-change")
    reply = await service.write_stay_note(
        _note(stay_id, "Late arrival, 23:00", "n-late"), FRONT_DESK
    )
    # No base given: the text held when the change was made.
    assert reply.write.base_text == "Late arrival"
    [write] = await _writes(engine)
    assert (write.note_mews_id, write.base_text) == ("n-late", "Late arrival")
    seen = await service.write_stay_note(
        _note(stay_id, "Late arrival, midnight", "n-late", base_text="Late"), FRONT_DESK
    )
    assert seen.write.base_text == "Late"


async def test_an_applied_note_is_in_step_and_shows_on_the_stay_at_once(
    service: GuestsService, engine: AsyncEngine
) -> None:
    stay_id = await _stay(service, "r-applied")
    added = await service.write_stay_note(_note(stay_id, "Extra towels"), FRONT_DESK)
    changed = await service.write_stay_note(
        _note(stay_id, "Late arrival, 23:00", "n-late"), FRONT_DESK
    )
    add, change = await _writes(engine)
    assert await service.record_stay_note_result(
        _result(add, "applied", note="n-new", text="Extra towels"), consumer=RESULTS
    )
    assert await service.record_stay_note_result(
        _result(change, "applied", note="n-late", text="Late arrival, 23:00"), consumer=RESULTS
    )
    detail = await _detail(service, stay_id)
    assert _notes(detail) == {"n-late": "Late arrival, 23:00", "n-new": "Extra towels"}
    states = {w.write_id: (w.state, w.note_mews_id) for w in detail.note_writes}
    assert states == {
        added.write.write_id: ("in_step", "n-new"),
        changed.write.write_id: ("in_step", "n-late"),
    }
    # The same report again is taken once.
    assert not await service.record_stay_note_result(
        _result(add, "applied", note="n-new", text="Extra towels"), consumer=RESULTS
    )
    assert len(await _writes(engine)) == 2


async def test_a_conflict_keeps_mews_text_and_shows_both(
    service: GuestsService, engine: AsyncEngine
) -> None:
    stay_id = await _stay(service, "r-conflict")
    await service.write_stay_note(_note(stay_id, "Late arrival, 23:00", "n-late"), FRONT_DESK)
    [write] = await _writes(engine)
    assert await service.record_stay_note_result(
        _result(write, "conflict", note="n-late", text="Arrives tomorrow"), consumer=RESULTS
    )
    detail = await _detail(service, stay_id)
    [shown] = detail.note_writes
    assert (shown.state, shown.text, shown.base_text, shown.mews_text) == (
        "conflict", "Late arrival, 23:00", "Late arrival", "Arrives tomorrow",
    )  # fmt: skip
    # Nothing was written: the stay keeps what Mews held (sync brings Mews's new text).
    assert _notes(detail) == {"n-late": "Late arrival"}
    # Writing again from Mews's text is a new write on its way.
    again = await service.write_stay_note(
        _note(stay_id, "Arrives tomorrow, 23:00", "n-late", base_text="Arrives tomorrow"),
        FRONT_DESK,
    )
    assert again.write.state == "saving"
    assert len(await _writes(engine)) == 2


async def test_a_failed_write_says_why_and_changes_no_note(
    service: GuestsService, engine: AsyncEngine
) -> None:
    stay_id = await _stay(service, "r-failed")
    await service.write_stay_note(_note(stay_id, "Extra towels"), FRONT_DESK)
    [write] = await _writes(engine)
    assert await service.record_stay_note_result(
        _result(write, "failed", failure="Mews refused the note"), consumer=RESULTS
    )
    detail = await _detail(service, stay_id)
    [shown] = detail.note_writes
    assert (shown.state, shown.failure) == ("failed", "Mews refused the note")
    assert _notes(detail) == {"n-late": "Late arrival"}
    # A failed write is not on its way: the same text again is written anew.
    retry = await service.write_stay_note(_note(stay_id, "Extra towels"), FRONT_DESK)
    assert retry.write.write_id != shown.write_id


async def test_a_report_of_an_unknown_write_is_refused(
    service: GuestsService, engine: AsyncEngine
) -> None:
    stay_id = await _stay(service, "r-unknown")
    await service.write_stay_note(_note(stay_id, "Extra towels"), FRONT_DESK)
    [write] = await _writes(engine)
    wrong = msgspec.structs.replace(
        _result(write, "applied", note="n-x", text="Extra towels"), reservation_mews_id="r-other"
    )
    with pytest.raises(Invalid):
        await service.record_stay_note_result(wrong, consumer=RESULTS)
    with pytest.raises(Invalid):
        await service.record_stay_note_result(
            msgspec.structs.replace(wrong, write_id="not-a-uuid"), consumer=RESULTS
        )
    [shown] = (await _detail(service, stay_id)).note_writes
    assert shown.state == "saving"


async def test_callers_are_scoped(service: GuestsService, engine: AsyncEngine) -> None:
    stay_id = await _stay(service, "r-scoped")
    elsewhere = await _stay(service, "r-elsewhere", OTHER_ENT)
    # Another property's stay, asked for as this property's or as its own: no such stay.
    with pytest.raises(NotFound):
        await service.write_stay_note(_note(elsewhere, "Extra towels"), FRONT_DESK)
    with pytest.raises(NotFound):
        await service.write_stay_note(_note(stay_id, "Extra towels"), OTHER_PROPERTY)
    with pytest.raises(NotFound):
        await service.write_stay_note(
            msgspec.structs.replace(_note(stay_id, "Extra towels"), enterprise_id=OTHER_ENT),
            OTHER_PROPERTY,
        )
    # A vendor never writes a stay's notes, whatever permissions it carries.
    with pytest.raises(Forbidden):
        await service.write_stay_note(_note(stay_id, "Extra towels"), VENDOR)
    with pytest.raises(Forbidden):
        await service.write_stay_note(_note(stay_id, "Extra towels"), READ_ONLY)
    # A note the stay does not have, a stay id that is not one, a blank text.
    with pytest.raises(NotFound):
        await service.write_stay_note(_note(stay_id, "Extra towels", "n-none"), FRONT_DESK)
    with pytest.raises(NotFound):
        await service.write_stay_note(_note("not-a-uuid", "Extra towels"), FRONT_DESK)
    with pytest.raises(Invalid):
        await service.write_stay_note(_note(stay_id, "   "), FRONT_DESK)
    assert await _writes(engine) == []
    # Staff who may not read personal details see the stay without its notes' writes.
    await service.write_stay_note(_note(stay_id, "Extra towels"), FRONT_DESK)
    plain = await service.get_stay(
        GetStayRequest(enterprise_id=ENT, stay_id=stay_id),
        Caller(user_id="u-plain", role=UserRole.FRONT_DESK, permissions=("guests:read",),
               enterprise_ids=(ENT,)),
    )  # fmt: skip
    assert (plain.stay.stay_id, plain.note_writes) == (stay_id, ())
    assert len((await _detail(service, stay_id)).note_writes) == 1


async def test_our_note_back_from_mews_after_the_report_is_no_news(
    service: GuestsService, engine: AsyncEngine
) -> None:
    stay_id = await _stay(service, "r-echo-after")
    events = len(await _stay_events(engine))
    added = await service.write_stay_note(_note(stay_id, "Extra towels"), FRONT_DESK)
    [write] = await _writes(engine)
    assert await service.record_stay_note_result(
        _result(write, "applied", note="n-new", text="Extra towels", at=T1), consumer=RESULTS
    )
    # Sync reads the reservation Mews stamped with our note.
    echo = stay("r-echo-after", T1, notes=(LATE, StayNote(mews_id="n-new", text="Extra towels",
                type="General")))  # fmt: skip
    assert await service.upsert_stay(upsert_stay(echo), consumer=C) is Applied.APPLIED
    assert len(await _stay_events(engine)) == events
    detail = await _detail(service, stay_id)
    assert _notes(detail) == {"n-late": "Late arrival", "n-new": "Extra towels"}
    [shown] = detail.note_writes
    assert (shown.write_id, shown.state) == (added.write.write_id, "in_step")
    assert len(await _writes(engine)) == 1
    # Mews staff's next change is news again.
    later = msgspec.structs.replace(echo, mews_updated_utc=T2, resource_name="204")
    assert await service.upsert_stay(upsert_stay(later), consumer=C) is Applied.APPLIED
    assert len(await _stay_events(engine)) == events + 1


async def test_our_note_back_from_mews_before_the_report_is_in_step(
    service: GuestsService, engine: AsyncEngine
) -> None:
    stay_id = await _stay(service, "r-echo-first")
    events = len(await _stay_events(engine))
    added = await service.write_stay_note(_note(stay_id, "Extra towels"), FRONT_DESK)
    changed = await service.write_stay_note(
        _note(stay_id, "Late arrival, 23:00", "n-late"), FRONT_DESK
    )
    echo = stay("r-echo-first", T1, notes=(
        StayNote(mews_id="n-late", text="Late arrival, 23:00", type="General"),
        StayNote(mews_id="n-new", text="Extra towels", type="General"),
    ))  # fmt: skip
    assert await service.upsert_stay(upsert_stay(echo), consumer=C) is Applied.APPLIED
    assert len(await _stay_events(engine)) == events
    detail = await _detail(service, stay_id)
    states = {w.write_id: (w.state, w.note_mews_id) for w in detail.note_writes}
    assert states == {
        added.write.write_id: ("in_step", "n-new"),
        changed.write.write_id: ("in_step", "n-late"),
    }
    # The publisher's reports come after: still in step, the notes as Mews holds them.
    add, change = await _writes(engine)
    assert await service.record_stay_note_result(
        _result(add, "applied", note="n-new", text="Extra towels", at=T1), consumer=RESULTS
    )
    assert await service.record_stay_note_result(
        _result(change, "applied", note="n-late", text="Late arrival, 23:00", at=T1),
        consumer=RESULTS,
    )
    detail = await _detail(service, stay_id)
    assert {w.state for w in detail.note_writes} == {"in_step"}
    assert _notes(detail) == {"n-late": "Late arrival, 23:00", "n-new": "Extra towels"}
    assert len(await _writes(engine)) == 2


async def test_a_version_with_mews_staff_news_besides_our_note_is_announced(
    service: GuestsService, engine: AsyncEngine
) -> None:
    stay_id = await _stay(service, "r-echo-mixed")
    events = len(await _stay_events(engine))
    added = await service.write_stay_note(_note(stay_id, "Extra towels"), FRONT_DESK)
    # Mews staff changed the other note in the version that carries ours.
    mixed = stay("r-echo-mixed", T1, notes=(
        StayNote(mews_id="n-late", text="Arrives tomorrow", type="General"),
        StayNote(mews_id="n-new", text="Extra towels", type="General"),
    ))  # fmt: skip
    assert await service.upsert_stay(upsert_stay(mixed), consumer=C) is Applied.APPLIED
    assert len(await _stay_events(engine)) == events + 1
    [shown] = (await _detail(service, stay_id)).note_writes
    assert (shown.write_id, shown.state) == (added.write.write_id, "in_step")


async def test_a_late_report_does_not_undo_a_newer_mews_text(
    service: GuestsService, engine: AsyncEngine
) -> None:
    stay_id = await _stay(service, "r-late-report")
    await service.write_stay_note(_note(stay_id, "Late arrival, 23:00", "n-late"), FRONT_DESK)
    # Mews staff changed the note again after our write; sync read that before the report.
    newer = stay("r-late-report", T3, notes=(
        StayNote(mews_id="n-late", text="Arrives tomorrow", type="General"),
    ))  # fmt: skip
    assert await service.upsert_stay(upsert_stay(newer), consumer=C) is Applied.APPLIED
    [write] = await _writes(engine)
    assert await service.record_stay_note_result(
        _result(write, "applied", note="n-late", text="Late arrival, 23:00", at=T1),
        consumer=RESULTS,
    )
    detail = await _detail(service, stay_id)
    assert _notes(detail) == {"n-late": "Arrives tomorrow"}
    assert detail.note_writes[0].state == "in_step"


async def test_a_stay_without_writes_of_ours_announces_every_version(
    service: GuestsService, engine: AsyncEngine
) -> None:
    await _stay(service, next_id("r-plain"))
    events = len(await _stay_events(engine))
    snapshot = stay("r-plain-x", T0, notes=(LATE,))
    assert await service.upsert_stay(upsert_stay(snapshot), consumer=C)
    noted = msgspec.structs.replace(
        snapshot, mews_updated_utc=T1,
        notes=(LATE, StayNote(mews_id="n-staff", text="VIP", type="General")),
    )  # fmt: skip
    assert await service.upsert_stay(upsert_stay(noted), consumer=C) is Applied.APPLIED
    assert len(await _stay_events(engine)) == events + 2
