"""An in-memory `UnitOfWork` for the users use cases: what Postgres would hold (`FakeStore`)
as plain dicts, changed only on commit.

It behaves as the Postgres one does where the use cases rely on it: the inbox refuses a
message id a consumer claimed before, a new user whose email or external subject is taken is
not stored, an announced update bumps the user's version, and leaving the unit of work
without `commit` forgets the claim, the effect, its audit rows and the queued messages.

The service takes a factory of units of work; the tests hand it the same fake every time
(`lambda: uow`): each use case enters it anew, and `uow.store` shows what was committed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from attendandt.testing.fake_unit_of_work import FakeMessages, FakeUnitOfWorkBase
from attendandt.users.repository import AuditRow, TokenRow, UserFilter, UserRow
from attendandt.users.unit_of_work import UnitOfWork

_USER_DEFAULTS: dict[str, Any] = {
    "external_subject": None,
    "password_hash": None,
    "password_changed_at": None,
    "last_login_at": None,
    "provisioned_at": None,
}


@dataclass
class FakeStore(FakeMessages):
    """What is committed."""

    users: dict[str, UserRow] = field(default_factory=dict)
    refresh_tokens: dict[str, TokenRow] = field(default_factory=dict)
    password_tokens: dict[str, TokenRow] = field(default_factory=dict)
    #: token hash → (purpose, created by).
    password_token_origins: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    audit: list[AuditRow] = field(default_factory=list)

    def actions(self) -> list[str]:
        return [entry.action for entry in self.audit]


class _Users:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

    async def get(self, user_id: str, *, for_update: bool = False) -> UserRow | None:
        return self._unit.working.users.get(user_id)

    async def by_email(self, email: str, *, for_update: bool = False) -> UserRow | None:
        return next((u for u in self._unit.working.users.values() if u.email == email), None)

    async def by_subject(self, subject: str, *, for_update: bool = False) -> UserRow | None:
        users = self._unit.working.users.values()
        return next((u for u in users if u.external_subject == subject), None)

    async def add(self, **values: Any) -> UserRow | None:
        subject = values.get("external_subject")
        for user in self._unit.working.users.values():
            if user.email == values["email"] or (subject and user.external_subject == subject):
                return None
        now = self._unit.clock()
        user = UserRow(**{**_USER_DEFAULTS, "created_at": now, "updated_at": now, **values})
        self._unit.working.users[user.user_id] = user
        return user

    async def update(self, user_id: str, *, announce: bool, **values: Any) -> UserRow:
        user = self._unit.working.users[user_id]
        version = user.version + 1 if announce else user.version
        changed = dataclasses.replace(
            user, **values, version=version, updated_at=self._unit.clock()
        )
        self._unit.working.users[user_id] = changed
        return changed

    async def lock_admin_changes(self) -> None:
        self._unit.locked.append("admin changes")

    async def sign_in_admin_ids(self) -> set[str]:
        return {
            u.user_id
            for u in self._unit.working.users.values()
            if u.role == "admin"
            and u.is_active
            and (u.password_hash is not None or u.external_subject is not None)
        }

    async def find(
        self, where: UserFilter, *, limit: int, offset: int
    ) -> tuple[list[UserRow], int]:
        def matches(u: UserRow) -> bool:
            query = (where.query or "").lower()
            return (
                (where.role is None or u.role == where.role)
                and (where.is_active is None or u.is_active == where.is_active)
                and (not where.portfolio_only or u.enterprise_id is None)
                and (
                    where.portfolio_only
                    or where.enterprise_id is None
                    or u.enterprise_id == where.enterprise_id
                )
                and (where.vendor_id is None or u.vendor_id == where.vendor_id)
                and (where.within is None or u.enterprise_id in where.within)
                and (query in u.email or query in u.name.lower())
            )

        found = sorted(filter(matches, self._unit.working.users.values()), key=_by_email)
        return found[offset : offset + limit], len(found)


def _by_email(user: UserRow) -> tuple[str, str]:
    return user.email, user.user_id


class _RefreshTokens:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

    @property
    def _tokens(self) -> dict[str, TokenRow]:
        return self._unit.working.refresh_tokens

    async def add(
        self,
        *,
        token_hash: str,
        user_id: str,
        family_id: str,
        issued_at: datetime,
        expires_at: datetime,
    ) -> None:
        assert token_hash not in self._tokens
        self._tokens[token_hash] = TokenRow(
            token_hash, user_id, family_id, issued_at, expires_at, used_at=None, revoked_at=None
        )

    async def for_update(self, token_hash: str) -> TokenRow | None:
        return self._tokens.get(token_hash)

    async def mark_used(self, token_hash: str, at: datetime, *, used_by: str | None) -> None:
        self._change(token_hash, used_at=at, used_by=used_by)

    async def count_grace_successor(self, token_hash: str) -> None:
        self._change(token_hash, grace_successors=self._tokens[token_hash].grace_successors + 1)

    async def revoke_family(self, family_id: str, at: datetime) -> int:
        return self._revoke(lambda t: t.family_id == family_id, at)

    async def revoke_user(self, user_id: str, at: datetime) -> int:
        return self._revoke(lambda t: t.user_id == user_id, at)

    def _change(self, token_hash: str, **values: Any) -> None:
        self._tokens[token_hash] = dataclasses.replace(self._tokens[token_hash], **values)

    def _revoke(self, which: Callable[[TokenRow], bool], at: datetime) -> int:
        hashes = [h for h, t in self._tokens.items() if which(t) and t.revoked_at is None]
        for token_hash in hashes:
            self._change(token_hash, revoked_at=at)
        return len(hashes)


class _PasswordTokens:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

    @property
    def _tokens(self) -> dict[str, TokenRow]:
        return self._unit.working.password_tokens

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
        assert token_hash not in self._tokens
        self._tokens[token_hash] = TokenRow(
            token_hash, user_id, None, issued_at, expires_at, used_at=None, revoked_at=None
        )
        self._unit.working.password_token_origins[token_hash] = (purpose, created_by)

    async def get(self, token_hash: str, *, for_update: bool = False) -> TokenRow | None:
        return self._tokens.get(token_hash)

    async def mark_used(self, token_hash: str, at: datetime) -> None:
        self._tokens[token_hash] = dataclasses.replace(self._tokens[token_hash], used_at=at)

    async def revoke_user(self, user_id: str, at: datetime) -> None:
        for token_hash, token in list(self._tokens.items()):
            if token.user_id == user_id and token.used_at is None and token.revoked_at is None:
                self._tokens[token_hash] = dataclasses.replace(token, revoked_at=at)


class _AuditLog:
    def __init__(self, unit: FakeUnitOfWork) -> None:
        self._unit = unit

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
        log = self._unit.working.audit
        entry_id = (log[-1].entry_id if log else 0) + 1
        log.append(
            AuditRow(
                entry_id,
                at,
                action,
                actor_id,
                user_id,
                email,
                reason,
                client_ip,
                user_agent,
                dict(details or {}),
            )
        )

    async def entries(
        self, *, user_id: str | None, limit: int, before_id: int | None
    ) -> list[AuditRow]:
        found = [
            e
            for e in reversed(self._unit.working.audit)
            if (user_id is None or e.user_id == user_id)
            and (before_id is None or e.entry_id < before_id)
        ]
        return found[:limit]


class FakeUnitOfWork(FakeUnitOfWorkBase[FakeStore], UnitOfWork):
    def __init__(
        self,
        store: FakeStore | None = None,
        *,
        clock: Callable[[], datetime] = lambda: datetime(2026, 11, 25, 12, 0, tzinfo=UTC),
    ) -> None:
        super().__init__(store or FakeStore())
        self.clock = clock
        self.locked: list[str] = []
        self.users = _Users(self)
        self.refresh_tokens = _RefreshTokens(self)
        self.password_tokens = _PasswordTokens(self)
        self.audit = _AuditLog(self)
