"""Unit tests of the users use cases on an in-memory unit of work: no Postgres, no NATS.

The fixtures here shadow the parent folder's `service` (which needs Postgres): a `UserService`
on a `FakeUnitOfWork`, with cheap argon2 and a controllable clock."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The tests folder is not a package: make the fakes importable by the tests.
sys.path.insert(0, str(Path(__file__).parent))
from users_fakes import FakeUnitOfWork
from users_support import ADMIN_EMAIL, ADMIN_PASSWORD, CHEAP, Clock

from attendandt.contracts.rpc import users as api
from attendandt.users.passwords import PasswordHashing
from attendandt.users.service import TokenLifetimes, UserService


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def uow(clock: Clock) -> FakeUnitOfWork:
    return FakeUnitOfWork(clock=clock)


@pytest.fixture
def service(uow: FakeUnitOfWork, clock: Clock) -> UserService:
    return UserService(lambda: uow, PasswordHashing(CHEAP), TokenLifetimes(), clock=clock)


@pytest.fixture
async def admin(service: UserService) -> api.UserView:
    return (await service.ensure_admin(ADMIN_EMAIL, ADMIN_PASSWORD, name="Root")).user
