"""The bodies of the users routes: an invitation, a role change."""

from __future__ import annotations

from attendandt.contracts.snapshots import UserRole
from attendandt.gateway.schemas.base import Body, Email, Id, Text


class UserInvite(Body, frozen=True, kw_only=True):
    email: Email
    name: Text
    role: UserRole
    vendor_id: Id | None = None
    enterprise_id: Id | None = None


class RoleChange(Body, frozen=True, kw_only=True):
    role: UserRole
    vendor_id: Id | None = None
