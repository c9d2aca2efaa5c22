"""A stay's notes as staff read them, and the notes staff add or change here (`write_stay_note`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from attendandt.contracts.base import Payload, RpcMethod
from attendandt.contracts.rpc.guests.parts import _Part


class StayNoteView(_Part, frozen=True, kw_only=True):
    """A note on a stay, as staff read it (Mews note types: General, ChannelManager,
    SpecialRequest)."""

    text: str
    type: str
    #: The note's id in Mews: what a change of it names.
    mews_id: str | None = None


#: A staff note write: on its way to Mews (`saving`), there (`in_step`), not written because
#: Mews holds another text than the user saw (`conflict`), refused or never reached (`failed`).
NoteWriteState = Literal["saving", "in_step", "conflict", "failed"]


class StayNoteWriteView(_Part, frozen=True, kw_only=True):
    """A note a user added or changed here, with its author and where it is."""

    write_id: str
    #: The note changed (None: a new note, until Mews gave it an id).
    note_mews_id: str | None = None
    text: str
    #: What the user saw of the note they changed (None for a new note).
    base_text: str | None = None
    author_user_id: str
    created_at: datetime
    state: NoteWriteState
    #: Mews's text in a conflict.
    mews_text: str | None = None
    failure: str | None = None


class WriteStayNoteRequest(Payload, frozen=True, kw_only=True):
    """Add a note to a stay (`note_mews_id` None) or change one, as the user saw it
    (`base_text`): recorded with its author and written to Mews once."""

    SCHEMA = "guests.write_stay_note_request"
    enterprise_id: str
    stay_id: str
    note_mews_id: str | None = None
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=5000)]
    base_text: str | None = None


class StayNoteWriteReply(Payload, frozen=True, kw_only=True):
    SCHEMA = "guests.stay_note_write"
    write: StayNoteWriteView


WRITE_STAY_NOTE = RpcMethod("guests", "write_stay_note", WriteStayNoteRequest, StayNoteWriteReply)
