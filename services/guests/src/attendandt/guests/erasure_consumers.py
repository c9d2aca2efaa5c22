"""JetStream subscribers of erasures (DOMAIN_COMMANDS): this service's own `EraseGuest` and
the receipts of the other holders. Acks, retries and dead letters follow
`platform.consumer.process`; the work is `erasure.Erasures`'s. No SQL here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

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
from attendandt.platform.consumer import ConsumerPolicy, Delivery
from attendandt.platform.rpc import Invalid
from attendandt.platform.runtime import Runtime
from attendandt.platform.subscriptions import Subscription

P = TypeVar("P", bound=Payload)

ERASE_GUEST_POLICY = ConsumerPolicy(service=SERVICE, consumer="guests-erase-guest")
RECEIPTS_POLICY = ConsumerPolicy(service=SERVICE, consumer="guests-erasure-receipts")


def register_erasure_consumers(runtime: Runtime, erasures: Erasures) -> None:
    def subscribe(
        subject: str,
        payload: type[P],
        work: Callable[[Delivery[P]], Awaitable[None]],
        policy: ConsumerPolicy,
    ) -> None:
        # Erasures are rare and one may walk whole streams: one at a time. An invalid command
        # cannot succeed on redelivery: a dead letter, not a retry.
        runtime.subscribe(
            Subscription(
                DOMAIN_COMMANDS.name, subject, payload, work, policy,
                batch_size=1, rejects=(Invalid,),
            )
        )  # fmt: skip

    async def erase(delivery: Delivery[EraseGuest]) -> None:
        await erasures.erase_here(delivery.payload)

    async def receipt(delivery: Delivery[ErasureReceipt]) -> None:
        await erasures.record_receipt(delivery.payload)

    subscribe(ERASE_GUEST_IN_GUESTS.template, EraseGuest, erase, ERASE_GUEST_POLICY)
    subscribe(RECORD_ERASURE_RECEIPT.template, ErasureReceipt, receipt, RECEIPTS_POLICY)
