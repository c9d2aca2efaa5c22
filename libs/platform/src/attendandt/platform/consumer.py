"""The ack policy every JetStream consumer follows, in one place.

    outcome = await process(msg, UpsertGuest, handler, policy, js)

- decodes the body into the contract's payload type; undecodable or invalid → dead letter
  with the reason, then `term` (redelivering it cannot help);
- runs the handler inside a CONSUMER span that continues the publisher's trace;
- handler raised `Rejected` → dead letter + term (a permanent, content-level failure);
- any other exception is transient → `nak` with a growing delay, and after `max_deliver`
  deliveries → dead letter + term, so nothing is dropped silently and nothing loops forever;
- success → `ack`, awaited, so a returned "acked" is stored on the server;
- storing the dead letter itself failed (NATS down, a stream limit) or an ack could not be
  sent → an alert line and a `nak` with the back-off: the message waits, and no exception
  ever leaves `process`, so no message can end the consumer's task.

Three modes, one rule: `process` for a consumer that takes messages one by one
(`platform.subscriptions`, every domain service); `process_batch` for one that applies a
fetched batch in one go (set-based writes) and, when the batch fails, falls back to `process`
for each of its messages, so a bad message is retried or dead-lettered alone; and
`settle_acked` / `settle_rejected` / `settle_failed` for one that settles the messages of a
batch it collected and applied itself (sync's coalescing consumer).
"""

from __future__ import annotations

import contextlib
import enum
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import msgspec
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig

from attendandt.contracts import headers as h
from attendandt.contracts.base import Payload, decode
from attendandt.platform import metrics
from attendandt.platform.messaging import ack_all, dead_letter
from attendandt.platform.telemetry import consumer_span

log = logging.getLogger(__name__)

P = TypeVar("P", bound=Payload)

#: How long a consumer's fetch that found nothing waiting waits for a first message before
#: the loop counts as idle (`platform.subscriptions.Puller`).
PULL_WAIT_S = 0.1
#: How long an idle consumer's fetch of one message waits. The server answers the moment a
#: message arrives, so this adds no latency; it bounds how long a stop waits for the fetch
#: and how often an idle consumer asks (once a second, not ten times: a service has a
#: dozen consumers, and their polling alone took a tenth of a core each).
IDLE_WAIT_S = 1.0


class Rejected(Exception):
    """This message can never succeed (invalid content, a reference that cannot exist)."""


class Outcome(enum.StrEnum):
    ACKED = "acked"
    RETRYING = "retrying"
    DEAD_LETTERED = "dead_lettered"


@dataclass(frozen=True)
class ConsumerPolicy:
    service: str
    consumer: str
    max_deliver: int = 8
    #: nak delay (s) after delivery 1, 2, ...; the last value repeats.
    backoff: tuple[float, ...] = (0.2, 1.0, 2.0, 5.0, 10.0, 30.0)
    #: The server waits this long for an ack before redelivering (a crashed worker).
    ack_wait_s: float = 30.0
    max_ack_pending: int = 1000

    def delay_after(self, delivery: int) -> float:
        return self.backoff[min(delivery, len(self.backoff)) - 1]

    def consumer_config(self, filter_subject: str) -> ConsumerConfig:
        """Durable, explicit acks; the server never gives up by itself (max_deliver=-1):
        `process` decides when a message becomes a dead letter."""
        return ConsumerConfig(
            # `name` too: nats-py then creates it on `CONSUMER.CREATE.<stream>.<name>.<filter>`,
            # the only form a service's NATS user may use (contracts.permissions).
            name=self.consumer,
            durable_name=self.consumer,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=self.ack_wait_s,
            max_deliver=-1,
            max_ack_pending=self.max_ack_pending,
            filter_subject=filter_subject,
        )


@dataclass(frozen=True)
class Delivery(Generic[P]):
    payload: P
    #: Stable id of the stored message: Nats-Msg-Id, else stream and sequence.
    message_id: str
    subject: str
    headers: Mapping[str, str]
    delivery: int


def _message_id(msg: Msg) -> str:
    given = (msg.headers or {}).get(h.MSG_ID)
    if given:
        return given
    meta = msg.metadata
    return f"{meta.stream}:{meta.sequence.stream}"


