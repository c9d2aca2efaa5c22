"""Reads of customers due together go to Mews as one `customers/getAll`.

Every staff edit reads its customer before it writes (the lookup that keeps the write once
and finds a conflict). Read one by one, that doubles the Mews calls of an edit, and the
budget is 200 calls per token per 30 s. Here the reads of every edit in hand for one
enterprise share a request: the first read waits a moment (`gather_s`) for others, and while
a request is out (waiting for the shared bucket, or for Mews) new reads gather for the next
one. A request carries at most `max_ids` customers (Mews caps `CustomerIds` at 1000; fewer than
a page of 1000 keeps the answer to one page, so one call).

A read is only ever answered by a request that left after it was asked: an edit never
decides on a customer read before its own lookup was due.

Mews answering 400/403/413 for a request of several customers (one id it refuses) is not
every edit's fault: each of them is then read on its own, so only the one it refuses fails.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from attendandt.mews import MewsBadRequest, MewsContentTooLarge, MewsForbidden
from attendandt.mews.models.customers import Customer

#: Mews's cap on `CustomerIds` in customers/getAll (connector-api/operations/customers.md).
MAX_CUSTOMER_IDS = 1000
#: Customers per request: under a full page (1000), so Mews answers in one page.
DEFAULT_IDS_PER_READ = 500

#: Refusals of a request (not of Mews being unreachable): retried per customer.
_REFUSED = (MewsBadRequest, MewsForbidden, MewsContentTooLarge)

#: Reads customers/getAll for these ids; answers the customers Mews found.
Fetch = Callable[[list[str]], Awaitable[list[Customer]]]


@dataclass
class _Batch:
    fetch: Fetch
    #: Customer id → the reads waiting for it (two edits of one customer may both wait).
    waiting: dict[str, list[asyncio.Future[Customer | None]]] = field(default_factory=dict)
    task: asyncio.Task[None] | None = None


class CustomerReads:
    def __init__(self, *, max_ids: int = DEFAULT_IDS_PER_READ, gather_s: float = 0.02) -> None:
        if not 1 <= max_ids <= MAX_CUSTOMER_IDS:
            raise ValueError(f"max_ids must be between 1 and {MAX_CUSTOMER_IDS}")
        self.max_ids = max_ids
        self.gather_s = gather_s
        self._batches: dict[str, _Batch] = {}
        #: customers/getAll requests sent, and customers asked for in them (for the bench).
        self.requests = 0
        self.reads = 0

    async def read(self, key: str, fetch: Fetch, customer_id: str) -> Customer | None:
        """The customer as Mews holds it now (None when Mews has no such customer), read
        with the other reads of `key` (an enterprise) due at the same time. Raises what
        the request raised (a MewsError) when Mews could not be asked."""
        batch = self._batches.get(key)
        if batch is None:
            batch = self._batches[key] = _Batch(fetch)
        future: asyncio.Future[Customer | None] = asyncio.get_running_loop().create_future()
        batch.waiting.setdefault(customer_id, []).append(future)
        if batch.task is None or batch.task.done():
            batch.task = asyncio.create_task(self._drain(batch), name=f"customer-reads-{key}")
        return await future

    async def _drain(self, batch: _Batch) -> None:
        await asyncio.sleep(self.gather_s)
        while batch.waiting:
            ids = list(batch.waiting)[: self.max_ids]
            taken = {i: batch.waiting.pop(i) for i in ids}
            # A read given up meanwhile (its worker stopped) is not asked for.
            wanted = [i for i, futures in taken.items() if any(not f.done() for f in futures)]
            if not wanted:
                continue
            try:
                found = await self._fetch(batch.fetch, wanted)
            except Exception as exc:
                for futures in taken.values():
                    for f in futures:
                        if not f.done():
                            f.set_exception(exc)
                continue
            for customer_id, futures in taken.items():
                for f in futures:
                    if not f.done():
                        f.set_result(found.get(customer_id))

    async def _fetch(self, fetch: Fetch, ids: list[str]) -> dict[str, Customer]:
        self.requests += 1
        self.reads += len(ids)
        try:
            customers = await fetch(ids)
        except _REFUSED:
            if len(ids) == 1:
                raise
            return await self._one_by_one(fetch, ids)
        return {c.id: c for c in customers if c.id in ids}

    async def _one_by_one(self, fetch: Fetch, ids: list[str]) -> dict[str, Customer]:
        found: dict[str, Customer] = {}
        for customer_id in ids:
            # A refused one is simply not found; the edit reports it (as a single read would).
            with contextlib.suppress(*_REFUSED):
                found.update(await self._fetch(fetch, [customer_id]))
        return found

    async def aclose(self) -> None:
        for batch in self._batches.values():
            if batch.task is not None and not batch.task.done():
                batch.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await batch.task
