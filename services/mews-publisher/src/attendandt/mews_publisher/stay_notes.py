"""A staff note on a stay written to Mews once: `serviceOrderNotes/add` for a new note,
`serviceOrderNotes/update` for a change of one.

- One worker per reservation at a time (advisory lock); a handled command is in the inbox.
- Every attempt is in the ledger as "sending", committed before the request leaves.
- An add left "sending" (the process died) or "unknown" (timeout, lost answer, 5xx) is
  looked up once it settled, before anything is sent again: `serviceOrderNotes/add` has no
  idempotency key, so the lookup reads the reservation's notes and takes one with our text
  made since our first send (less a margin for clocks) as ours. Found → applied with that
  note; not found → sent again.
- A change reads the note first, every delivery: Mews holding our text → applied (an earlier
  attempt got there); holding what the user saw → written; anything else → a conflict,
  nothing overwritten. `serviceOrderNotes/update` sets a text (idempotent by value), so a
  lost write that still lands after the read that decided to send again sets the same text.

The result goes back to guests as RecordStayNoteResult, in the transaction that records the
outcome, with the inbox claim. Mews calls: an add is one call (two after an unknown
outcome); a change is a read and a write.
"""

from __future__ import annotations

import logging
from datetime import datetime

from attendandt.contracts.commands import (
    RECORD_STAY_NOTE_RESULT,
    RecordStayNoteResult,
    StayNoteOutcome,
)
from attendandt.contracts.outbound import WriteStayNote
from attendandt.mews import MewsError, MewsOutcomeUnknown, MewsUnauthorized
from attendandt.mews.models.common import StringUpdateValue
from attendandt.mews.models.service_order_notes import (
    ServiceOrderNote,
    ServiceOrderNoteParameters,
    ServiceOrderNotesAdd,
    ServiceOrderNotesGetAll,
    ServiceOrderNotesUpdate,
    ServiceOrderNoteType,
    ServiceOrderNoteUpdateParameters,
)
from attendandt.mews_publisher.enterprises import EnterpriseLink
from attendandt.mews_publisher.service import LOOKUP_MARGIN, PERMANENT, Retry, _message
from attendandt.mews_publisher.writes import MewsWrites, give_up_reason, mews_answer

log = logging.getLogger(__name__)

WRITE_STAY_NOTE_CONSUMER = "mews-publisher-write-stay-note"


