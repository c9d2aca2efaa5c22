"""Applying a batch of commands with set-based writes (`guest_batches`, `stay_batches`): the
first delivery of each command id is claimed, the entities locked, and the commands applied
in rounds that each take an entity at most once (a row cannot change twice in one
statement, and an entity's versions must apply in their order), all in one unit of work.

Batches of one consumer are applied two at a time (`platform.subscriptions`); `Turns`
keeps them in the stream's order where it matters: each batch claims and locks only once
the batch fetched before it holds its locks (or ended), so of two batches about one entity
the later waits for the earlier's commit, as applying their commands one by one would."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Hashable, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol, TypeVar

from attendandt.guests.applied import Applied
from attendandt.guests.unit_of_work import UnitOfWork


class Command(Protocol):
    @property
    def command_id(self) -> str: ...


T = TypeVar("T")
C = TypeVar("C", bound=Command)
#: (enterprise, Mews id): an entity.
Key = tuple[str, str]
#: A command with its place in the batch (what its outcome is reported at).
Numbered = tuple[int, T]


def untraced(command: Any) -> AbstractContextManager[object]:
    """The default of a batch's per-command hook: nothing around announcing a command."""
    return contextlib.nullcontext()


class Turns:
    """The order in which a consumer's batches claim and lock: the order they began in."""

    def __init__(self) -> None:
        self._last: asyncio.Future[None] | None = None

    def take(self) -> tuple[asyncio.Future[None] | None, asyncio.Future[None]]:
        """(the turn before this one, this one's): wait for the first, then settle the
        second once this batch holds its locks, or has ended."""
        previous, mine = self._last, asyncio.get_running_loop().create_future()
        self._last = mine
        return previous, mine


def first_deliveries(command_ids: Sequence[str]) -> dict[str, int]:
    """Each command id → its first place in the batch (a later one is a repeat)."""
    first: dict[str, int] = {}
    for i, command_id in enumerate(command_ids):
        first.setdefault(command_id, i)
    return first


def rounds(items: Sequence[Numbered[T]], key: Callable[[T], Hashable]) -> list[list[Numbered[T]]]:
    """`items` in rounds that each hold an entity (`key`) at most once, keeping their order:
    an entity's second version in the batch goes in the second round, and so on."""
    split: list[list[Numbered[T]]] = []
    seen: dict[Hashable, int] = {}
    for item in items:
        k = key(item[1])
        n = seen.get(k, 0)
        seen[k] = n + 1
        if n == len(split):
            split.append([])
        split[n].append(item)
    return split


async def apply_in_rounds(
    uow: UnitOfWork,
    commands: Sequence[C],
    *,
    consumer: str,
    key: Callable[[C], Key],
    lock: Callable[[Sequence[Key]], Awaitable[None]],
    apply_round: Callable[[Sequence[Numbered[C]]], Awaitable[dict[int, Applied]]],
    turns: Turns | None = None,
) -> list[Applied]:
    """In one unit of work: claim the commands' ids, `lock` their entities, `apply_round`
    each round, commit. What became of each command (a repeated id: a duplicate). With
    `turns`, the claims and locks wait for those of the batch begun before."""
    first = first_deliveries([c.command_id for c in commands])
    outcome: dict[int, Applied] = {}
    previous, locked = turns.take() if turns is not None else (None, None)
    try:
        if previous is not None:
            await asyncio.wait({previous})  # (not cancelled if this batch is)
        async with uow:
            claimed = await uow.claim_many(list(first), consumer=consumer)
            todo = [(i, commands[i]) for c, i in first.items() if c in claimed]
            await lock([key(c) for _, c in todo])
            if locked is not None:
                locked.set_result(None)
            for round_ in rounds(todo, key):
                outcome |= await apply_round(round_)
            await uow.commit()
    finally:
        if locked is not None and not locked.done():
            locked.set_result(None)
    return [outcome.get(i, Applied.DUPLICATE) for i in range(len(commands))]
