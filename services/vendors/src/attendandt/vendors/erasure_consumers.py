"""The subscriber of `cmd.v1.vendors.erase_guest` (DOMAIN_COMMANDS, durable: a command made
while this service is down waits for it). Acks, retries and dead letters follow
`platform.consumer.process`."""

from __future__ import annotations

from collections.abc import Callable

from faststream import AckPolicy
from faststream.nats import JStream, NatsBroker, NatsMessage, PullSub
from nats.js import JetStreamContext

from attendandt.contracts.erasure import ERASE_GUEST_IN_VENDORS, EraseGuest
from attendandt.contracts.streams import DOMAIN_COMMANDS
from attendandt.platform.consumer import PULL_WAIT_S, ConsumerPolicy, Delivery, process
from attendandt.vendors.erasure import ERASE_GUEST_CONSUMER, GuestErasure
from attendandt.vendors.service import SERVICE

ERASE_GUEST_POLICY = ConsumerPolicy(service=SERVICE, consumer=ERASE_GUEST_CONSUMER)


def register_erasure_consumer(
    broker: NatsBroker,
    erasure: GuestErasure,
    jetstream: Callable[[], JetStreamContext],
    *,
    inbox_prefix: bytes = b"_INBOX.",
) -> None:
    subject = ERASE_GUEST_IN_VENDORS.template

    @broker.subscriber(
        subject,
        stream=JStream(DOMAIN_COMMANDS.name, declare=False),
        durable=ERASE_GUEST_POLICY.consumer,
        config=ERASE_GUEST_POLICY.consumer_config(subject),
        pull_sub=PullSub(batch_size=10, timeout=PULL_WAIT_S),
        # Pull replies on this user's own inbox: the only one its NATS user may read.
        inbox_prefix=inbox_prefix,
        ack_policy=AckPolicy.MANUAL,
    )
    async def on_erase_guest(msg: NatsMessage) -> None:
        async def handle(delivery: Delivery[EraseGuest]) -> None:
            await erasure.erase(delivery.payload)

        await process(msg.raw_message, EraseGuest, handle, ERASE_GUEST_POLICY, jetstream())
