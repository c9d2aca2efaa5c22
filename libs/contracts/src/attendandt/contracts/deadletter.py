"""Dead letters: a message a consumer could not process, kept with the reason.

A letter always fits in one NATS message: a body larger than its writer's bound keeps only
its first bytes (`truncated`), and `size` and `sha256` say what the whole body was.

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
    #: True when `data` is only the first bytes of the body (it was too large to keep whole):
    #: such a letter is not requeued.
    truncated: bool = False
    #: The whole body as it arrived: its length in bytes and its SHA-256 (hex).
    size: int | None = None
    sha256: str | None = None


#: How much of a body a dead letter keeps (its JSON carries it base64-encoded, and the
#: whole letter must stay well under NATS's default 1 MiB payload limit).
DEAD_LETTER_MAX_DATA = 64 * 1024

DEAD_LETTER = Subject("deadletter.v1.{service}.{consumer}", DeadLetter)
