"""The stay a booking or a charge is for: our copy of the guests service's stays, kept from
its events, and asked of the guests service (`stay_owner`) when our copy lags."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from attendandt.contracts.caller import Caller
from attendandt.contracts.snapshots import StaySnapshot, StayState
from attendandt.platform.rpc import Conflict
from attendandt.vendors.core import Core
from attendandt.vendors.records import StayRef
from attendandt.vendors.stay_owner import StayLags, StayOwner
from attendandt.vendors.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Stays a booking or a charge can no longer be made for.
CLOSED_STAYS_FOR_BOOKINGS = frozenset({StayState.CANCELED, StayState.PROCESSED})
CLOSED_STAYS_FOR_CHARGES = frozenset({StayState.CANCELED})


async def keep_stay(
    uow: UnitOfWork,
    enterprise_id: str,
    stay_id: str,
    stay: StaySnapshot,
    guest_ids: tuple[str, ...],
) -> None:
    """Our copy of a stay, from an event or from its owner: the newest version wins."""
    await uow.bookings.upsert_stay_ref(
        {
            "stay_id": stay_id,
            "enterprise_id": enterprise_id,
            "guest_ids": list(guest_ids),
            "mews_reservation_id": stay.mews_id,
            "owner_mews_customer_id": stay.owner_mews_id,
            "state": stay.state.value,
            "start_utc": stay.actual_start_utc or stay.scheduled_start_utc,
            "end_utc": stay.actual_end_utc or stay.scheduled_end_utc,
            "mews_updated_utc": stay.mews_updated_utc,
        }
    )


@dataclass(frozen=True)
class Stays:
    core: Core
    #: Asked when our copy of a stay lags; None: our copy decides alone.
    stay_owner: StayOwner | None

    async def open_stay(
        self,
        uow: UnitOfWork,
        *,
        stay_id: str,
        guest_id: str,
        enterprise_id: str,
        closed: frozenset[StayState],
    ) -> StayRef:
        # Only the offering's property is searched: a stay of another property is as unknown
        # as one that does not exist (the same answer either way).
        stay = await uow.bookings.get_stay_ref(
            stay_id, share_lock=True, enterprise_id=enterprise_id
        )
        if stay is None:
            raise StayLags(
                f"stay {stay_id} is not known in the offering's property",
                enterprise_id=enterprise_id,
                stay_id=stay_id,
            )
        if guest_id not in stay.guest_ids:
            raise StayLags(
                f"guest {guest_id} is not a guest of stay {stay_id}",
                enterprise_id=enterprise_id,
                stay_id=stay_id,
            )
        if StayState(stay.state) in closed:
            raise Conflict(f"stay {stay_id} is {stay.state}")
        if not stay.owner_mews_customer_id:
            raise Conflict(f"stay {stay_id} has no Mews account to charge")
        return stay

    async def with_fresh_stay(self, attempt: Callable[[], Awaitable[T]], caller: Caller) -> T:
        """Decide on our copy of the stay; when it lags (`StayLags`), learn the stay from its
        owner and decide once more."""
        try:
            return await attempt()
        except StayLags as lag:
            if not await self._learn_stay(lag, caller):
                raise
        return await attempt()

    async def _learn_stay(self, lag: StayLags, caller: Caller) -> bool:
        if self.stay_owner is None:
            return False
        try:
            fresh = await self.stay_owner(lag.enterprise_id, lag.stay_id, caller)
        except Exception:
            log.warning("asking guests for a stay failed; deciding on our copy", exc_info=True)
            return False
        if fresh is None or fresh.enterprise_id != lag.enterprise_id:
            return False
        async with self.core.units() as uow:
            await keep_stay(uow, fresh.enterprise_id, fresh.stay_id, fresh.stay,
                                  fresh.guest_ids)  # fmt: skip
            await uow.commit()
        return True
