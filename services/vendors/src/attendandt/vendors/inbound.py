"""Commands and events from other services, each applied once (the inbox, by consumer and
message id); a message that can never apply is `Rejected` (a dead letter with the reason):

- the publisher's answers: a charge posted or failed, a charge taken back or not;
- vendors from outside (Mews partner companies) and the hotel's Mews catalogue, from sync;
- the guests service's stay events (our copy of its stays; a cancelled stay cancels its
  open bookings).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from attendandt.contracts.commands import (
    RecordChargeCancellation,
    RecordChargeResult,
    UpsertCatalogue,
    UpsertVendor,
)
from attendandt.contracts.events import StayEvent
from attendandt.contracts.snapshots import BookingState, ChargeState, StayState
from attendandt.contracts.versioning import MewsVersion, supersedes
from attendandt.platform.consumer import Rejected
from attendandt.vendors import cancellation, validation
from attendandt.vendors.bookings import move
from attendandt.vendors.catalogue import stored_version
from attendandt.vendors.charge_cancellation import ChargeCancellations
from attendandt.vendors.core import Core
from attendandt.vendors.records import ChargeRecord
from attendandt.vendors.stays import keep_stay
from attendandt.vendors.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

UPSERT_VENDOR_CONSUMER = "vendors-upsert-vendor"
RECORD_CHARGE_RESULT_CONSUMER = "vendors-record-charge-result"
RECORD_CHARGE_CANCELLATION_CONSUMER = "vendors-record-charge-cancellation"
STAY_EVENTS_CONSUMER = "vendors-stay-events"
UPSERT_CATALOGUE_CONSUMER = "vendors-upsert-catalogue"

#: A charge a manager cancelled: a posting's answer no longer makes it posted or failed.
CANCELLED_OR_ON_THE_WAY = frozenset(
    {ChargeState.CANCELLING, ChargeState.CANCELLED, ChargeState.CANCEL_FAILED}
)


class _AboutACharge(Protocol):
    @property
    def command_id(self) -> str: ...

    @property
    def enterprise_id(self) -> str: ...

    @property
    def charge_id(self) -> str: ...


async def charge_commanded(
    uow: UnitOfWork, consumer: str, command: _AboutACharge
) -> ChargeRecord | None:
    """The charge a command from another service is about, locked; None when `consumer`
    took this command already (a repeat). Another property's charge can never apply."""
    if not await uow.claim(command.command_id, consumer=consumer):
        return None
    charge = await uow.charges.get_charge(command.charge_id, lock=True)
    if charge is None or charge.enterprise_id != command.enterprise_id:
        raise Rejected(f"charge {command.charge_id} is not known in this property")
    return charge


