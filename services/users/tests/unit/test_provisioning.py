"""Provisioning (`upsert_user`) on the in-memory unit of work: once per command id (the inbox
claim), older commands change nothing, and all-or-nothing. The same use case runs through
NATS and Postgres in test_commands.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from users_fakes import FakeStore, FakeUnitOfWork
from users_support import CHEAP

from attendandt.contracts.base import Payload
from attendandt.contracts.commands import UpsertUser
from attendandt.contracts.events import UserEvent
from attendandt.contracts.snapshots import UserRole
from attendandt.platform.rpc import Invalid
from attendandt.users.passwords import PasswordHashing
from attendandt.users.service import UserService

C = "users-upsert-user"
ENT = "hotel-1"
T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def command(command_id: str, *, at: datetime = T0, **fields: object) -> UpsertUser:
    values: dict[str, object] = {
        "email": "prov@hotel.example",
        "name": "Provisioned",
        "role": UserRole.FRONT_DESK,
        **fields,
    }
    return UpsertUser(command_id=command_id, enterprise_id=ENT, issued_at=at, **values)  # type: ignore[arg-type]


def events(store: FakeStore) -> list[str]:
    return [q.payload.event for q in store.outbox if isinstance(q.payload, UserEvent)]


async def test_a_command_applied_twice_has_one_effect(
    service: UserService, uow: FakeUnitOfWork
) -> None:
    create = command("c-1")
    assert await service.upsert_user(create, consumer=C) == "created"
    assert await service.upsert_user(create, consumer=C) == "duplicate"

    [user] = uow.store.users.values()
    assert (user.email, user.role, user.provisioned_at) == ("prov@hotel.example", "front_desk", T0)
    assert uow.store.inbox == {(C, "c-1")}
    [queued] = uow.store.outbox
    assert (queued.subject, queued.msg_id) == (
        f"attendandt.v2.{ENT}.user.created",
        f"user:{user.user_id}:1",
    )
    assert uow.store.actions() == ["user_provisioned"]
    assert uow.store.commits == 2  # the duplicate's unit of work commits nothing new


async def test_an_older_command_changes_nothing_but_is_done(
    service: UserService, uow: FakeUnitOfWork
) -> None:
    later = T0 + timedelta(minutes=5)
    assert await service.upsert_user(command("c-2", at=later, name="New"), consumer=C) == "created"
    older = command("c-1", name="Old", role=UserRole.MANAGER)
    assert await service.upsert_user(older, consumer=C) == "stale"
    [user] = uow.store.users.values()
    assert (user.name, user.role) == ("New", "front_desk")
    assert (C, "c-1") in uow.store.inbox  # committed: a redelivery is a duplicate
    assert await service.upsert_user(older, consumer=C) == "duplicate"

    newest = command("c-3", at=later + timedelta(1), role=UserRole.MANAGER, name="New")
    assert await service.upsert_user(newest, consumer=C) == "role_changed"
    assert events(uow.store) == ["created", "role_changed"]


class _FailingQueue(FakeUnitOfWork):
    async def queue(
        self, subject: str, payload: Payload, *, msg_id: str, correlation_id: str | None = None
    ) -> None:
        raise RuntimeError("the outbox is down")


async def test_a_failure_leaves_nothing_behind_so_a_redelivery_applies_it() -> None:
    failing = _FailingQueue()
    create = command("c-1")
    with pytest.raises(RuntimeError):
        await UserService(lambda: failing, PasswordHashing(CHEAP)).upsert_user(create, consumer=C)
    assert failing.store == FakeStore()

    uow = FakeUnitOfWork(failing.store)
    assert await UserService(lambda: uow, PasswordHashing(CHEAP)).upsert_user(create, consumer=C)
    assert (len(uow.store.users), events(uow.store)) == (1, ["created"])


async def test_an_invalid_command_is_refused_before_anything_is_claimed(
    service: UserService, uow: FakeUnitOfWork
) -> None:
    with pytest.raises(Invalid):
        await service.upsert_user(command("c-1", email="not an address"), consumer=C)
    with pytest.raises(Invalid):
        await service.upsert_user(command("c-2", role=UserRole.VENDOR), consumer=C)
    assert uow.store == FakeStore()
