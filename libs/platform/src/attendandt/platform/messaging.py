"""Publishing contract payloads to JetStream, and dead letters for what cannot be processed."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import nats.errors
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import PubAck

from attendandt.contracts import headers as h
from attendandt.contracts.base import Payload, Subject, encode
from attendandt.contracts.deadletter import DEAD_LETTER, DEAD_LETTER_MAX_DATA, DeadLetter
from attendandt.platform import metrics
from attendandt.platform.logging import redact_body, redact_text, redact_value
from attendandt.platform.settings import NatsSettings
from attendandt.platform.telemetry import inject, producer_span

log = logging.getLogger(__name__)

P = TypeVar("P", bound=Payload)

#: Bounds on what a dead letter keeps besides the body, so that whatever arrived (an
#: exception text quoting the input, a hostile header) the letter fits in one message.
_MAX_REASON = 4096
_MAX_HEADER_VALUE = 1024
_MAX_HEADERS = 64


async def connect(settings: NatsSettings, name: str) -> NatsClient:
    """A NATS connection that keeps reconnecting: a broker restart must not kill a service."""
    client = NatsClient()

    async def on_error(exc: Exception) -> None:
        log.warning("nats error: %s", exc)

    async def on_disconnected() -> None:
        # Also called when we close the connection ourselves (the client is closed by then):
        # nothing to say then, a command that succeeded must not end with a warning.
        if not client.is_closed:
            log.warning("nats disconnected; reconnecting")

    async def on_reconnected() -> None:
        log.info("nats reconnected")

    await client.connect(
        settings.servers,
        name=name,
        max_reconnect_attempts=-1,
        # nats-py annotates it as int, yet waits any number of seconds.
        reconnect_time_wait=0.5,  # type: ignore[arg-type]
        error_cb=on_error,
        disconnected_cb=on_disconnected,
        reconnected_cb=on_reconnected,
        **connect_options(settings),
    )
    return client


def connect_options(settings: NatsSettings) -> dict[str, Any]:
    """Credentials, TLS and the inbox prefix for `nats.connect` (a user reads only its own
    inbox: `contracts.permissions`)."""
    options: dict[str, Any] = {"inbox_prefix": settings.inbox_prefix}
    if settings.user is not None:
        options["user"] = settings.user
        options["password"] = settings.password
    context = settings.ssl_context()
    if context is not None:
        options["tls"] = context
    return options


def message_headers(
    payload: Payload,
    *,
    msg_id: str | None,
    correlation_id: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The standard headers: de-duplication id, schema, correlation id, trace context."""
    headers: dict[str, str] = dict(extra or {})
    if msg_id is not None:
        headers[h.MSG_ID] = msg_id
    headers[h.SCHEMA] = payload.schema_id()
    headers[h.CORRELATION_ID] = correlation_id or headers.get(h.CORRELATION_ID) or uuid.uuid4().hex
    return inject(headers)


async def publish(
    js: JetStreamContext,
    subject: Subject[P],
    payload: P,
    *,
    msg_id: str | None,
    correlation_id: str | None = None,
    ack_timeout: float = 5.0,
    **parts: str,
) -> PubAck:
    """Publish `payload` on `subject` (its parts filled from `parts`) and wait for the store."""
    name = subject.format(**parts)
    return await _publish_on(
        js, name, payload, msg_id, correlation_id=correlation_id, ack_timeout=ack_timeout
    )


async def _publish_on(
    js: JetStreamContext,
    name: str,
    payload: Payload,
    msg_id: str | None,
    *,
    correlation_id: str | None = None,
    ack_timeout: float = 5.0,
) -> PubAck:
    with producer_span(name):
        headers = message_headers(payload, msg_id=msg_id, correlation_id=correlation_id)
        return await js.publish(name, encode(payload), headers=headers, timeout=ack_timeout)


class NotStored(Exception):
    """JetStream did not store a message (`publish_stored`): refused, or no ack in time."""


