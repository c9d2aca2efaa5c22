"""JetStream subscribers of MEWS_OUTBOX: decode/ack through the platform's ack policy.

The stream is a work queue with one consumer per verb. Messages for an enterprise whose token
is unusable (refused with 401, or not bound yet) are left in the stream with a long nak
instead of being tried: their charges are not at fault.
"""

from __future__ import annotations

from collections.abc import Callable

from faststream import AckPolicy
from faststream.nats import JStream, NatsBroker, NatsMessage, PullSub
from nats.aio.msg import Msg
from nats.js import JetStreamContext

from attendandt.contracts.outbound import (
    CANCEL_CHARGE,
    POST_CHARGE,
    UPDATE_CUSTOMER,
    WRITE_STAY_NOTE,
    CancelCharge,
    PostCharge,
    UpdateCustomer,
    WriteStayNote,
)
from attendandt.contracts.streams import MEWS_OUTBOX
from attendandt.mews_publisher.cancellation import CancellationService
from attendandt.mews_publisher.cancellation_records import CANCEL_CHARGE_CONSUMER
from attendandt.mews_publisher.charges import POST_CHARGE_CONSUMER, ChargePosting
from attendandt.mews_publisher.customer_updates import UPDATE_CUSTOMER_CONSUMER, CustomerUpdates
from attendandt.mews_publisher.enterprises import Enterprises
from attendandt.mews_publisher.service import SERVICE
from attendandt.mews_publisher.stay_notes import WRITE_STAY_NOTE_CONSUMER, StayNoteService
from attendandt.platform.consumer import PULL_WAIT_S, ConsumerPolicy, Delivery, process

POST_CHARGE_FILTER = POST_CHARGE.filter()  # mews.v1.*.outbound.post_charge
UPDATE_CUSTOMER_FILTER = UPDATE_CUSTOMER.filter()
CANCEL_CHARGE_FILTER = CANCEL_CHARGE.filter()
WRITE_STAY_NOTE_FILTER = WRITE_STAY_NOTE.filter()
#: nak delays after delivery 1, 2, ...: quick at first (a lost answer is looked up within
#: seconds once it settled), then patient (Mews down, a long 429 pause).
BACKOFF = (0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)


def policies(
    *, ack_wait_s: float, max_deliver: int
) -> tuple[ConsumerPolicy, ConsumerPolicy, ConsumerPolicy]:
    return (
        ConsumerPolicy(
            service=SERVICE,
            consumer=POST_CHARGE_CONSUMER,
            max_deliver=max_deliver,
            backoff=BACKOFF,
            ack_wait_s=ack_wait_s,
        ),
        ConsumerPolicy(
            service=SERVICE,
            consumer=UPDATE_CUSTOMER_CONSUMER,
            max_deliver=max_deliver,
            backoff=BACKOFF,
            ack_wait_s=ack_wait_s,
        ),
        ConsumerPolicy(
            service=SERVICE,
            consumer=CANCEL_CHARGE_CONSUMER,
            max_deliver=max_deliver,
            backoff=BACKOFF,
            ack_wait_s=ack_wait_s,
        ),
    )


def _enterprise_of(subject: str) -> str:
    # mews.v1.<enterprise>.outbound.<verb>
    parts = subject.split(".")
    return parts[2] if len(parts) > 2 else ""


async def _held_back(msg: Msg, enterprises: Enterprises) -> bool:
    delay = enterprises.retry_in(_enterprise_of(msg.subject))
    if delay is None:
        return False
    await msg.nak(delay=delay)
    return True


