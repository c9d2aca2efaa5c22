"""The users service's use cases: sign-in, principals, refresh tokens, administration,
provisioning. Plain Python: the edges (rpc.py, consumers.py, cli.py) call these.

Decisions (see also the README):
- Enterprise: `enterprise_id` is a Mews enterprise id, or None for portfolio-wide staff. Event
  subjects use the token "portfolio" for those (`attendandt.v2.portfolio.user.created`).
- Invites create an ACTIVE user without a password and a one-time set-password token; the
  user signs in with a password once they set one (or at once through a linked external
  identity). Deactivation, not the invite state, is what stops a user.
- Setting a password or deactivating a user ends all their sessions (refresh tokens).
- Every failed sign-in answers the same 401; the audit log keeps the real reason.
- Refresh rotation has a grace period (`TokenLifetimes.refresh_grace`, a few seconds): a
  token spent a moment ago, presented again by the client that spent it (same address and
  user agent: two tabs of one browser refreshing at once), gets a new sibling successor in
  the same family instead of revoking it. The first successor is never handed out again, so
  every token still appears in exactly one reply (we store only hashes and could not).
  Anyone else, later, or more than `MAX_GRACE_SUCCESSORS` times: reuse, the family is revoked.
- The last-admin guard counts admins who can sign in (active, with a password or a linked
  external identity): an invited admin who never set a password does not keep the system
  administrable.
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from attendandt.contracts.caller import Caller
from attendandt.contracts.commands import UpsertUser
from attendandt.contracts.events import USER_EVENT, UserEvent
from attendandt.contracts.rpc import users as api
from attendandt.contracts.rpc.users import PORTFOLIO
from attendandt.contracts.snapshots import PublicUserSnapshot, UserRole
from attendandt.platform.rpc import Conflict, Forbidden, Invalid, NotFound, ServiceError
from attendandt.users.passwords import (
    PasswordHashing,
    PasswordPolicyError,
    check_policy,
    new_token,
    token_hash,
)
from attendandt.users.repository import (
    AuditRow,
    Repository,
    TokenRow,
    UnitOfWork,
    UserFilter,
    UserRow,
)

log = logging.getLogger(__name__)

SIGN_IN_FAILED = "invalid email or password"
#: Successors one spent refresh token may still get within the grace period (tabs, retries).
MAX_GRACE_SUCCESSORS = 3
MAX_PAGE = 200
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TOKEN_PART = re.compile(r"^[A-Za-z0-9_\-]{1,100}$")


class Unauthorized(ServiceError):
    """No valid credential: wrong password, unknown or used-up token, deactivated user."""

    status = 401
    title = "Unauthorized"


@dataclass(frozen=True)
class TokenLifetimes:
    refresh: timedelta = timedelta(days=14)
    set_password: timedelta = timedelta(days=7)
    #: How long after its rotation a refresh token may be presented again by the same client.
    refresh_grace: timedelta = timedelta(seconds=5)


@dataclass(frozen=True)
class SeedResult:
    created: bool
    user: api.UserView


class UserService:
    def __init__(
        self,
        uow: UnitOfWork,
        hashing: PasswordHashing,
        lifetimes: TokenLifetimes | None = None,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._uow = uow
        self._hashing = hashing
        self._lifetimes = lifetimes or TokenLifetimes()
        self._clock = clock

    # --- sign-in and principals -----------------------------------------------------------

    async def authenticate(self, request: api.AuthenticateRequest) -> api.PrincipalResponse:
        email = normalise_email(request.email)
        user: UserRow | None = None
        if email is not None:
            async with self._uow.begin() as repo:
                user = await repo.user_by_email(email)
        # Always exactly one verification, so an unknown email costs what a wrong password does.
        matches = await self._hashing.verify(user.password_hash if user else None, request.password)
        reason: str | None = None
        if user is None:
            reason = "unknown email"
        elif user.password_hash is None:
            reason = "no password set"
        elif not matches:
            reason = "wrong password"
        elif not user.is_active:
            reason = "user deactivated"
        new_hash: str | None = None
        if (
            reason is None
            and user is not None
            and user.password_hash is not None
            and self._hashing.needs_rehash(user.password_hash)
        ):
            new_hash = await self._hashing.hash(request.password)
        now = self._clock()
        async with self._uow.begin() as repo:
            if reason is None and user is not None:
                values: dict[str, object] = {"last_login_at": now}
                if new_hash is not None:
                    values |= {"password_hash": new_hash}
                user = await repo.update_user(user.user_id, announce=False, **values)
            await repo.add_audit(
                "login_succeeded" if reason is None else "login_failed",
                at=now,
                user_id=user.user_id if user else None,
                email=(email or request.email.strip().lower())[:320],
                reason=reason,
                client_ip=_clip(request.client_ip, 64),
                user_agent=_clip(request.user_agent, 512),
                details={"rehashed": "true"} if new_hash else None,
            )
        if reason is not None or user is None:
            log.info("sign-in refused", extra={"reason": reason})
            raise Unauthorized(SIGN_IN_FAILED)
        return api.PrincipalResponse(principal=principal_of(user))

    async def get_principal_by_subject(
        self, request: api.GetPrincipalBySubjectRequest
    ) -> api.PrincipalResponse:
        async with self._uow.begin() as repo:
            user = await repo.user_by_subject(request.subject)
        if user is None or not user.is_active:
            raise Unauthorized("no active user is linked to this identity")
        return api.PrincipalResponse(principal=principal_of(user))

    async def get_principal(self, request: api.GetPrincipalRequest) -> api.PrincipalResponse:
        user = None
        if (user_id := parse_user_id(request.user_id)) is not None:
            async with self._uow.begin() as repo:
                user = await repo.user_by_id(user_id)
        if user is None or not user.is_active:
            raise Unauthorized("no active user with this id")
        return api.PrincipalResponse(principal=principal_of(user))

    # --- refresh tokens -------------------------------------------------------------------

    async def issue_refresh_token(
        self, request: api.IssueRefreshTokenRequest
    ) -> api.RefreshTokenResponse:
        now = self._clock()
        token = new_token()
        expires_at = now + self._lifetimes.refresh
        async with self._uow.begin() as repo:
            user_id = parse_user_id(request.user_id)
            user = await repo.user_by_id(user_id) if user_id else None
            if user is None or not user.is_active:
                raise Unauthorized("no active user with this id")
            await repo.insert_refresh_token(
                token_hash=token_hash(token),
                user_id=user.user_id,
                family_id=str(uuid.uuid4()),
                issued_at=now,
                expires_at=expires_at,
            )
        return api.RefreshTokenResponse(refresh_token=token, expires_at=expires_at)

    async def rotate_refresh_token(
        self, request: api.RotateRefreshTokenRequest
    ) -> api.RotatedRefreshTokenResponse:
        """Spend the token and hand out its successor. A token presented a second time means
        two parties hold it (one of them a thief): the whole family is revoked, unless it is
        the same client again within the grace period (see the module docstring)."""
        now = self._clock()
        token = new_token()
        expires_at = now + self._lifetimes.refresh
        client = client_fingerprint(request.client_ip, request.user_agent)
        refusal: str | None = None
        user: UserRow | None = None
        grace = False
        async with self._uow.begin() as repo:
            # The row lock serialises concurrent rotations of one token: the second one sees
            # the first one's `used_at` and `used_by`.
            row = await repo.refresh_token_for_update(token_hash(request.refresh_token))
            refusal = _token_refusal(row, now)
            if row is not None and refusal == "reused" and self._in_grace(row, client, now):
                refusal, grace = None, True
            if row is not None and refusal is None:
                user = await repo.user_by_id(row.user_id)
                if user is None or not user.is_active:
                    refusal = "user deactivated"
            if row is not None and refusal in ("reused", "user deactivated"):
                assert row.family_id is not None
                await repo.revoke_refresh_family(row.family_id, now)
                if refusal == "reused":
                    await repo.add_audit(
                        "refresh_token_reused",
                        at=now,
                        user_id=row.user_id,
                        reason="a used refresh token was presented again; its family is revoked",
                        details={"family_id": row.family_id},
                    )
            if row is not None and refusal is None:
                assert row.family_id is not None
                if grace:
                    await repo.count_grace_successor(row.token_hash)
                    await repo.add_audit(
                        "refresh_token_grace",
                        at=now,
                        user_id=row.user_id,
                        reason="a just-rotated refresh token was presented again by the same "
                        "client; a sibling successor is issued",
                        client_ip=_clip(request.client_ip, 64),
                        user_agent=_clip(request.user_agent, 512),
                        details={"family_id": row.family_id},
                    )
                else:
                    await repo.mark_refresh_token_used(row.token_hash, now, used_by=client)
                await repo.insert_refresh_token(
                    token_hash=token_hash(token),
                    user_id=row.user_id,
                    family_id=row.family_id,
                    issued_at=now,
                    expires_at=expires_at,
                )
        if refusal is not None or user is None:
            log.info("refresh refused", extra={"reason": refusal})
            raise Unauthorized("refresh token is not valid")
        return api.RotatedRefreshTokenResponse(
            refresh_token=token, expires_at=expires_at, principal=principal_of(user)
        )

    def _in_grace(self, row: TokenRow, client: str | None, now: datetime) -> bool:
        """A spent (not revoked, not expired) token presented again by the client that spent
        it, shortly after, and not too often."""
        return (
            client is not None
            and row.used_by == client
            and row.used_at is not None
            and row.revoked_at is None
            and row.expires_at > now
            and now - row.used_at <= self._lifetimes.refresh_grace
            and row.grace_successors < MAX_GRACE_SUCCESSORS
        )

    async def revoke_refresh_token(
        self, request: api.RevokeRefreshTokenRequest
    ) -> api.RevokeRefreshTokenResponse:
        """Logout: the token's whole family (this sign-in's session) stops working."""
        now = self._clock()
        async with self._uow.begin() as repo:
            row = await repo.refresh_token_for_update(token_hash(request.refresh_token))
            if row is None or row.family_id is None:
                return api.RevokeRefreshTokenResponse(revoked=False)
            revoked = await repo.revoke_refresh_family(row.family_id, now)
        return api.RevokeRefreshTokenResponse(revoked=revoked > 0)

    # --- administration -------------------------------------------------------------------

    async def invite_user(
        self, request: api.InviteUserRequest, caller: Caller
    ) -> api.InviteUserResponse:
        email = require_email(request.email)
        name = require_name(request.name)
        vendor_id = check_vendor(request.role, request.vendor_id)
        enterprise_id = parse_enterprise(request.enterprise_id)
        now = self._clock()
        token = new_token()
        expires_at = now + self._lifetimes.set_password
        async with self._uow.begin() as repo:
            actor = await self._require_admin(repo, caller)
            if not _may_administer(caller, enterprise_id):
                raise NotFound(f"enterprise {request.enterprise_id or PORTFOLIO} not found")
            user = await repo.insert_user(
                user_id=str(uuid.uuid4()),
                email=email,
                name=name,
                role=request.role.value,
                vendor_id=vendor_id,
                enterprise_id=enterprise_id,
                is_active=True,
                version=1,
            )
            if user is None:
                raise Conflict("a user with this email already exists")
            await repo.insert_password_token(
                token_hash=token_hash(token),
                user_id=user.user_id,
                purpose="invite",
                created_by=actor.user_id,
                issued_at=now,
                expires_at=expires_at,
            )
            await repo.add_audit(
                "user_invited",
                at=now,
                actor_id=actor.user_id,
                user_id=user.user_id,
                email=email,
                details=_present(role=user.role, vendor_id=vendor_id, enterprise_id=enterprise_id),
            )
            await self._announce(repo, user, "created", now)
        return api.InviteUserResponse(
            user=view_of(user), set_password_token=token, token_expires_at=expires_at
        )

    async def set_password(self, request: api.SetPasswordRequest) -> api.UserResponse:
        """With a one-time token (pre-auth: no caller)."""
        now = self._clock()
        async with self._uow.begin() as repo:
            row = await repo.password_token(token_hash(request.token))
            user = await repo.user_by_id(row.user_id) if row is not None else None
        if row is None or user is None or _token_refusal(row, now) is not None:
            raise Unauthorized("set-password token is not valid")
        return await self._store_password(
            user, request.new_password, via="token", actor_id=None, token=request.token
        )

    async def set_user_password(
        self, request: api.SetUserPasswordRequest, caller: Caller
    ) -> api.UserResponse:
        """For the caller: an admin, or the user themselves knowing the current password."""
        via, user, actor_id = await self._password_changer(request, caller)
        return await self._store_password(
            user, request.new_password, via=via, actor_id=actor_id, token=None
        )

    async def _store_password(
        self, user: UserRow, new_password: str, *, via: str, actor_id: str | None, token: str | None
    ) -> api.UserResponse:
        now = self._clock()
        try:
            check_policy(new_password, email=user.email)
        except PasswordPolicyError as exc:
            raise Invalid(str(exc)) from exc
        new_hash = await self._hashing.hash(new_password)  # outside any transaction
        async with self._uow.begin() as repo:
            if token is not None:
                # Checked again under a lock: two requests with one token set one password.
                row = await repo.password_token(token_hash(token), for_update=True)
                if row is None or _token_refusal(row, now) is not None:
                    raise Unauthorized("set-password token is not valid")
                await repo.mark_password_token_used(row.token_hash, now)
            updated = await repo.update_user(
                user.user_id, announce=False, password_hash=new_hash, password_changed_at=now
            )
            await repo.revoke_password_tokens(user.user_id, now)
            ended = await repo.revoke_user_refresh_tokens(user.user_id, now)
            await repo.add_audit(
                "password_set",
                at=now,
                actor_id=actor_id,
                user_id=user.user_id,
                email=user.email,
                details={"via": via, "sessions_ended": str(ended)},
            )
        return api.UserResponse(user=view_of(updated))

    async def _password_changer(
        self, request: api.SetUserPasswordRequest, caller: Caller
    ) -> tuple[str, UserRow, str | None]:
        """Who may set this user's password: an admin, or the user knowing the current one."""
        user_id = parse_user_id(request.user_id)
        actor_id = parse_user_id(caller.user_id)
        async with self._uow.begin() as repo:
            user = await repo.user_by_id(user_id) if user_id else None
            actor = await repo.user_by_id(actor_id) if actor_id else None
        if actor is None or not actor.is_active:
            raise Forbidden("only an active admin, or the user themselves, may set a password")
        if actor.role == UserRole.ADMIN:
            if user is None or not _sees(caller, user):
                raise NotFound("no such user")
            return ("admin" if actor.user_id != user.user_id else "self"), user, actor.user_id
        if user is None or actor.user_id != user.user_id:
            raise Forbidden("only an active admin, or the user themselves, may set a password")
        if request.current_password is None:
            raise Forbidden("give the current password to change your own")
        if not await self._hashing.verify(user.password_hash, request.current_password):
            raise Forbidden("the current password is not correct")
        return "self", user, actor.user_id

    async def issue_set_password_token(
        self, request: api.IssueSetPasswordTokenRequest, caller: Caller
    ) -> api.SetPasswordTokenResponse:
        now = self._clock()
        token = new_token()
        expires_at = now + self._lifetimes.set_password
        async with self._uow.begin() as repo:
            actor = await self._require_admin(repo, caller)
            user = await self._require_user(repo, caller, request.user_id)
            await repo.revoke_password_tokens(user.user_id, now)
            await repo.insert_password_token(
                token_hash=token_hash(token),
                user_id=user.user_id,
                purpose="reset",
                created_by=actor.user_id,
                issued_at=now,
                expires_at=expires_at,
            )
            await repo.add_audit(
                "set_password_token_issued",
                at=now,
                actor_id=actor.user_id,
                user_id=user.user_id,
                email=user.email,
            )
        return api.SetPasswordTokenResponse(
            user_id=user.user_id, set_password_token=token, token_expires_at=expires_at
        )

    async def change_role(self, request: api.ChangeRoleRequest, caller: Caller) -> api.UserResponse:
        vendor_id = check_vendor(request.role, request.vendor_id)
        now = self._clock()
        async with self._uow.begin() as repo:
            await repo.lock_admin_changes()  # before the actor check: it may be the target
            actor = await self._require_admin(repo, caller)
            user = await self._require_user(repo, caller, request.user_id, for_update=True)
            if user.role == request.role.value and user.vendor_id == vendor_id:
                return api.UserResponse(user=view_of(user))
            if request.role != UserRole.ADMIN:
                await _keep_an_admin(repo, user)
            updated = await repo.update_user(
                user.user_id, announce=True, role=request.role.value, vendor_id=vendor_id
            )
            await repo.add_audit(
                "role_changed",
                at=now,
                actor_id=actor.user_id,
                user_id=user.user_id,
                email=user.email,
                details=_present(
                    from_role=user.role,
                    to_role=updated.role,
                    from_vendor_id=user.vendor_id,
                    to_vendor_id=updated.vendor_id,
                ),
            )
            await self._announce(repo, updated, "role_changed", now)
        return api.UserResponse(user=view_of(updated))

    async def deactivate_user(
        self, request: api.DeactivateUserRequest, caller: Caller
    ) -> api.UserResponse:
        now = self._clock()
        async with self._uow.begin() as repo:
            await repo.lock_admin_changes()  # before the actor check: it may be the target
            actor = await self._require_admin(repo, caller)
            user = await self._require_user(repo, caller, request.user_id, for_update=True)
            if not user.is_active:
                return api.UserResponse(user=view_of(user))
            await _keep_an_admin(repo, user)
            updated = await repo.update_user(user.user_id, announce=True, is_active=False)
            ended = await repo.revoke_user_refresh_tokens(user.user_id, now)
            await repo.revoke_password_tokens(user.user_id, now)
            await repo.add_audit(
                "user_deactivated",
                at=now,
                actor_id=actor.user_id,
                user_id=user.user_id,
                email=user.email,
                details={"sessions_ended": str(ended)},
            )
            await self._announce(repo, updated, "deactivated", now)
        return api.UserResponse(user=view_of(updated))

    async def link_subject(
        self, request: api.LinkSubjectRequest, caller: Caller
    ) -> api.UserResponse:
        subject = parse_subject(request.subject)
        now = self._clock()
        async with self._uow.begin() as repo:
            actor = await self._require_admin(repo, caller)
            user = await self._require_user(repo, caller, request.user_id, for_update=True)
            if user.external_subject == subject:
                return api.UserResponse(user=view_of(user))
            if subject is not None:
                holder = await repo.user_by_subject(subject)
                if holder is not None:
                    raise Conflict("this external identity is linked to another user")
            # The subject is not part of the public snapshot: no event, but audited.
            updated = await repo.update_user(user.user_id, announce=False, external_subject=subject)
            await repo.add_audit(
                "subject_linked" if subject is not None else "subject_unlinked",
                at=now,
                actor_id=actor.user_id,
                user_id=user.user_id,
                email=user.email,
                details=_present(subject=subject, previous=user.external_subject),
            )
        return api.UserResponse(user=view_of(updated))

    async def get_user(self, request: api.GetUserRequest, caller: Caller) -> api.UserResponse:
        async with self._uow.begin() as repo:
            actor_id = parse_user_id(caller.user_id)
            actor = await repo.user_by_id(actor_id) if actor_id else None
            if actor is None or not actor.is_active:
                raise Forbidden("only an active admin, or the user themselves, may read a user")
            if actor.role != UserRole.ADMIN and actor.user_id != parse_user_id(request.user_id):
                raise Forbidden("only an active admin, or the user themselves, may read a user")
            user = await self._require_user(repo, caller, request.user_id)
        return api.UserResponse(user=view_of(user))

    async def list_users(self, request: api.ListUsersRequest, caller: Caller) -> api.UserPage:
        _check_page(request.limit, request.offset)
        named = parse_enterprise(request.enterprise_id) if request.enterprise_id else None
        where = UserFilter(
            role=request.role.value if request.role else None,
            is_active=request.is_active,
            enterprise_id=request.enterprise_id,
            portfolio_only=request.enterprise_id == PORTFOLIO,
            vendor_id=request.vendor_id,
            query=request.query.strip() if request.query else None,
            within=caller.enterprise_ids,
        )
        async with self._uow.begin() as repo:
            await self._require_admin(repo, caller)
            if request.enterprise_id is not None and not _may_administer(caller, named):
                raise NotFound(f"enterprise {request.enterprise_id} not found")
            rows, total = await repo.list_users(where, limit=request.limit, offset=request.offset)
        return api.UserPage(
            users=tuple(view_of(row) for row in rows),
            total=total,
            limit=request.limit,
            offset=request.offset,
        )

    async def audit_log(self, request: api.AuditLogRequest, caller: Caller) -> api.AuditLogPage:
        _check_page(request.limit, 0)
        user_id = None
        if request.user_id is not None:
            user_id = parse_user_id(request.user_id)
            if user_id is None:
                raise Invalid("user_id is not a user id")
        elif caller.enterprise_ids is not None:
            # The whole log spans every property: a property's admin reads one user's at a time.
            raise Forbidden("name a user of your property")
        async with self._uow.begin() as repo:
            await self._require_admin(repo, caller)
            if request.user_id is not None:
                await self._require_user(repo, caller, request.user_id)
            rows = await repo.audit_entries(
                user_id=user_id, limit=request.limit + 1, before_id=request.before_id
            )
        page = rows[: request.limit]
        more = len(rows) > request.limit
        return api.AuditLogPage(
            entries=tuple(entry_of(row) for row in page),
            next_before_id=page[-1].entry_id if more else None,
        )

    # --- provisioning and seeding ---------------------------------------------------------

    async def upsert_user(self, command: UpsertUser, *, consumer: str) -> str:
        """Apply a provisioning command once (inbox keyed by `command_id`).

        Matched by external subject, else by email. A command older than the last one
        applied to that user (by `issued_at`) changes nothing. Returns what happened.
        Raises Invalid or Conflict for a command that can never apply.
        """
        email = require_email(command.email)
        name = require_name(command.name)
        vendor_id = check_vendor(command.role, command.vendor_id)
        enterprise_id = parse_enterprise(command.enterprise_id)
        subject = parse_subject(command.external_subject)
        now = self._clock()
        async with self._uow.begin() as repo:
            if not await repo.claim(consumer=consumer, message_id=command.command_id):
                return "duplicate"
            await repo.lock_admin_changes()
            by_subject = await repo.user_by_subject(subject, for_update=True) if subject else None
            by_email = await repo.user_by_email(email, for_update=True)
            if by_subject and by_email and by_subject.user_id != by_email.user_id:
                raise Conflict("the email and the external subject belong to different users")
            user = by_subject or by_email
            wanted = {
                "email": email,
                "name": name,
                "role": command.role.value,
                "vendor_id": vendor_id,
                "enterprise_id": enterprise_id,
                "is_active": command.is_active,
            }
            if subject is not None:
                wanted["external_subject"] = subject
            if user is None:
                created = await repo.insert_user(
                    user_id=str(uuid.uuid4()),
                    version=1,
                    provisioned_at=command.issued_at,
                    **wanted,
                )
                if created is None:  # lost a race with an invite for the same email
                    raise RuntimeError("user created concurrently; retry")
                await self._audit_provisioned(repo, created, command, now, "created")
                await self._announce(repo, created, "created", now)
                return "created"
            if user.provisioned_at is not None and user.provisioned_at >= command.issued_at:
                return "stale"
            changed = {k: v for k, v in wanted.items() if getattr(user, k) != v}
            if not changed:
                await repo.update_user(
                    user.user_id, announce=False, provisioned_at=command.issued_at
                )
                return "unchanged"
            if command.role != UserRole.ADMIN or not command.is_active:
                await _keep_an_admin(repo, user)
            updated = await repo.update_user(
                user.user_id, announce=True, provisioned_at=command.issued_at, **changed
            )
            if user.is_active and not updated.is_active:
                event = "deactivated"
                await repo.revoke_user_refresh_tokens(user.user_id, now)
                await repo.revoke_password_tokens(user.user_id, now)
            elif "role" in changed or "vendor_id" in changed:
                event = "role_changed"
            else:
                event = "updated"
            await self._audit_provisioned(repo, updated, command, now, ",".join(sorted(changed)))
            await self._announce(repo, updated, event, now)
            return event

    async def ensure_admin(
        self, email: str, password: str, name: str = "Administrator"
    ) -> SeedResult:
        """Create an active portfolio-wide admin with this password unless the email exists
        (then nothing changes, not even the password)."""
        address = require_email(email)
        async with self._uow.begin() as repo:
            existing = await repo.user_by_email(address)
        if existing is not None:
            return SeedResult(created=False, user=view_of(existing))
        try:
            check_policy(password, email=address)
        except PasswordPolicyError as exc:
            raise Invalid(str(exc)) from exc
        password_hash = await self._hashing.hash(password)
        now = self._clock()
        async with self._uow.begin() as repo:
            user = await repo.insert_user(
                user_id=str(uuid.uuid4()),
                email=address,
                name=require_name(name),
                role=UserRole.ADMIN.value,
                vendor_id=None,
                enterprise_id=None,
                is_active=True,
                password_hash=password_hash,
                password_changed_at=now,
                version=1,
            )
            if user is None:
                existing = await repo.user_by_email(address)
                assert existing is not None
                return SeedResult(created=False, user=view_of(existing))
            await repo.add_audit("admin_seeded", at=now, user_id=user.user_id, email=address)
            await self._announce(repo, user, "created", now)
        return SeedResult(created=True, user=view_of(user))

    # --- helpers --------------------------------------------------------------------------

    async def _require_admin(self, repo: Repository, caller: Caller) -> UserRow:
        """The caller as stored here: the header says who, our rows say whether that user is
        (still) an active admin."""
        parsed = parse_user_id(caller.user_id)
        actor = await repo.user_by_id(parsed) if parsed else None
        if actor is None or not actor.is_active or actor.role != UserRole.ADMIN:
            raise Forbidden("only an active admin may do this")
        return actor

    async def _require_user(
        self, repo: Repository, caller: Caller, user_id: str, *, for_update: bool = False
    ) -> UserRow:
        """A user the caller may see: a user of another property is not found."""
        parsed = parse_user_id(user_id)
        user = await repo.user_by_id(parsed, for_update=for_update) if parsed else None
        if user is None or not _sees(caller, user):
            raise NotFound(f"no user {user_id}")
        return user

    async def _announce(self, repo: Repository, user: UserRow, event: str, at: datetime) -> None:
        enterprise = user.enterprise_id or PORTFOLIO
        event_id = f"user:{user.user_id}:{user.version}"
        payload = UserEvent(
            event_id=event_id,
            enterprise_id=enterprise,
            occurred_at=at,
            event=event,
            # No email: public events reach every hotel system subscribed to them.
            user=PublicUserSnapshot(
                user_id=user.user_id,
                name=user.name,
                role=UserRole(user.role),
                vendor_id=user.vendor_id,
                is_active=user.is_active,
            ),
        )
        subject = USER_EVENT.format(enterprise=enterprise, event=event)
        await repo.add_event(subject=subject, payload=payload, msg_id=event_id)

    async def _audit_provisioned(
        self, repo: Repository, user: UserRow, command: UpsertUser, at: datetime, what: str
    ) -> None:
        await repo.add_audit(
            "user_provisioned",
            at=at,
            user_id=user.user_id,
            email=user.email,
            details={"command_id": command.command_id, "changed": what, "role": user.role},
        )


