"""The vendors part of a guest's erasure (`contracts.erasure`): once per command (inbox),
the guest's bookings and charges get the pseudonym and lose their notes, and the receipt
goes back to the guests service in the same transaction (outbox)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from attendandt.contracts.erasure import RECORD_ERASURE_RECEIPT, EraseGuest, ErasureReceipt
from attendandt.vendors.core import Units

log = logging.getLogger(__name__)

ERASE_GUEST_CONSUMER = "vendors-erase-guest"
PART = "vendors"


class GuestErasure:
    def __init__(self, units: Units, clock: Callable[[], datetime]) -> None:
        self.units = units
        self.clock = clock

    async def erase(self, command: EraseGuest) -> None:
        async with self.units() as uow:
            if not await uow.claim(command.command_id, consumer=ERASE_GUEST_CONSUMER):
                return
            removed, pseudonymised = await uow.guests.pseudonymise(
                command.enterprise_id, command.guest_id, command.pseudonym
            )
            now = self.clock()
            receipt = ErasureReceipt(
                command_id=f"erasure-receipt:{command.request_id}:{PART}",
                enterprise_id=command.enterprise_id,
                issued_at=now,
                request_id=command.request_id,
                part=PART,
                removed=removed,
                pseudonymised=pseudonymised,
                done_at=now,
            )
            await uow.queue(RECORD_ERASURE_RECEIPT.format(), receipt, msg_id=receipt.command_id)
            await uow.commit()
        log.info("guest erased from vendors", extra={"request_id": command.request_id})
