"""Helpers shared by the users service's tests (imported by conftest and the test modules)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from nats.js import JetStreamContext

from attendandt.contracts.base import decode
from attendandt.contracts.caller import Caller
from attendandt.contracts.events import USER_EVENT, UserEvent
from attendandt.contracts.rpc import users as api
from attendandt.users.passwords import HashParameters, PasswordHashing

#: Cheap enough for tests; production uses argon2-cffi's defaults.
CHEAP = HashParameters(time_cost=1, memory_cost_kib=1024, parallelism=1)
ADMIN_EMAIL = "root@hotel.example"
ADMIN_PASSWORD = "correct horse battery"


class CountingHashing(PasswordHashing):
    """Real argon2, counting the verifications it was asked for."""

    def __init__(self, parameters: HashParameters) -> None:
        super().__init__(parameters)
        self.verifications = 0

    async def _verify(self, password_hash: str, password: str) -> bool:
        self.verifications += 1
        return await super()._verify(password_hash, password)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


Invite = Callable[..., Awaitable[api.InviteUserResponse]]
Member = Callable[..., Awaitable[api.UserView]]


async def event_reader(js: JetStreamContext, subjects: str = USER_EVENT.filter()) -> EventReader:
    """Reads public events from the start of ATTENDANDT_EVENTS (an ephemeral consumer)."""
    sub = await js.pull_subscribe(subjects, stream="ATTENDANDT_EVENTS")
    return EventReader(sub)


class EventReader:
    def __init__(self, sub: JetStreamContext.PullSubscription) -> None:
        self._sub = sub
        self.seen: list[tuple[str, UserEvent]] = []

    async def until(
        self, done: Callable[[list[tuple[str, UserEvent]]], bool]
    ) -> list[tuple[str, UserEvent]]:
        """Read until `done(seen)` holds (or fail after a while)."""
        for _ in range(100):
            if done(self.seen):
                return self.seen
            await self._read(0.2)
        raise AssertionError(f"expected events did not arrive; saw {[s for s, _ in self.seen]}")

    async def settle(self) -> list[tuple[str, UserEvent]]:
        """Everything published so far (reads until a quiet moment)."""
        while await self._read(0.5):
            pass
        return self.seen

    async def _read(self, timeout: float) -> int:
        try:
            messages = await self._sub.fetch(100, timeout=timeout)
        except TimeoutError:  # nats-py raises its own subclass, or the plain one
            return 0
        for msg in messages:
            await msg.ack()
            self.seen.append((msg.subject, decode(msg.data, UserEvent)))
        return len(messages)


def as_caller(user: api.UserView) -> Caller:
    """The caller the gateway would describe for this user (its property, if it has one)."""
    return Caller(
        user_id=user.user_id,
        role=user.role,
        vendor_id=user.vendor_id,
        enterprise_ids=None if user.enterprise_id is None else (user.enterprise_id,),
    )
