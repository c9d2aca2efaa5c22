"""Splitting a batch of commands for set-based writes: the first delivery of each command id,
in rounds that each take an entity at most once (a row cannot change twice in one statement,
and an entity's versions must apply in their order)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

T = TypeVar("T")
#: A command with its place in the batch (what its outcome is reported at).
Numbered = tuple[int, T]


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