class StayNoteService(MewsWrites):
    async def write_note(self, c: WriteStayNote, *, last_delivery: bool = False) -> None:
        """Write `c` once. Raises `Retry` (or another exception) to come back later; on the
        `last_delivery` a transient failure is reported as failed."""
        await self.once(
            f"notes:{c.enterprise_id}:{c.reservation_id}",
            c.command_id,
            consumer=WRITE_STAY_NOTE_CONSUMER,
            busy=f"reservation {c.reservation_id} is being written by another worker",
            write=lambda: self._write_locked(c),
            give_up=lambda exc: self._give_up(c, exc),
            last_delivery=last_delivery,
        )

    async def _give_up(self, c: WriteStayNote, exc: Exception) -> None:
        reason = give_up_reason(exc)
        log.error("giving up on note write %s: %s", c.write_id, reason[:300])
        await self._report(c, "failed", failure_reason=reason[:2000])

    async def _write_locked(self, c: WriteStayNote) -> None:
        link = self.enterprises.link(c.enterprise_id)
        async with self.units() as uow:
            previous = await uow.note_writes.get(c.command_id)
        if previous is not None and previous.state in ("sending", "unknown"):
            since = self.clock() - (previous.sent_at or self.clock())
            if since < self.settle:
                raise Retry(f"note write {c.write_id} was sent {since} ago; too early to look up")
            if c.note_mews_id is None:
                assert previous.first_sent_at is not None
                found = await self._look_up_added(link, c, previous.first_sent_at)
                if found is not None:
                    log.info("note write %s found in Mews (note %s)", c.write_id, found.id)
                    await self._report(c, "applied", note=found, ledger_state="applied")
                    return
                async with self.units() as uow:
                    await uow.note_writes.finish(
                        c.command_id,
                        {"state": "not_sent", "mews_message": "not found in Mews when looked up"},
                    )
                    await uow.commit()
        if c.note_mews_id is None:
            await self._add(link, c)
            return
        note = await self._read_note(link, c, c.note_mews_id)
        if note is None:
            await self._report(
                c, "failed", failure_reason="the note is not in Mews", ledger_state="failed"
            )
            return
        if (note.text or "") == c.text:
            await self._report(c, "applied", note=note, ledger_state="applied")
        elif (note.text or "") == (c.base_text or ""):
            await self._update(link, c, c.note_mews_id)
        else:
            await self._report(c, "conflict", note=note, ledger_state="conflict")

    # --- Mews ----------------------------------------------------------------------------

    async def _add(self, link: EnterpriseLink, c: WriteStayNote) -> None:
        request = ServiceOrderNotesAdd(
            service_order_notes=[
                ServiceOrderNoteParameters(service_order_id=c.reservation_id, text=c.text)
            ]
        )
        await self._start(c)
        try:
            notes = await link.client.add_service_order_notes(request)
        except MewsError as exc:
            await self._refused_or_retry(c, exc)
            return
        await self._answered(c, notes)

    async def _update(self, link: EnterpriseLink, c: WriteStayNote, note_id: str) -> None:
        request = ServiceOrderNotesUpdate(
            service_order_note_updates=[
                ServiceOrderNoteUpdateParameters(
                    service_order_note_id=note_id, text=StringUpdateValue(c.text)
                )
            ]
        )
        await self._start(c)
        try:
            notes = await link.client.update_service_order_notes(request)
        except MewsError as exc:
            await self._refused_or_retry(c, exc)
            return
        await self._answered(c, notes)

    async def _start(self, c: WriteStayNote) -> None:
        async with self.units() as uow:
            await uow.note_writes.start(
                {
                    "command_id": c.command_id,
                    "enterprise_id": c.enterprise_id,
                    "reservation_id": c.reservation_id,
                    "write_id": c.write_id,
                    "note_id": c.note_mews_id,
                    "sent_at": self.clock(),
                }
            )
            await uow.commit()
        # Committed: from here a crash leaves "sending", and the next delivery looks it up.

    async def _answered(self, c: WriteStayNote, notes: list[ServiceOrderNote]) -> None:
        note = next((n for n in notes if n.order_id in (None, c.reservation_id)), None)
        await self._report(c, "applied", note=note, ledger_state="applied")
        log.info("note write %s on reservation %s written to Mews", c.write_id, c.reservation_id)

    async def _refused_or_retry(self, c: WriteStayNote, exc: MewsError) -> None:
        if isinstance(exc, PERMANENT):
            log.warning("Mews refused note write %s: %s", c.write_id, exc)
            await self._report(
                c, "failed", failure_reason=_message(exc), ledger_state="failed", exc=exc
            )
            return
        state = "unknown" if isinstance(exc, MewsOutcomeUnknown) else "not_sent"
        async with self.units() as uow:
            await uow.note_writes.finish(
                c.command_id,
                {"state": state, **mews_answer(exc)},
            )
            await uow.commit()
        if isinstance(exc, MewsUnauthorized):
            raise self.token_refused(c.enterprise_id, exc) from exc
        raise Retry(f"note write {c.write_id}: {state} ({exc})") from exc

    async def _notes(
        self, link: EnterpriseLink, c: WriteStayNote, note_ids: list[str] | None
    ) -> list[ServiceOrderNote]:
        request = ServiceOrderNotesGetAll(
            service_order_ids=[c.reservation_id],
            service_order_note_ids=note_ids,
            types=list(ServiceOrderNoteType.ALL),
        )
        try:
            return await link.client.get_service_order_notes(request).collect()
        except MewsUnauthorized as exc:
            raise self.token_refused(c.enterprise_id, exc) from exc
        except PERMANENT:
            return []
        except MewsError as exc:
            raise Retry(f"cannot read the notes of {c.reservation_id}: {exc}") from exc

    async def _read_note(
        self, link: EnterpriseLink, c: WriteStayNote, note_id: str
    ) -> ServiceOrderNote | None:
        found = await self._notes(link, c, [note_id])
        return next((n for n in found if n.id == note_id), None)

    async def _look_up_added(
        self, link: EnterpriseLink, c: WriteStayNote, first_sent: datetime
    ) -> ServiceOrderNote | None:
        """A note with our text on the reservation made since our first send, if any."""
        since = first_sent - LOOKUP_MARGIN
        for note in await self._notes(link, c, None):
            made = note.created_utc or note.updated_utc
            if (note.text or "") == c.text and made is not None and made >= since:
                return note
        return None

    # --- the result ----------------------------------------------------------------------

    async def _report(
        self,
        c: WriteStayNote,
        outcome: StayNoteOutcome,
        *,
        note: ServiceOrderNote | None = None,
        failure_reason: str | None = None,
        ledger_state: str | None = None,
        exc: MewsError | None = None,
    ) -> None:
        command_id = f"stay-note-result:{c.command_id}"
        result = RecordStayNoteResult(
            command_id=command_id,
            enterprise_id=c.enterprise_id,
            issued_at=self.clock(),
            write_id=c.write_id,
            reservation_mews_id=c.reservation_id,
            outcome=outcome,
            note_mews_id=note.id if note is not None else c.note_mews_id,
            mews_text=note.text if note is not None else None,
            mews_updated_utc=note.updated_utc if note is not None else None,
            failure_reason=failure_reason,
        )
        async with self.units() as uow:
            if not await uow.claim(c.command_id, consumer=WRITE_STAY_NOTE_CONSUMER):
                return
            if ledger_state is not None:
                values: dict[str, object] = {"state": ledger_state}
                if note is not None:
                    values["note_id"] = note.id
                if exc is not None:
                    values["mews_message"] = _message(exc)
                    values["mews_request_id"] = exc.request_id
                await uow.note_writes.finish(c.command_id, values)
            await uow.queue(RECORD_STAY_NOTE_RESULT.format(), result, msg_id=command_id)
            await uow.commit()
