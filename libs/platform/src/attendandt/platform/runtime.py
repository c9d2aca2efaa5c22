"""One lifecycle for every service process: a composition root builds its objects (engine,
service, consumers, RPC methods) and hands them to a `Runtime`, which runs them.

Start, in this order: the probe server (`/healthz` answers from the first moment, so a
start that waits, for Mews say, is no dead process; `/readyz`, NATS connected + the
service's checks + the consumers, fails with `started: false` until the start is done);
connect to NATS; ensure the streams and buckets; the service's own start steps (`on_start`);
intake: the RPC methods (`answer`), the JetStream consumers (`subscribe`, or a loop of the
service's own with `consumer`), each consumer watched by `ConsumerWatch`; the outbox relays,
the background tasks and the consumer guard. Then `started` is set.

Stop, once `stop` is set (a signal, or the guard after a consumer ended), in ONE order:

1. intake stops: no new call or message is taken; the calls and messages in flight get
   `graceful_s` to finish, then are cancelled;
2. background tasks stop (their stop event, `graceful_s`, then cancelled);
3. the service's stop steps run (`on_stop`), still connected: what intake and the tasks
   left in memory is written out now (ingest's state into KV); an error is logged;
4. every outbox is flushed: its relay task stops, then relays until the table is empty,
   so what a handler committed in step 1 is published now (an error is logged, not
   raised: the next start relays what is left);
5. the connection closes;
6. the probe server stops;
7. the service's closers run (HTTP clients), then the engines are disposed;

then `ConsumerWatch.raise_if_ended()`: a process its guard stopped exits with
`ConsumerEnded`, to be restarted.

One way to NATS: plain nats-py for every service. Sync must control its batches (wait a
window after the first change, fetch exactly what is waiting, keep a long pass in progress)
and ingest mostly publishes; a framework's per-message harness fits neither, and on the
others it added a second reconnect and ack layer, its own logger and an inbox prefix to pass
by hand. What it gave (pull loops, queue-group RPC) is two small modules here:
`platform.subscriptions` and `platform.rpc_server`.

The probe server is a `HealthServer` on `health_host:health_port` unless the service
already has an HTTP server of its own that answers the probes: ingest's webhook edge serves
`/healthz`, `/readyz` (this runtime's `readiness`) and `/metrics` on its one port, which its
deployment probes. It is passed as `health_server` and takes the HealthServer's place (its
start and stop, first and late), so such a process opens no second port (one nothing would
probe, and that its deployment does not know: ingest has no HEALTH_PORT). A server that
also takes intake (webhooks) must stop taking it at intake stop on its own (a consumer loop
that closes the door), since the probes go on answering until step 6.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any

from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from attendandt.contracts.base import Payload, RpcMethod
from attendandt.contracts.streams import ensure_streams
from attendandt.platform.health import ConsumerWatch, HealthServer, ProbeServer
from attendandt.platform.messaging import connect
from attendandt.platform.outbox import OutboxRelay
from attendandt.platform.rpc_server import RpcServer
from attendandt.platform.settings import NatsSettings
from attendandt.platform.subscriptions import Subscription, consume

log = logging.getLogger(__name__)

#: A readiness check: true when what it checks answers (plain or async).
Check = Callable[[], Awaitable[bool] | bool]
#: A start step: given the process's stop event, for a step that waits (retries).
StartStep = Callable[[asyncio.Event], Awaitable[None]]
#: A closer.
Step = Callable[[], Awaitable[None]]
#: A consumer loop or a background task: runs until its stop event is set.
Loop = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


class Runtime:
    def __init__(
        self,
        service: str,
        nats: NatsSettings,
        *,
        health_host: str = "127.0.0.1",
        health_port: int = 0,
        health_server: ProbeServer | None = None,
        checks: Mapping[str, Check] | None = None,
        graceful_s: float = 10.0,
        messages_in_flight: int | None = None,
    ) -> None:
        self.service = service
        #: At most this many messages handled at once, over all subscriptions (None: no
        #: bound but each one's batch): a service passes its database pool's base size, so
        #: the batches of an import never hold every connection while a call staff wait on
        #: (a day list) queues behind them for one.
        self.message_slots = asyncio.Semaphore(messages_in_flight) if messages_in_flight else None
        self.nats_settings = nats
        self.rpc = RpcServer(queue=service)
        self.checks = dict(checks or {})
        self.graceful_s = graceful_s
        self.consumers = ConsumerWatch(stall_s=nats.consumer_stall_s)
        #: Answers the probes: a `HealthServer`, or the service's own (the module says when).
        self.health: ProbeServer = health_server or HealthServer(
            self.readiness, health_host, health_port
        )
        #: Set once everything runs; cleared when the process has stopped.
        self.started = asyncio.Event()
        self.relays: list[OutboxRelay] = []
        self._nc: NatsClient | None = None
        self._js: JetStreamContext | None = None
        self._start_steps: list[StartStep] = []
        self._stop_steps: list[tuple[str, Step]] = []
        self._closers: list[tuple[str, Step]] = []
        self._engines: list[AsyncEngine] = []
        self._outboxes: list[tuple[AsyncEngine, Table, dict[str, Any]]] = []
        self._loops: list[tuple[str, Loop, str | None]] = []
        self._background: list[tuple[str, Loop]] = []

    def on_start(self, step: StartStep) -> None:
        """Run `step` once connected and the streams exist, before any intake starts."""
        self._start_steps.append(step)

    def outbox(self, engine: AsyncEngine, table: Table, **relay_options: Any) -> None:
        """Relay `table` while running, and flush it at stop; `engine` is disposed at stop."""
        self._outboxes.append((engine, table, relay_options))
        self.dispose(engine)

    def consumer(self, name: str, loop: Loop, *, stream: str | None = None) -> None:
        """A plain consumer loop (intake): watched by the guard; with `stream`, `name` is
        its durable and is watched for a stall too."""
        self._loops.append((name, loop, stream))

    def subscribe(self, subscription: Subscription[Any]) -> None:
        """A durable JetStream consumer (`platform.subscriptions`), watched by the guard."""

        async def loop(stop: asyncio.Event) -> None:
            await consume(self.jetstream(), subscription, stop, slots=self.message_slots)

        self.consumer(subscription.policy.consumer, loop, stream=subscription.stream)

    def answer(
        self,
        method: RpcMethod[Any, Any],
        handler: Callable[..., Awaitable[Payload]],
        *,
        for_caller: bool = True,
        workers: int = 1,
    ) -> None:
        """Answer `method` in the service's queue group (`platform.rpc_server`)."""
        self.rpc.add(method, handler, for_caller=for_caller, workers=workers)

    def task(self, name: str, loop: Loop) -> None:
        """A background task, stopped after intake and before the outboxes are flushed."""
        self._background.append((name, loop))

    def on_stop(self, name: str, step: Step) -> None:
        """Run `step` at stop once intake and the background tasks are over, while still
        connected (before the outboxes are flushed and the connection closes)."""
        self._stop_steps.append((name, step))

    def on_close(self, name: str, step: Step) -> None:
        """Run `step` at stop, after the probe server and before the engines go."""
        self._closers.append((name, step))

    def dispose(self, engine: AsyncEngine) -> None:
        if all(engine is not known for known in self._engines):
            self._engines.append(engine)

    @property
    def nc(self) -> NatsClient:
        if self._nc is None:
            raise RuntimeError(f"{self.service}: not connected to NATS yet")
        return self._nc

    def jetstream(self) -> JetStreamContext:
        if self._js is None:
            raise RuntimeError(f"{self.service}: not connected to NATS yet")
        return self._js

    def nats_connected(self) -> bool:
        return self._nc is not None and self._nc.is_connected

    async def readiness(self) -> dict[str, bool]:
        checks = {"nats": self.nats_connected()}
        if not self.started.is_set():
            checks["started"] = False
        for name, check in self.checks.items():
            try:
                result = check()
                checks[name] = bool(await result if inspect.isawaitable(result) else result)
            except Exception:
                log.warning("readiness check %r failed", name, exc_info=True)
                checks[name] = False
        return {**checks, **self.consumers.readiness()}

    async def run(self, stop: asyncio.Event) -> None:
        """Serve until `stop` is set, then shut down in the order the module describes."""
        intake_stop, tasks_stop, relays_stop = asyncio.Event(), asyncio.Event(), asyncio.Event()
        intake: list[asyncio.Task[None]] = []
        background: list[asyncio.Task[None]] = []
        relaying: list[asyncio.Task[None]] = []
        try:
            await self.health.start()
            self._nc = await connect(self.nats_settings, self.service)
            self._js = js = self.nc.jetstream()
            for line in await ensure_streams(js):
                log.debug(line)
            for step in self._start_steps:
                await step(stop)
            await self.rpc.start(self.nc)
            for name, loop, stream in self._loops:
                task = asyncio.create_task(loop(intake_stop), name=name)
                intake.append(self.consumers.watch(name, task, js=js, stream=stream))
            self.relays = [OutboxRelay(e, table, js, **o) for e, table, o in self._outboxes]
            relaying = [
                asyncio.create_task(r.run(relays_stop), name=f"outbox-{r.name}")
                for r in self.relays
            ]
            background = [
                asyncio.create_task(loop(tasks_stop), name=f"{self.service}-{name}")
                for name, loop in self._background
            ]
            background.append(asyncio.create_task(self.consumers.guard(stop), name="guard"))
            self.started.set()
            log.info("%s serving", self.service, extra={"health_port": self.health.port})
            await stop.wait()
        finally:
            log.info("%s stopping", self.service)
            stop.set()  # the guard returns: it goes with the background tasks
            await self._stop_intake(intake_stop, intake)
            tasks_stop.set()
            await self._finish(background)
            for name, write_out in self._stop_steps:
                await _logged(write_out(), f"stop step {name}")
            relays_stop.set()
            await self._finish(relaying)
            for relay in self.relays:
                await _flush(relay)
            await self._close_connection()
            await self.health.stop()
            for name, closer in self._closers:
                await _logged(closer(), f"closing {name}")
            for engine in self._engines:
                await _logged(engine.dispose(), "disposing an engine")
            self.started.clear()
            log.info("%s stopped", self.service)
        self.consumers.raise_if_ended()

    async def _stop_intake(
        self, intake_stop: asyncio.Event, loops: list[asyncio.Task[None]]
    ) -> None:
        """No new call or message is taken; those in flight finish."""
        intake_stop.set()
        await asyncio.gather(_logged(self.rpc.stop(self.graceful_s), "stopping RPC"),
                             self._finish(loops))  # fmt: skip

    async def _finish(self, tasks: list[asyncio.Task[None]]) -> None:
        """Wait up to `graceful_s` for `tasks` (their stop event is set), then cancel."""
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=self.graceful_s)
        for task in pending:
            log.warning("%s did not stop in %ss; cancelled", task.get_name(), self.graceful_s)
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await _logged(task, task.get_name())

    async def _close_connection(self) -> None:
        if self._nc is not None:
            await _logged(self._nc.close(), "closing the NATS connection")


async def _flush(relay: OutboxRelay) -> None:
    """Relay until the outbox is empty; a failure leaves the rest to the next start."""
    try:
        while await relay.relay_once():
            pass
    except Exception:
        log.warning("outbox %s not flushed at stop; the next start relays it", relay.name)


async def _logged(work: Awaitable[Any], what: str) -> None:
    try:
        await work
    except asyncio.CancelledError:
        raise
    except Exception:
        log.warning("%s failed", what, exc_info=True)
