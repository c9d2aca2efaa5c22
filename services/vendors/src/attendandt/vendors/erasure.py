"""The vendors part of a guest's erasure (`contracts.erasure`): once per command (inbox),
the guest's bookings and charges get the pseudonym and lose their notes, and the receipt
goes back to the guests service in the same transaction (outbox)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from attendandt.contracts.erasure import RECORD_ERASURE_RECEIPT, EraseGuest, ErasureReceipt
from attendandt.vendors import erasure_repository as er
from attendandt.vendors.repository import Database

log = logging.getLogger(__name__)

ERASE_GUEST_CONSUMER = "vendors-erase-guest"
PART = "vendors"


class GuestErasure:
    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.clock = clock

    async def erase(self, command: EraseGuest) -> None:
        async with self.db.transaction() as repo:
            if not await repo.claim(consumer=ERASE_GUEST_CONSUMER, message_id=command.command_id):
                return
            removed, pseudonymised = await er.pseudonymise_guest(
                repo.session, command.enterprise_id, command.guest_id, command.pseudonym
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
            await repo.queue(
                subject=RECORD_ERASURE_RECEIPT.format(), payload=receipt, msg_id=receipt.command_id
            )
        log.info("guest erased from vendors", extra={"request_id": command.request_id})
