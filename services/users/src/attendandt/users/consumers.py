"""JetStream subscribers of the users service: decode, hand to the service, ack by policy.

Only `cmd.v1.users.upsert_user` is consumed. A command the service refuses for its content
(Invalid, Conflict: it can never apply) becomes a dead letter; anything else is retried.
"""

from __future__ import annotations

from attendandt.contracts.commands import UPSERT_USER, UpsertUser
from attendandt.contracts.streams import DOMAIN_COMMANDS
from attendandt.platform.consumer import ConsumerPolicy, Delivery
from attendandt.platform.rpc import Conflict, Forbidden, Invalid, NotFound
from attendandt.platform.runtime import Runtime
from attendandt.platform.subscriptions import Subscription
from attendandt.users.core import Unauthorized
from attendandt.users.service import UserService
from attendandt.users.settings import SERVICE

UPSERT_USER_POLICY = ConsumerPolicy(service=SERVICE, consumer="users-upsert-user")


def register_consumers(runtime: Runtime, service: UserService) -> None:
    policy = UPSERT_USER_POLICY

    async def apply(delivery: Delivery[UpsertUser]) -> None:
        await service.upsert_user(delivery.payload, consumer=policy.consumer)

    runtime.subscribe(
        Subscription(
            DOMAIN_COMMANDS.name, UPSERT_USER.template, UpsertUser, apply, policy,
            batch_size=50, rejects=(Invalid, Conflict, NotFound, Forbidden, Unauthorized),
        )
    )  # fmt: skip