@dataclass(frozen=True)
class Inbound:
    core: Core
    cancellations: ChargeCancellations

    async def record_charge_result(self, command: RecordChargeResult) -> None:
        """The publisher's outcome. Posted is final: a late failure (of an earlier attempt)
        never undoes it, and a success after a failure wins."""
        async with self.core.units() as uow:
            await self._record_charge_result(uow, command)
            await uow.commit()

    async def _record_charge_result(self, uow: UnitOfWork, command: RecordChargeResult) -> None:
        charge = await charge_commanded(uow, RECORD_CHARGE_RESULT_CONSUMER, command)
        if charge is None:
            return
        if command.posted and not command.mews_order_id:
            raise Rejected("a posted charge result must carry the Mews order id")
        if charge.state in CANCELLED_OR_ON_THE_WAY:
            if charge.state == ChargeState.CANCELLING and charge.mews_order_id is None:
                await self.cancellations.posting_answered_while_cancelling(uow, charge, command)
            return  # the order is known (or gone): a repeat answer changes nothing
        if command.posted:
            if charge.state == ChargeState.POSTED:
                if charge.mews_order_id != command.mews_order_id:
                    log.warning(
                        "charge reported posted twice with different orders",
                        extra={"charge_id": charge.id, "kept": charge.mews_order_id,
                               "ignored": command.mews_order_id},
                    )  # fmt: skip
                return
            charge = await uow.charges.change_charge(
                charge.id,
                {
                    "state": ChargeState.POSTED.value,
                    "mews_order_id": command.mews_order_id,
                    "failure_reason": None,
                    "posted_at": self.core.clock(),
                },
            )
            await self.core.announce.charge(uow, charge, "posted")
            return
        if charge.state != ChargeState.PENDING:
            return  # already posted (final) or already failed
        reason = command.failure_reason or "Mews refused the charge without a reason"
        if command.permanent:
            reason = f"{reason} (refused by Mews)"
        charge = await uow.charges.change_charge(
            charge.id,
            {
                "state": ChargeState.FAILED.value,
                "failure_reason": reason,
                "failure_permanent": command.permanent,
            },
        )
        await self.core.announce.charge(uow, charge, "failed")

    async def record_charge_cancellation(self, command: RecordChargeCancellation) -> None:
        """The publisher's outcome of taking a charge back. Only a charge being cancelled
        takes it; a repeat (or a late answer to an earlier try) changes nothing."""
        async with self.core.units() as uow:
            await self._record_charge_cancellation(uow, command)
            await uow.commit()

    async def _record_charge_cancellation(
        self, uow: UnitOfWork, command: RecordChargeCancellation
    ) -> None:
        charge = await charge_commanded(uow, RECORD_CHARGE_CANCELLATION_CONSUMER, command)
        if charge is None:
            return
        if charge.state != ChargeState.CANCELLING:
            return
        now = self.core.clock()
        if command.cancelled:
            if command.method is None:
                raise Rejected("a cancelled charge result must say how it was cancelled")
            await self.cancellations.cancelled(uow, charge, {}, command.method, at=now)
            return
        reason = command.failure_reason or "Mews did not take the charge back, without a reason"
        if command.permanent:
            reason = f"{reason} (refused by Mews)"
        charge = await uow.charges.change_charge(
            charge.id,
            {"state": ChargeState.CANCEL_FAILED.value, "cancel_failure_reason": reason},
        )
        await uow.charges.add_billing_audit(
            enterprise_id=charge.enterprise_id,
            action="charge_cancel_failed",
            user_id=cancellation.MEWS_ACTOR,
            at=now,
            charge_id=charge.id,
            detail=reason,
        )
        await self.core.announce.charge(uow, charge, "cancel_failed")

    async def upsert_vendor(self, command: UpsertVendor) -> None:
        """A vendor from outside (a Mews partner company): last write wins on its Mews
        UpdatedUtc; without one, every new command applies (the inbox makes it once)."""
        enterprise_id = validation.commanded_enterprise(command.enterprise_id)
        async with self.core.units() as uow:
            await self._upsert_vendor(uow, command, enterprise_id)
            await uow.commit()

    async def _upsert_vendor(
        self, uow: UnitOfWork, command: UpsertVendor, enterprise_id: str
    ) -> None:
        if not await uow.claim(command.command_id, consumer=UPSERT_VENDOR_CONSUMER):
            return
        snapshot = command.vendor
        by_id = await uow.vendors.get_vendor(snapshot.vendor_id, lock=True)
        by_mews = (
            await uow.vendors.get_vendor_by_mews_id(enterprise_id, snapshot.mews_id, lock=True)
            if snapshot.mews_id is not None
            else None
        )
        if by_id is not None and by_id.enterprise_id != enterprise_id:
            raise Rejected(f"vendor {by_id.id} belongs to another property")
        if (
            by_mews is None
            and by_id is not None
            and by_id.mews_id is not None
            and by_id.mews_id != snapshot.mews_id
        ):
            raise Rejected(f"vendor {by_id.id} is linked to another Mews company")
        previous = by_mews or by_id
        # A known Mews company keeps its row (and id); else our id is the key, which also
        # links a vendor created here to its Mews company.
        result = await uow.vendors.upsert_vendor(
            {
                "id": snapshot.vendor_id,
                "enterprise_id": enterprise_id,
                "name": snapshot.name,
                "category": snapshot.category,
                "contact_email": snapshot.contact_email,
                "contact_phone": snapshot.contact_phone,
                "is_active": snapshot.is_active,
                "mews_id": snapshot.mews_id,
                "mews_updated_utc": snapshot.mews_updated_utc,
                "synced_at": self.core.clock() if snapshot.mews_id is not None else None,
            },
            by_mews_id=by_mews is not None,
        )
        if result is None:
            return  # an older Mews version: the stored one stays
        vendor, inserted = result
        if inserted:
            event = "created"
        elif previous is not None and previous.is_active and not vendor.is_active:
            event = "deactivated"
        else:
            event = "updated"
        await self.core.announce.vendor(uow, vendor, event)

    async def upsert_catalogue(self, command: UpsertCatalogue) -> bool:
        """A hotel's whole catalogue from Mews: replaces the one held unless that one is as
        new or newer (`versioning.supersedes`). False when nothing changed. Offerings already
        made are left alone: one whose service went away is refused on its next change."""
        enterprise_id = validation.commanded_enterprise(command.enterprise_id)
        prop = command.property
        if prop.enterprise_id != enterprise_id:
            raise Rejected(f"the catalogue's property {prop.enterprise_id} is not {enterprise_id}")
        services = {s.mews_id for s in command.services}
        strays = sorted({p.mews_id for p in command.products if p.service_mews_id not in services})
        if strays:
            raise Rejected(f"products of services the catalogue does not hold: {strays[:10]}")
        digest = command.content_digest()
        version = MewsVersion(command.mews_updated_utc, command.issued_at, digest)
        async with self.core.units() as uow:
            changed = await self._upsert_catalogue(uow, command, enterprise_id, version, digest)
            await uow.commit()
        return changed

    async def _upsert_catalogue(
        self,
        uow: UnitOfWork,
        command: UpsertCatalogue,
        enterprise_id: str,
        version: MewsVersion,
        digest: str,
    ) -> bool:
        if not await uow.claim(command.command_id, consumer=UPSERT_CATALOGUE_CONSUMER):
            return False
        prop = command.property
        await uow.vendors.lock_catalogue(enterprise_id)
        stored = await uow.vendors.get_property(enterprise_id)
        if stored is not None and not supersedes(version, stored_version(stored)):
            return False
        await uow.vendors.replace_catalogue(
            {
                "enterprise_id": enterprise_id,
                "name": prop.name,
                "default_currency": prop.default_currency,
                "currencies": list(prop.currencies),
                "pricing": prop.pricing,
                "catalogue_updated_utc": version.updated_utc,
                "catalogue_read_at": command.issued_at,
                "catalogue_digest": digest,
            },
            [
                {
                    "enterprise_id": enterprise_id,
                    "mews_id": s.mews_id,
                    "name": s.name,
                    "kind": s.kind,
                    "is_active": s.is_active,
                    "ordering": s.ordering,
                }
                for s in command.services
            ],
            [
                {
                    "enterprise_id": enterprise_id,
                    "mews_id": p.mews_id,
                    "service_mews_id": p.service_mews_id,
                    "name": p.name,
                    "is_active": p.is_active,
                    "unit_amount": p.unit_amount,
                    "currency": p.currency,
                    "accounting_category_id": p.accounting_category_mews_id,
                }
                for p in command.products
            ],
        )
        return True

    async def apply_stay_event(self, event: StayEvent, message_id: str) -> None:
        """Keep the stay projection current; a cancelled stay cancels its open bookings."""
        async with self.core.units() as uow:
            await self._apply_stay_event(uow, event, message_id)
            await uow.commit()

    async def _apply_stay_event(self, uow: UnitOfWork, event: StayEvent, message_id: str) -> None:
        if not await uow.claim(message_id, consumer=STAY_EVENTS_CONSUMER):
            return
        await keep_stay(uow, event.enterprise_id, event.stay_id, event.stay, event.guest_ids)
        current = await uow.bookings.get_stay_ref(event.stay_id)
        # Decided on the stored (newest) state, not on this event: an older event
        # arriving late neither cancels nor revives anything.
        if current is None or current.state != StayState.CANCELED:
            return
        for booking in await uow.bookings.open_bookings_of_stay(event.stay_id):
            await move(
                self.core,
                uow,
                booking,
                to=BookingState.CANCELLED,
                reason="stay cancelled",
            )
