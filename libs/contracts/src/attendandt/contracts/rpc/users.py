"""Request-reply contracts of the users service (`rpc.v1.users.<method>`).

Callers are trusted platform processes (the gateway): they authenticate the human first. The
methods that act for a signed-in user (administration, reading users, the audit log, an
admin or the user themselves setting a password) are called for a caller
(`contracts.caller.Caller`, in the `Attendandt-Caller` header; never in the body) and the
users service checks that caller's role itself, against its own rows (an unknown or
deactivated caller is refused). A caller bound to properties (`enterprise_ids`) only sees and
administers the users of those properties: another property's user is "not found" (404),
and so is a list or an invite naming a property the caller does not act for. The pre-auth
methods (authenticate, principals, refresh tokens, set a password with a token) take no
caller. Version 2 of the administration requests dropped the body's `actor_id`; the subject
did not move, because a version-1 caller sends no caller header and is refused (401).

Secrets: a reply never carries a password or a password hash. A refresh token or a
set-password token appears exactly once, in the reply to the call that created it (only a
hash is stored). Failed sign-ins and unusable tokens answer 401 with one generic message.

Portfolio-wide users (staff of every property) have `enterprise_id = None`; their events go
out on `attendandt.v2.portfolio.user.<event>` with `enterprise_id = "portfolio"`.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from attendandt.contracts.base import Payload, RpcMethod
from attendandt.contracts.snapshots import UserRole

#: The enterprise part of event subjects (and `UserEvent.enterprise_id`) for users without an
#: enterprise; an `UpsertUser` command with this enterprise id provisions a portfolio-wide user.
PORTFOLIO = "portfolio"


class _Part(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=False):
    pass


class Principal(_Part, frozen=True, kw_only=True):
    """Who is signed in: what the gateway puts in its access token."""

    user_id: str
    email: str
    name: str
    role: UserRole
    vendor_id: str | None = None
    #: None for portfolio-wide users.
    enterprise_id: str | None = None


class UserView(_Part, frozen=True, kw_only=True):
    """A user as admins see it (never a password hash)."""

    user_id: str
    email: str
    name: str
    role: UserRole
    vendor_id: str | None = None
    enterprise_id: str | None = None
    is_active: bool
    external_subject: str | None = None
    has_password: bool
    created_at: datetime
    updated_at: datetime
    last_login_at: datetime | None = None


class AuditEntry(_Part, frozen=True, kw_only=True):
    entry_id: int
    occurred_at: datetime
    #: login_succeeded, login_failed, refresh_token_reused, user_invited, user_provisioned,
    #: admin_seeded, role_changed, user_deactivated, subject_linked, password_set,
    #: set_password_token_issued.
    action: str
    #: Who did it (None: the user themselves, provisioning, or the seed command).
    actor_id: str | None = None
    #: Whom it concerns (None: a sign-in attempt for an unknown email).
    user_id: str | None = None
    email: str | None = None
    reason: str | None = None
    client_ip: str | None = None
    user_agent: str | None = None
    details: dict[str, str] = {}


# --- sign-in and principals -------------------------------------------------------------


class AuthenticateRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "users.authenticate_request"
    email: str
    password: str
    client_ip: str | None = None
    user_agent: str | None = None


class PrincipalResponse(Payload, frozen=True, kw_only=True):
    SCHEMA = "users.principal_response"
    principal: Principal


class GetPrincipalBySubjectRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "users.get_principal_by_subject_request"
    #: The `sub` claim of a verified external (Supabase-style) JWT.
    subject: str


class GetPrincipalRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "users.get_principal_request"
    user_id: str


# --- refresh tokens (legacy login) ------------------------------------------------------


class IssueRefreshTokenRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "users.issue_refresh_token_request"
    user_id: str


class RefreshTokenResponse(Payload, frozen=True, kw_only=True):
    SCHEMA = "users.refresh_token_response"
    refresh_token: str
    expires_at: datetime


class RotateRefreshTokenRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "users.rotate_refresh_token_request"
    refresh_token: str
    #: The client presenting the token (as the gateway resolved it). A token rotated a
    #: moment ago and presented again by the same client (two tabs refreshing at once) gets
    #: a sibling successor instead of revoking the session.
    client_ip: str | None = None
    user_agent: str | None = None


class RotatedRefreshTokenResponse(Payload, frozen=True, kw_only=True):
    SCHEMA = "users.rotated_refresh_token_response"
    refresh_token: str
    expires_at: datetime
    principal: Principal


class RevokeRefreshTokenRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "users.revoke_refresh_token_request"
    refresh_token: str


class RevokeRefreshTokenResponse(Payload, frozen=True, kw_only=True):
    SCHEMA = "users.revoke_refresh_token_response"
    #: False when the token was unknown or already revoked (logout is idempotent).
    revoked: bool


# --- administration (for a caller: an active admin) -----------------------------------


class InviteUserRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "users.invite_user_request"
    VERSION = 2
    email: str
    name: str
    role: UserRole
    #: Required for role vendor, forbidden otherwise.
    vendor_id: str | None = None
    #: None (or "portfolio") for a portfolio-wide user.
    enterprise_id: str | None = None


class InviteUserResponse(Payload, frozen=True, kw_only=True):
    SCHEMA = "users.invite_user_response"
    user: UserView
    #: One-time token for `set_password`; shown once, only its hash is stored.
    set_password_token: str
    token_expires_at: datetime


class SetPasswordRequest(Payload, frozen=True, kw_only=True):
    """With an invite's or a reset's one-time token (pre-auth: no caller)."""

    SCHEMA = "users.set_password_request"
    VERSION = 2
    new_password: str
    token: str


class SetUserPasswordRequest(Payload, frozen=True, kw_only=True):
    """For the caller: an admin sets anyone's (in their properties), a user their own giving
    `current_password`."""

    SCHEMA = "users.set_user_password_request"
    user_id: str
    new_password: str
    current_password: str | None = None


class IssueSetPasswordTokenRequest(Payload, frozen=True, kw_only=True):
    """A password reset by an admin: a new one-time token (earlier ones stop working)."""

    SCHEMA = "users.issue_set_password_token_request"
    VERSION = 2
    user_id: str


class SetPasswordTokenResponse(Payload, frozen=True, kw_only=True):
    SCHEMA = "users.set_password_token_response"
    user_id: str
    set_password_token: str
    token_expires_at: datetime


class ChangeRoleRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "users.change_role_request"
    VERSION = 2
    user_id: str
    role: UserRole
    vendor_id: str | None = None


class DeactivateUserRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "users.deactivate_user_request"
    VERSION = 2
    user_id: str


class LinkSubjectRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "users.link_subject_request"
    VERSION = 2
    user_id: str
    #: The external identity's `sub`; None removes the link.
    subject: str | None


class GetUserRequest(Payload, frozen=True, kw_only=True):
    """Admins may read anyone; every user may read themselves."""

    SCHEMA = "users.get_user_request"
    VERSION = 2
    user_id: str


class UserResponse(Payload, frozen=True, kw_only=True):
    SCHEMA = "users.user_response"
    user: UserView


class ListUsersRequest(Payload, frozen=True, kw_only=True):
    SCHEMA = "users.list_users_request"
    VERSION = 2
    role: UserRole | None = None
    is_active: bool | None = None
    #: An enterprise id, or "portfolio" for the portfolio-wide users only.
    enterprise_id: str | None = None
    vendor_id: str | None = None
    #: Case-insensitive part of the email or the name.
    query: str | None = None
    limit: int = 50
    offset: int = 0


class UserPage(Payload, frozen=True, kw_only=True):
    SCHEMA = "users.user_page"
    users: tuple[UserView, ...]
    total: int
    limit: int
    offset: int


class AuditLogRequest(Payload, frozen=True, kw_only=True):
    """Newest first; pass the last page's `next_before_id` for the next page."""

    SCHEMA = "users.audit_log_request"
    VERSION = 2
    user_id: str | None = None
    limit: int = 50
    before_id: int | None = None


