"""In-memory stand-ins for the publisher's use cases: a `UnitOfWork` whose ledgers are plain
dicts changed only on commit (`FakeStore` is what is committed), the reference locks, and
the Mews side (`FakeEnterprises` handing out a `FakeMews` client that records its requests).

The unit of work behaves as the Postgres one does where the use cases rely on it: the inbox
refuses a message id a consumer claimed before, `processed` sees committed claims only, a
repeated customer update or note write counts one more attempt, and leaving the unit of work
without `commit` forgets the claim, the ledger changes and the queued messages."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from attendandt.mews import MewsError, MewsUnauthorized
from attendandt.mews.models.customers import CustomersUpdate
from attendandt.mews.models.orders import OrderAddResult, OrderItem, OrderItemsGetAll, OrdersAdd
from attendandt.mews.models.service_order_notes import ServiceOrderNote, ServiceOrderNotesAdd
from attendandt.mews_publisher.enterprises import EnterpriseUnavailable
from attendandt.mews_publisher.repository import Attempt, Cancellation, CustomerUpdate, NoteWrite
from attendandt.mews_publisher.unit_of_work import UnitOfWork
from attendandt.testing.fake_unit_of_work import FakeMessages, FakeUnitOfWorkBase


@dataclass
class FakeStore(FakeMessages):
    """What is committed."""

    #: (reference, attempt) → the attempt to post the charge.
    attempts: dict[tuple[str, int], Attempt] = field(default_factory=dict)
    cancellations: dict[tuple[str, int], Cancellation] = field(default_factory=dict)
    #: command id → the row's columns.
    customer_updates: dict[str, dict[str, Any]] = field(default_factory=dict)
    note_writes: dict[str, dict[str, Any]] = field(default_factory=dict)


_FINISHED_LATER = {
    "mews_order_id": None,
    "mews_message": None,
    "mews_request_id": None,
    "finished_at": None,
}


class _Attempts:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

    def _of(self, reference: str) -> list[Attempt]:
        rows = self._unit.working.attempts.values()
        return sorted((a for a in rows if a.reference == reference), key=lambda a: a.attempt)

    async def latest(self, reference: str) -> Attempt | None:
        found = self._of(reference)
        return found[-1] if found else None

    async def first_sent_at(self, reference: str) -> datetime | None:
        return min((a.sent_at for a in self._of(reference)), default=None)

    async def add(self, values: Mapping[str, Any]) -> None:
        key = (values["reference"], values["attempt"])
        assert key not in self._unit.working.attempts  # the primary key
        now = self._unit.clock()
        row = Attempt(**{**_FINISHED_LATER, "created_at": now, "updated_at": now, **values})
        self._unit.working.attempts[key] = row

    async def finish(self, reference: str, attempt: int, values: Mapping[str, Any]) -> None:
        rows = self._unit.working.attempts
        if (reference, attempt) in rows:
            row = rows[(reference, attempt)]
            rows[(reference, attempt)] = dataclasses.replace(
                row, **values, updated_at=self._unit.clock()
            )


class _Cancellations:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

    async def for_reference(self, reference: str) -> list[Cancellation]:
        rows = self._unit.working.cancellations.values()
        return sorted((c for c in rows if c.reference == reference), key=lambda c: c.attempt)

    async def add(self, values: Mapping[str, Any]) -> None:
        key = (values["reference"], values["attempt"])
        assert key not in self._unit.working.cancellations
        now = self._unit.clock()
        row = Cancellation(**{**_FINISHED_LATER, "created_at": now, "updated_at": now, **values})
        self._unit.working.cancellations[key] = row

    async def finish(self, reference: str, attempt: int, values: Mapping[str, Any]) -> None:
        rows = self._unit.working.cancellations
        if (reference, attempt) in rows:
            row = rows[(reference, attempt)]
            rows[(reference, attempt)] = dataclasses.replace(
                row, **values, updated_at=self._unit.clock()
            )


class _Writes:
    """Customer updates or note writes: rows by command id, started again on a repeat."""

    def __init__(self, unit: FakeUnitOfWork, table: str) -> None:
        self._unit = unit
        self._table = table

    @property
    def _rows(self) -> dict[str, dict[str, Any]]:
        rows: dict[str, dict[str, Any]] = getattr(self._unit.working, self._table)
        return rows

    def _start(self, values: Mapping[str, Any], first: Mapping[str, Any]) -> None:
        now = self._unit.clock()
        row = self._rows.get(values["command_id"])
        if row is None:
            self._rows[values["command_id"]] = {
                "sent_at": None,
                **first,
                **values,
                "state": "sending",
                "attempts": 1,
                "updated_at": now,
            }
            return
        row.update(state="sending", attempts=row["attempts"] + 1, updated_at=now)
        if "sent_at" in values:
            row["sent_at"] = values["sent_at"]

    async def finish(self, command_id: str, values: Mapping[str, Any]) -> None:
        if command_id in self._rows:
            self._rows[command_id].update(values, updated_at=self._unit.clock())


class _CustomerUpdates(_Writes):
    def __init__(self, unit: FakeUnitOfWork) -> None:
        super().__init__(unit, "customer_updates")

    async def get(self, command_id: str) -> CustomerUpdate | None:
        row = self._rows.get(command_id)
        if row is None:
            return None
        names = [f.name for f in dataclasses.fields(CustomerUpdate)]
        return CustomerUpdate(**{name: row[name] for name in names})

    async def start(self, values: Mapping[str, Any]) -> None:
        self._start(values, {})


class _NoteWrites(_Writes):
    def __init__(self, unit: FakeUnitOfWork) -> None:
        super().__init__(unit, "note_writes")

    async def get(self, command_id: str) -> NoteWrite | None:
        row = self._rows.get(command_id)
        if row is None:
            return None
        return NoteWrite(
            command_id, row["state"], row.get("note_id"), row["first_sent_at"], row["sent_at"]
        )

    async def start(self, values: Mapping[str, Any]) -> None:
        self._start(values, {"first_sent_at": values["sent_at"]})


class FakeUnitOfWork(FakeUnitOfWorkBase[FakeStore], UnitOfWork):
    """Handed to the use cases as `lambda: uow`: each of their transactions enters it anew,
    and `uow.store` shows what was committed."""

    def __init__(self, store: FakeStore | None = None, *, clock: Callable[[], datetime]) -> None:
        super().__init__(store or FakeStore())
        self.clock = clock
        self.attempts = _Attempts(self)
        self.cancellations = _Cancellations(self)
        self.customer_updates = _CustomerUpdates(self)
        self.note_writes = _NoteWrites(self)


class FakeLocks:
    """Reference locks of one process: `held` are those another worker holds."""

    def __init__(self) -> None:
        self.held: set[str] = set()
        self.taken: list[str] = []

    @asynccontextmanager
    async def reference_lock(self, reference: str) -> AsyncIterator[bool]:
        if reference in self.held:
            yield False
            return
        self.held.add(reference)
        self.taken.append(reference)
        try:
            yield True
        finally:
            self.held.discard(reference)


class FakeMews:
    """The Mews client of one enterprise: `orders/add` answers the next order id (or raises
    what `fail_next` holds) and remembers the items it added, which `orderItems/getAll` finds;
    `customers/update` and `serviceOrderNotes/add` are recorded (and fail the same way)."""

    def __init__(self) -> None:
        self.requests: list[OrdersAdd] = []
        self.customer_updates: list[CustomersUpdate] = []
        self.notes_added: list[ServiceOrderNotesAdd] = []
        self.items: list[OrderItem] = []
        self.fail_next: list[MewsError] = []
        #: Apply the order, then raise this (an answer lost after Mews applied it).
        self.lose_answer: MewsError | None = None

    async def add_order(self, request: OrdersAdd) -> OrderAddResult:
        self.requests.append(request)
        if self.fail_next:
            raise self.fail_next.pop(0)
        order_id = f"order-{len(self.requests)}"
        for n, item in enumerate(request.items or ()):
            self.items.append(
                OrderItem(
                    id=f"{order_id}-item-{n}",
                    service_order_id=order_id,
                    external_identifier=item.external_identifier,
                )
            )
        if self.lose_answer is not None:
            lost, self.lose_answer = self.lose_answer, None
            raise lost
        return OrderAddResult(order_id=order_id)

    async def get_order_items(self, request: OrderItemsGetAll) -> AsyncIterator[OrderItem]:
        for item in list(self.items):
            yield item

    async def update_customer(self, request: CustomersUpdate) -> None:
        self.customer_updates.append(request)
        if self.fail_next:
            raise self.fail_next.pop(0)

    async def add_service_order_notes(
        self, request: ServiceOrderNotesAdd
    ) -> list[ServiceOrderNote]:
        self.notes_added.append(request)
        if self.fail_next:
            raise self.fail_next.pop(0)
        return [
            ServiceOrderNote(
                id=f"note-{len(self.notes_added)}-{n}", order_id=p.service_order_id, text=p.text
            )
            for n, p in enumerate(request.service_order_notes)
        ]


@dataclass
class FakeLink:
    enterprise_id: str
    client: FakeMews


class FakeEnterprises:
    """Which fake Mews client writes for which enterprise (`Enterprises`' part the use
    cases call)."""

    def __init__(self, **clients: FakeMews) -> None:
        self.links = {e: FakeLink(e, client) for e, client in clients.items()}
        self.unauthorized: list[str] = []

    def link(self, enterprise_id: str) -> FakeLink:
        if enterprise_id not in self.links or enterprise_id in self.unauthorized:
            raise EnterpriseUnavailable(f"no Mews token bound to enterprise {enterprise_id}")
        return self.links[enterprise_id]

    def mark_unauthorized(self, enterprise_id: str, error: MewsUnauthorized) -> None:
        self.unauthorized.append(enterprise_id)