def _may_administer(caller: Caller, enterprise_id: str | None) -> bool:
    """Whether the caller acts for this property (None: the portfolio, which only
    portfolio-wide callers do)."""
    if enterprise_id is None:
        return caller.enterprise_ids is None
    return caller.may_act_for(enterprise_id)


def _sees(caller: Caller, user: UserRow) -> bool:
    return _may_administer(caller, user.enterprise_id)


async def _keep_an_admin(repo: Repository, user: UserRow) -> None:
    """Refuse to demote or deactivate the last admin who can sign in (the caller holds the
    lock). Admins who cannot sign in (invited, no password yet) neither count nor are kept."""
    if user.role != UserRole.ADMIN or not user.is_active or not can_sign_in(user):
        return
    if not (await repo.sign_in_admin_ids()) - {user.user_id}:
        raise Conflict("the last active admin who can sign in cannot be demoted or deactivated")


def can_sign_in(user: UserRow) -> bool:
    return user.is_active and (user.password_hash is not None or user.external_subject is not None)


def client_fingerprint(client_ip: str | None, user_agent: str | None) -> str | None:
    """Who presented a refresh token, hashed (the audit log keeps the plain address)."""
    if client_ip is None and user_agent is None:
        return None
    return hashlib.sha256(f"{client_ip or ''}\n{user_agent or ''}".encode()).hexdigest()


