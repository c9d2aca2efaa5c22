"""JetStream subscribers: the guests commands (DOMAIN_COMMANDS, a work queue) and the vendor
events of the guest timeline (ATTENDANDT_EVENTS). Decoding, acks, retries and dead letters
follow `platform.consumer.process`; the work is the service's. No SQL here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from faststream import AckPolicy
from faststream.nats import JStream, NatsBroker, NatsMessage, PullSub
from nats.js import JetStreamContext

from attendandt.contracts.base import Payload
from attendandt.contracts.commands import (
    UPSERT_GUEST,
    UPSERT_ROOM,
    UPSERT_STAY,
    UpsertGuest,
    UpsertRoom,
    UpsertStay,
)
from attendandt.contracts.events import BOOKING_EVENT, CHARGE_EVENT, BookingEvent, ChargeEvent
from attendandt.contracts.streams import ATTENDANDT_EVENTS, DOMAIN_COMMANDS
from attendandt.guests.service import GuestsService
from attendandt.guests.settings import SERVICE
from attendandt.platform.consumer import PULL_WAIT_S, ConsumerPolicy, Delivery, Rejected, process
from attendandt.platform.rpc import Invalid

P = TypeVar("P", bound=Payload)

UPSERT_GUEST_POLICY = ConsumerPolicy(service=SERVICE, consumer="guests-upsert-guest")
UPSERT_STAY_POLICY = ConsumerPolicy(service=SERVICE, consumer="guests-upsert-stay")
UPSERT_ROOM_POLICY = ConsumerPolicy(service=SERVICE, consumer="guests-upsert-room")
BOOKINGS_POLICY = ConsumerPolicy(service=SERVICE, consumer="guests-timeline-bookings")
CHARGES_POLICY = ConsumerPolicy(service=SERVICE, consumer="guests-timeline-charges")


def _rejecting_invalid(
    work: Callable[[Delivery[P]], Awaitable[object]],
) -> Callable[[Delivery[P]], Awaitable[None]]:
    """An invalid message cannot succeed on redelivery: a dead letter, not a retry."""

    async def handler(delivery: Delivery[P]) -> None:
        try:
            await work(delivery)
        except Invalid as exc:
            raise Rejected(str(exc)) from exc

    return handler


def register_consumers(
    broker: NatsBroker,
    service: GuestsService,
    jetstream: Callable[[], JetStreamContext],
    *,
    batch_size: int = 100,
    inbox_prefix: bytes = b"_INBOX.",
) -> None:
    """Add the durable pull consumers to `broker`; `jetstream()` is called per message (dead
    letters are published through it), after the broker connected."""
    pull = PullSub(batch_size=batch_size, timeout=PULL_WAIT_S)

    async def apply_guest(delivery: Delivery[UpsertGuest]) -> None:
        await service.upsert_guest(delivery.payload, consumer=UPSERT_GUEST_POLICY.consumer)

    async def apply_stay(delivery: Delivery[UpsertStay]) -> None:
        await service.upsert_stay(delivery.payload, consumer=UPSERT_STAY_POLICY.consumer)

    async def apply_room(delivery: Delivery[UpsertRoom]) -> None:
        await service.upsert_room(delivery.payload, consumer=UPSERT_ROOM_POLICY.consumer)

    async def record_booking(delivery: Delivery[BookingEvent]) -> None:
        await service.record_booking(delivery.payload)

    async def record_charge(delivery: Delivery[ChargeEvent]) -> None:
        await service.record_charge(delivery.payload)

    guest_filter = UPSERT_GUEST.template
    stay_filter = UPSERT_STAY.template
    room_filter = UPSERT_ROOM.template
    booking_filter = BOOKING_EVENT.filter()
    charge_filter = CHARGE_EVENT.filter()

    @broker.subscriber(
        guest_filter,
        stream=JStream(DOMAIN_COMMANDS.name, declare=False),
        durable=UPSERT_GUEST_POLICY.consumer,
        config=UPSERT_GUEST_POLICY.consumer_config(guest_filter),
        pull_sub=pull,
        # Pull replies on this user's own inbox: the only one its NATS user may read.
        inbox_prefix=inbox_prefix,
        ack_policy=AckPolicy.MANUAL,
    )
    async def on_upsert_guest(msg: NatsMessage) -> None:
        await process(
            msg.raw_message,
            UpsertGuest,
            _rejecting_invalid(apply_guest),
            UPSERT_GUEST_POLICY,
            jetstream(),
        )

    @broker.subscriber(
        stay_filter,
        stream=JStream(DOMAIN_COMMANDS.name, declare=False),
        durable=UPSERT_STAY_POLICY.consumer,
        config=UPSERT_STAY_POLICY.consumer_config(stay_filter),
        pull_sub=pull,
        # Pull replies on this user's own inbox: the only one its NATS user may read.
        inbox_prefix=inbox_prefix,
        ack_policy=AckPolicy.MANUAL,
    )
    async def on_upsert_stay(msg: NatsMessage) -> None:
        await process(
            msg.raw_message,
            UpsertStay,
            _rejecting_invalid(apply_stay),
            UPSERT_STAY_POLICY,
            jetstream(),
        )

    @broker.subscriber(
        room_filter,
        stream=JStream(DOMAIN_COMMANDS.name, declare=False),
        durable=UPSERT_ROOM_POLICY.consumer,
        config=UPSERT_ROOM_POLICY.consumer_config(room_filter),
        pull_sub=pull,
        # Pull replies on this user's own inbox: the only one its NATS user may read.
        inbox_prefix=inbox_prefix,
        ack_policy=AckPolicy.MANUAL,
    )
    async def on_upsert_room(msg: NatsMessage) -> None:
        await process(
            msg.raw_message,
            UpsertRoom,
            _rejecting_invalid(apply_room),
            UPSERT_ROOM_POLICY,
            jetstream(),
        )

    @broker.subscriber(
        booking_filter,
        stream=JStream(ATTENDANDT_EVENTS.name, declare=False),
        durable=BOOKINGS_POLICY.consumer,
        config=BOOKINGS_POLICY.consumer_config(booking_filter),
        pull_sub=pull,
        # Pull replies on this user's own inbox: the only one its NATS user may read.
        inbox_prefix=inbox_prefix,
        ack_policy=AckPolicy.MANUAL,
    )
    async def on_booking_event(msg: NatsMessage) -> None:
        await process(
            msg.raw_message,
            BookingEvent,
            _rejecting_invalid(record_booking),
            BOOKINGS_POLICY,
            jetstream(),
        )

    @broker.subscriber(
        charge_filter,
        stream=JStream(ATTENDANDT_EVENTS.name, declare=False),
        durable=CHARGES_POLICY.consumer,
        config=CHARGES_POLICY.consumer_config(charge_filter),
        pull_sub=pull,
        # Pull replies on this user's own inbox: the only one its NATS user may read.
        inbox_prefix=inbox_prefix,
        ack_policy=AckPolicy.MANUAL,
    )
    async def on_charge_event(msg: NatsMessage) -> None:
        await process(
            msg.raw_message,
            ChargeEvent,
            _rejecting_invalid(record_charge),
            CHARGES_POLICY,
            jetstream(),
        )
