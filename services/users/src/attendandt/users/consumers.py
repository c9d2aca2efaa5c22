"""JetStream subscribers of the users service: decode, hand to the service, ack by policy.

Only `cmd.v1.users.upsert_user` is consumed. A command the service refuses for its content
(Invalid, Conflict: it can never apply) becomes a dead letter; anything else is retried.
"""

from __future__ import annotations

from collections.abc import Callable

from faststream import AckPolicy
from faststream.nats import JStream, NatsBroker, NatsMessage, PullSub
from nats.js import JetStreamContext

from attendandt.contracts.commands import UPSERT_USER, UpsertUser
from attendandt.contracts.streams import DOMAIN_COMMANDS
from attendandt.platform.consumer import PULL_WAIT_S, ConsumerPolicy, Delivery, Rejected, process
from attendandt.platform.rpc import ServiceError
from attendandt.users.service import UserService
from attendandt.users.settings import SERVICE

UPSERT_USER_POLICY = ConsumerPolicy(service=SERVICE, consumer="users-upsert-user")


def register_consumers(
    broker: NatsBroker,
    service: UserService,
    jetstream: Callable[[], JetStreamContext],
    *,
    inbox_prefix: bytes = b"_INBOX.",
) -> None:
    """`jetstream` gives the connected context (for dead letters) once the broker runs."""
    policy = UPSERT_USER_POLICY

    async def apply(delivery: Delivery[UpsertUser]) -> None:
        try:
            await service.upsert_user(delivery.payload, consumer=policy.consumer)
        except ServiceError as exc:
            if exc.status < 500:
                raise Rejected(f"{exc.title}: {exc}") from exc
            raise

    @broker.subscriber(
        UPSERT_USER.template,
        stream=JStream(DOMAIN_COMMANDS.name, declare=False),
        durable=policy.consumer,
        config=policy.consumer_config(UPSERT_USER.template),
        pull_sub=PullSub(batch_size=50, timeout=PULL_WAIT_S),
        # Pull replies on this user's own inbox: the only one its NATS user may read.
        inbox_prefix=inbox_prefix,
        ack_policy=AckPolicy.MANUAL,
    )
    async def on_upsert_user(msg: NatsMessage) -> None:
        await process(msg.raw_message, UpsertUser, apply, policy, jetstream())