async def process(
    msg: Msg,
    payload_type: type[P],
    handler: Callable[[Delivery[P]], Awaitable[None]],
    policy: ConsumerPolicy,
    js: JetStreamContext,
) -> Outcome:
    try:
        outcome = await _process(msg, payload_type, handler, policy, js)
    except Exception as exc:
        # Whatever failed (a dead letter not stored, an ack not sent), the message stays on
        # the server: the consumer goes on with the next one and this one comes back.
        outcome = await _alert_and_retry(msg, policy, exc)
    count_settled(msg, policy.consumer, outcome)
    return outcome


async def process_batch(
    msgs: Sequence[Msg],
    payload_type: type[P],
    *,
    apply_all: Callable[[list[Delivery[P]]], Awaitable[None]],
    handler: Callable[[Delivery[P]], Awaitable[None]],
    policy: ConsumerPolicy,
    js: JetStreamContext,
) -> list[Outcome]:
    """`apply_all` the batch's messages at once, then ack each (not awaited). A message
    that does not decode is dead-lettered on its own first; if `apply_all` raises, nothing
    of it stayed (one transaction) and each message goes through `process` with `handler`."""
    outcomes: list[Outcome] = []
    ready: list[Msg] = []
    deliveries: list[Delivery[P]] = []
    for msg in msgs:
        try:
            payload = decode(msg.data, payload_type)
        except (msgspec.DecodeError, msgspec.ValidationError):
            outcomes.append(await process(msg, payload_type, handler, policy, js))
            continue
        ready.append(msg)
        deliveries.append(_delivery(msg, payload))
    if not deliveries:
        return outcomes
    try:
        await apply_all(deliveries)
    except Exception as exc:
        log.warning(
            "a batch failed; applying its messages one by one",
            extra={"consumer": policy.consumer, "messages": len(ready),
                   "error": f"{type(exc).__name__}: {exc}"},
        )  # fmt: skip
        # In turn, not at once: the batch holds one of the process's slots (one database
        # connection), and a hundred sessions opened together would queue for the pool.
        for msg in ready:
            outcomes.append(await process(msg, payload_type, handler, policy, js))
        return outcomes
    # Acks not confirmed one by one: the effects are claimed in the inbox, so a lost ack is
    # a redelivery that changes nothing, and a hundred round trips would cost more than the
    # batch's writes. Sent together; if that fails, each is settled by the same rule as
    # `settle_acked` (a failure to send one → alert + nak).
    try:
        await ack_all(ready)
    except Exception:
        return outcomes + [await settle_acked(msg, policy, confirmed=False) for msg in ready]
    # Counted as `count_settled` counts, once for the batch.
    metrics.CONSUMER_MESSAGES.labels(policy.consumer, Outcome.ACKED.value).inc(len(ready))
    again = sum(1 for delivery in deliveries if delivery.delivery > 1)
    if again:
        metrics.CONSUMER_REDELIVERIES.labels(policy.consumer).inc(again)
    return outcomes + [Outcome.ACKED] * len(ready)


def _delivery(msg: Msg, payload: P) -> Delivery[P]:
    headers = dict(msg.headers or {})
    return Delivery(payload, _message_id(msg), msg.subject, headers, _delivered(msg))


#: A JetStream message's reply subject without a domain:
#: $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<time>.<pending>
_ACK_TOKENS = 9


def _delivered(msg: Msg) -> int:
    """How many times the message was delivered (`msg.metadata.num_delivered`, read without
    parsing the rest of its metadata in the common form)."""
    tokens = (msg.reply or "").split(".")
    if len(tokens) == _ACK_TOKENS and tokens[0] == "$JS" and tokens[1] == "ACK":
        return int(tokens[4])
    return msg.metadata.num_delivered


# Settling one message of a batch the consumer collected itself (sync's batched mode): the
# same rules as `process`, each counted, none raising (a failure to settle → alert + nak).


async def settle_acked(msg: Msg, policy: ConsumerPolicy, *, confirmed: bool = True) -> Outcome:
    """Its effect is stored: ack, by default awaited, so the ack is on the server
    (`confirmed=False` for a large batch of idempotent effects: one lost ack is one
    redelivery, and the batch is not held up by a round trip per message)."""
    return await _settled(msg, policy, _ack(msg, confirmed))


