"""A unit of work of the users service: one transaction, with its repositories, the inbox
claim and the outbox queue.

    async with uow:
        if not await uow.claim(command.command_id, consumer=consumer):
            ...  # processed before
        user = await uow.users.by_email(email)
        ...
        await uow.audit.add("...", at=now, user_id=user.user_id)
        await uow.queue(subject, event, msg_id=event.event_id)
        await uow.commit()

Leaving the block without `commit` rolls everything back: the effect, its audit row, its
outbox event and (for a command) its inbox claim commit together or not at all.
`SqlUnitOfWork` is the Postgres one; the unit tests run the use cases on an in-memory fake
(tests/unit). The use cases take a factory of units of work (`units()`: a fresh one for each
transaction, so that concurrent requests never share one).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from attendandt.platform import unit_of_work as platform_uow
from attendandt.users.models import inbox, outbox
from attendandt.users.repository import (
    AuditRow,
    SqlAuditLog,
    SqlPasswordTokens,
    SqlRefreshTokens,
    SqlUsers,
    TokenRow,
    UserFilter,
    UserRow,
)


class UserRepository(Protocol):
    """Users by id, email or external subject."""

    async def get(self, user_id: str, *, for_update: bool = False) -> UserRow | None: ...

    async def by_email(self, email: str, *, for_update: bool = False) -> UserRow | None: ...

    async def by_subject(self, subject: str, *, for_update: bool = False) -> UserRow | None: ...

    async def add(self, **values: Any) -> UserRow | None:
        """The new user, or None when the email or external subject is taken."""

    async def update(self, user_id: str, *, announce: bool, **values: Any) -> UserRow:
        """Apply `values`; `announce` bumps the version the next event's id is made from."""

    async def lock_admin_changes(self) -> None:
        """Serialise the units of work that could remove the last active admin (role
        changes, deactivations, provisioning) until this one ends."""

    async def sign_in_admin_ids(self) -> set[str]:
        """Admins who can sign in: active, with a password set or a linked external
        identity."""

    async def find(
        self, where: UserFilter, *, limit: int, offset: int
    ) -> tuple[list[UserRow], int]:
        """A page of the users matching `where` (by email), and how many match in all."""


class RefreshTokenRepository(Protocol):
    """Refresh tokens (by hash), in families: one family is one sign-in's session."""

    async def add(
        self,
        *,
        token_hash: str,
        user_id: str,
        family_id: str,
        issued_at: datetime,
        expires_at: datetime,
    ) -> None: ...

    async def for_update(self, token_hash: str) -> TokenRow | None:
        """The token, locked until this unit of work ends."""

    async def mark_used(self, token_hash: str, at: datetime, *, used_by: str | None) -> None: ...

    async def count_grace_successor(self, token_hash: str) -> None: ...

    async def revoke_family(self, family_id: str, at: datetime) -> int:
        """Revoke the family's tokens not revoked yet; how many."""

    async def revoke_user(self, user_id: str, at: datetime) -> int:
        """Revoke the user's tokens not revoked yet; how many."""


class PasswordTokenRepository(Protocol):
    """One-time set-password tokens (by hash)."""

    async def add(
        self,
        *,
        token_hash: str,
        user_id: str,
        purpose: str,
        created_by: str | None,
        issued_at: datetime,
        expires_at: datetime,
    ) -> None: ...

    async def get(self, token_hash: str, *, for_update: bool = False) -> TokenRow | None: ...

    async def mark_used(self, token_hash: str, at: datetime) -> None: ...

    async def revoke_user(self, user_id: str, at: datetime) -> None:
        """Revoke the user's tokens neither used nor revoked yet."""


class AuditLogRepository(Protocol):
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
    ) -> None: ...

    async def entries(
        self, *, user_id: str | None, limit: int, before_id: int | None
    ) -> list[AuditRow]:
        """The newest entries first (of one user, or all), older than `before_id`."""


class UnitOfWork(platform_uow.UnitOfWork):
    users: UserRepository
    refresh_tokens: RefreshTokenRepository
    password_tokens: PasswordTokenRepository
    audit: AuditLogRepository


class SqlUnitOfWork(platform_uow.SqlUnitOfWork, UnitOfWork):
    """A unit of work on one session (one Postgres transaction) of the users schema."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        super().__init__(sessions, inbox=inbox, outbox=outbox)

    def bind(self, session: AsyncSession) -> None:
        self.users = SqlUsers(session)
        self.refresh_tokens = SqlRefreshTokens(session)
        self.password_tokens = SqlPasswordTokens(session)
        self.audit = SqlAuditLog(session)


def sql_units(engine: AsyncEngine) -> Callable[[], UnitOfWork]:
    """A factory of Postgres units of work on `engine`: a new one for each transaction."""
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    return lambda: SqlUnitOfWork(sessions)
