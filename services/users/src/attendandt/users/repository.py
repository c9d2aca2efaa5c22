"""Every SQL statement of the users service: the Postgres repositories of its unit of work
(`unit_of_work.SqlUnitOfWork`), each on the unit of work's session, and the rows they read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, func, or_, select, text, true, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from attendandt.users.models import (
    audit_log,
    password_tokens,
    refresh_tokens,
    users,
)

#: Serialises changes that could remove the last active admin (role changes, deactivations,
#: provisioning), so two of them cannot each see "another admin remains" at the same time.
_ADMIN_CHANGES_LOCK = 0x75736572_61646D  # "user" "adm"


@dataclass(frozen=True)
class UserRow:
    user_id: str
    email: str
    name: str
    role: str
    vendor_id: str | None
    enterprise_id: str | None
    is_active: bool
    external_subject: str | None
    password_hash: str | None
    password_changed_at: datetime | None
    last_login_at: datetime | None
    provisioned_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime

    def __repr__(self) -> str:  # keeps the password hash out of logs and tracebacks
        return f"UserRow(user_id={self.user_id!r}, email={self.email!r}, role={self.role!r})"

    @classmethod
    def of(cls, row: Row[Any]) -> UserRow:
        return cls(**dict(row._mapping))


@dataclass(frozen=True)
class TokenRow:
    token_hash: str
    user_id: str
    family_id: str | None
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None
    #: Refresh tokens only: the client that spent it (hashed) and the successors handed out
    #: to it again within the grace period.
    used_by: str | None = None
    grace_successors: int = 0


@dataclass(frozen=True)
class AuditRow:
    entry_id: int
    occurred_at: datetime
    action: str
    actor_id: str | None
    user_id: str | None
    email: str | None
    reason: str | None
    client_ip: str | None
    user_agent: str | None
    details: dict[str, str]


@dataclass(frozen=True)
class UserFilter:
    role: str | None = None
    is_active: bool | None = None
    enterprise_id: str | None = None
    #: True: only users without an enterprise (portfolio-wide).
    portfolio_only: bool = False
    vendor_id: str | None = None
    query: str | None = None
    #: Only users of these properties (the caller's); None: no such limit.
    within: tuple[str, ...] | None = None


class _OnSession:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session


class SqlUsers(_OnSession):
    async def get(self, user_id: str, *, for_update: bool = False) -> UserRow | None:
        return await self._one_user(users.c.user_id == user_id, for_update)

    async def by_email(self, email: str, *, for_update: bool = False) -> UserRow | None:
        return await self._one_user(users.c.email == email, for_update)

    async def by_subject(self, subject: str, *, for_update: bool = False) -> UserRow | None:
        return await self._one_user(users.c.external_subject == subject, for_update)

    async def _one_user(self, condition: Any, for_update: bool) -> UserRow | None:
        statement = select(users).where(condition)
        if for_update:
            statement = statement.with_for_update()
        row = (await self._session.execute(statement)).first()
        return UserRow.of(row) if row is not None else None

    async def add(self, **values: Any) -> UserRow | None:
        """The new user, or None when the email or external subject is taken."""
        statement = insert(users).values(**values).on_conflict_do_nothing().returning(users)
        row = (await self._session.execute(statement)).first()
        return UserRow.of(row) if row is not None else None

    async def update(self, user_id: str, *, announce: bool, **values: Any) -> UserRow:
        """Apply `values`; `announce` bumps the version the next event's id is made from."""
        changes: dict[str, Any] = {**values, "updated_at": func.now()}
        if announce:
            changes["version"] = users.c.version + 1
        statement = (
            update(users).where(users.c.user_id == user_id).values(**changes).returning(users)
        )
        return UserRow.of((await self._session.execute(statement)).one())

    async def lock_admin_changes(self) -> None:
        await self._session.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADMIN_CHANGES_LOCK}
        )

    async def sign_in_admin_ids(self) -> set[str]:
        """Admins who can sign in: active, with a password set or a linked external identity
        (an invited admin who never set a password cannot administer anything)."""
        statement = select(users.c.user_id).where(
            users.c.role == "admin",
            users.c.is_active,
            or_(users.c.password_hash.is_not(None), users.c.external_subject.is_not(None)),
        )
        return set((await self._session.execute(statement)).scalars())

    async def find(
        self, where: UserFilter, *, limit: int, offset: int
    ) -> tuple[list[UserRow], int]:
        conditions: list[Any] = []
        if where.role is not None:
            conditions.append(users.c.role == where.role)
        if where.is_active is not None:
            conditions.append(users.c.is_active == where.is_active)
        if where.portfolio_only:
            conditions.append(users.c.enterprise_id.is_(None))
        elif where.enterprise_id is not None:
            conditions.append(users.c.enterprise_id == where.enterprise_id)
        if where.vendor_id is not None:
            conditions.append(users.c.vendor_id == where.vendor_id)
        if where.within is not None:
            conditions.append(users.c.enterprise_id.in_(list(where.within)))
        if where.query:
            pattern = "%" + _escape_like(where.query.lower()) + "%"
            conditions.append(
                or_(
                    users.c.email.like(pattern, escape="\\"),
                    func.lower(users.c.name).like(pattern, escape="\\"),
                )
            )
        condition = and_(true(), *conditions)
        total = (
            await self._session.execute(select(func.count()).select_from(users).where(condition))
        ).scalar_one()
        rows = (
            await self._session.execute(
                select(users)
                .where(condition)
                .order_by(users.c.email, users.c.user_id)
                .limit(limit)
                .offset(offset)
            )
        ).all()
        return [UserRow.of(row) for row in rows], total


