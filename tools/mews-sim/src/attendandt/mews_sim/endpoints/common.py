"""What every Connector API operation needs: the caller's scope and shared filters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from attendandt.mews_sim.params import Interval, Params
from attendandt.mews_sim.store import EnterpriseInfo, Entity, Store, TokenPair

Operation = Callable[["Ctx", Params], dict[str, Any]]
ACTIVITY_STATES = frozenset({"Active", "Deleted"})


@dataclass
class Ctx:
    store: Store
    token: TokenPair

    @property
    def enterprise_id(self) -> str:
        return self.token.enterprise_id

    @property
    def info(self) -> EnterpriseInfo:
        return self.store.info[self.enterprise_id]

    @property
    def chain_id(self) -> str:
        return self.info.chain_id

    def enterprises(self, p: Params) -> list[str]:
        """The token's enterprises, narrowed by `EnterpriseIds` when given."""
        scope = [self.enterprise_id]
        wanted = p.opt_ids("EnterpriseIds")
        if wanted is None:
            return scope
        return [e for e in scope if e in wanted]

    def chains(self, p: Params) -> list[str]:
        # ChainIds are required with Portfolio Access Tokens and ignored otherwise.
        p.opt_ids("ChainIds")
        return [self.chain_id]


def in_any(value: Any, wanted: list[str] | None) -> bool:
    return wanted is None or value in wanted


def interval_ok(interval: Interval | None, value: str | None) -> bool:
    return interval is None or interval.contains(value)


def activity_ok(states: list[str] | None, entity: Entity) -> bool:
    if not states:
        return True
    return ("Active" if entity.get("IsActive", True) else "Deleted") in states


def paged(key: str, items: list[Entity], cursor: str | None) -> dict[str, Any]:
    return {key: items, "Cursor": cursor}
