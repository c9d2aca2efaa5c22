"""The users service's use cases: sign-in, principals, refresh tokens, administration,
provisioning. Plain Python on a `UnitOfWork` (`units()` makes the one of a transaction): the
edges (rpc.py, consumers.py, cli.py) call these.

`UserService` composes them, one module a responsibility: `sessions` (sign-in, principals,
refresh tokens), `admin` (invites, passwords, roles, reading users and the audit log),
`provisioning` (users from outside, the seeded admin), on `core` (shared lookups, the
last-admin guard, events) and `rules` (pure validation, access and views).

Decisions (see also the README and each module):
- Enterprise: `enterprise_id` is a Mews enterprise id, or None for portfolio-wide staff. Event
  subjects use the token "portfolio" for those (`attendandt.v2.portfolio.user.created`).
- The last-admin guard counts admins who can sign in (active, with a password or a linked
  external identity): an invited admin who never set a password does not keep the system
  administrable.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from attendandt.users.admin import Administration
from attendandt.users.core import TokenLifetimes, Unauthorized
from attendandt.users.passwords import PasswordHashing
from attendandt.users.provisioning import Provisioning, SeedResult
from attendandt.users.sessions import MAX_GRACE_SUCCESSORS, SIGN_IN_FAILED, Sessions
from attendandt.users.unit_of_work import UnitOfWork

__all__ = [
    "MAX_GRACE_SUCCESSORS",
    "SIGN_IN_FAILED",
    "SeedResult",
    "TokenLifetimes",
    "Unauthorized",
    "UserService",
]


class UserService:
    def __init__(
        self,
        units: Callable[[], UnitOfWork],
        hashing: PasswordHashing,
        lifetimes: TokenLifetimes | None = None,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        parts = (units, hashing, lifetimes or TokenLifetimes(), clock)
        self.sessions = Sessions(*parts)
        self.admin = Administration(*parts)
        self.provisioning = Provisioning(*parts)

        self.authenticate = self.sessions.authenticate
        self.get_principal_by_subject = self.sessions.get_principal_by_subject
        self.get_principal = self.sessions.get_principal
        self.issue_refresh_token = self.sessions.issue_refresh_token
        self.rotate_refresh_token = self.sessions.rotate_refresh_token
        self.revoke_refresh_token = self.sessions.revoke_refresh_token

        self.invite_user = self.admin.invite_user
        self.set_password = self.admin.set_password
        self.set_user_password = self.admin.set_user_password
        self.issue_set_password_token = self.admin.issue_set_password_token
        self.change_role = self.admin.change_role
        self.deactivate_user = self.admin.deactivate_user
        self.link_subject = self.admin.link_subject
        self.get_user = self.admin.get_user
        self.list_users = self.admin.list_users
        self.audit_log = self.admin.audit_log

        self.upsert_user = self.provisioning.upsert_user
        self.ensure_admin = self.provisioning.ensure_admin
