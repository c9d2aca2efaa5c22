"""JetStream subscribers of MEWS_OUTBOX: decode/ack through the platform's ack policy.

The stream is a work queue with one consumer per verb. Messages for an enterprise whose token
is unusable (refused with 401, or not bound yet) are left in the stream with a long nak
instead of being tried: their charges are not at fault.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Protocol, TypeVar

from nats.aio.msg import Msg

from attendandt.contracts.base import Payload
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
from attendandt.contracts.subjects import MalformedSubject, OutboundSubject
from attendandt.mews_publisher.cancellation import CancellationService
from attendandt.mews_publisher.cancellation_records import CANCEL_CHARGE_CONSUMER
from attendandt.mews_publisher.charges import POST_CHARGE_CONSUMER, ChargePosting
from attendandt.mews_publisher.customer_updates import UPDATE_CUSTOMER_CONSUMER, CustomerUpdates
from attendandt.mews_publisher.enterprises import Enterprises
from attendandt.mews_publisher.service import SERVICE
from attendandt.mews_publisher.stay_notes import WRITE_STAY_NOTE_CONSUMER, StayNoteService
from attendandt.platform.consumer import ConsumerPolicy, Delivery
from attendandt.platform.runtime import Runtime
from attendandt.platform.subscriptions import Subscription

P = TypeVar("P", bound=Payload)
P_contra = TypeVar("P_contra", bound=Payload, contravariant=True)

POST_CHARGE_FILTER = POST_CHARGE.filter()  # mews.v1.*.outbound.post_charge
UPDATE_CUSTOMER_FILTER = UPDATE_CUSTOMER.filter()
CANCEL_CHARGE_FILTER = CANCEL_CHARGE.filter()
WRITE_STAY_NOTE_FILTER = WRITE_STAY_NOTE.filter()
#: nak delays after delivery 1, 2, ...: quick at first (a lost answer is looked up within
#: seconds once it settled), then patient (Mews down, a long 429 pause).
BACKOFF = (0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)


def _policy(consumer: str, *, ack_wait_s: float, max_deliver: int) -> ConsumerPolicy:
    return ConsumerPolicy(
        service=SERVICE,
        consumer=consumer,
        max_deliver=max_deliver,
        backoff=BACKOFF,
        ack_wait_s=ack_wait_s,
    )


class Write(Protocol[P_contra]):
    """A use case's write of one command (`last_delivery`: no redelivery comes after)."""

    def __call__(self, command: P_contra, /, *, last_delivery: bool = ...) -> Awaitable[None]: ...


def _enterprise_of(subject: str) -> str:
    """The enterprise a write is for ("" for a subject that is no outbound write: its
    consumer dead-letters it, nothing is held back for it)."""
    try:
        return OutboundSubject.parse(subject).enterprise_id
    except MalformedSubject:
        return ""


async def _held_back(msg: Msg, enterprises: Enterprises) -> bool:
    delay = enterprises.retry_in(_enterprise_of(msg.subject))
    if delay is None:
        return False
    await msg.nak(delay=delay)
    return True


def register_consumers(
    runtime: Runtime,
    enterprises: Enterprises,
    *,
    charges: ChargePosting,
    customers: CustomerUpdates,
    cancellations: CancellationService,
    notes: StayNoteService,
    ack_wait_s: float,
    max_deliver: int,
    workers: int,
    edit_workers: int | None = None,
) -> None:
    """Durable pull consumers with `workers` messages in hand at once (`edit_workers` for
    customer updates, whose lookups are read together)."""
    edit_workers = edit_workers or workers

    def subscribe(
        filter_subject: str,
        consumer: str,
        payload: type[P],
        write: Write[P],
        *,
        in_hand: int,
    ) -> None:
        """`write(command, last_delivery=...)` for each message, unless its enterprise's
        token is unusable (left in the stream with a long nak)."""
        delivery_policy = _policy(consumer, ack_wait_s=ack_wait_s, max_deliver=max_deliver)

        async def handle(delivery: Delivery[P]) -> None:
            last = delivery.delivery >= delivery_policy.max_deliver
            await write(delivery.payload, last_delivery=last)

        async def admit(msg: Msg) -> bool:
            return not await _held_back(msg, enterprises)

        runtime.subscribe(
            Subscription(
                MEWS_OUTBOX.name, filter_subject, payload, handle, delivery_policy,
                batch_size=in_hand, workers=in_hand, admit=admit,
            )
        )  # fmt: skip

    subscribe(
        POST_CHARGE_FILTER, POST_CHARGE_CONSUMER, PostCharge, charges.post_charge, in_hand=workers
    )
    subscribe(
        UPDATE_CUSTOMER_FILTER,
        UPDATE_CUSTOMER_CONSUMER,
        UpdateCustomer,
        customers.update_customer,
        in_hand=edit_workers,
    )
    subscribe(
        CANCEL_CHARGE_FILTER,
        CANCEL_CHARGE_CONSUMER,
        CancelCharge,
        cancellations.cancel_charge,
        in_hand=workers,
    )
    subscribe(
        WRITE_STAY_NOTE_FILTER,
        WRITE_STAY_NOTE_CONSUMER,
        WriteStayNote,
        notes.write_note,
        in_hand=workers,
    )
