"""Who a request-reply call is made for: the caller the gateway authenticated.

The gateway puts it in the `Attendandt-Caller` header of every call on `rpc.v1.>`; a service
reads it from there (`platform.rpc.answer_for_caller`) and never from the request body. Only
the gateway's (and the ops command's) NATS users may publish on `rpc.v1.>` (see
`contracts.permissions`), so the header is as trustworthy as those credentials. A service
that calls another on a caller's behalf (vendors asking guests for a stay) forwards the
header it was given, unchanged: it can narrow what the caller may do, never widen it.

The gateway's permission table decides which actions a role may take; `permissions` carries
its answer so a service can make the finer decisions that need its own data (a vendor's
charge at the offering's price, a manager's approval). Every service scopes every query and
command by `enterprise_ids` (the properties the caller may act for; None: every property,
for portfolio-wide users) and, for vendor users, by `vendor_id`.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from attendandt.contracts.snapshots import UserRole

CALLER_HEADER = "Attendandt-Caller"


class Caller(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    user_id: str
    role: UserRole
    #: What the gateway's permission table grants this role (e.g. "charges:approve").
    permissions: tuple[str, ...] = ()
    #: The properties the caller may act for; None: every property (portfolio-wide roles).
    enterprise_ids: tuple[str, ...] | None = None
    #: Set for vendor users: the one vendor they belong to.
    vendor_id: str | None = None

    @property
    def is_vendor(self) -> bool:
        return self.role is UserRole.VENDOR

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    def may_act_for(self, enterprise_id: str) -> bool:
        return self.enterprise_ids is None or enterprise_id in self.enterprise_ids

    def visible_enterprises(self, requested: str | None = None) -> tuple[str, ...] | None:
        """The enterprise filter of a list: the one asked for (when allowed; an empty tuple
        when not, so the list is empty rather than an oracle), or all the caller's (None:
        no filter, for portfolio-wide callers)."""
        if requested is not None:
            return (requested,) if self.may_act_for(requested) else ()
        return self.enterprise_ids

    def scoped(self, enterprise_ids: Iterable[str]) -> list[str]:
        return [e for e in enterprise_ids if self.may_act_for(e)]


def encode_caller(caller: Caller) -> str:
    return msgspec.json.encode(caller).decode()


def decode_caller(text: str) -> Caller:
    return msgspec.json.decode(text.encode(), type=Caller)