def _token_refusal(row: TokenRow | None, now: datetime) -> str | None:
    if row is None:
        return "unknown"
    if row.revoked_at is not None:
        return "revoked"
    if row.used_at is not None:
        return "reused"
    if row.expires_at <= now:
        return "expired"
    return None


def _check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid(f"limit must be between 1 and {MAX_PAGE}")
    if offset < 0:
        raise Invalid("offset cannot be negative")


def _clip(value: str | None, length: int) -> str | None:
    return value[:length] if value is not None else None


def _present(**values: str | None) -> dict[str, str]:
    return {key: value for key, value in values.items() if value is not None}


# --- validation and mapping (pure) ----------------------------------------------------------


def normalise_email(value: str) -> str | None:
    """Trimmed and lower-cased, or None when it does not look like an address."""
    email = value.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        return None
    return email


def require_email(value: str) -> str:
    email = normalise_email(value)
    if email is None:
        raise Invalid("email is not a valid address")
    return email


def require_name(value: str) -> str:
    name = " ".join(value.split())
    if not name or len(name) > 200:
        raise Invalid("name must have 1 to 200 characters")
    return name


def check_vendor(role: UserRole, vendor_id: str | None) -> str | None:
    vendor_id = vendor_id.strip() if vendor_id else None
    if role == UserRole.VENDOR and not vendor_id:
        raise Invalid("a vendor user needs a vendor_id")
    if role != UserRole.VENDOR and vendor_id:
        raise Invalid("only vendor users have a vendor_id")
    return vendor_id