class SqlRefreshTokens(_OnSession):
    async def add(
        self,
        *,
        token_hash: str,
        user_id: str,
        family_id: str,
        issued_at: datetime,
        expires_at: datetime,
    ) -> None:
        await self._session.execute(
            insert(refresh_tokens).values(
                token_hash=token_hash,
                user_id=user_id,
                family_id=family_id,
                issued_at=issued_at,
                expires_at=expires_at,
            )
        )

    async def for_update(self, token_hash: str) -> TokenRow | None:
        row = (
            await self._session.execute(
                select(refresh_tokens)
                .where(refresh_tokens.c.token_hash == token_hash)
                .with_for_update()
            )
        ).first()
        return TokenRow(**dict(row._mapping)) if row is not None else None

    async def mark_used(self, token_hash: str, at: datetime, *, used_by: str | None) -> None:
        await self._session.execute(
            update(refresh_tokens)
            .where(refresh_tokens.c.token_hash == token_hash)
            .values(used_at=at, used_by=used_by)
        )

    async def count_grace_successor(self, token_hash: str) -> None:
        await self._session.execute(
            update(refresh_tokens)
            .where(refresh_tokens.c.token_hash == token_hash)
            .values(grace_successors=refresh_tokens.c.grace_successors + 1)
        )

    async def revoke_family(self, family_id: str, at: datetime) -> int:
        result = await self._session.execute(
            update(refresh_tokens)
            .where(refresh_tokens.c.family_id == family_id, refresh_tokens.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def revoke_user(self, user_id: str, at: datetime) -> int:
        result = await self._session.execute(
            update(refresh_tokens)
            .where(refresh_tokens.c.user_id == user_id, refresh_tokens.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


class SqlPasswordTokens(_OnSession):
    async def add(
        self,
        *,
        token_hash: str,
        user_id: str,
        purpose: str,
        created_by: str | None,
        issued_at: datetime,
        expires_at: datetime,
    ) -> None:
        await self._session.execute(
            insert(password_tokens).values(
                token_hash=token_hash,
                user_id=user_id,
                purpose=purpose,
                created_by=created_by,
                issued_at=issued_at,
                expires_at=expires_at,
            )
        )

    async def get(self, token_hash: str, *, for_update: bool = False) -> TokenRow | None:
        statement = select(
            password_tokens.c.token_hash,
            password_tokens.c.user_id,
            password_tokens.c.issued_at,
            password_tokens.c.expires_at,
            password_tokens.c.used_at,
            password_tokens.c.revoked_at,
        ).where(password_tokens.c.token_hash == token_hash)
        if for_update:
            statement = statement.with_for_update()
        row = (await self._session.execute(statement)).first()
        return TokenRow(family_id=None, **dict(row._mapping)) if row is not None else None

    async def mark_used(self, token_hash: str, at: datetime) -> None:
        await self._session.execute(
            update(password_tokens)
            .where(password_tokens.c.token_hash == token_hash)
            .values(used_at=at)
        )

    async def revoke_user(self, user_id: str, at: datetime) -> None:
        await self._session.execute(
            update(password_tokens)
            .where(
                password_tokens.c.user_id == user_id,
                password_tokens.c.used_at.is_(None),
                password_tokens.c.revoked_at.is_(None),
            )
            .values(revoked_at=at)
        )


class SqlAuditLog(_OnSession):
    async def add(
        self,
        action: str,
        *,
        at: datetime,
        actor_id: str | None = None,
        user_id: str | None = None,
        email: str | None = None,
        reason: str | None = None,
        client_ip: str | None = None,
        user_agent: str | None = None,
        details: Mapping[str, str] | None = None,
    ) -> None:
        await self._session.execute(
            insert(audit_log).values(
                occurred_at=at,
                action=action,
                actor_id=actor_id,
                user_id=user_id,
                email=email,
                reason=reason,
                client_ip=client_ip,
                user_agent=user_agent,
                details=dict(details or {}),
            )
        )

    async def entries(
        self, *, user_id: str | None, limit: int, before_id: int | None
    ) -> list[AuditRow]:
        statement = select(audit_log).order_by(audit_log.c.entry_id.desc()).limit(limit)
        if user_id is not None:
            statement = statement.where(audit_log.c.user_id == user_id)
        if before_id is not None:
            statement = statement.where(audit_log.c.entry_id < before_id)
        rows = (await self._session.execute(statement)).all()
        return [AuditRow(**dict(row._mapping)) for row in rows]


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
