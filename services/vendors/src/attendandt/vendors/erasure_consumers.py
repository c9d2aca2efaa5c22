"""The subscriber of `cmd.v1.vendors.erase_guest` (DOMAIN_COMMANDS, durable: a command made
while this service is down waits for it). Acks, retries and dead letters follow
`platform.consumer.process`."""

from __future__ import annotations

from collections.abc import Callable

from faststream.nats import NatsBroker
from nats.js import JetStreamContext

from attendandt.contracts.erasure import ERASE_GUEST_IN_VENDORS, EraseGuest
from attendandt.contracts.streams import DOMAIN_COMMANDS
from attendandt.platform.consumer import ConsumerPolicy
from attendandt.vendors.consumers import subscribe
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
    subscribe(
        broker,
        jetstream,
        ERASE_GUEST_POLICY,
        EraseGuest,
        lambda d: erasure.erase(d.payload),
        stream=DOMAIN_COMMANDS.name,
        filter_subject=ERASE_GUEST_IN_VENDORS.template,
        batch_size=10,
        inbox_prefix=inbox_prefix,
    )