class AuditLogPage(Payload, frozen=True, kw_only=True):
    SCHEMA = "users.audit_log_page"
    entries: tuple[AuditEntry, ...]
    #: None when this is the last page.
    next_before_id: int | None = None


AUTHENTICATE = RpcMethod("users", "authenticate", AuthenticateRequest, PrincipalResponse)
GET_PRINCIPAL_BY_SUBJECT = RpcMethod(
    "users", "get_principal_by_subject", GetPrincipalBySubjectRequest, PrincipalResponse
)
GET_PRINCIPAL = RpcMethod("users", "get_principal", GetPrincipalRequest, PrincipalResponse)
ISSUE_REFRESH_TOKEN = RpcMethod(
    "users", "issue_refresh_token", IssueRefreshTokenRequest, RefreshTokenResponse
)
ROTATE_REFRESH_TOKEN = RpcMethod(
    "users", "rotate_refresh_token", RotateRefreshTokenRequest, RotatedRefreshTokenResponse
)
REVOKE_REFRESH_TOKEN = RpcMethod(
    "users", "revoke_refresh_token", RevokeRefreshTokenRequest, RevokeRefreshTokenResponse
)
INVITE_USER = RpcMethod("users", "invite_user", InviteUserRequest, InviteUserResponse)
SET_PASSWORD = RpcMethod("users", "set_password", SetPasswordRequest, UserResponse)
SET_USER_PASSWORD = RpcMethod("users", "set_user_password", SetUserPasswordRequest, UserResponse)
ISSUE_SET_PASSWORD_TOKEN = RpcMethod(
    "users", "issue_set_password_token", IssueSetPasswordTokenRequest, SetPasswordTokenResponse
)
CHANGE_ROLE = RpcMethod("users", "change_role", ChangeRoleRequest, UserResponse)
DEACTIVATE_USER = RpcMethod("users", "deactivate_user", DeactivateUserRequest, UserResponse)
LINK_SUBJECT = RpcMethod("users", "link_subject", LinkSubjectRequest, UserResponse)
GET_USER = RpcMethod("users", "get_user", GetUserRequest, UserResponse)
LIST_USERS = RpcMethod("users", "list_users", ListUsersRequest, UserPage)
AUDIT_LOG = RpcMethod("users", "audit_log", AuditLogRequest, AuditLogPage)

METHODS: tuple[RpcMethod[Payload, Payload], ...] = (
    AUTHENTICATE,
    GET_PRINCIPAL_BY_SUBJECT,
    GET_PRINCIPAL,
    ISSUE_REFRESH_TOKEN,
    ROTATE_REFRESH_TOKEN,
    REVOKE_REFRESH_TOKEN,
    INVITE_USER,
    SET_PASSWORD,
    SET_USER_PASSWORD,
    ISSUE_SET_PASSWORD_TOKEN,
    CHANGE_ROLE,
    DEACTIVATE_USER,
    LINK_SUBJECT,
    GET_USER,
    LIST_USERS,
    AUDIT_LOG,
)  # type: ignore[assignment]
