"""The one permission table: what each role may do. Every API route names the permission it
needs (`opt={"permission": ...}`); `permission_guard` checks it. A route without one is
refused (and fails the route-walk test).

A permission ending in `:own` is the same action limited to the caller's own vendor: the
gateway passes the vendor user's `Caller` (`caller_of`) with every call, and the vendors
service enforces the scope (another vendor's object is "not found"); the gateway checks the
filters it can.

`caller_of` is how the rest of the platform learns what this table says: the role's
permissions travel in the `Caller` (the `Attendandt-Caller` header of every call made for a
user), with the properties the user acts for, so a service decides with its own data but
never with a second copy of the table.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from attendandt.contracts.caller import Caller
from attendandt.contracts.rpc import guests as guests_rpc
from attendandt.contracts.rpc import privacy as privacy_rpc
from attendandt.contracts.rpc import vendors as vendors_rpc
from attendandt.contracts.rpc.users import Principal
from attendandt.contracts.snapshots import UserRole


class Permission(enum.StrEnum):
    #: Who am I (`/auth/me`) and the live event stream (filtered by the other permissions).
    SELF_READ = "self:read"
    EVENTS_READ = "events:read"
    #: The hotels the user acts for, as Mews describes them (name, time zone, currency).
    PROPERTIES_READ = "properties:read"
    #: Guests and stays: names, rooms, stay dates (what a vendor needs).
    GUESTS_READ = "guests:read"
    #: Contact details, notes, birth date, company, the timeline.
    GUESTS_CONTACT_READ = "guests:contact:read"
    #: What was charged and paid for a stay (its bill, as Mews keeps it).
    STAYS_BILL_READ = guests_rpc.BILL_READ
    #: Everything held about one guest, in one document (a data subject's access request).
    GUESTS_EXPORT = "guests:export"
    #: Erase a guest everywhere, and follow erasure requests (the guests service checks it).
    GUESTS_ERASE = privacy_rpc.ERASE
    #: Who read guests' personal data (the access log).
    AUDIT_READ = privacy_rpc.AUDIT_READ
    #: Change a guest (written to Mews) and settle an edit's conflicts.
    GUESTS_EDIT = guests_rpc.EDIT
    #: The hotel's standing choices for conflicts between an edit here and Mews.
    GUESTS_EDIT_RULES = guests_rpc.EDIT_RULES
    #: Add a note to a stay or change one (written to Mews).
    STAY_NOTES_WRITE = guests_rpc.NOTES_WRITE
    VENDORS_READ = "vendors:read"
    VENDORS_READ_OWN = "vendors:read:own"
    VENDORS_WRITE = "vendors:write"
    OFFERINGS_WRITE = "offerings:write"
    OFFERINGS_WRITE_OWN = "offerings:write:own"
    BOOKINGS_READ = "bookings:read"
    BOOKINGS_READ_OWN = "bookings:read:own"
    BOOKINGS_CREATE = "bookings:create"
    #: Confirm, decline, fulfil, cancel.
    BOOKINGS_MANAGE = "bookings:manage"
    BOOKINGS_MANAGE_OWN = "bookings:manage:own"
    CHARGES_READ = "charges:read"
    CHARGES_READ_OWN = "charges:read:own"
    CHARGES_CREATE = "charges:create"
    CHARGES_CREATE_OWN = "charges:create:own"
    CHARGES_RETRY = "charges:retry"
    #: Approve or reject a charge held for approval (the vendors service checks it too).
    CHARGES_APPROVE = vendors_rpc.APPROVE_CHARGES_PERMISSION
    #: Cancel a charge (take it off the guest's bill; the vendors service checks it too).
    CHARGES_CANCEL = vendors_rpc.CANCEL_CHARGES_PERMISSION
    #: Read and change a property's billing caps and check-out grace period.
    BILLING_SETTINGS = vendors_rpc.BILLING_SETTINGS_PERMISSION
    USERS_ADMIN = "users:admin"
    SYNC_READ = "sync:read"
    SYNC_RESYNC = "sync:resync"


P = Permission

_FRONT_DESK = frozenset(
    {
        P.SELF_READ,
        P.EVENTS_READ,
        P.PROPERTIES_READ,
        P.GUESTS_READ,
        P.GUESTS_CONTACT_READ,
        P.GUESTS_EDIT,
        P.STAYS_BILL_READ,
        P.STAY_NOTES_WRITE,
        P.VENDORS_READ,
        P.BOOKINGS_READ,
        P.BOOKINGS_CREATE,
        P.BOOKINGS_MANAGE,
        P.CHARGES_READ,
        P.CHARGES_CREATE,
    }
)
_MANAGER = _FRONT_DESK | {
    P.GUESTS_EXPORT,
    P.GUESTS_ERASE,
    P.GUESTS_EDIT_RULES,
    P.VENDORS_WRITE,
    P.OFFERINGS_WRITE,
    P.CHARGES_RETRY,
    P.CHARGES_APPROVE,
    P.CHARGES_CANCEL,
    P.BILLING_SETTINGS,
    P.SYNC_READ,
}
_ADMIN = _MANAGER | {P.USERS_ADMIN, P.SYNC_RESYNC, P.AUDIT_READ}
_VENDOR = frozenset(
    {
        P.SELF_READ,
        P.EVENTS_READ,
        P.PROPERTIES_READ,
        P.GUESTS_READ,
        P.VENDORS_READ_OWN,
        P.OFFERINGS_WRITE_OWN,
        P.BOOKINGS_READ_OWN,
        P.BOOKINGS_MANAGE_OWN,
        P.CHARGES_READ_OWN,
        P.CHARGES_CREATE_OWN,
    }
)

ROLE_PERMISSIONS: Mapping[UserRole, frozenset[Permission]] = {
    UserRole.ADMIN: _ADMIN,
    UserRole.MANAGER: _MANAGER,
    UserRole.FRONT_DESK: _FRONT_DESK,
    UserRole.VENDOR: _VENDOR,
}

#: The route option naming what a route needs: one permission, or a tuple (any of them).
OPT_KEY = "permission"
#: Routes anyone may call (sign-in, refresh, logout): no token, no permission.
PUBLIC_KEY = "public"


def permissions_of(role: UserRole) -> frozenset[Permission]:
    return ROLE_PERMISSIONS.get(role, frozenset())


def caller_of(principal: Principal) -> Caller:
    """What the services are told about the signed-in user: its role's permissions (this
    table), and the properties it acts for: its own, or every one (None) for a portfolio-wide
    user (no property of its own). A vendor user without a property acts for none: a vendor
    always belongs to one, so that user's account is incomplete and reaches nothing."""
    if principal.enterprise_id is not None:
        enterprise_ids: tuple[str, ...] | None = (principal.enterprise_id,)
    elif principal.role is UserRole.VENDOR:
        enterprise_ids = ()
    else:
        enterprise_ids = None
    return Caller(
        user_id=principal.user_id,
        role=principal.role,
        permissions=tuple(sorted(p.value for p in permissions_of(principal.role))),
        enterprise_ids=enterprise_ids,
        vendor_id=principal.vendor_id,
    )


def has(principal: Principal, permission: Permission) -> bool:
    return permission in permissions_of(principal.role)


def required(opt: Mapping[str, Any]) -> tuple[Permission, ...]:
    """The permissions a route accepts (any of them); empty when it names none."""
    value = opt.get(OPT_KEY)
    if value is None:
        return ()
    if isinstance(value, Permission):
        return (value,)
    return tuple(value)


def allowed(role: UserRole, opt: Mapping[str, Any]) -> bool:
    """What the guard decides for an authenticated user of `role` (tests use it too)."""
    if opt.get(PUBLIC_KEY):
        return True
    needed = required(opt)
    return bool(needed) and any(p in permissions_of(role) for p in needed)


def permission_guard(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    if handler.opt.get(PUBLIC_KEY):
        return
    principal = connection.scope.get("user")
    if not isinstance(principal, Principal):
        raise NotAuthorizedException("authentication required")
    if not required(handler.opt):
        # A route that forgot to name its permission is closed, not open.
        raise PermissionDeniedException("this route names no permission")
    if not allowed(principal.role, handler.opt):
        raise PermissionDeniedException(f"role {principal.role.value} may not do this")
