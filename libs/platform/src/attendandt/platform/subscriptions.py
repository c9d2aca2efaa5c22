"""One way to consume a JetStream subject: a durable pull consumer whose messages are
decoded, handled and settled by the one ack policy (`platform.consumer.process`).

    runtime.subscribe(
        Subscription(DOMAIN_COMMANDS.name, UPSERT_GUEST.template, UpsertGuest, handle, policy)
    )  # handle(Delivery[UpsertGuest]), once per message

`Runtime.subscribe` registers it; `consume` is the loop it runs. The consumer is created (or
updated: a new release's ack wait or filter) by its name, then bound, so a NATS user that may
only create its own named consumers can run it (`contracts.permissions`). Each fetch asks for
at most `batch_size` messages and waits `PULL_WAIT_S` for them (after one that found none,
an idle loop waits up to `IDLE_WAIT_S` for a single message); the messages of a batch are
handled together (the use cases lock what they change, so two messages about one thing still
apply one after the other), and the next fetch waits for the whole batch. With `workers` > 1
that many are handled at once, and the loop fetches only as many as there are free workers
(a new message starts as soon as one is done), so no message waits in the process while its
ack wait runs out. `batch_size=1`: one message at a time.

`apply_all` (with no `admit`) applies the messages of a fetched batch in one go
(`process_batch`: one transaction and set-based writes for the whole batch, then an ack each),
up to `BATCHES_IN_FLIGHT` batches at once; when a batch fails, `handler` takes each of its
messages on its own, so the outcome is the same as one by one.

`rejects` names the use case's exceptions that no redelivery can cure (an invalid command):
they make the message a dead letter at once, as `Rejected` does. `admit` sees each raw
message first: it may settle the message itself (a nak while its property's token is
unusable, say) and return False to skip the handler.

Sync's batched consumption is the other mode of the same policy: it collects and coalesces
its own batches (it must control the batch), then settles each message with the same
`settle_*` functions `process` uses.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext

from attendandt.contracts.base import Payload
from attendandt.platform.consumer import (
    IDLE_WAIT_S,
    PULL_WAIT_S,
    ConsumerPolicy,
    Delivery,
    Rejected,
    process,
    process_batch,
)

log = logging.getLogger(__name__)

P = TypeVar("P", bound=Payload)

#: How long the loop waits before fetching again after the server did not answer a fetch.
RETRY_FETCH_S = 0.5
#: Batches applied at once (`apply_all`): while one waits for Postgres, the next is fetched
#: and prepared. Two batches about one entity take its lock in turn; last write wins.
BATCHES_IN_FLIGHT = 2


@dataclass(frozen=True)
class Subscription(Generic[P]):
    """What to consume (`filter_subject` in `stream`), as what (`payload`), with what."""

    stream: str
    filter_subject: str
    payload: type[P]
    handler: Callable[[Delivery[P]], Awaitable[None]]
    policy: ConsumerPolicy
    batch_size: int = 100
    workers: int = 1
    rejects: tuple[type[Exception], ...] = ()
    admit: Callable[[Msg], Awaitable[bool]] | None = None
    apply_all: Callable[[list[Delivery[P]]], Awaitable[None]] | None = None

    async def handle(self, delivery: Delivery[P]) -> None:
        try:
            await self.handler(delivery)
        except self.rejects as exc:
            raise Rejected(str(exc)) from exc


async def consume(
    js: JetStreamContext,
    sub: Subscription[P],
    stop: asyncio.Event,
    *,
    slots: asyncio.Semaphore | None = None,
) -> None:
    """Until `stop`: fetch, handle and settle; the messages in hand are finished first.
    `slots`, shared by a process's subscriptions, bounds the messages handled at once."""
    config = sub.policy.consumer_config(sub.filter_subject)
    await js.add_consumer(sub.stream, config=config)
    pull = await js.pull_subscribe_bind(durable=sub.policy.consumer, stream=sub.stream)
    running: set[asyncio.Task[None]] = set()
    idle = False
    batched = sub.apply_all is not None and sub.admit is None
    try:
        while not stop.is_set():
            free = _free(sub, len(running), batched=batched)
            if free <= 0:
                await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                continue
            want, wait = (1, IDLE_WAIT_S) if idle else (min(free, sub.batch_size), PULL_WAIT_S)
            try:
                msgs = await pull.fetch(want, timeout=wait)
            except (TimeoutError, NatsTimeoutError):
                idle = True
                continue
            except Exception as exc:
                # The server is not answering (a restart, a reconnect): ask again soon.
                log.warning("cannot fetch from %s: %s", sub.policy.consumer, exc)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), RETRY_FETCH_S)
                continue
            idle = False
            if batched:
                task = asyncio.create_task(_apply_batch(js, sub, msgs, slots))
                running.add(task)
                task.add_done_callback(running.discard)
                continue
            if sub.workers == 1:
                # The batch's messages are handled together; the next fetch waits for all.
                await asyncio.gather(*(_handle(js, sub, msg, slots) for msg in msgs))
                continue
            for msg in msgs:
                task = asyncio.create_task(_handle(js, sub, msg, slots))
                running.add(task)
                task.add_done_callback(running.discard)
        if running:
            await asyncio.wait(running)
    except asyncio.CancelledError:
        for task in running:
            task.cancel()
        raise
    finally:
        with contextlib.suppress(Exception):
            await pull.unsubscribe()


def _free(sub: Subscription[P], running: int, *, batched: bool) -> int:
    """How many messages the loop may fetch now: one worker takes a whole batch in turn,
    several as many as are free, batches applied at once up to BATCHES_IN_FLIGHT."""
    if batched:
        return sub.batch_size if running < BATCHES_IN_FLIGHT else 0
    return sub.batch_size if sub.workers == 1 else sub.workers - running


async def _apply_batch(
    js: JetStreamContext, sub: Subscription[P], msgs: list[Msg], slots: asyncio.Semaphore | None
) -> None:
    assert sub.apply_all is not None
    async with slots or contextlib.nullcontext():
        await process_batch(
            msgs, sub.payload, apply_all=sub.apply_all, handler=sub.handle, policy=sub.policy,
            js=js,
        )  # fmt: skip


async def _handle(
    js: JetStreamContext, sub: Subscription[P], msg: Msg, slots: asyncio.Semaphore | None
) -> None:
    async with slots or contextlib.nullcontext():
        await _admit_and_process(js, sub, msg)


async def _admit_and_process(js: JetStreamContext, sub: Subscription[P], msg: Msg) -> None:
    if sub.admit is not None:
        try:
            if not await sub.admit(msg):
                return
        except Exception:
            # Not admitted, not settled: the server redelivers it after the ack wait.
            log.exception("admitting a message of %s failed", sub.policy.consumer)
            return
    await process(msg, sub.payload, sub.handle, sub.policy, js)
