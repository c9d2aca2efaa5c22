"""The MEWS_CHANGES consumer: coalesce, apply per (enterprise, entity), then ack.

Its own pull loop rather than `platform.subscriptions`' per-message one: coalescing needs
control of the batch (wait `window` after the first change for more, up to the id limit).

Per change notification:
- undecodable → dead letter + term;
- for an enterprise no applier takes: a dead letter, unless `waiting` says the enterprise is
  an onboarded property not synced now (disabled, or not started yet): then a nak that
  brings it back after `wait_s`, again until the property runs (no delivery limit);
- its entity applied (commands stored in DOMAIN_COMMANDS) → ack;
- Mews does not know the id (deleted, merged away, not visible to this token) or it cannot
  be mapped → dead letter with the reason + term;
- Mews or NATS failed (after the client's own retries) → nak with a growing delay; after
  `max_deliver` deliveries → dead letter. Nothing is dropped silently.
- the dead letter itself cannot be stored, or anything else fails in a pass → an alert line
  and a nak with the back-off: no message ends the consumer's loop (a loop that ended
  anyway fails the process's readiness and stops it: `platform.health.ConsumerWatch`).

These are the platform's one ack policy (`platform.consumer`) in its batched mode: this
module collects and coalesces the batch, and settles each change with `settle_*`.

A pass may take long (a strict Mews rate limit, a large batch): while it runs, the changes it
holds are reported in progress every third of the ack wait, so the server never hands them
to another sync process meanwhile. The ack wait itself stays short: it is how long the
changes of a process that died in a pass wait before another one gets them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime

import msgspec
from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig

from attendandt.contracts.base import decode
from attendandt.contracts.mews import MEWS_CHANGE, MewsChange, MewsEntity
from attendandt.contracts.streams import MEWS_CHANGES
from attendandt.mews import MewsError
from attendandt.platform.consumer import (
    IDLE_WAIT_S,
    ConsumerPolicy,
    Outcome,
    count_settled,
    settle_acked,
    settle_failed,
    settle_rejected,
)
from attendandt.platform.telemetry import batch_span
from attendandt.sync.applier import Applier
from attendandt.sync.health import HealthBoard

log = logging.getLogger(__name__)

SERVICE = "sync"
DURABLE = "sync-changes"
BACKOFF_S = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
#: How long the changes a sync process held when it died wait for another one (a pass in
#: progress keeps them: `ChangeConsumer._keep_in_progress`).
ACK_WAIT_S = 30.0
#: A change that waits for its property (`ChangeConsumer.waiting`) comes back after this long.
WAIT_S = 30.0


def policy(
    batch_max: int, *, max_deliver: int = 8, ack_wait_s: float = ACK_WAIT_S
) -> ConsumerPolicy:
    return ConsumerPolicy(
        service=SERVICE,
        consumer=DURABLE,
        max_deliver=max_deliver,
        backoff=BACKOFF_S,
        ack_wait_s=ack_wait_s,
        max_ack_pending=max(20 * batch_max, 20_000),
    )


def consumer_config(batch_max: int, ack_wait_s: float = ACK_WAIT_S) -> ConsumerConfig:
    return policy(batch_max, ack_wait_s=ack_wait_s).consumer_config(MEWS_CHANGE.filter())


class ChangeConsumer:
    def __init__(
        self,
        js: JetStreamContext,
        appliers: Callable[[str], Applier | None],
        board: HealthBoard,
        *,
        window_s: float,
        batch_max: int,
        max_deliver: int,
        ack_wait_s: float = ACK_WAIT_S,
        waiting: Callable[[str], bool] | None = None,
        wait_s: float = WAIT_S,
    ) -> None:
        self.js = js
        self.appliers = appliers
        #: Whether the changes of an enterprise no applier takes wait (an onboarded property
        #: stopped or not started yet) rather than become dead letters; None: none waits.
        self.waiting = waiting
        self.wait_s = wait_s
        self.board = board
        self.window_s = window_s
        self.batch_max = batch_max
        self.ack_wait_s = ack_wait_s
        self.policy = policy(batch_max, max_deliver=max_deliver, ack_wait_s=ack_wait_s)

    async def run(self, stop: asyncio.Event) -> None:
        config = self.policy.consumer_config(MEWS_CHANGE.filter())
        try:
            # Create, or update one an earlier release made (its ack wait was 120 s).
            await self.js.add_consumer(MEWS_CHANGES.name, config=config)
        except NatsError as exc:
            log.warning("cannot create or update consumer %s: %s", DURABLE, exc)
        sub = await self.js.pull_subscribe(
            MEWS_CHANGE.filter(), durable=DURABLE, stream=MEWS_CHANGES.name, config=config
        )
        try:
            while not stop.is_set():
                try:
                    batch = await self._collect(sub)
                except Exception as exc:
                    # The server is not answering (a restart, a reconnect): ask again soon.
                    log.warning("cannot fetch changes: %s: %s", type(exc).__name__, exc)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), BACKOFF_S[0])
                    continue
                if not batch:
                    continue
                try:
                    await self.process(batch)
                except Exception:
                    # Settled messages stay settled; the rest come back after their back-off,
                    # and the loop goes on with the next batch.
                    log.exception("ALERT sync pass failed; its unsettled changes come back")
                    error = RuntimeError("the sync pass failed")
                    for msg in batch:
                        if not msg.is_acked:
                            self._count(msg, await settle_failed(msg, self.policy, self.js, error))
        finally:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()

    async def _collect(self, sub: object) -> list[Msg]:
        """Wait for a first change, then `window_s` for more, up to `batch_max` per pass.

        nats-py's fetch of N waits out its whole timeout once a first message came but fewer
        than N did, which would add that timeout to a change's latency. So the first fetch
        asks for one message, and after the window exactly as many as the server says are
        waiting (they are ready, so that fetch returns at once). While a burst is still
        arriving (a window brought a tenth of a batch or more), another window follows.
        """
        fetch = sub.fetch  # type: ignore[attr-defined]
        try:
            batch: list[Msg] = await fetch(1, timeout=IDLE_WAIT_S)
        except (TimeoutError, NatsTimeoutError):
            return []
        busy = max(1, self.batch_max // 10)
        while len(batch) < self.batch_max:
            if self.window_s > 0:
                await asyncio.sleep(self.window_s)
            waiting = (await sub.consumer_info()).num_pending  # type: ignore[attr-defined]
            wanted = min(waiting, self.batch_max - len(batch))
            more: list[Msg] = []
            if wanted > 0:
                with contextlib.suppress(TimeoutError, NatsTimeoutError):
                    more = await fetch(wanted, timeout=2.0)
            batch += more
            if len(more) < busy:
                break
        return batch

    async def process(self, batch: list[Msg]) -> None:
        keeper = asyncio.create_task(self._keep_in_progress(batch))
        try:
            await self._process(batch)
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper

    async def _keep_in_progress(self, batch: list[Msg]) -> None:
        """Until cancelled: every third of the ack wait, tell the server that the changes of
        this pass not settled yet are still being worked on."""
        while True:
            await asyncio.sleep(self.ack_wait_s / 3)
            for msg in batch:
                if not msg.is_acked:
                    try:
                        await msg.in_progress()
                    except Exception as exc:
                        # Not kept: at worst the change comes back once more (idempotent).
                        log.warning("cannot keep a change in progress: %s", exc)
                        break

    async def _process(self, batch: list[Msg]) -> None:
        groups: dict[tuple[str, MewsEntity], dict[str, list[Msg]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for msg in batch:
            try:
                change = decode(msg.data, MewsChange)
            except (msgspec.DecodeError, msgspec.ValidationError) as exc:
                await self._dead(msg, f"cannot decode as {MewsChange.schema_id()}: {exc}", exc)
                continue
            groups[(change.enterprise_id, change.entity)][change.mews_id].append(msg)
        # Customers before reservations: a stay's owner is commanded first when both changed.
        order = sorted(groups, key=lambda key: key[1] != MewsEntity.CUSTOMER)
        by_enterprise: dict[str, list[tuple[str, MewsEntity]]] = defaultdict(list)
        for key in order:
            by_enterprise[key[0]].append(key)
        await asyncio.gather(
            *(self._enterprise_pass(keys, groups) for keys in by_enterprise.values())
        )

    async def _enterprise_pass(
        self,
        keys: list[tuple[str, MewsEntity]],
        groups: dict[tuple[str, MewsEntity], dict[str, list[Msg]]],
    ) -> None:
        for enterprise_id, entity in keys:
            messages = groups[(enterprise_id, entity)]
            held = [msg for msgs in messages.values() for msg in msgs]
            # One trace per change: the pass continues the first one's, links the others'.
            with batch_span(held[0].subject, [msg.headers for msg in held]):
                await self._pass(enterprise_id, entity, messages)

    async def _pass(
        self, enterprise_id: str, entity: MewsEntity, messages: dict[str, list[Msg]]
    ) -> None:
        applier = self.appliers(enterprise_id)
        if applier is None and self.waiting is not None and self.waiting(enterprise_id):
            await self._wait(enterprise_id, messages)
            return
        if applier is None:
            for msgs in messages.values():
                for msg in msgs:
                    await self._dead(
                        msg, f"no Mews AccessToken for enterprise {enterprise_id}", None
                    )
            return
        try:
            result = await applier.apply(entity, sorted(messages))
        except (MewsError, OSError, TimeoutError, NatsTimeoutError) as exc:
            log.warning("pass %s/%s failed: %s", enterprise_id, entity, exc)
            for msgs in messages.values():
                for msg in msgs:
                    self._count(msg, await settle_failed(msg, self.policy, self.js, exc))
            return
        health = self.board.get(enterprise_id)
        for mews_id, msgs in messages.items():
            if mews_id in result.applied:
                for msg in msgs:
                    # Applying a change again is harmless: no round trip per ack.
                    await settle_acked(msg, self.policy, confirmed=False)
                health.changes_applied += len(msgs)
                continue
            reason = result.unmappable.get(mews_id) or (
                f"{entity} {mews_id} not found in Mews (deleted, merged or not visible to "
                "this AccessToken)"
            )
            for msg in msgs:
                await self._dead(msg, reason, None)
        health.commands_published += result.commands
        health.last_applied_at = datetime.now(UTC)

    async def _wait(self, enterprise_id: str, messages: dict[str, list[Msg]]) -> None:
        """The enterprise is not synced here now (an onboarded property, stopped): its
        changes go back to the stream and come again after `wait_s`, until it runs."""
        held = [msg for msgs in messages.values() for msg in msgs]
        log.info(
            "enterprise %s is not synced now: %d changes wait %.0f s",
            enterprise_id,
            len(held),
            self.wait_s,
        )
        for msg in held:
            try:
                await msg.nak(delay=self.wait_s)
            except Exception as exc:
                # Not even a nak reached the server: it redelivers after the ack wait anyway.
                log.warning("cannot put a change back: %s", exc)
            count_settled(msg, self.policy.consumer, Outcome.RETRYING)

    async def _dead(self, msg: Msg, reason: str, exc: BaseException | None) -> None:
        self._count(msg, await settle_rejected(msg, self.policy, self.js, reason, exc))

    def _count(self, msg: Msg, outcome: Outcome) -> None:
        """A dead letter shows on its property's sync health."""
        if outcome is Outcome.DEAD_LETTERED:
            with contextlib.suppress(msgspec.DecodeError, msgspec.ValidationError):
                change = decode(msg.data, MewsChange)
                self.board.get(change.enterprise_id).dead_letters += 1
