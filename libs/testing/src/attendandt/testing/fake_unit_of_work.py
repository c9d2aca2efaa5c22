"""What every service's in-memory unit of work shares (cosmicpython's fakes): its inbox and
outbox, and a transaction over a copy of the committed store.

    @dataclass
    class FakeStore(FakeMessages):
        users: dict[str, UserRow] = field(default_factory=dict)

    class FakeUnitOfWork(FakeUnitOfWorkBase[FakeStore], UnitOfWork):
        def __init__(self, store: FakeStore | None = None) -> None:
            super().__init__(store or FakeStore())
            self.users = _Users(self)  # reads and writes `self.working`
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar


@dataclass(frozen=True)
class Queued:
    """A message the use case queued in the outbox."""

    subject: str
    payload: Any
    msg_id: str
    correlation_id: str | None = None


@dataclass
class FakeMessages:
    """What a store keeps of messages: the claimed (consumer, message id) pairs, what was
    queued, and how many transactions were committed."""

    inbox: set[tuple[str, str]] = field(default_factory=set)
    outbox: list[Queued] = field(default_factory=list)
    commits: int = 0


S = TypeVar("S", bound=FakeMessages)


class FakeUnitOfWorkBase(Generic[S]):
    """`working` is this unit's copy of what is committed (`store`): commit makes it the
    committed store, rollback starts again from that."""

    def __init__(self, store: S) -> None:
        self.store = store
        self.working = copy.deepcopy(store)

    async def claim(self, message_id: str, *, consumer: str) -> bool:
        if (consumer, message_id) in self.working.inbox:
            return False
        self.working.inbox.add((consumer, message_id))
        return True

    async def processed(self, message_id: str, *, consumer: str) -> bool:
        return (consumer, message_id) in self.working.inbox

    async def queue(
        self, subject: str, payload: Any, *, msg_id: str, correlation_id: str | None = None
    ) -> None:
        self.working.outbox.append(Queued(subject, payload, msg_id, correlation_id))

    async def commit(self) -> None:
        self.working.commits += 1
        self.store = copy.deepcopy(self.working)

    async def rollback(self) -> None:
        self.working = copy.deepcopy(self.store)
