"""The Caller the gateway passes to a domain service with every call: who the authenticated
principal is, what the permission table grants its role, and the properties it may act for.

A service scopes every query and command by it (`contracts.caller`); the gateway never puts
an identity in a request body.
"""

from __future__ import annotations

from attendandt.contracts.caller import Caller
from attendandt.contracts.rpc.users import Principal
from attendandt.gateway.permissions import permissions_of
from attendandt.gateway.problems import ProblemException


def caller_of(principal: Principal) -> Caller:
    """A property's staff and vendors act for their property only; a principal without one
    is portfolio-wide (None: every property)."""
    enterprise_ids = None if principal.enterprise_id is None else (principal.enterprise_id,)
    return Caller(
        user_id=principal.user_id,
        role=principal.role,
        permissions=tuple(sorted(p.value for p in permissions_of(principal.role))),
        enterprise_ids=enterprise_ids,
        vendor_id=principal.vendor_id,
    )


def enterprise_in_scope(principal: Principal, requested: str | None) -> str:
    """The enterprise a request is about: a property's staff and vendors default to theirs;
    portfolio-wide users name one. Another property is "not found" (404, never 403: the
    answer must not tell which properties exist)."""
    if principal.enterprise_id is None:
        if requested is None:
            raise ProblemException(400, "enterprise_id is required for portfolio-wide users")
        return requested
    if requested is not None and requested != principal.enterprise_id:
        raise ProblemException(404, "no such property")
    return principal.enterprise_id
