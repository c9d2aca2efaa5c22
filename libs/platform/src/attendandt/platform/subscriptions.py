"""One way to consume a JetStream subject: a durable pull consumer whose messages are
decoded, handled and settled by the one ack policy (`platform.consumer.process`).

    runtime.subscribe(
        Subscription(DOMAIN_COMMANDS.name, UPSERT_GUEST.template, UpsertGuest, handle, policy)
    )  # handle(Delivery[UpsertGuest]), once per message

`Runtime.subscribe` registers it; `consume` is the loop it runs. The consumer is created (or
updated: a new release's ack wait or filter) by its name, then bound, so a NATS user that may
only create its own named consumers can run it (`contracts.permissions`). Each fetch
(`Puller`) takes at most `batch_size` of the messages waiting, at once; when none are, it
waits for the first (`PULL_WAIT_S`, then, once idle, `IDLE_WAIT_S`) and takes it with any
that came with it: a quiet moment hands each message on at once, a burst comes in full
batches. The messages of a batch are handled together (the use cases lock what they change,
so two messages about one thing still apply one after the other), and the next fetch waits
for the whole batch. With `workers` > 1 that many are handled at once, and the loop fetches
only as many as there are free workers (a new message starts as soon as one is done), so no
message waits in the process while its ack wait runs out. `batch_size=1`: one message at a
time.

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
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription as NatsSubscription
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


class FetchError(Exception):
    """The server answered a pull request with an error (not "no messages", not expired)."""


class Puller:
    """Fetches of a durable pull consumer, on an inbox of its own.

    nats-py's `fetch` waits for each message of a batch with a task and a timer of its own,
    which at thousands of messages a second costs more than decoding them; here the
    messages are collected by a subscription callback and a fetch waits once. Each request
    has its own reply subject, so the end of an earlier one (a late "request timeout") is
    not taken for the end of the current one. A message delivered after its fetch returned
    (at a timeout's edge) is kept for the next fetch, never dropped.
    """

    def __init__(self, nc: NatsClient, stream: str, consumer: str) -> None:
        self._nc = nc
        self._next = f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{consumer}"
        self._inbox = nc.new_inbox()
        self._sub: NatsSubscription | None = None
        #: Delivered and not yet handed out, in their order.
        self._ready: list[Msg] = []
        #: The request waited on: its number (its reply subject's last token), how many
        #: messages end the wait, whether the server ended it (and with what error).
        self._request = 0
        self._until = 0
        self._over = False
        self._error: str | None = None
        self._wake = asyncio.Event()

    async def start(self) -> None:
        self._sub = await self._nc.subscribe(f"{self._inbox}.*", cb=self._delivered)

    async def stop(self) -> None:
        if self._sub is not None:
            await self._sub.unsubscribe()
            self._sub = None

    async def _delivered(self, msg: Msg) -> None:
        headers = msg.headers
        status = headers.get("Status") if headers else None
        if status is None:
            self._ready.append(msg)
            if len(self._ready) >= self._until:
                self._wake.set()
            return
        if status == "100" or msg.subject != f"{self._inbox}.{self._request}":
            return  # a heartbeat, or the end of an earlier request
        self._over = True
        if status not in ("404", "408", "409"):  # no messages, expired, a limit: no error
            self._error = f"{status} {(headers or {}).get('Description', '')}".strip()
        self._wake.set()

    async def fetch(self, want: int, timeout: float, *, idle: bool = False) -> list[Msg]:
        """Up to `want` messages: those the server has now, at once; when it has none, the
        first to come within `timeout`, with any that came with it. [] when none came.
        `idle`: none came last time either, so the fetch does not ask what the server has
        now before it waits (one request a wait, not two)."""
        if len(self._ready) < want and not idle:
            await self._ask(want - len(self._ready), timeout, wait=False)
        if not self._ready:
            await self._ask(1, timeout, wait=True)
            if self._ready and len(self._ready) < want:
                await self._ask(want - len(self._ready), timeout, wait=False)
        taken, self._ready = self._ready[:want], self._ready[want:]
        return taken

    def _begin(self, until: int) -> None:
        """A new request, waited on until `until` messages are ready."""
        self._request += 1
        self._until = until
        self._over = False
        self._error = None
        self._wake.clear()

    async def _ask(self, batch: int, timeout: float, *, wait: bool) -> None:
        """Ask for `batch` more and wait until they came or the server ended the request:
        at once when it has no more (`wait=False`), else when `timeout` expired."""
        self._begin(len(self._ready) + batch)
        request: dict[str, Any] = {"batch": batch}
        if wait:
            request["expires"] = max(int(timeout * 1e9) - 100_000, 1_000_000)
        else:
            request["no_wait"] = True
        reply = f"{self._inbox}.{self._request}"
        await self._nc.publish(self._next, json.dumps(request).encode(), reply=reply)
        with contextlib.suppress(TimeoutError):  # no answer: the server is not there
            async with asyncio.timeout(timeout):
                while not self._over and len(self._ready) < self._until:
                    await self._wake.wait()
                    self._wake.clear()
        if self._error is not None and not self._ready:
            raise FetchError(self._error)


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
    pull = Puller(js._nc, sub.stream, sub.policy.consumer)  # the JetStream context's client
    await pull.start()
    running: set[asyncio.Task[None]] = set()
    idle = False
    batched = sub.apply_all is not None and sub.admit is None
    try:
        while not stop.is_set():
            free = _free(sub, len(running), batched=batched)
            if free <= 0:
                await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                continue
            want = min(free, sub.batch_size)
            try:
                msgs = await pull.fetch(want, IDLE_WAIT_S if idle else PULL_WAIT_S, idle=idle)
            except Exception as exc:
                # The server is not answering (a restart, a reconnect): ask again soon.
                log.warning("cannot fetch from %s: %s", sub.policy.consumer, exc)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), RETRY_FETCH_S)
                continue
            if not msgs:
                idle = True
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
            await pull.stop()


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
