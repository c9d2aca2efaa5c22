"""Administration: invites, passwords (with a one-time token, by an admin, or by the user
knowing the current one), roles, deactivation, external identities, reading users and the
audit log. An admin acts on the users of the properties the admin acts for.

- Invites create an ACTIVE user without a password and a one-time set-password token; the
  user signs in with a password once they set one (or at once through a linked external
  identity). Deactivation, not the invite state, is what stops a user.
- Setting a password or deactivating a user ends all their sessions (refresh tokens).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from attendandt.contracts.caller import Caller
from attendandt.contracts.rpc import users as api
from attendandt.contracts.rpc.users import PORTFOLIO
from attendandt.contracts.snapshots import UserRole
from attendandt.platform.rpc import Conflict, Forbidden, Invalid, NotFound
from attendandt.users.core import (
    Unauthorized,
    UseCases,
    announce,
    keep_an_admin,
    require_admin,
    require_user,
)
from attendandt.users.passwords import PasswordPolicyError, check_policy, new_token, token_hash
from attendandt.users.repository import UserFilter, UserRow
from attendandt.users.rules import (
    check_page,
    check_vendor,
    entry_of,
    may_administer,
    parse_enterprise,
    parse_subject,
    parse_user_id,
    present,
    require_email,
    require_name,
    sees,
    token_refusal,
    view_of,
)
from attendandt.users.unit_of_work import UnitOfWork


class Administration(UseCases):
    async def invite_user(
        self, request: api.InviteUserRequest, caller: Caller
    ) -> api.InviteUserResponse:
        email = require_email(request.email)
        name = require_name(request.name)
        vendor_id = check_vendor(request.role, request.vendor_id)
        enterprise_id = parse_enterprise(request.enterprise_id)
        now = self.clock()
        async with self.units() as uow:
            actor = await require_admin(uow, caller)
            if not may_administer(caller, enterprise_id):
                raise NotFound(f"enterprise {request.enterprise_id or PORTFOLIO} not found")
            user = await uow.users.add(
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
            token, expires_at = await self._password_token(uow, user, actor, now, purpose="invite")
            await uow.audit.add(
                "user_invited",
                at=now,
                actor_id=actor.user_id,
                user_id=user.user_id,
                email=email,
                details=present(role=user.role, vendor_id=vendor_id, enterprise_id=enterprise_id),
            )
            await announce(uow, user, "created", now)
            await uow.commit()
        return api.InviteUserResponse(
            user=view_of(user), set_password_token=token, token_expires_at=expires_at
        )

    async def set_password(self, request: api.SetPasswordRequest) -> api.UserResponse:
        """With a one-time token (pre-auth: no caller)."""
        now = self.clock()
        async with self.units() as uow:
            row = await uow.password_tokens.get(token_hash(request.token))
            user = await uow.users.get(row.user_id) if row is not None else None
        if row is None or user is None or token_refusal(row, now) is not None:
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
        now = self.clock()
        try:
            check_policy(new_password, email=user.email)
        except PasswordPolicyError as exc:
            raise Invalid(str(exc)) from exc
        new_hash = await self.hashing.hash(new_password)  # outside any transaction
        async with self.units() as uow:
            if token is not None:
                # Checked again under a lock: two requests with one token set one password.
                row = await uow.password_tokens.get(token_hash(token), for_update=True)
                if row is None or token_refusal(row, now) is not None:
                    raise Unauthorized("set-password token is not valid")
                await uow.password_tokens.mark_used(row.token_hash, now)
            updated = await uow.users.update(
                user.user_id, announce=False, password_hash=new_hash, password_changed_at=now
            )
            await uow.password_tokens.revoke_user(user.user_id, now)
            ended = await uow.refresh_tokens.revoke_user(user.user_id, now)
            await uow.audit.add(
                "password_set",
                at=now,
                actor_id=actor_id,
                user_id=user.user_id,
                email=user.email,
                details={"via": via, "sessions_ended": str(ended)},
            )
            await uow.commit()
        return api.UserResponse(user=view_of(updated))

    async def _password_changer(
        self, request: api.SetUserPasswordRequest, caller: Caller
    ) -> tuple[str, UserRow, str | None]:
        """Who may set this user's password: an admin, or the user knowing the current one."""
        user_id = parse_user_id(request.user_id)
        actor_id = parse_user_id(caller.user_id)
        async with self.units() as uow:
            user = await uow.users.get(user_id) if user_id else None
            actor = await uow.users.get(actor_id) if actor_id else None
        if actor is None or not actor.is_active:
            raise Forbidden("only an active admin, or the user themselves, may set a password")
        if actor.role == UserRole.ADMIN:
            if user is None or not sees(caller, user):
                raise NotFound("no such user")
            return ("admin" if actor.user_id != user.user_id else "self"), user, actor.user_id
        if user is None or actor.user_id != user.user_id:
            raise Forbidden("only an active admin, or the user themselves, may set a password")
        if request.current_password is None:
            raise Forbidden("give the current password to change your own")
        if not await self.hashing.verify(user.password_hash, request.current_password):
            raise Forbidden("the current password is not correct")
        return "self", user, actor.user_id

    async def issue_set_password_token(
        self, request: api.IssueSetPasswordTokenRequest, caller: Caller
    ) -> api.SetPasswordTokenResponse:
        now = self.clock()
        async with self.units() as uow:
            actor = await require_admin(uow, caller)
            user = await require_user(uow, caller, request.user_id)
            await uow.password_tokens.revoke_user(user.user_id, now)
            token, expires_at = await self._password_token(uow, user, actor, now, purpose="reset")
            await uow.audit.add(
                "set_password_token_issued",
                at=now,
                actor_id=actor.user_id,
                user_id=user.user_id,
                email=user.email,
            )
            await uow.commit()
        return api.SetPasswordTokenResponse(
            user_id=user.user_id, set_password_token=token, token_expires_at=expires_at
        )

    async def _password_token(
        self, uow: UnitOfWork, user: UserRow, actor: UserRow, now: datetime, *, purpose: str
    ) -> tuple[str, datetime]:
        """A one-time set-password token for `user` (only its hash is kept) and its expiry."""
        token = new_token()
        expires_at = now + self.lifetimes.set_password
        await uow.password_tokens.add(
            token_hash=token_hash(token),
            user_id=user.user_id,
            purpose=purpose,
            created_by=actor.user_id,
            issued_at=now,
            expires_at=expires_at,
        )
        return token, expires_at

    async def change_role(self, request: api.ChangeRoleRequest, caller: Caller) -> api.UserResponse:
        vendor_id = check_vendor(request.role, request.vendor_id)
        now = self.clock()
        async with self.units() as uow:
            await uow.users.lock_admin_changes()  # before the actor check: it may be the target
            actor = await require_admin(uow, caller)
            user = await require_user(uow, caller, request.user_id, for_update=True)
            if user.role == request.role.value and user.vendor_id == vendor_id:
                return api.UserResponse(user=view_of(user))
            if request.role != UserRole.ADMIN:
                await keep_an_admin(uow, user)
            updated = await uow.users.update(
                user.user_id, announce=True, role=request.role.value, vendor_id=vendor_id
            )
            await uow.audit.add(
                "role_changed",
                at=now,
                actor_id=actor.user_id,
                user_id=user.user_id,
                email=user.email,
                details=present(
                    from_role=user.role,
                    to_role=updated.role,
                    from_vendor_id=user.vendor_id,
                    to_vendor_id=updated.vendor_id,
                ),
            )
            await announce(uow, updated, "role_changed", now)
            await uow.commit()
        return api.UserResponse(user=view_of(updated))

    async def deactivate_user(
        self, request: api.DeactivateUserRequest, caller: Caller
    ) -> api.UserResponse:
        now = self.clock()
        async with self.units() as uow:
            await uow.users.lock_admin_changes()  # before the actor check: it may be the target
            actor = await require_admin(uow, caller)
            user = await require_user(uow, caller, request.user_id, for_update=True)
            if not user.is_active:
                return api.UserResponse(user=view_of(user))
            await keep_an_admin(uow, user)
            updated = await uow.users.update(user.user_id, announce=True, is_active=False)
            ended = await uow.refresh_tokens.revoke_user(user.user_id, now)
            await uow.password_tokens.revoke_user(user.user_id, now)
            await uow.audit.add(
                "user_deactivated",
                at=now,
                actor_id=actor.user_id,
                user_id=user.user_id,
                email=user.email,
                details={"sessions_ended": str(ended)},
            )
            await announce(uow, updated, "deactivated", now)
            await uow.commit()
        return api.UserResponse(user=view_of(updated))

    async def link_subject(
        self, request: api.LinkSubjectRequest, caller: Caller
    ) -> api.UserResponse:
        subject = parse_subject(request.subject)
        now = self.clock()
        async with self.units() as uow:
            actor = await require_admin(uow, caller)
            user = await require_user(uow, caller, request.user_id, for_update=True)
            if user.external_subject == subject:
                return api.UserResponse(user=view_of(user))
            if subject is not None:
                holder = await uow.users.by_subject(subject)
                if holder is not None:
                    raise Conflict("this external identity is linked to another user")
            # The subject is not part of the public snapshot: no event, but audited.
            updated = await uow.users.update(user.user_id, announce=False, external_subject=subject)
            await uow.audit.add(
                "subject_linked" if subject is not None else "subject_unlinked",
                at=now,
                actor_id=actor.user_id,
                user_id=user.user_id,
                email=user.email,
                details=present(subject=subject, previous=user.external_subject),
            )
            await uow.commit()
        return api.UserResponse(user=view_of(updated))

    async def get_user(self, request: api.GetUserRequest, caller: Caller) -> api.UserResponse:
        async with self.units() as uow:
            actor_id = parse_user_id(caller.user_id)
            actor = await uow.users.get(actor_id) if actor_id else None
            if actor is None or not actor.is_active:
                raise Forbidden("only an active admin, or the user themselves, may read a user")
            if actor.role != UserRole.ADMIN and actor.user_id != parse_user_id(request.user_id):
                raise Forbidden("only an active admin, or the user themselves, may read a user")
            user = await require_user(uow, caller, request.user_id)
        return api.UserResponse(user=view_of(user))

    async def list_users(self, request: api.ListUsersRequest, caller: Caller) -> api.UserPage:
        check_page(request.limit, request.offset)
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
        async with self.units() as uow:
            await require_admin(uow, caller)
            if request.enterprise_id is not None and not may_administer(caller, named):
                raise NotFound(f"enterprise {request.enterprise_id} not found")
            rows, total = await uow.users.find(where, limit=request.limit, offset=request.offset)
        return api.UserPage(
            users=tuple(view_of(row) for row in rows),
            total=total,
            limit=request.limit,
            offset=request.offset,
        )

    async def audit_log(self, request: api.AuditLogRequest, caller: Caller) -> api.AuditLogPage:
        check_page(request.limit, 0)
        user_id = None
        if request.user_id is not None:
            user_id = parse_user_id(request.user_id)
            if user_id is None:
                raise Invalid("user_id is not a user id")
        elif caller.enterprise_ids is not None:
            # The whole log spans every property: a property's admin reads one user's at a time.
            raise Forbidden("name a user of your property")
        async with self.units() as uow:
            await require_admin(uow, caller)
            if request.user_id is not None:
                await require_user(uow, caller, request.user_id)
            rows = await uow.audit.entries(
                user_id=user_id, limit=request.limit + 1, before_id=request.before_id
            )
        page = rows[: request.limit]
        more = len(rows) > request.limit
        return api.AuditLogPage(
            entries=tuple(entry_of(row) for row in page),
            next_before_id=page[-1].entry_id if more else None,
        )