def register_consumers(
    broker: NatsBroker,
    enterprises: Enterprises,
    jetstream: Callable[[], JetStreamContext],
    *,
    charges: ChargePosting,
    customers: CustomerUpdates,
    cancellations: CancellationService,
    notes: StayNoteService,
    ack_wait_s: float,
    max_deliver: int,
    workers: int,
    edit_workers: int | None = None,
    inbox_prefix: bytes = b"_INBOX.",
) -> None:
    """Durable pull consumers with `workers` messages in hand at once (`edit_workers` for
    customer updates, whose lookups are read together)."""
    edit_workers = edit_workers or workers
    stream = JStream(MEWS_OUTBOX.name, declare=False)
    post_policy, update_policy, cancel_policy = policies(
        ack_wait_s=ack_wait_s, max_deliver=max_deliver
    )

    @broker.subscriber(
        POST_CHARGE_FILTER,
        stream=stream,
        durable=post_policy.consumer,
        config=post_policy.consumer_config(POST_CHARGE_FILTER),
        pull_sub=PullSub(batch_size=workers, timeout=PULL_WAIT_S),
        # Pull replies on this user's own inbox: the only one its NATS user may read.
        inbox_prefix=inbox_prefix,
        ack_policy=AckPolicy.MANUAL,
        max_workers=workers,
    )
    async def on_post_charge(msg: NatsMessage) -> None:
        if await _held_back(msg.raw_message, enterprises):
            return

        async def handle(delivery: Delivery[PostCharge]) -> None:
            last = delivery.delivery >= post_policy.max_deliver
            await charges.post_charge(delivery.payload, last_delivery=last)

        await process(msg.raw_message, PostCharge, handle, post_policy, jetstream())

    @broker.subscriber(
        UPDATE_CUSTOMER_FILTER,
        stream=stream,
        durable=update_policy.consumer,
        config=update_policy.consumer_config(UPDATE_CUSTOMER_FILTER),
        pull_sub=PullSub(batch_size=edit_workers, timeout=PULL_WAIT_S),
        # Pull replies on this user's own inbox: the only one its NATS user may read.
        inbox_prefix=inbox_prefix,
        ack_policy=AckPolicy.MANUAL,
        max_workers=edit_workers,
    )
    async def on_update_customer(msg: NatsMessage) -> None:
        if await _held_back(msg.raw_message, enterprises):
            return

        async def handle(delivery: Delivery[UpdateCustomer]) -> None:
            last = delivery.delivery >= update_policy.max_deliver
            await customers.update_customer(delivery.payload, last_delivery=last)

        await process(msg.raw_message, UpdateCustomer, handle, update_policy, jetstream())

    @broker.subscriber(
        CANCEL_CHARGE_FILTER,
        stream=stream,
        durable=cancel_policy.consumer,
        config=cancel_policy.consumer_config(CANCEL_CHARGE_FILTER),
        pull_sub=PullSub(batch_size=workers, timeout=PULL_WAIT_S),
        # Pull replies on this user's own inbox: the only one its NATS user may read.
        inbox_prefix=inbox_prefix,
        ack_policy=AckPolicy.MANUAL,
        max_workers=workers,
    )
    async def on_cancel_charge(msg: NatsMessage) -> None:
        if await _held_back(msg.raw_message, enterprises):
            return

        async def handle(delivery: Delivery[CancelCharge]) -> None:
            last = delivery.delivery >= cancel_policy.max_deliver
            await cancellations.cancel_charge(delivery.payload, last_delivery=last)

        await process(msg.raw_message, CancelCharge, handle, cancel_policy, jetstream())

    note_policy = ConsumerPolicy(
        service=SERVICE,
        consumer=WRITE_STAY_NOTE_CONSUMER,
        max_deliver=max_deliver,
        backoff=BACKOFF,
        ack_wait_s=ack_wait_s,
    )

    @broker.subscriber(
        WRITE_STAY_NOTE_FILTER,
        stream=stream,
        durable=note_policy.consumer,
        config=note_policy.consumer_config(WRITE_STAY_NOTE_FILTER),
        pull_sub=PullSub(batch_size=workers, timeout=PULL_WAIT_S),
        # Pull replies on this user's own inbox: the only one its NATS user may read.
        inbox_prefix=inbox_prefix,
        ack_policy=AckPolicy.MANUAL,
        max_workers=workers,
    )
    async def on_write_stay_note(msg: NatsMessage) -> None:
        if await _held_back(msg.raw_message, enterprises):
            return

        async def handle(delivery: Delivery[WriteStayNote]) -> None:
            last = delivery.delivery >= note_policy.max_deliver
            await notes.write_note(delivery.payload, last_delivery=last)

        await process(msg.raw_message, WriteStayNote, handle, note_policy, jetstream())
