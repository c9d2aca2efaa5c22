"""Staff notes on stays written to the simulator: added once, also when Mews's answer is
lost; a change written only over the text the user saw, a change made in Mews meanwhile is
a conflict, never overwritten."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from publisher_testkit import Hotel, sim_client, wait_for

from attendandt.contracts.base import decode
from attendandt.contracts.commands import RECORD_STAY_NOTE_RESULT, RecordStayNoteResult
from attendandt.contracts.outbound import WRITE_STAY_NOTE, WriteStayNote
from attendandt.mews.models.service_order_notes import (
    ServiceOrderNote,
    ServiceOrderNotesGetAll,
    ServiceOrderNoteType,
)
from attendandt.mews_publisher.app import PublisherApp
from attendandt.platform.messaging import publish


def note(
    h: Hotel,
    reservation_id: str,
    text: str,
    *,
    note_id: str | None = None,
    base: str | None = None,
) -> WriteStayNote:
    write_id = str(uuid.uuid4())
    return WriteStayNote(
        command_id=f"stay-note:{write_id}",
        enterprise_id=h.enterprise_id,
        write_id=write_id,
        reservation_id=reservation_id,
        note_mews_id=note_id,
        text=text,
        base_text=base,
        requested_at=datetime.now(UTC),
    )


async def send(js: JetStreamContext, command: WriteStayNote, msg_id: str | None = None) -> None:
    await publish(
        js,
        WRITE_STAY_NOTE,
        command,
        msg_id=msg_id or command.command_id,
        enterprise=command.enterprise_id,
    )


async def note_results(js: JetStreamContext) -> list[RecordStayNoteResult]:
    try:
        info = await js.stream_info("DOMAIN_COMMANDS")
    except NotFoundError:
        return []
    found: list[RecordStayNoteResult] = []
    if not info.state.messages:
        return found
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        try:
            msg = await js.get_msg("DOMAIN_COMMANDS", seq)
        except NotFoundError:
            continue
        if msg.subject == RECORD_STAY_NOTE_RESULT.format():
            found.append(decode(msg.data or b"", RecordStayNoteResult))
    return found


async def result_of(js: JetStreamContext, command: WriteStayNote) -> RecordStayNoteResult:
    async def found() -> RecordStayNoteResult | None:
        return next((r for r in await note_results(js) if r.write_id == command.write_id), None)

    result: RecordStayNoteResult = await wait_for(found, what="the note's result")
    return result


async def notes_in_mews(mews_sim: Any, reservation_id: str) -> list[ServiceOrderNote]:
    async with sim_client(mews_sim) as mews:
        request = ServiceOrderNotesGetAll(
            service_order_ids=[reservation_id], types=list(ServiceOrderNoteType.ALL)
        )
        return await mews.get_service_order_notes(request).collect()


async def reservation(mews_sim: Any, h: Hotel) -> str:
    made = await asyncio.to_thread(
        mews_sim.control.create_reservation, enterprise_id=h.enterprise_id
    )
    return str(made["Id"])


def adds(mews_sim: Any) -> int:
    return int(mews_sim.control.counters()["requests_by_path"].get("serviceOrderNotes/add", 0))


async def test_a_new_note_is_added_once(
    publisher: PublisherApp, jetstream: JetStreamContext, gross: Hotel, mews_sim
) -> None:
    stay = await reservation(mews_sim, gross)
    before = adds(mews_sim)
    command = note(gross, stay, "Late arrival, around 23:00")
    await send(jetstream, command)
    result = await result_of(jetstream, command)
    [stored] = [n for n in await notes_in_mews(mews_sim, stay) if n.text == command.text]
    assert (result.outcome, result.note_mews_id, result.mews_text) == (
        "applied",
        stored.id,
        "Late arrival, around 23:00",
    )
    assert adds(mews_sim) == before + 1

    # The same command again (another message id): nothing added, no second result.
    await send(jetstream, command, msg_id=f"{command.command_id}:again")
    await asyncio.sleep(0.5)  # the time a wrong second add would take
    assert adds(mews_sim) == before + 1
    assert len([r for r in await note_results(jetstream) if r.write_id == command.write_id]) == 1


async def test_a_lost_answer_is_looked_up_not_added_again(
    publisher: PublisherApp, jetstream: JetStreamContext, gross: Hotel, mews_sim
) -> None:
    stay = await reservation(mews_sim, gross)
    before = adds(mews_sim)
    mews_sim.control.lose_response(path="serviceOrderNotes/add", mode="drop")
    command = note(gross, stay, "Allergic to feathers: foam pillows")
    await send(jetstream, command)
    result = await result_of(jetstream, command)
    ours = [n for n in await notes_in_mews(mews_sim, stay) if n.text == command.text]
    assert len(ours) == 1
    assert (result.outcome, result.note_mews_id) == ("applied", ours[0].id)
    assert adds(mews_sim) == before + 1


async def test_a_change_is_written_over_what_the_user_saw_and_a_newer_text_is_a_conflict(
    publisher: PublisherApp, jetstream: JetStreamContext, gross: Hotel, mews_sim
) -> None:
    stay = await reservation(mews_sim, gross)
    made = await asyncio.to_thread(mews_sim.control.add_note, stay, "Late arrival")
    note_id = made["Id"]

    change = note(gross, stay, "Late arrival, around 23:00", note_id=note_id, base="Late arrival")
    await send(jetstream, change)
    result = await result_of(jetstream, change)
    assert (result.outcome, result.note_mews_id, result.mews_text) == (
        "applied",
        note_id,
        "Late arrival, around 23:00",
    )

    # Hotel staff change it in Mews; our user still saw the text before.
    await asyncio.to_thread(mews_sim.control.update_note, note_id, "Arrives tomorrow instead")
    updates = mews_sim.control.counters()["requests_by_path"].get("serviceOrderNotes/update", 0)
    stale = note(gross, stay, "Late arrival, after midnight", note_id=note_id, base=change.text)
    await send(jetstream, stale)
    result = await result_of(jetstream, stale)
    assert (result.outcome, result.mews_text) == ("conflict", "Arrives tomorrow instead")
    [kept] = [n for n in await notes_in_mews(mews_sim, stay) if n.id == note_id]
    assert kept.text == "Arrives tomorrow instead"
    assert (
        mews_sim.control.counters()["requests_by_path"].get("serviceOrderNotes/update", 0)
        == updates
    )


async def test_a_note_mews_does_not_hold_is_reported_failed(
    publisher: PublisherApp, jetstream: JetStreamContext, gross: Hotel, mews_sim
) -> None:
    stay = await reservation(mews_sim, gross)
    command = note(gross, stay, "New text", note_id=str(uuid.uuid4()), base="Old")
    await send(jetstream, command)
    result = await result_of(jetstream, command)
    assert (result.outcome, result.failure_reason) == ("failed", "the note is not in Mews")