async def publish_stored(
    js: JetStreamContext,
    messages: Sequence[tuple[str, bytes, dict[str, str]]],
    *,
    timeout: float = 5.0,
) -> None:
    """Publish each (subject, body, headers) to JetStream and wait until every one is stored.

    The acks come back on one inbox subscription for the whole batch, not on a request each
    (a request costs a future and a timer per message, which at thousands of messages a
    second costs more than the publish). Raises `NotStored` when one was refused (no stream,
    a stream limit) or its ack did not come within `timeout`: the caller sends the batch
    again, and each message's Nats-Msg-Id makes a repeat a no-op."""
    if not messages:
        return
    nc = js._nc  # nats-py's JetStream context keeps its client here
    inbox = nc.new_inbox()
    acked: set[str] = set()
    refused: list[str] = []
    all_in = asyncio.Event()

    async def on_ack(msg: Msg) -> None:
        index = msg.subject.rsplit(".", 1)[1]
        status = (msg.headers or {}).get("Status")
        if status is not None:
            refused.append(f"{index}: status {status}")
        elif not _stored(msg.data):
            ack = json.loads(msg.data or b"{}")
            refused.append(f"{index}: {ack.get('error', ack)}")
        acked.add(index)
        if len(acked) == len(messages):
            all_in.set()

    sub = await nc.subscribe(f"{inbox}.*", cb=on_ack)
    try:
        await _publish_in_order(
            nc, [(subject, body, f"{inbox}.{i}", headers) for i, (subject, body, headers) in
                 enumerate(messages)]
        )  # fmt: skip
        try:
            await asyncio.wait_for(all_in.wait(), timeout)
        except TimeoutError:
            raise NotStored(f"{len(messages) - len(acked)} of {len(messages)} not acked") from None
    finally:
        await sub.unsubscribe()
    if refused:
        raise NotStored(f"{len(refused)} refused: {', '.join(refused[:3])}")


#: What may not be in a subject (nats-py's check: the protocol line would break) and what a
#: header name may be made of (RFC 7230 token, as nats-py checks).
_NOT_IN_SUBJECT = re.compile(r"[\s]")
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_NEWLINES = str.maketrans({"\r": " ", "\n": " "})


async def _publish_in_order(
    nc: NatsClient, messages: Sequence[tuple[str, bytes, str, Mapping[str, str]]]
) -> None:
    """`nc.publish` each (subject, body, reply, headers), in order, the protocol commands
    built here and handed to the client together: nats-py builds a header block with a
    regex and three copies per header and hands each command over in a coroutine of its
    own, which took most of a relay's time. A message out of the ordinary (too large, a
    subject or header name nats-py would refuse), or all of them while the client is not
    connected, go through nats-py's own publish, which says what is wrong or buffers while
    it reconnects; the checks are nats-py's."""
    usual = nc.is_connected and not nc.is_draining_pubs
    limit = nc.max_payload
    commands: list[bytes] = []
    sizes = 0
    for subject, body, reply, headers in messages:
        command = _command(subject, body, reply, headers, limit) if usual else None
        if command is not None:
            commands.append(command)
            sizes += len(body)
            continue
        await _hand_over(nc, commands, sizes)  # those before it first
        commands, sizes = [], 0
        await nc.publish(subject, body, reply=reply, headers=dict(headers) or None)
    await _hand_over(nc, commands, sizes)


def _command(
    subject: str, body: bytes, reply: str, headers: Mapping[str, str], limit: int
) -> bytes | None:
    """The HPUB command nats-py would send, or None when nats-py should say what is wrong."""
    if (
        len(body) > limit
        or not (subject in _VALID_SUBJECTS or _subject_valid(subject, remember=bool(headers)))
        or _NOT_IN_SUBJECT.search(reply)
        or not _header_names_valid(headers)
    ):
        return None
    if not headers:
        return b"PUB %s %s %d\r\n%s\r\n" % (subject.encode(), reply.encode(), len(body), body)
    lines = ["NATS/1.0\r\n"]
    for name, given in headers.items():
        value = given.strip()
        if "\r" in value or "\n" in value:
            value = value.translate(_NEWLINES)
        lines.append(f"{name}: {value}\r\n")
    lines.append("\r\n")
    head = "".join(lines).encode()
    size = len(head)
    return b"HPUB %s %s %d %d\r\n%s%s\r\n" % (
        subject.encode(),
        reply.encode(),
        size,
        size + len(body),
        head,
        body,
    )


