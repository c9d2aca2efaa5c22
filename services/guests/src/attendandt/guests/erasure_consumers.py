"""JetStream subscribers of erasures (DOMAIN_COMMANDS): this service's own `EraseGuest` and
the receipts of the other holders. Acks, retries and dead letters follow
`platform.consumer.process`; the work is `erasure.Erasures`'s. No SQL here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from faststream import AckPolicy
from faststream.nats import JStream, NatsBroker, NatsMessage, PullSub
from nats.js import JetStreamContext

from attendandt.contracts.base import Payload
from attendandt.contracts.erasure import (
    ERASE_GUEST_IN_GUESTS,
    RECORD_ERASURE_RECEIPT,
    EraseGuest,
    ErasureReceipt,
)
from attendandt.contracts.streams import DOMAIN_COMMANDS
from attendandt.guests.erasure import Erasures
from attendandt.guests.settings import SERVICE
from attendandt.platform.consumer import (
    PULL_WAIT_S,
    ConsumerPolicy,
    Delivery,
    Rejected,
    process,
)
from attendandt.platform.rpc import Invalid

P = TypeVar("P", bound=Payload)

ERASE_GUEST_POLICY = ConsumerPolicy(service=SERVICE, consumer="guests-erase-guest")
RECEIPTS_POLICY = ConsumerPolicy(service=SERVICE, consumer="guests-erasure-receipts")


def register_erasure_consumers(
    broker: NatsBroker,
    erasures: Erasures,
    jetstream: Callable[[], JetStreamContext],
    *,
    inbox_prefix: bytes = b"_INBOX.",
) -> None:
    def subscribe(
        subject: str,
        payload: type[P],
        work: Callable[[Delivery[P]], Awaitable[None]],
        policy: ConsumerPolicy,
    ) -> None:
        async def on_message(msg: NatsMessage) -> None:
            await process(msg.raw_message, payload, work, policy, jetstream())

        broker.subscriber(
            subject,
            stream=JStream(DOMAIN_COMMANDS.name, declare=False),
            durable=policy.consumer,
            config=policy.consumer_config(subject),
            # Erasures are rare and one may walk whole streams: one at a time.
            pull_sub=PullSub(batch_size=1, timeout=PULL_WAIT_S),
            inbox_prefix=inbox_prefix,
            ack_policy=AckPolicy.MANUAL,
        )(on_message)

    # An invalid command cannot succeed on redelivery: a dead letter, not a retry.
    async def erase(delivery: Delivery[EraseGuest]) -> None:
        try:
            await erasures.erase_here(delivery.payload)
        except Invalid as exc:
            raise Rejected(str(exc)) from exc

    async def receipt(delivery: Delivery[ErasureReceipt]) -> None:
        try:
            await erasures.record_receipt(delivery.payload)
        except Invalid as exc:
            raise Rejected(str(exc)) from exc

    subscribe(ERASE_GUEST_IN_GUESTS.template, EraseGuest, erase, ERASE_GUEST_POLICY)
    subscribe(RECORD_ERASURE_RECEIPT.template, ErasureReceipt, receipt, RECEIPTS_POLICY)
