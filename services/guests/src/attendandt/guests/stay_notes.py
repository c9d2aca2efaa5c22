"""Use cases of staff notes on a stay: record one (with its author) and queue its write to
Mews, take the publisher's report of it.

The write, its outbox row and (for a report) the inbox claim commit together, in one
`UnitOfWork` under the reservation's lock. A note Mews
took shows on the stay at once (its `notes` as Mews holds them now), unless we already hold
a version of the stay newer than the write. A note Mews holds with another text than the
user saw is a conflict: nothing was overwritten, and the user sees Mews's text to edit
again from.

Our own note coming back through sync (the stay's next version carries it) is recognised:
a write still on its way whose text the version shows is in step, and a version whose only
news is our notes (shown already, or in step now) is stored without a stay event: public
stay events carry no notes, so it would announce a change by Mews staff that nobody made.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from attendandt.contracts.caller import Caller
from attendandt.contracts.commands import RecordStayNoteResult
from attendandt.contracts.outbound import WRITE_STAY_NOTE, WriteStayNote
from attendandt.contracts.privacy import public_stay
from attendandt.contracts.rpc.guests import (
    CONTACT_READ,
    NOTES_WRITE,
    StayNoteWriteReply,
    StayNoteWriteView,
    WriteStayNoteRequest,
)
from attendandt.contracts.snapshots import StaySnapshot
from attendandt.guests import stay_note_repository as nr
from attendandt.guests.unit_of_work import SqlUnitOfWork, UnitOfWork
from attendandt.platform.rpc import Forbidden, Invalid, NotFound

Clock = Callable[[], datetime]
#: Note writes a stay's detail shows.
WRITES_SHOWN = 20
#: Marks a note on the stay put there from the publisher's report (not yet read from Mews):
#: the stay's next version carrying it unchanged is our write's echo.
WRITTEN_HERE = "written_here"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_STATE_OF_OUTCOME = {"applied": "in_step", "conflict": "conflict", "failed": "failed"}


def _view(row: Any) -> StayNoteWriteView:
    return StayNoteWriteView(
        write_id=row.id,
        note_mews_id=row.note_mews_id,
        text=row.text,
        base_text=row.base_text,
        author_user_id=row.author_user_id,
        created_at=row.created_at,
        state=row.state,
        mews_text=row.mews_text,
        failure=row.failure,
    )


async def writes_of_stay(session: AsyncSession, stay_id: str) -> tuple[StayNoteWriteView, ...]:
    return tuple(_view(r) for r in await nr.writes_of_stay(session, stay_id, WRITES_SHOWN))


class StayNotes:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Clock,
        make_id: Callable[[], str],
        units: Callable[[], UnitOfWork] | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._make_id = make_id
        self._units = units or (lambda: SqlUnitOfWork(sessions))

    async def write_stay_note(
        self, request: WriteStayNoteRequest, caller: Caller
    ) -> StayNoteWriteReply:
        return await write_stay_note(
            self._units(), request, caller, clock=self._clock, make_id=self._make_id
        )

    async def record_result(self, command: RecordStayNoteResult, *, consumer: str) -> bool:
        return await record_result(self._units(), command, consumer=consumer, clock=self._clock)


async def write_stay_note(
    uow: UnitOfWork,
    request: WriteStayNoteRequest,
    caller: Caller,
    *,
    clock: Clock,
    make_id: Callable[[], str],
) -> StayNoteWriteReply:
    """Record the note write and queue it to Mews, in one unit of work; the write already on
    its way when the same text was saved before (a second click)."""
    if not caller.may_act_for(request.enterprise_id):
        raise NotFound(f"no stay {request.stay_id[:60]}")
    if caller.is_vendor or not (caller.can(NOTES_WRITE) and caller.can(CONTACT_READ)):
        raise Forbidden("only hotel staff who may write notes may add or change one")
    try:
        stay_id = str(uuid.UUID(request.stay_id))
    except ValueError as exc:
        raise NotFound(f"no stay {request.stay_id[:60]}") from exc
    text = request.text.strip()
    if not text:
        raise Invalid("a note needs some text")
    now = clock()
    async with uow:
        reply = await _write(uow, request, caller, stay_id, text, now=now, make_id=make_id)
        await uow.commit()
    return reply


async def _write(
    uow: UnitOfWork,
    request: WriteStayNoteRequest,
    caller: Caller,
    stay_id: str,
    text: str,
    *,
    now: datetime,
    make_id: Callable[[], str],
) -> StayNoteWriteReply:
    stay = await uow.note_writes.stay_for_note(request.enterprise_id, stay_id)
    if stay is None:
        raise NotFound(f"no stay {request.stay_id[:60]}")
    await uow.stays.lock(request.enterprise_id, stay.mews_id)
    base = request.base_text
    if request.note_mews_id is not None:
        held = {str(n.get("mews_id")): n for n in stay.notes or () if isinstance(n, dict)}
        if request.note_mews_id not in held:
            raise NotFound(f"no note {request.note_mews_id[:60]} on this stay")
        if base is None:
            base = str(held[request.note_mews_id].get("text") or "")
    same = await uow.note_writes.same_on_its_way(stay_id, request.note_mews_id, text)
    if same is not None:
        # A second click on Save: the write already on its way.
        return StayNoteWriteReply(write=_view(same))
    write_id = make_id()
    values = {
        "id": write_id,
        "enterprise_id": request.enterprise_id,
        "stay_id": stay_id,
        "reservation_mews_id": stay.mews_id,
        "note_mews_id": request.note_mews_id,
        "text": text,
        "base_text": base if request.note_mews_id is not None else None,
        "author_user_id": caller.user_id,
        "state": "saving",
        "created_at": now,
        "updated_at": now,
    }
    row = await uow.note_writes.add(values)
    command = WriteStayNote(
        command_id=f"stay-note:{write_id}",
        enterprise_id=request.enterprise_id,
        write_id=write_id,
        reservation_id=stay.mews_id,
        note_mews_id=request.note_mews_id,
        text=text,
        base_text=values["base_text"],
        requested_at=now,
    )
    await uow.queue(
        WRITE_STAY_NOTE.format(enterprise=request.enterprise_id),
        command,
        msg_id=command.command_id,
    )
    return StayNoteWriteReply(write=_view(row))


async def record_result(
    uow: UnitOfWork, command: RecordStayNoteResult, *, consumer: str, clock: Clock
) -> bool:
    """Take the publisher's report; False when it was taken before."""
    try:
        write_id = str(uuid.UUID(command.write_id))
    except ValueError as exc:
        raise Invalid(f"no note write {command.write_id[:60]}") from exc
    now = clock()
    async with uow:
        taken = await _take_result(uow, command, write_id, consumer=consumer, now=now)
        await uow.commit()
    return taken