async def settle_rejected(
    msg: Msg, policy: ConsumerPolicy, js: JetStreamContext, reason: str, exc: BaseException | None
) -> Outcome:
    """It can never succeed: dead letter with `reason`, then term."""
    return await _settled(msg, policy, _give_up(msg, policy, js, reason, exc))


async def settle_failed(
    msg: Msg, policy: ConsumerPolicy, js: JetStreamContext, exc: BaseException
) -> Outcome:
    """A transient failure: nak with the back-off; a dead letter after `max_deliver`."""
    return await _settled(msg, policy, _retry(msg, policy, js, exc))


async def _ack(msg: Msg, confirmed: bool) -> Outcome:
    await (msg.ack_sync() if confirmed else msg.ack())
    return Outcome.ACKED


async def _settled(msg: Msg, policy: ConsumerPolicy, settling: Awaitable[Outcome]) -> Outcome:
    try:
        outcome = await settling
    except Exception as exc:
        outcome = await _alert_and_retry(msg, policy, exc)
    count_settled(msg, policy.consumer, outcome)
    return outcome


def count_settled(msg: Msg, consumer: str, outcome: Outcome) -> None:
    """Into `/metrics`: how `consumer` settled `msg`, and whether it had been delivered
    before (for consumers with a loop of their own; `process` counts its messages)."""
    metrics.CONSUMER_MESSAGES.labels(consumer, outcome.value).inc()
    with contextlib.suppress(Exception):  # a message without JetStream metadata
        if msg.metadata.num_delivered > 1:
            metrics.CONSUMER_REDELIVERIES.labels(consumer).inc()


async def _process(
    msg: Msg,
    payload_type: type[P],
    handler: Callable[[Delivery[P]], Awaitable[None]],
    policy: ConsumerPolicy,
    js: JetStreamContext,
) -> Outcome:
    headers = dict(msg.headers or {})
    with consumer_span(msg.subject, headers) as span:
        try:
            payload = decode(msg.data, payload_type)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            reason = f"cannot decode as {payload_type.schema_id()}: {exc}"
            return await _give_up(msg, policy, js, reason, exc)
        try:
            await handler(_delivery(msg, payload))
        except Rejected as exc:
            return await _give_up(msg, policy, js, f"rejected: {exc}", exc)
        except Exception as exc:
            span.record_exception(exc)
            return await _retry(msg, policy, js, exc)
        await msg.ack_sync()
        return Outcome.ACKED


async def _retry(
    msg: Msg, policy: ConsumerPolicy, js: JetStreamContext, exc: BaseException
) -> Outcome:
    delivery = msg.metadata.num_delivered
    if delivery >= policy.max_deliver:
        reason = f"failed {delivery} deliveries, last: {type(exc).__name__}: {exc}"
        return await _give_up(msg, policy, js, reason, exc)
    delay = policy.delay_after(delivery)
    log.warning(
        "transient failure; redelivering",
        extra={"consumer": policy.consumer, "delivery": delivery, "delay_s": delay,
               "error": f"{type(exc).__name__}: {exc}"},
    )  # fmt: skip
    await msg.nak(delay=delay)
    return Outcome.RETRYING


async def _give_up(
    msg: Msg,
    policy: ConsumerPolicy,
    js: JetStreamContext,
    reason: str,
    exc: BaseException | None,
) -> Outcome:
    await dead_letter(
        js, msg, service=policy.service, consumer=policy.consumer, reason=reason, error=exc
    )
    await msg.term()
    return Outcome.DEAD_LETTERED


async def _alert_and_retry(msg: Msg, policy: ConsumerPolicy, exc: BaseException) -> Outcome:
    delivery = 1
    with contextlib.suppress(Exception):
        delivery = msg.metadata.num_delivered
    delay = policy.delay_after(delivery)
    log.error(
        "ALERT consumer could not settle a message; it will come back",
        extra={"consumer": policy.consumer, "subject": msg.subject, "delivery": delivery,
               "delay_s": delay, "error": f"{type(exc).__name__}: {exc}"},
    )  # fmt: skip
    try:
        await msg.nak(delay=delay)
    except Exception:
        # Not even a nak reached the server: it redelivers after `ack_wait` anyway.
        log.warning("nak failed", extra={"consumer": policy.consumer}, exc_info=True)
    return Outcome.RETRYING
