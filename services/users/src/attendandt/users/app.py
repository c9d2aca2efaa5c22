"""The composition root: engine, service, outbox relay and probes, handed to
`platform.runtime` to run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import text

from attendandt.platform.db import create_engine
from attendandt.platform.runtime import Runtime
from attendandt.platform.runtime_app import RuntimeApp
from attendandt.users.consumers import register_consumers
from attendandt.users.models import outbox
from attendandt.users.passwords import PasswordHashing
from attendandt.users.rpc import register_rpc
from attendandt.users.service import UserService
from attendandt.users.settings import SERVICE, UsersSettings
from attendandt.users.unit_of_work import sql_units


class UsersApp(RuntimeApp):
    def __init__(
        self, settings: UsersSettings, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.settings = settings
        self.engine = create_engine(settings.database, application_name=SERVICE)
        self.hashing = PasswordHashing(settings.hashing)
        # `clock`: tests drive token lifetimes and grace periods through it.
        self.service = UserService(
            sql_units(self.engine),
            self.hashing,
            settings.lifetimes,
            **({"clock": clock} if clock is not None else {}),
        )
        self.runtime = Runtime(
            SERVICE,
            settings.nats,
            health_host=settings.health_host,
            health_port=settings.health_port,
            checks={"database": self._database_ready, "started": self._started},
            messages_in_flight=settings.database.pool_size,
        )
        self.runtime.on_start(lambda _stop: self.hashing.warm_up())
        # Flushed at stop too: what the last commands committed is published before exit.
        self.runtime.outbox(self.engine, outbox)
        register_rpc(self.runtime, self.service)
        register_consumers(self.runtime, self.service)

    def _started(self) -> bool:
        return self.started.is_set()

    async def _database_ready(self) -> bool:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True


def create_app(settings: UsersSettings, *, clock: Callable[[], datetime] | None = None) -> UsersApp:
    return UsersApp(settings, clock=clock)