async def _take_result(
    uow: UnitOfWork, command: RecordStayNoteResult, write_id: str, *, consumer: str, now: datetime
) -> bool:
    if not await uow.claim(command.command_id, consumer=consumer):
        return False
    await uow.stays.lock(command.enterprise_id, command.reservation_mews_id)
    row = await uow.note_writes.get(command.enterprise_id, write_id)
    if row is None or row.reservation_mews_id != command.reservation_mews_id:
        raise Invalid(f"no note write {write_id} on {command.reservation_mews_id}")
    await uow.note_writes.finish(
        write_id,
        {
            "state": _STATE_OF_OUTCOME[command.outcome],
            "note_mews_id": command.note_mews_id or row.note_mews_id,
            "mews_text": command.mews_text,
            "failure": command.failure_reason,
            "updated_at": now,
        },
    )
    if command.outcome == "applied" and command.note_mews_id and command.mews_text:
        await _show_on_stay(uow, row.stay_id, command)
    return True


async def _show_on_stay(uow: UnitOfWork, stay_id: str, command: RecordStayNoteResult) -> None:
    """The stay's notes as Mews holds them after the write, unless the version of the stay we
    hold is newer than the write (it has the note as Mews holds it now)."""
    held = await uow.note_writes.stay_version(stay_id)
    if command.mews_updated_utc is not None and held > command.mews_updated_utc:
        return
    notes = await uow.note_writes.held_notes(stay_id)
    shown = [dict(n) for n in notes if isinstance(n, dict)]
    updated = command.mews_updated_utc.isoformat() if command.mews_updated_utc else None
    for note in shown:
        if note.get("mews_id") == command.note_mews_id:
            note["text"] = command.mews_text
            note["mews_updated_utc"] = updated
            note[WRITTEN_HERE] = command.write_id
            break
    else:
        shown.append(
            {
                "mews_id": command.note_mews_id,
                "text": command.mews_text,
                "type": "General",
                "mews_updated_utc": updated,
                WRITTEN_HERE: command.write_id,
            }
        )
    await uow.note_writes.show_notes(stay_id, shown)


async def recognise_note_echo(
    uow: UnitOfWork, enterprise_id: str, stay_id: str, stay: StaySnapshot, *, at: datetime
) -> bool:
    """Mews's new version of a stay against our note writes: a write on its way whose text
    the version shows is in step. True when the version's only news is our own notes (no
    other field, no note of Mews staff changed or removed): our write's echo. Call with the
    reservation's lock held, before the version is stored."""
    notes = await uow.note_writes.held_notes(stay_id)
    held = {str(n.get("mews_id")): n for n in notes if isinstance(n, dict)}
    on_their_way = await uow.note_writes.on_their_way(stay_id)
    if not on_their_way and not any(WRITTEN_HERE in n for n in held.values()):
        return False
    taken: set[str] = set()
    ours = mews_news = False
    for note in stay.notes:
        before = held.get(note.mews_id)
        if before is not None and before.get("text") == note.text:
            ours = ours or WRITTEN_HERE in before
            continue
        write = next(
            (
                w
                for w in on_their_way
                if w.id not in taken
                and w.text == note.text
                and (w.note_mews_id == note.mews_id or (w.note_mews_id is None and before is None))
            ),
            None,
        )
        if write is None:
            mews_news = True
            continue
        taken.add(write.id)
        ours = True
        await uow.note_writes.finish(
            write.id,
            {"state": "in_step", "note_mews_id": note.mews_id, "mews_text": note.text,
             "updated_at": at},
        )  # fmt: skip
    if not ours or mews_news or set(held) - {n.mews_id for n in stay.notes}:
        return False
    previous = await uow.stays.snapshot(enterprise_id, stay_id)
    return previous is not None and _without_notes(previous) == _without_notes(stay)


def _without_notes(stay: StaySnapshot) -> StaySnapshot:
    return msgspec.structs.replace(public_stay(stay), mews_updated_utc=_EPOCH)
