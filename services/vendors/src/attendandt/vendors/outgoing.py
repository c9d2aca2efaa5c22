"""What the vendors service tells others, queued in the outbox with the change it announces:
its events (vendor, booking, charge) and its commands to Mews (post, take back a charge)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from attendandt.contracts.base import Subject
from attendandt.contracts.events import (
    BOOKING_EVENT,
    CHARGE_EVENT,
    VENDOR_EVENT,
    BookingEvent,
    ChargeEvent,
    DomainEvent,
    VendorEvent,
)
from attendandt.contracts.outbound import (
    CANCEL_CHARGE,
    POST_CHARGE,
    CancelCharge,
    ChargeLine,
    PostCharge,
)
from attendandt.contracts.privacy import public_booking, public_vendor
from attendandt.contracts.snapshots import (
    BookingSnapshot,
    BookingState,
    ChargeSnapshot,
    ChargeState,
    VendorSnapshot,
)
from attendandt.vendors.records import BookingRecord, ChargeRecord, VendorRecord
from attendandt.vendors.unit_of_work import UnitOfWork

E = TypeVar("E", bound=DomainEvent)


def charge_reference(charge_id: str) -> str:
    """Written into the Mews order, the same on every attempt: a repeat can be recognised."""
    return f"attendandt:charge:{charge_id}"


def vendor_snapshot(v: VendorRecord) -> VendorSnapshot:
    return VendorSnapshot(
        vendor_id=v.id,
        name=v.name,
        category=v.category,
        contact_email=v.contact_email,
        contact_phone=v.contact_phone,
        is_active=v.is_active,
        mews_id=v.mews_id,
        mews_updated_utc=v.mews_updated_utc,
    )


def booking_snapshot(b: BookingRecord) -> BookingSnapshot:
    return BookingSnapshot(
        booking_id=b.id,
        vendor_id=b.vendor_id,
        offering_id=b.offering_id,
        guest_id=b.guest_id,
        stay_id=b.stay_id,
        quantity=b.quantity,
        scheduled_for=b.scheduled_for,
        notes=b.notes,
        state=BookingState(b.state),
    )


def charge_snapshot(c: ChargeRecord) -> ChargeSnapshot:
    return ChargeSnapshot(
        charge_id=c.id,
        vendor_id=c.vendor_id,
        booking_id=c.booking_id,
        guest_id=c.guest_id,
        stay_id=c.stay_id,
        description=c.description,
        quantity=c.quantity,
        unit_amount=c.unit_amount,
        currency=c.currency,
        state=ChargeState(c.state),
        mews_order_id=c.mews_order_id,
        failure_reason=c.failure_reason,
        mews_rebated_amount=c.mews_rebated_amount or None,
    )


def post_charge(c: ChargeRecord, requested_at: datetime) -> PostCharge:
    """The order for Mews; every attempt of a charge carries the same reference and lines."""
    return PostCharge(
        command_id=f"post_charge:{c.id}:{c.attempts}",
        enterprise_id=c.enterprise_id,
        charge_id=c.id,
        reference=c.reference,
        account_id=c.mews_account_id,
        service_id=c.mews_service_id,
        linked_reservation_id=c.mews_reservation_id,
        lines=(
            ChargeLine(
                name=c.description,
                unit_count=c.quantity,
                unit_amount=c.unit_amount,
                currency=c.currency,
                amount_is_gross=c.amount_is_gross,
                tax_codes=tuple(c.tax_codes),
                accounting_category_id=c.accounting_category_id,
                product_id=c.mews_product_id,
            ),
        ),
        consumption_utc=c.consumed_at,
        # The guest sees the bill: a booking's or charge's notes are between the staff and
        # the vendor ("allergic to almond oil") and never go on it.
        notes=None,
        requested_at=requested_at,
    )


def cancel_charge_command(c: ChargeRecord, requested_at: datetime) -> CancelCharge:
    """Take `c` back from Mews; each attempt (a manager's try again) is its own command."""
    return CancelCharge(
        command_id=f"cancel_charge:{c.id}:{c.cancel_attempts}",
        enterprise_id=c.enterprise_id,
        charge_id=c.id,
        reference=c.reference,
        account_id=c.mews_account_id,
        service_id=c.mews_service_id,
        mews_order_id=c.mews_order_id,
        linked_reservation_id=c.mews_reservation_id,
        amount_is_gross=c.amount_is_gross,
        requested_at=requested_at,
    )


class Announcer:
    """Queues the events and Mews commands of a change in its own unit of work (`uow`)."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock

    async def vendor(self, uow: UnitOfWork, v: VendorRecord, event: str) -> None:
        payload = VendorEvent(
            **self._head(f"vendor:{v.id}:{v.version}", v.enterprise_id, event),
            # Public: a vendor's contact is often one person's own email and phone.
            vendor=public_vendor(vendor_snapshot(v)),
        )
        await _queue_event(uow, VENDOR_EVENT, payload)

    async def booking(self, uow: UnitOfWork, b: BookingRecord, event: str) -> None:
        payload = BookingEvent(
            **self._head(f"booking:{b.id}:{b.version}", b.enterprise_id, event),
            # Public: the notes are free text about the guest (diet, health, wishes).
            booking=public_booking(booking_snapshot(b)),
        )
        await _queue_event(uow, BOOKING_EVENT, payload)

    async def charge(self, uow: UnitOfWork, c: ChargeRecord, event: str) -> None:
        payload = ChargeEvent(
            **self._head(f"charge:{c.id}:{c.version}", c.enterprise_id, event),
            charge=charge_snapshot(c),
        )
        await _queue_event(uow, CHARGE_EVENT, payload)

    def _head(self, event_id: str, enterprise_id: str, event: str) -> dict[str, Any]:
        """The fields every domain event starts with; the event id names the version."""
        return {
            "event_id": event_id,
            "enterprise_id": enterprise_id,
            "occurred_at": self.clock(),
            "event": event,
        }

    async def send_to_mews(self, uow: UnitOfWork, c: ChargeRecord) -> None:
        command = post_charge(c, self.clock())
        subject = POST_CHARGE.format(enterprise=c.enterprise_id)
        # The msg id names the attempt: JetStream drops a relayed repeat, not a retry.
        await uow.queue(subject, command, msg_id=command.command_id)

    async def take_back_from_mews(self, uow: UnitOfWork, c: ChargeRecord) -> None:
        """Queue the CancelCharge of `c`'s current attempt (`cancel_attempts`, counted by the
        change that made it cancelling)."""
        command = cancel_charge_command(c, self.clock())
        subject = CANCEL_CHARGE.format(enterprise=c.enterprise_id)
        # The msg id names the attempt: JetStream drops a relayed repeat, not a new try.
        await uow.queue(subject, command, msg_id=command.command_id)


async def _queue_event(uow: UnitOfWork, subject: Subject[E], payload: E) -> None:
    await uow.queue(
        subject.format(enterprise=payload.enterprise_id, event=payload.event),
        payload,
        msg_id=payload.event_id,
    )