async def _hand_over(nc: NatsClient, commands: list[bytes], sizes: int) -> None:
    """What nats-py's `_send_publish` does with a command it built, for all of them."""
    if not commands:
        return
    nc.stats["out_msgs"] += len(commands)
    nc.stats["out_bytes"] += sizes
    await nc._send_command(b"".join(commands))
    if nc._flush_queue is not None and nc._flush_queue.empty():
        await nc._flush_pending()


async def ack_all(msgs: Sequence[Msg]) -> None:
    """`msg.ack()` each JetStream message (not confirmed), in order, the acks handed to the
    client together (`_publish_in_order`). Raises as `ack` would (a message acknowledged
    already, one that is not JetStream's, a closed connection): the caller then settles the
    messages one by one."""
    if not msgs:
        return
    for msg in msgs:
        msg._check_reply()  # nats-py's own check: a reply subject, not acknowledged yet
    nc = msgs[0]._client
    if any(msg._client is not nc for msg in msgs):
        raise ValueError("messages of different connections")
    # An empty body, as nats-py's `ack` sends it.
    await _publish_in_order(nc, [(msg.reply, b"", "", {}) for msg in msgs])
    for msg in msgs:
        msg._ackd = True


#: Subjects checked already: the events' (a few per hotel), not the acks' (one a message).
_VALID_SUBJECTS: set[str] = set()


def _subject_valid(subject: str, *, remember: bool) -> bool:
    if not subject or _NOT_IN_SUBJECT.search(subject):
        return False
    if remember and len(_VALID_SUBJECTS) < 65536:
        _VALID_SUBJECTS.add(subject)
    return True


#: Header names checked already (a handful: the standard headers and the trace context).
_VALID_NAMES: set[str] = set()


def _header_names_valid(headers: Mapping[str, str]) -> bool:
    for name in headers:
        if name not in _VALID_NAMES:
            if not _HEADER_NAME.fullmatch(name):
                return False
            if len(_VALID_NAMES) < 1024:
                _VALID_NAMES.add(name)
    return True


def _stored(ack: bytes) -> bool:
    """Whether a JetStream publish ack says stored (`{"stream": …, "seq": …}`) rather than
    refused (`{"error": …}`), told without parsing it: thousands come a second."""
    return b'"seq":' in ack and b'"error":' not in ack


#: `publish_all`: how many publishes may wait for their ack at once, and how often one whose
#: ack did not come is sent again. A sweep's page is a thousand changes; sent all at once on a
#: loaded machine, the last acks come after their timeout.
PUBLISH_IN_FLIGHT = 100
PUBLISH_ATTEMPTS = 5


async def publish_all(
    js: JetStreamContext,
    subject: Subject[P],
    payloads: Sequence[P],
    *,
    msg_id: Callable[[P], str],
    parts: Callable[[P], Mapping[str, str]],
    in_flight: int = PUBLISH_IN_FLIGHT,
    attempts: int = PUBLISH_ATTEMPTS,
) -> list[PubAck]:
    """Publish every payload and wait until each is stored, in order of `payloads`.

    At most `in_flight` wait for their ack at once. One whose ack did not come is published
    again, up to `attempts` times in all: its Nats-Msg-Id makes the repeat a no-op if the first
    was stored after all (hence `msg_id` is required). The last timeout is raised."""
    slots = asyncio.Semaphore(in_flight)

    async def one(payload: P) -> PubAck:
        async with slots:
            for attempt in range(1, attempts + 1):
                try:
                    name = subject.format(**parts(payload))
                    return await _publish_on(js, name, payload, msg_id(payload))
                except nats.errors.TimeoutError:
                    if attempt == attempts:
                        raise
                    log.info(
                        "no ack for %s (attempt %d): publishing again", msg_id(payload), attempt
                    )
            raise AssertionError("unreachable: the last attempt returns or raises")

    return list(await asyncio.gather(*(one(payload) for payload in payloads)))


