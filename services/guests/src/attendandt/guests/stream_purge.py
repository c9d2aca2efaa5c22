"""Deleting one guest's messages from the streams (the `event-streams` part of an erasure).

JetStream cannot rewrite a stored message and the subjects are per property, not per guest,
so each message of the guest is found by walking the property's guest subjects
(`STREAM.MSG.GET` with `next_by_subj`) and deleted by its sequence (`STREAM.MSG.DELETE`).
Deleting a message that is already gone is no error: a purge run twice deletes nothing the
second time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import msgspec
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from attendandt.contracts.base import decode
from attendandt.contracts.deadletter import DeadLetter
from attendandt.contracts.events import GUEST_EVENT, RESTRICTED_GUEST_EVENT
from attendandt.contracts.streams import ATTENDANDT_EVENTS, ATTENDANDT_RESTRICTED, DEAD_LETTERS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GuestMarks:
    """What identifies the guest in a message: its ids always; its email and phone while
    they are still known (before the tables forget them)."""

    guest_id: str
    mews_id: str | None
    email: str | None = None
    phone: str | None = None

    def needles(self) -> list[bytes]:
        found = [self.guest_id, self.mews_id, self.email, self.phone]
        return [value.lower().encode() for value in found if value and len(value) >= 5]

    def in_bytes(self, data: bytes) -> bool:
        lowered = data.lower()
        return any(needle in lowered for needle in self.needles())


class _GuestOf(msgspec.Struct, forbid_unknown_fields=False):
    guest_id: str | None = None


async def purge_guest(
    js: JetStreamContext, enterprise_id: str, marks: GuestMarks
) -> dict[str, int]:
    """Delete the guest's public and restricted guest events and the dead letters naming it;
    how many of each."""

    def names_guest(data: bytes) -> bool:
        try:
            found = msgspec.json.decode(data, type=_GuestOf)
        except msgspec.MsgspecError:
            return marks.in_bytes(data)
        return found.guest_id == marks.guest_id or marks.in_bytes(data)

    def letter_names_guest(data: bytes) -> bool:
        try:
            letter = decode(data, DeadLetter)
        except msgspec.MsgspecError:
            return marks.in_bytes(data)
        headers = " ".join(letter.headers.values()).encode()
        return marks.in_bytes(letter.data) or marks.in_bytes(headers)

    public = GUEST_EVENT.filter(enterprise=enterprise_id)
    restricted = RESTRICTED_GUEST_EVENT.filter(enterprise=enterprise_id)
    return {
        ATTENDANDT_EVENTS.name: await _delete_matching(
            js, ATTENDANDT_EVENTS.name, public, names_guest, keep_suffix=".erased"
        ),
        ATTENDANDT_RESTRICTED.name: await _delete_matching(
            js, ATTENDANDT_RESTRICTED.name, restricted, names_guest
        ),
        DEAD_LETTERS.name: await _delete_matching(
            js, DEAD_LETTERS.name, "deadletter.v1.>", letter_names_guest
        ),
    }


async def _delete_matching(
    js: JetStreamContext,
    stream: str,
    subject: str,
    matches: Callable[[bytes], bool],
    *,
    keep_suffix: str | None = None,
) -> int:
    try:
        info = await js.stream_info(stream)
    except NotFoundError:
        return 0
    seq = max(info.state.first_seq, 1)
    last = info.state.last_seq
    deleted = 0
    while seq <= last:
        try:
            msg = await js.get_msg(stream, seq, subject=subject, next=True)
        except NotFoundError:
            break
        if msg.seq is None:
            break
        keep = keep_suffix is not None and (msg.subject or "").endswith(keep_suffix)
        if not keep and matches(msg.data or b""):
            try:
                await js.delete_msg(stream, msg.seq)
                deleted += 1
            except NotFoundError:
                pass  # gone meanwhile (its age, another purge): the same outcome
        seq = msg.seq + 1
    if deleted:
        log.info("guest's messages deleted", extra={"stream": stream, "deleted": deleted})
    return deleted
