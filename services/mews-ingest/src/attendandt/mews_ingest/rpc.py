"""Request-reply for the gateway and the ops command on `rpc.v1.ingest.<method>` (core NATS,
queue group `mews-ingest`): the resync methods, answered by `ResyncJobs`. Decoding, the
caller from its header (none: 401) and error statuses: `platform.rpc.answer_for_caller`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from attendandt.contracts.base import Payload, RpcMethod
from attendandt.contracts.caller import Caller
from attendandt.contracts.rpc.ingest import CANCEL_RESYNC, START_RESYNC, SWEEP
from attendandt.mews_ingest.resyncs import ResyncJobs
from attendandt.mews_ingest.settings import SERVICE
from attendandt.platform.rpc import answer_for_caller


async def register_rpc(
    nc: NatsClient, jobs: ResyncJobs, answering: set[asyncio.Task[None]]
) -> list[Subscription]:
    """Subscribe every method; each request is answered in its own task, kept in `answering`
    until it ends (cancelled with it at shutdown). The subscriptions, to end at stop."""
    return [
        await _answer(nc, SWEEP, jobs.sweep_now, answering),
        await _answer(nc, START_RESYNC, jobs.start_resync, answering),
        await _answer(nc, CANCEL_RESYNC, jobs.cancel_resync, answering),
    ]


async def _answer(
    nc: NatsClient,
    method: RpcMethod[Any, Any],
    handler: Callable[[Any, Caller], Awaitable[Payload]],
    answering: set[asyncio.Task[None]],
) -> Subscription:
    async def reply(msg: Msg) -> None:
        body, headers = await answer_for_caller(method, msg.data, msg.headers, handler)
        if msg.reply:
            await nc.publish(msg.reply, body, headers=headers)

    async def on_request(msg: Msg) -> None:
        task = asyncio.create_task(reply(msg), name=f"answer {method.method}")
        answering.add(task)
        task.add_done_callback(answering.discard)

    return await nc.subscribe(method.subject, queue=SERVICE, cb=on_request)
