"""The answering side of request-reply (`platform.rpc`), on a plain nats-py connection.

    server = RpcServer(queue="guests")
    server.add(GET_GUEST, service.get_guest, for_caller=True, workers=8)
    await server.start(nc)   # `Runtime` does this, and `stop` at shutdown

Each method is a core NATS subscription in the service's queue group (one instance answers
each call). Up to `workers` calls of one method are answered at once, each in its own task;
once that many are in flight the subscription waits, so a flood of calls queues in NATS,
not in the process. `stop` unsubscribes first (no new call is taken), then lets the calls in
flight finish for up to `graceful_s` and cancels the rest.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from attendandt.contracts.base import Payload, RpcMethod
from attendandt.platform.rpc import answer, answer_for_caller

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Method:
    method: RpcMethod[Any, Any]
    handler: Callable[..., Awaitable[Payload]]
    for_caller: bool
    workers: int


class RpcServer:
    def __init__(self, queue: str) -> None:
        self.queue = queue
        self._methods: list[_Method] = []
        self._subscriptions: list[Subscription] = []
        self._answering: set[asyncio.Task[None]] = set()

    def add(
        self,
        method: RpcMethod[Any, Any],
        handler: Callable[..., Awaitable[Payload]],
        *,
        for_caller: bool,
        workers: int = 1,
    ) -> None:
        """Answer `method` with `handler(request)`, or `handler(request, caller)` when the
        call is made on behalf of a user (`for_caller`: no valid caller header → 401)."""
        self._methods.append(_Method(method, handler, for_caller, max(1, workers)))

    async def start(self, nc: NatsClient) -> None:
        for method in self._methods:
            cb = self._callback(nc, method)
            self._subscriptions.append(
                await nc.subscribe(method.method.subject, queue=self.queue, cb=cb)
            )
        # The server has every subscription once it answers the flush's ping: a request sent
        # the moment the service says it started finds a responder (not "no responders").
        await nc.flush()

    async def stop(self, graceful_s: float) -> None:
        for subscription in self._subscriptions:
            try:
                await subscription.unsubscribe()
            except Exception as exc:  # the connection is gone: nothing more arrives anyway
                log.debug("unsubscribing %s: %s", subscription.subject, exc)
        self._subscriptions.clear()
        if not self._answering:
            return
        _, pending = await asyncio.wait(self._answering, timeout=graceful_s)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    def _callback(self, nc: NatsClient, method: _Method) -> Callable[[Msg], Awaitable[None]]:
        slots = asyncio.Semaphore(method.workers)

        async def reply(msg: Msg) -> None:
            try:
                if method.for_caller:
                    body, headers = await answer_for_caller(
                        method.method, msg.data, msg.headers, method.handler
                    )
                else:
                    body, headers = await answer(method.method, msg.data, method.handler)
                if msg.reply:
                    await nc.publish(msg.reply, body, headers=headers)
            except Exception:
                # `answer` maps every failure of the use case; this is the reply's publish.
                log.warning("cannot reply to %s", method.method.subject, exc_info=True)
            finally:
                slots.release()

        async def on_request(msg: Msg) -> None:
            await slots.acquire()
            task = asyncio.create_task(reply(msg), name=f"answer {method.method.subject}")
            self._answering.add(task)
            task.add_done_callback(self._answering.discard)

        return on_request
