"""A poison message on a consumed subject, then a real one: the consumer must survive it.

Plain nats-py (this package does not depend on the contracts): the caller gives the stream,
the durable consumer, the subject, a real message for it and where its dead letters go, and
gets back the dead letters stored for both (the real one has none when it was acked).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from attendandt.contracts.streams import DEAD_LETTERS
from attendandt.testing.polling import eventually

#: The message that once stopped guest sync: about 900 KB, close to NATS's 1 MiB payload
#: limit (its dead letter, body base64-encoded, would not fit), JSON with invalid UTF-8.
POISON = b'{"command_id": "' + b"\xff" * 900_000 + b'"}'


@dataclass(frozen=True)
class Survived:
    poison_seq: int
    real_seq: int
    #: The dead letters stored for each (decoded JSON), by stream sequence.
    poison_letter: dict[str, Any]
    real_letter: dict[str, Any] | None


async def poison_then_real(
    js: JetStreamContext,
    *,
    stream: str,
    durable: str,
    subject: str,
    real: bytes,
    letters_subject: str,
    timeout: float = 30.0,
) -> Survived:
    poison = await js.publish(subject, POISON)
    after = await js.publish(subject, real)

    async def settled() -> bool:
        try:
            info = await js.consumer_info(stream, durable)
        except NotFoundError:  # the service creates its consumers just after it starts
            return False
        return bool(
            info.delivered.stream_seq >= after.seq
            and info.num_pending == 0
            and info.num_ack_pending == 0
        )

    await eventually(settled, timeout=timeout, what=f"{durable} to settle the poison and after")
    letters = await _letters(js, letters_subject)
    assert poison.seq in letters, f"no dead letter for the poison on {subject}"
    return Survived(poison.seq, after.seq, letters[poison.seq], letters.get(after.seq))


async def _letters(js: JetStreamContext, subject: str) -> dict[int, dict[str, Any]]:
    info = await js.stream_info(DEAD_LETTERS.name)
    found: dict[int, dict[str, Any]] = {}
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        try:
            raw = await js.get_msg(DEAD_LETTERS.name, seq)
        except NotFoundError:
            continue
        if raw.subject != subject:
            continue
        letter = json.loads(raw.data or b"")
        if letter.get("stream_sequence") is not None:
            found[int(letter["stream_sequence"])] = letter
    return found


def assert_poison_letter_fits(letter: dict[str, Any], *, max_data: int) -> None:
    """The poison's letter: stored with why, its body cut to `max_data` bytes, and the
    whole body's size and digest."""
    import base64
    import hashlib

    assert letter["reason"].startswith("cannot decode as "), letter["reason"]
    assert letter["truncated"] is True
    assert letter["size"] == len(POISON)
    assert letter["sha256"] == hashlib.sha256(POISON).hexdigest()
    assert base64.b64decode(letter["data"]) == POISON[:max_data]


async def end_task(task: asyncio.Task[Any]) -> None:
    """End a consumer's task as one that died would end. Cancelled again until it is done:
    a cancellation that lands as an inner wait completes can be lost (Python 3.11's
    `asyncio.wait_for`), and the loop would then go on as if nothing happened."""
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=0.1)