def parse_enterprise(value: str | None) -> str | None:
    """None and "portfolio" mean portfolio-wide; anything else must fit in a subject token."""
    if value is None or value == PORTFOLIO:
        return None
    if not _TOKEN_PART.match(value):
        raise Invalid("enterprise_id must be letters, digits, '-' or '_'")
    return value


def parse_subject(value: str | None) -> str | None:
    if value is None:
        return None
    subject = value.strip()
    if not subject or len(subject) > 255:
        raise Invalid("subject must have 1 to 255 characters")
    return subject


def parse_user_id(value: str | None) -> str | None:
    """The canonical form of a user id, or None when it is not one (never a database error)."""
    if value is None:
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def principal_of(user: UserRow) -> api.Principal:
    return api.Principal(
        user_id=user.user_id,
        email=user.email,
        name=user.name,
        role=UserRole(user.role),
        vendor_id=user.vendor_id,
        enterprise_id=user.enterprise_id,
    )


def view_of(user: UserRow) -> api.UserView:
    return api.UserView(
        user_id=user.user_id,
        email=user.email,
        name=user.name,
        role=UserRole(user.role),
        vendor_id=user.vendor_id,
        enterprise_id=user.enterprise_id,
        is_active=user.is_active,
        external_subject=user.external_subject,
        has_password=user.password_hash is not None,
        created_at=user.created_at,
        updated_at=user.updated_at,
        last_login_at=user.last_login_at,
    )


def entry_of(row: AuditRow) -> api.AuditEntry:
    return api.AuditEntry(
        entry_id=row.entry_id,
        occurred_at=row.occurred_at,
        action=row.action,
        actor_id=row.actor_id,
        user_id=row.user_id,
        email=row.email,
        reason=row.reason,
        client_ip=row.client_ip,
        user_agent=row.user_agent,
        details=dict(row.details),
    )
