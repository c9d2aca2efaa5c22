"""Dead letters: a message a consumer could not process, kept whole with the reason.

On `deadletter.v1.<service>.<consumer>`, stream DEAD_LETTERS. `attendandt dlq` lists, shows
and requeues them (a requeue republishes `data` with `headers` to `subject`).

Secrets never stay in a letter: its writer masks tokens, passwords and keys in `data`,
`headers` and `reason` (`redacted` says it did, and such a letter is not requeued as is:
its secrets are gone).
"""

from __future__ import annotations

from datetime import datetime

from attendandt.contracts.base import Payload, Subject


class DeadLetter(Payload, frozen=True, kw_only=True):
    SCHEMA = "deadletter"

    service: str
    consumer: str
    subject: str
    #: The original body as it arrived (base64 in JSON), whatever it was.
    data: bytes
    headers: dict[str, str] = {}
    reason: str
    error_type: str
    stream: str | None = None
    stream_sequence: int | None = None
    delivery_count: int = 1
    failed_at: datetime
    #: True when secrets were masked in `data`, `headers` or `reason` before it was stored.
    redacted: bool = False


DEAD_LETTER = Subject("deadletter.v1.{service}.{consumer}", DeadLetter)
