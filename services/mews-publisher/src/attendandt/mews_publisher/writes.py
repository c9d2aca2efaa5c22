"""The steps the use cases writing to Mews (`charges`, `cancellation`, `customer_updates`,
`stay_notes`) take alike: one worker per object, a handled command done once, a failure on the
last delivery given up on, and a token Mews refused marked as such."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from attendandt.mews import MewsError, MewsUnauthorized
from attendandt.mews_publisher.enterprises import Enterprises
from attendandt.mews_publisher.service import (
    NOT_THE_CHARGES_FAULT,
    Clock,
    Retry,
    TokenRefused,
    _message,
    utc_now,
)
from attendandt.mews_publisher.unit_of_work import ReferenceLocks, UnitOfWork, processed


class MewsWrites:
    """A use case writing to Mews: its units of work, the objects' locks, the enterprises'
    links, how long a write settles before it is looked up, and the clock."""

    def __init__(
        self,
        units: Callable[[], UnitOfWork],
        locks: ReferenceLocks,
        enterprises: Enterprises,
        *,
        settle_s: float = 60.0,
        clock: Clock = utc_now,
    ) -> None:
        self.units = units
        self.locks = locks
        self.enterprises = enterprises
        self.settle = timedelta(seconds=settle_s)
        self.clock = clock

    async def once(
        self,
        lock: str,
        command_id: str,
        *,
        consumer: str,
        busy: str,
        write: Callable[[], Awaitable[None]],
        give_up: Callable[[Exception], Awaitable[None]],
        last_delivery: bool,
    ) -> None:
        """`write` holding `lock`, unless `consumer` handled `command_id` already. Another
        worker holding the lock is a `Retry` (`busy` says why); on the `last_delivery`, a
        failure that is the object's goes to `give_up` instead of coming back."""
        async with self.locks.reference_lock(lock) as held:
            if not held:
                raise Retry(busy)
            if await processed(self.units, command_id, consumer=consumer):
                return
            try:
                await write()
            except Exception as exc:
                if not last_delivery or isinstance(exc, NOT_THE_CHARGES_FAULT):
                    raise
                await give_up(exc)

    def token_refused(self, enterprise_id: str, exc: MewsUnauthorized) -> TokenRefused:
        """Marks the enterprise's token refused; the exception to raise."""
        self.enterprises.mark_unauthorized(enterprise_id, exc)
        return TokenRefused(f"token of {enterprise_id} refused")


def give_up_reason(exc: Exception) -> str:
    """Why a write is given up on after its last delivery."""
    return f"Mews could not be reached in time: {type(exc).__name__}: {exc}"


def mews_answer(exc: MewsError | None) -> dict[str, str | None]:
    """A ledger row's record of what Mews answered (nothing for a success)."""
    return {
        "mews_message": _message(exc) if exc is not None else None,
        "mews_request_id": exc.request_id if exc is not None else None,
    }