def _headers_of(msg: Msg) -> dict[str, str]:
    return {k: str(v) for k, v in (msg.headers or {}).items()}


async def dead_letter(
    js: JetStreamContext,
    msg: Msg,
    *,
    service: str,
    consumer: str,
    reason: str,
    error: BaseException | None = None,
) -> PubAck:
    """Keep `msg` whole in DEAD_LETTERS with why it failed (the caller then terms it)."""
    stream: str | None = None
    sequence: int | None = None
    delivered = 1
    metadata: Any = None
    try:
        metadata = msg.metadata
    except Exception:
        metadata = None
    if metadata is not None:
        stream = metadata.stream
        sequence = metadata.sequence.stream
        delivered = metadata.num_delivered
    return await dead_letter_raw(
        js,
        service=service,
        consumer=consumer,
        subject=msg.subject,
        data=msg.data,
        headers=_headers_of(msg),
        reason=reason,
        error=error,
        stream=stream,
        stream_sequence=sequence,
        delivery_count=delivered,
    )


async def dead_letter_raw(
    js: JetStreamContext,
    *,
    service: str,
    consumer: str,
    subject: str,
    data: bytes,
    reason: str,
    headers: Mapping[str, str] | None = None,
    error: BaseException | None = None,
    stream: str | None = None,
    stream_sequence: int | None = None,
    delivery_count: int = 1,
    msg_id: str | None = None,
) -> PubAck:
    """A dead letter for input that never was a stored message (a webhook body, a WS frame):
    `subject` names where it came from (e.g. `webhook`), `data` is what arrived.

    Secrets are masked here, before anything is stored: an Integration Webhook's
    AccessToken, a password in a command, a token in an error message. And every letter is
    bounded here, whoever writes it: a body over `DEAD_LETTER_MAX_DATA` keeps its first
    bytes with the whole body's size and digest, so the letter always fits in one message."""
    redacted_data = redact_body(data)
    truncated = len(redacted_data) > DEAD_LETTER_MAX_DATA
    kept_data = redacted_data[:DEAD_LETTER_MAX_DATA]
    all_headers = {k: str(redact_value(k, v)) for k, v in (headers or {}).items()}
    kept_headers = {
        k[:_MAX_HEADER_VALUE]: v[:_MAX_HEADER_VALUE]
        for k, v in list(all_headers.items())[:_MAX_HEADERS]
    }
    redacted_reason = redact_text(reason)
    kept_reason = _bounded(redacted_reason, _MAX_REASON)
    letter = DeadLetter(
        service=service,
        consumer=consumer,
        subject=subject,
        data=kept_data,
        headers=kept_headers,
        reason=kept_reason,
        redacted=(
            redacted_data != data
            or redacted_reason != reason
            or all_headers != {k: str(v) for k, v in (headers or {}).items()}
        ),
        truncated=truncated or kept_reason != redacted_reason or kept_headers != all_headers,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        error_type=type(error).__name__ if error is not None else "Rejected",
        stream=stream,
        stream_sequence=stream_sequence,
        delivery_count=delivery_count,
        failed_at=datetime.now(UTC),
    )
    # One dead letter per stored message, however often it is redelivered and rejected.
    if msg_id is None and stream_sequence is not None:
        msg_id = f"dl:{stream}:{stream_sequence}:{consumer}"
    log.warning(
        "dead letter",
        extra={"consumer": consumer, "subject": subject, "reason": kept_reason[:512],
               "size": len(data)},
    )  # fmt: skip
    ack = await publish(js, DEAD_LETTER, letter, msg_id=msg_id, service=service, consumer=consumer)
    if not ack.duplicate:
        metrics.DEAD_LETTERS.labels(service, consumer).inc()
    return ack


def _bounded(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"
