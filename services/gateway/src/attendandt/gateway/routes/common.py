"""What the route modules share: the signed-in principal, the `Caller` every call on its
behalf carries, the enterprise it may ask about, and the decorator arguments every API route
carries."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import NamedDependency

from attendandt.contracts.caller import Caller
from attendandt.contracts.rpc.users import Principal
from attendandt.gateway.backend import Backend
from attendandt.gateway.permissions import OPT_KEY, PUBLIC_KEY, Permission, caller_of, has
from attendandt.gateway.problems import API_ERRORS, ProblemException

BEARER: list[dict[str, list[str]]] = [{"bearer": []}]
#: The gateway's connection to the platform, injected into every handler.
BackendDep = NamedDependency[Backend]


def needs(*permissions: Permission, **extra: Any) -> dict[str, Any]:
    """Decorator arguments of a protected route: its permission (any of), the problems it
    may answer, the bearer security requirement (for the OpenAPI document)."""
    opt = {OPT_KEY: permissions[0] if len(permissions) == 1 else tuple(permissions)}
    return {"opt": opt, "responses": API_ERRORS, "security": BEARER, **extra}


def public(**extra: Any) -> dict[str, Any]:
    return {"opt": {PUBLIC_KEY: True}, "responses": API_ERRORS, **extra}


def principal_of(request: Request[Any, Any, Any]) -> Principal:
    found = request.scope.get("user")
    if not isinstance(found, Principal):  # the auth middleware sets it on every API route
        raise ProblemException(401, "authentication required")
    return found


def caller(request: Request[Any, Any, Any]) -> Caller:
    """Who a call made for this request is made for: `backend.call(..., caller=caller(request))`
    on every call but the pre-auth ones (the services scope everything by it)."""
    return caller_of(principal_of(request))


def enterprise_for(principal: Principal, requested: str | None) -> str:
    """The enterprise a request is about: a property's staff and vendors only ever their own
    (the default); portfolio-wide users name one. Another property is "not found", like one
    that does not exist: the answer never tells whether it does."""
    if principal.enterprise_id is not None:
        if requested is not None and requested != principal.enterprise_id:
            raise ProblemException(404, f"enterprise {requested} not found")
        return principal.enterprise_id
    if requested is None:
        raise ProblemException(400, "enterprise_id is required for portfolio-wide users")
    return requested


def own_vendor_filter(principal: Principal, requested: str | None, broad: Permission) -> str | None:
    """A vendor filter on a list: staff (holding `broad`) any; a vendor user its own only."""
    if has(principal, broad):
        return requested
    if requested is not None and requested != principal.vendor_id:
        raise ProblemException(403, "a vendor user may only see its own vendor")
    return principal.vendor_id
