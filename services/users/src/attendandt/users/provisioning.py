"""Users provisioned from outside (`cmd.v1.users.upsert_user`, once per command id) and the
first admin seeded by the ops command."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from attendandt.contracts.commands import UpsertUser
from attendandt.contracts.rpc import users as api
from attendandt.contracts.snapshots import UserRole
from attendandt.platform.rpc import Conflict, Invalid
from attendandt.users.core import UseCases, announce, keep_an_admin
from attendandt.users.passwords import PasswordPolicyError, check_policy
from attendandt.users.repository import UserRow
from attendandt.users.rules import (
    check_vendor,
    parse_enterprise,
    parse_subject,
    require_email,
    require_name,
    view_of,
)
from attendandt.users.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class SeedResult:
    created: bool
    user: api.UserView


class Provisioning(UseCases):
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
        wanted: dict[str, Any] = {
            "email": email,
            "name": name,
            "role": command.role.value,
            "vendor_id": vendor_id,
            "enterprise_id": enterprise_id,
            "is_active": command.is_active,
        }
        if subject is not None:
            wanted["external_subject"] = subject
        now = self.clock()
        async with self.units() as uow:
            # The claim commits with the effect, also when the command changes nothing.
            applied = await self._apply(uow, command, wanted, subject, now, consumer=consumer)
            await uow.commit()
        return applied

    async def _apply(
        self,
        uow: UnitOfWork,
        command: UpsertUser,
        wanted: dict[str, Any],
        subject: str | None,
        now: datetime,
        *,
        consumer: str,
    ) -> str:
        if not await uow.claim(command.command_id, consumer=consumer):
            return "duplicate"
        await uow.users.lock_admin_changes()
        by_subject = await uow.users.by_subject(subject, for_update=True) if subject else None
        by_email = await uow.users.by_email(wanted["email"], for_update=True)
        if by_subject and by_email and by_subject.user_id != by_email.user_id:
            raise Conflict("the email and the external subject belong to different users")
        user = by_subject or by_email
        if user is None:
            created = await uow.users.add(
                user_id=str(uuid.uuid4()),
                version=1,
                provisioned_at=command.issued_at,
                **wanted,
            )
            if created is None:  # lost a race with an invite for the same email
                raise RuntimeError("user created concurrently; retry")
            await _audit_provisioned(uow, created, command, now, "created")
            await announce(uow, created, "created", now)
            return "created"
        if user.provisioned_at is not None and user.provisioned_at >= command.issued_at:
            return "stale"
        changed = {k: v for k, v in wanted.items() if getattr(user, k) != v}
        if not changed:
            await uow.users.update(user.user_id, announce=False, provisioned_at=command.issued_at)
            return "unchanged"
        if command.role != UserRole.ADMIN or not command.is_active:
            await keep_an_admin(uow, user)
        updated = await uow.users.update(
            user.user_id, announce=True, provisioned_at=command.issued_at, **changed
        )
        if user.is_active and not updated.is_active:
            event = "deactivated"
            await uow.refresh_tokens.revoke_user(user.user_id, now)
            await uow.password_tokens.revoke_user(user.user_id, now)
        elif "role" in changed or "vendor_id" in changed:
            event = "role_changed"
        else:
            event = "updated"
        await _audit_provisioned(uow, updated, command, now, ",".join(sorted(changed)))
        await announce(uow, updated, event, now)
        return event

    async def ensure_admin(
        self, email: str, password: str, name: str = "Administrator"
    ) -> SeedResult:
        """Create an active portfolio-wide admin with this password unless the email exists
        (then nothing changes, not even the password)."""
        address = require_email(email)
        async with self.units() as uow:
            existing = await uow.users.by_email(address)
        if existing is not None:
            return SeedResult(created=False, user=view_of(existing))
        try:
            check_policy(password, email=address)
        except PasswordPolicyError as exc:
            raise Invalid(str(exc)) from exc
        password_hash = await self.hashing.hash(password)
        now = self.clock()
        async with self.units() as uow:
            user = await uow.users.add(
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
                existing = await uow.users.by_email(address)
                assert existing is not None
                return SeedResult(created=False, user=view_of(existing))
            await uow.audit.add("admin_seeded", at=now, user_id=user.user_id, email=address)
            await announce(uow, user, "created", now)
            await uow.commit()
        return SeedResult(created=True, user=view_of(user))


async def _audit_provisioned(
    uow: UnitOfWork, user: UserRow, command: UpsertUser, at: datetime, what: str
) -> None:
    await uow.audit.add(
        "user_provisioned",
        at=at,
        user_id=user.user_id,
        email=user.email,
        details={"command_id": command.command_id, "changed": what, "role": user.role},
    )
