"""What a request of one portfolio property adds to name that property.

With a Portfolio Access Token, Mews needs every request to say which of the token's
enterprises it is for: reads take `EnterpriseIds` (omitted: all of them), single-enterprise
actions `EnterpriseId`, and customer and company data is scoped by chain (`ChainIds` on reads,
`ChainId` on writes: required with a portfolio token). A client of one property adds them to
every request, so the operations above it need not know what kind of token they call with.
"""

from __future__ import annotations

from typing import Any

from .environments import PortfolioScope

#: Operations on data a chain shares (customers, companies and their accounts).
_CHAIN_SCOPED = ("customers/", "companies/", "accounts/")


def scope_fields(operation: str, scope: PortfolioScope) -> dict[str, Any]:
    """The fields naming `scope` for `operation` (`customers/getAll`, `orders/add`, ...)."""
    read = "/getAll" in operation
    if operation.startswith(_CHAIN_SCOPED):
        if scope.chain_id is None:
            return {}
        return {"ChainIds": [scope.chain_id]} if read else {"ChainId": scope.chain_id}
    if read:
        return {"EnterpriseIds": [scope.enterprise_id]}
    return {"EnterpriseId": scope.enterprise_id}
