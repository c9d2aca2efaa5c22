"""Outbox: messages written in the same transaction as the change they announce, and a relay
that publishes them to JetStream after the commit.

A rolled-back transaction leaves no row, so nothing is published for it. The relay deletes
a row only after JetStream stored its message; if it dies in between, the next relay
publishes the row again with the same `Nats-Msg-Id` and JetStream drops the repeat (within
the stream's duplicate window; consumers are idempotent beyond it).

The relay also measures its backlog (rows waiting, the oldest one's age) for `/metrics`, at
most every `measure_interval` seconds: a backlog that grows is NATS refusing, or a relay
that does not run.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from operator import itemgetter
from typing import Any

import asyncpg
import msgspec
from nats.js import JetStreamContext
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    LargeBinary,
    MetaData,
    Table,
    Text,
    bindparam,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from attendandt.contracts.base import Payload, encode
from attendandt.platform import metrics
from attendandt.platform.db import plain_url
from attendandt.platform.messaging import message_headers, publish_stored
from attendandt.platform.telemetry import inject, producer_span, recorded

log = logging.getLogger(__name__)

#: Headers as JSON text (the row's jsonb, bound as text), a few times faster than `json`.
_json_text = msgspec.json.Encoder()


def outbox_table(metadata: MetaData) -> Table:
    return Table(
        "outbox",
        metadata,
        Column("id", BigInteger, Identity(), primary_key=True),
        Column("subject", Text, nullable=False),
        Column("payload", LargeBinary, nullable=False),
        Column("headers", JSONB, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


def notify_channel(outbox: Table) -> str:
    return f"{outbox.schema or 'public'}_outbox"


def outbox_row(
    subject: str, payload: Payload, *, msg_id: str, correlation_id: str | None = None
) -> tuple[str, bytes, str]:
    """The outbox row of `payload` for `subject` (subject, body, headers as JSON); its headers
    keep the trace context current now (the use case's), which the relay's publish continues."""
    headers = message_headers(payload, msg_id=msg_id, correlation_id=correlation_id)
    return subject, encode(payload), _json_text.encode(headers).decode()


async def add_rows(
    session: AsyncSession, outbox: Table, rows: Sequence[tuple[str, bytes, str]]
) -> None:
    """Insert `rows` (`outbox_row`) inside the caller's transaction, in their order, and
    notify the relay (delivered at commit only, dropped on rollback: it wakes the relay
    without polling); one statement however many rows there are."""
    if not rows:
        return
    subjects, payloads, headers = zip(*rows, strict=True)
    await session.execute(
        _add_all(outbox),
        {
            "subjects": list(subjects),
            "payloads": list(payloads),
            "headers": list(headers),
            "channel": notify_channel(outbox),
        },
    )


async def add(
    session: AsyncSession,
    outbox: Table,
    *,
    subject: str,
    payload: Payload,
    msg_id: str,
    correlation_id: str | None = None,
) -> None:
    """Queue one `payload` for `subject` inside the caller's transaction."""
    row = outbox_row(subject, payload, msg_id=msg_id, correlation_id=correlation_id)
    await add_rows(session, outbox, [row])


@functools.cache
def _add_all(outbox: Table) -> Any:
    """Insert the rows (bound as three arrays, in their order: the relay publishes by id)
    and notify the relay, in one round trip. Built once per table. (Arrays, not one JSON
    document: Postgres spends three times as long reading a row's JSON as its arrays'
    elements, more than binding the arrays costs here.)"""

    def each(name: str, item: Any) -> Any:
        return func.unnest(bindparam(name, type_=ARRAY(item)))

    rows = select(
        each("subjects", Text),
        each("payloads", LargeBinary),
        cast(each("headers", Text), JSONB),
    )
    added = insert(outbox).from_select(["subject", "payload", "headers"], rows).cte("added")
    notify = func.pg_notify(bindparam("channel", type_=Text), literal("", Text))
    return select(notify).add_cte(added)


@functools.cache
def _take(outbox: Table) -> Any:
    """The oldest `:limit` rows no other relay holds, deleted (in this transaction) and
    returned."""
    oldest = (
        select(outbox.c.id)
        .order_by(outbox.c.id)
        .limit(bindparam("limit"))
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    return (
        delete(outbox)
        .where(outbox.c.id.in_(oldest))
        .returning(
            outbox.c.id,
            outbox.c.subject,
            outbox.c.payload,
            cast(outbox.c.headers, Text).label("headers"),  # read by `_stored_headers`
        )
    )


PublishHook = Callable[[list[int]], Awaitable[None]]


class OutboxRelay:
    """Publishes committed outbox rows in order, then deletes them.

    Several relays may run (replicas): `FOR UPDATE SKIP LOCKED` gives each batch to one.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        outbox: Table,
        js: JetStreamContext,
        *,
        batch_size: int = 1000,
        poll_interval: float = 1.0,
        after_publish: PublishHook | None = None,
        measure_interval: float = 5.0,
    ) -> None:
        self.engine = engine
        self.outbox = outbox
        self.js = js
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self._after_publish = after_publish  # test seam: fail between publish and delete
        self._wake = asyncio.Event()
        self.published = 0
        self.name = outbox.schema or "public"
        self.measure_interval = measure_interval
        self._measured_at = float("-inf")

    async def relay_once(self) -> int:
        """Publish one batch; returns how many rows it relayed."""
        async with self.engine.begin() as conn:
            # Taken and deleted in one statement; the delete commits only once JetStream
            # stored every message (a failure rolls it back: the rows stay for the next try).
            taken = await conn.execute(_take(self.outbox), {"limit": self.batch_size})
            rows = sorted(taken.all(), key=itemgetter(0))  # (id, subject, payload, headers)
            if not rows:
                return 0
            # The publishes leave in row order on one connection; their acks come together.
            spans = recorded()
            await publish_stored(
                self.js, [self._message(s, p, h, spans=spans) for _, s, p, h in rows]
            )
            if self._after_publish is not None:
                await self._after_publish([row_id for row_id, *_ in rows])
        self.published += len(rows)
        metrics.OUTBOX_PUBLISHED.labels(self.name).inc(len(rows))
        return len(rows)

    def _message(
        self, subject: str, payload: bytes, stored: str, *, spans: bool
    ) -> tuple[str, bytes, dict[str, str]]:
        """The row's message, its publish a span of the trace that wrote the row (the
        context is stored in its headers), so that trace runs on to the event's consumers.
        While spans are not recorded (`spans`), the stored context goes on as it is (the
        same trace; a span of its own would be made and dropped for every message)."""
        headers = _stored_headers(stored)
        if not spans:
            return subject, payload, headers
        with producer_span(subject, parent=headers):
            return subject, payload, inject(headers)

    async def measure(self) -> int:
        """Rows waiting and the oldest one's age, into the backlog figures; the count."""
        table = self.outbox
        async with self.engine.connect() as conn:
            waiting, oldest_age = (
                await conn.execute(
                    select(
                        func.count(),
                        func.coalesce(
                            func.extract("epoch", func.now() - func.min(table.c.created_at)), 0
                        ),
                    ).select_from(table)
                )
            ).one()
        metrics.OUTBOX_BACKLOG.labels(self.name).set(waiting)
        metrics.OUTBOX_OLDEST_AGE.labels(self.name).set(float(oldest_age))
        self._measured_at = time.monotonic()
        return int(waiting)

    async def _measure_now_and_then(self) -> None:
        if time.monotonic() - self._measured_at < self.measure_interval:
            return
        try:
            await self.measure()
        except Exception:
            log.debug("outbox backlog not measured", exc_info=True)

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until `stop` is set: at once on NOTIFY, else every `poll_interval`."""
        listener = await self._listen()
        try:
            while not stop.is_set():
                self._wake.clear()  # before relaying: a NOTIFY during the batch is not lost
                try:
                    relayed = await self.relay_once()
                except Exception:
                    log.exception("outbox relay failed; retrying")
                    relayed = 0
                await self._measure_now_and_then()
                if relayed == self.batch_size:
                    continue  # more are waiting
                woken = asyncio.ensure_future(self._wake.wait())
                stopped = asyncio.ensure_future(stop.wait())
                await asyncio.wait(
                    {woken, stopped},
                    timeout=self.poll_interval,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                woken.cancel()
                stopped.cancel()
        finally:
            if listener is not None:
                await listener.close()

    async def _listen(self) -> Any:
        url = self.engine.url.render_as_string(hide_password=False)
        try:
            conn = await asyncpg.connect(plain_url(url))
        except (OSError, asyncpg.PostgresError):
            log.warning("outbox relay cannot LISTEN; polling every %ss", self.poll_interval)
            return None
        await conn.add_listener(notify_channel(self.outbox), lambda *_: self._wake.set())
        return conn


_headers_of_text = msgspec.json.Decoder(dict[str, str])


def _stored_headers(text: str) -> dict[str, str]:
    """A row's headers (its jsonb as text): strings, as written by `outbox_row`; anything
    else a row may hold is made a string."""
    try:
        return _headers_of_text.decode(text)
    except msgspec.ValidationError:
        return {str(k): str(v) for k, v in msgspec.json.decode(text).items()}
