"""What every Connector API operation needs: the caller's scope and shared filters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from attendandt.mews_sim.errors import Forbidden, invalid
from attendandt.mews_sim.params import Interval, Params
from attendandt.mews_sim.store import EnterpriseInfo, Entity, Store, TokenPair

Operation = Callable[["Ctx", Params], dict[str, Any]]
ACTIVITY_STATES = frozenset({"Active", "Deleted"})


#: Mews marks these parameters "required with Portfolio Access Tokens, ignored otherwise".
PORTFOLIO_REQUIRED = "The value is required with a Portfolio Access Token."


@dataclass
class Ctx:
    """The caller's token and what it may reach: one enterprise, or a portfolio's properties
    (`TokenPair.scope`). Operations never take the token's own enterprise: a single
    enterprise comes from `enterprise`, several from `enterprises`, chains from `chain` and
    `chains`; for a single-enterprise token these ignore the portfolio parameters, as Mews
    does."""

    store: Store
    token: TokenPair

    def enterprise(self, p: Params, *, own_by_default: bool = False) -> EnterpriseInfo:
        """The enterprise a single-enterprise action works on. A portfolio token names it in
        `EnterpriseId` (in its scope); without it the action is refused, or with
        `own_by_default` works on the portfolio's own enterprise (`configuration/get`)."""
        wanted = p.opt_id("EnterpriseId")
        own = self.token.enterprise_id
        if not self.token.is_portfolio or (own_by_default and (wanted is None or wanted == own)):
            return self.store.info[own]
        if wanted is None:
            raise invalid("EnterpriseId", PORTFOLIO_REQUIRED)
        self._in_scope("enterprise", [wanted], self.token.scope)
        return self.store.info[wanted]

    def enterprises(self, p: Params) -> list[str]:
        """The token's enterprises, narrowed by `EnterpriseIds` when given; a portfolio token
        naming one outside its scope is refused."""
        scope = list(self.token.enterprise_ids)
        wanted = p.opt_ids("EnterpriseIds")
        if wanted is None:
            return scope
        if self.token.is_portfolio:
            self._in_scope("enterprise", wanted, scope)
        return [e for e in scope if e in wanted]

    def chain(self, p: Params) -> str:
        """The chain a customer write works in: a portfolio token's `ChainId` (required, in
        scope), else the token's enterprise's chain."""
        wanted = p.opt_id("ChainId")
        if not self.token.is_portfolio:
            return self.store.info[self.token.enterprise_id].chain_id
        if wanted is None:
            raise invalid("ChainId", PORTFOLIO_REQUIRED)
        self._in_scope("chain", [wanted], self._scope_chains())
        return wanted

    def chains(self, p: Params, *, required: bool = False) -> list[str]:
        """The chains of the token's enterprises, narrowed by a portfolio token's `ChainIds`
        (which `required` operations refuse to do without)."""
        wanted = p.opt_ids("ChainIds")
        scope = self._scope_chains()
        if not self.token.is_portfolio or (wanted is None and not required):
            return scope
        if wanted is None:
            raise invalid("ChainIds", PORTFOLIO_REQUIRED)
        self._in_scope("chain", wanted, scope)
        return [c for c in scope if c in wanted]

    def _scope_chains(self) -> list[str]:
        return list(dict.fromkeys(self.store.info[e].chain_id for e in self.token.enterprise_ids))

    @staticmethod
    def _in_scope(kind: str, wanted: list[str], scope: list[str] | tuple[str, ...]) -> None:
        outside = next((w for w in wanted if w not in scope), None)
        if outside is not None:
            raise Forbidden(f"The access token has no access to the {kind} {outside}.")


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
