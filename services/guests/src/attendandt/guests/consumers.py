"""JetStream subscribers: the guests commands (DOMAIN_COMMANDS, a work queue: guests, stays,
stays' bills, rooms, the hotels themselves, the publisher's reports of staff edits) and the
vendor events of the guest timeline (ATTENDANDT_EVENTS). Decoding, acks, retries and dead
letters follow `platform.consumer.process`; the work is the service's. No SQL here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from typing import Any, TypeVar

from attendandt.contracts.base import Payload
from attendandt.contracts.commands import (
    RECORD_GUEST_EDIT_RESULT,
    RECORD_STAY_NOTE_RESULT,
    UPSERT_GUEST,
    UPSERT_PROPERTY,
    UPSERT_ROOM,
    UPSERT_STAY,
    UPSERT_STAY_BILL,
    RecordGuestEditResult,
    RecordStayNoteResult,
    UpsertGuest,
    UpsertProperty,
    UpsertRoom,
    UpsertStay,
    UpsertStayBill,
)
from attendandt.contracts.events import BOOKING_EVENT, CHARGE_EVENT, BookingEvent, ChargeEvent
from attendandt.contracts.streams import ATTENDANDT_EVENTS, DOMAIN_COMMANDS
from attendandt.guests.guest_versions import deleted_in_mews
from attendandt.guests.service import GuestsService
from attendandt.guests.settings import SERVICE
from attendandt.platform.consumer import ConsumerPolicy, Delivery
from attendandt.platform.rpc import Invalid
from attendandt.platform.runtime import Runtime
from attendandt.platform.subscriptions import Subscription
from attendandt.platform.telemetry import consumer_span

P = TypeVar("P", bound=Payload)

UPSERT_GUEST_POLICY = ConsumerPolicy(service=SERVICE, consumer="guests-upsert-guest")
UPSERT_STAY_POLICY = ConsumerPolicy(service=SERVICE, consumer="guests-upsert-stay")
UPSERT_PROPERTY_POLICY = ConsumerPolicy(service=SERVICE, consumer="guests-upsert-property")
UPSERT_ROOM_POLICY = ConsumerPolicy(service=SERVICE, consumer="guests-upsert-room")
UPSERT_STAY_BILL_POLICY = ConsumerPolicy(service=SERVICE, consumer="guests-upsert-stay-bill")
RECORD_EDIT_RESULT_POLICY = ConsumerPolicy(service=SERVICE, consumer="guests-record-edit-result")
RECORD_STAY_NOTE_RESULT_POLICY = ConsumerPolicy(
    service=SERVICE, consumer="guests-record-stay-note-result"
)
BOOKINGS_POLICY = ConsumerPolicy(service=SERVICE, consumer="guests-timeline-bookings")
CHARGES_POLICY = ConsumerPolicy(service=SERVICE, consumer="guests-timeline-charges")


def register_consumers(
    runtime: Runtime,
    service: GuestsService,
    *,
    on_deleted_in_mews: Callable[[str, str], Awaitable[object]],
    batch_size: int = 100,
    apply_batch: int = 500,
) -> None:
    """Add the durable pull consumers to `runtime`. A customer version that says Mews deleted
    the customer goes on to `on_deleted_in_mews(enterprise, mews id)`. Customers and
    reservations are applied in batches of up to `apply_batch` (set-based writes), the
    other commands `batch_size` at a time, each on its own."""

    def subscribe(
        filter_subject: str,
        stream: str,
        payload: type[P],
        work: Callable[[Delivery[P]], Awaitable[None]],
        policy: ConsumerPolicy,
        *,
        apply_all: Callable[[list[Delivery[P]]], Awaitable[None]] | None = None,
    ) -> None:
        # An invalid command cannot succeed on redelivery: a dead letter, not a retry.
        runtime.subscribe(
            Subscription(
                stream, filter_subject, payload, work, policy,
                batch_size=batch_size if apply_all is None else apply_batch,
                rejects=(Invalid,), apply_all=apply_all,
            )
        )  # fmt: skip

    async def apply_guest(delivery: Delivery[UpsertGuest]) -> None:
        command = delivery.payload
        await service.upsert_guest(command, consumer=UPSERT_GUEST_POLICY.consumer)
        # Whatever the upsert said (a redelivery is a duplicate there): asking to erase a
        # guest already asked for answers that request, so a crash in between loses nothing.
        if deleted_in_mews(command.guest):
            await on_deleted_in_mews(command.enterprise_id, command.guest.mews_id)

    def traced(deliveries: list[Delivery[Any]]) -> Callable[[Any], AbstractContextManager[object]]:
        """Each command of a batch continues its own message's trace while it is announced."""
        by_command = {d.payload.command_id: d for d in deliveries}

        def within(command: Any) -> AbstractContextManager[object]:
            delivery = by_command[command.command_id]
            return consumer_span(delivery.subject, delivery.headers)

        return within

    async def apply_guests(deliveries: list[Delivery[UpsertGuest]]) -> None:
        # A fetched batch in one unit of work (set-based writes).
        commands = [d.payload for d in deliveries]
        consumer = UPSERT_GUEST_POLICY.consumer
        await service.upsert_guests(commands, consumer=consumer, each=traced(deliveries))
        for command in commands:
            if deleted_in_mews(command.guest):
                await on_deleted_in_mews(command.enterprise_id, command.guest.mews_id)

    async def apply_stays(deliveries: list[Delivery[UpsertStay]]) -> None:
        commands = [d.payload for d in deliveries]
        consumer = UPSERT_STAY_POLICY.consumer
        await service.upsert_stays(commands, consumer=consumer, each=traced(deliveries))

    async def apply_stay(delivery: Delivery[UpsertStay]) -> None:
        await service.upsert_stay(delivery.payload, consumer=UPSERT_STAY_POLICY.consumer)

    async def apply_property(delivery: Delivery[UpsertProperty]) -> None:
        await service.upsert_property(delivery.payload, consumer=UPSERT_PROPERTY_POLICY.consumer)

    async def apply_room(delivery: Delivery[UpsertRoom]) -> None:
        await service.upsert_room(delivery.payload, consumer=UPSERT_ROOM_POLICY.consumer)

    async def apply_stay_bill(delivery: Delivery[UpsertStayBill]) -> None:
        await service.upsert_stay_bill(delivery.payload, consumer=UPSERT_STAY_BILL_POLICY.consumer)

    async def record_edit_result(delivery: Delivery[RecordGuestEditResult]) -> None:
        await service.record_edit_result(
            delivery.payload, consumer=RECORD_EDIT_RESULT_POLICY.consumer
        )

    async def record_stay_note_result(delivery: Delivery[RecordStayNoteResult]) -> None:
        await service.record_stay_note_result(
            delivery.payload, consumer=RECORD_STAY_NOTE_RESULT_POLICY.consumer
        )

    async def record_booking(delivery: Delivery[BookingEvent]) -> None:
        await service.record_booking(delivery.payload)

    async def record_charge(delivery: Delivery[ChargeEvent]) -> None:
        await service.record_charge(delivery.payload)

    commands = DOMAIN_COMMANDS.name
    subscribe(
        UPSERT_GUEST.template,
        commands,
        UpsertGuest,
        apply_guest,
        UPSERT_GUEST_POLICY,
        apply_all=apply_guests,
    )
    subscribe(
        UPSERT_STAY.template,
        commands,
        UpsertStay,
        apply_stay,
        UPSERT_STAY_POLICY,
        apply_all=apply_stays,
    )
    subscribe(
        UPSERT_PROPERTY.template, commands, UpsertProperty, apply_property, UPSERT_PROPERTY_POLICY
    )
    subscribe(UPSERT_ROOM.template, commands, UpsertRoom, apply_room, UPSERT_ROOM_POLICY)
    subscribe(
        UPSERT_STAY_BILL.template,
        commands,
        UpsertStayBill,
        apply_stay_bill,
        UPSERT_STAY_BILL_POLICY,
    )
    subscribe(
        RECORD_GUEST_EDIT_RESULT.template,
        commands,
        RecordGuestEditResult,
        record_edit_result,
        RECORD_EDIT_RESULT_POLICY,
    )
    subscribe(
        RECORD_STAY_NOTE_RESULT.template,
        commands,
        RecordStayNoteResult,
        record_stay_note_result,
        RECORD_STAY_NOTE_RESULT_POLICY,
    )
    events = ATTENDANDT_EVENTS.name
    subscribe(BOOKING_EVENT.filter(), events, BookingEvent, record_booking, BOOKINGS_POLICY)
    subscribe(CHARGE_EVENT.filter(), events, ChargeEvent, record_charge, CHARGES_POLICY)
