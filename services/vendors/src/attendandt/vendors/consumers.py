"""JetStream subscribers: commands for vendors (from sync, the publisher and the guests
service's erasures) and the guests service's stay events.

Decoding, acks, retries and dead letters follow the platform's one ack policy
(`platform.consumer.process`); the effects are the service's, each once per message.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import TypeVar

from attendandt.contracts.base import Payload, Subject
from attendandt.contracts.commands import (
    RECORD_CHARGE_CANCELLATION,
    RECORD_CHARGE_IN_MEWS,
    RECORD_CHARGE_RESULT,
    UPSERT_CATALOGUE,
    UPSERT_COMPANY,
    UPSERT_VENDOR,
)
from attendandt.contracts.erasure import ERASE_GUEST_IN_VENDORS
from attendandt.contracts.events import STAY_EVENT
from attendandt.contracts.streams import ATTENDANDT_EVENTS, DOMAIN_COMMANDS
from attendandt.platform.consumer import ConsumerPolicy, Delivery
from attendandt.platform.runtime import Runtime
from attendandt.platform.subscriptions import Subscription
from attendandt.vendors.companies import UPSERT_COMPANY_CONSUMER, MewsCompanies
from attendandt.vendors.erasure import ERASE_GUEST_CONSUMER, GuestErasure
from attendandt.vendors.reconciliation import RECORD_CHARGE_IN_MEWS_CONSUMER, ChargesInMews
from attendandt.vendors.service import (
    RECORD_CHARGE_CANCELLATION_CONSUMER,
    RECORD_CHARGE_RESULT_CONSUMER,
    SERVICE,
    STAY_EVENTS_CONSUMER,
    UPSERT_CATALOGUE_CONSUMER,
    UPSERT_VENDOR_CONSUMER,
    VendorsService,
)

UPSERT_VENDOR_POLICY = ConsumerPolicy(service=SERVICE, consumer=UPSERT_VENDOR_CONSUMER)
RECORD_CHARGE_RESULT_POLICY = ConsumerPolicy(
    service=SERVICE, consumer=RECORD_CHARGE_RESULT_CONSUMER
)
RECORD_CHARGE_CANCELLATION_POLICY = ConsumerPolicy(
    service=SERVICE, consumer=RECORD_CHARGE_CANCELLATION_CONSUMER
)
ERASE_GUEST_POLICY = ConsumerPolicy(service=SERVICE, consumer=ERASE_GUEST_CONSUMER)
STAY_EVENTS_POLICY = ConsumerPolicy(service=SERVICE, consumer=STAY_EVENTS_CONSUMER)
UPSERT_CATALOGUE_POLICY = ConsumerPolicy(service=SERVICE, consumer=UPSERT_CATALOGUE_CONSUMER)
UPSERT_COMPANY_POLICY = ConsumerPolicy(service=SERVICE, consumer=UPSERT_COMPANY_CONSUMER)
RECORD_CHARGE_IN_MEWS_POLICY = ConsumerPolicy(
    service=SERVICE, consumer=RECORD_CHARGE_IN_MEWS_CONSUMER
)
P = TypeVar("P", bound=Payload)


def subscribe(
    runtime: Runtime,
    subject: Subject[P],
    policy: ConsumerPolicy,
    work: Callable[[Delivery[P]], Awaitable[object]],
    *,
    stream: str = DOMAIN_COMMANDS.name,
    batch_size: int = 100,
) -> None:
    """A durable pull consumer of `subject` (every value of its parts) in `stream`, whose
    messages `work` takes, each acked, retried or dead-lettered by the platform's policy."""

    async def handle(delivery: Delivery[P]) -> None:
        await work(delivery)

    runtime.subscribe(
        Subscription(stream, subject.filter(), subject.payload, handle, policy,
                     batch_size=batch_size)
    )  # fmt: skip


def register_consumers(
    runtime: Runtime,
    *,
    service: VendorsService,
    companies: MewsCompanies,
    charges: ChargesInMews,
    erasure: GuestErasure,
    batch_size: int = 100,
) -> None:
    """Every durable pull consumer of the service (DOMAIN_COMMANDS unless said otherwise: a
    command made while this service is down waits for it)."""
    sub = functools.partial(subscribe, runtime, batch_size=batch_size)
    sub(UPSERT_VENDOR, UPSERT_VENDOR_POLICY, lambda d: service.upsert_vendor(d.payload))
    sub(
        RECORD_CHARGE_RESULT,
        RECORD_CHARGE_RESULT_POLICY,
        lambda d: service.record_charge_result(d.payload),
    )
    sub(
        RECORD_CHARGE_CANCELLATION,
        RECORD_CHARGE_CANCELLATION_POLICY,
        lambda d: service.record_charge_cancellation(d.payload),
    )
    sub(UPSERT_CATALOGUE, UPSERT_CATALOGUE_POLICY, lambda d: service.upsert_catalogue(d.payload))
    sub(
        STAY_EVENT,  # attendandt.v1.*.stay.>
        STAY_EVENTS_POLICY,
        lambda d: service.apply_stay_event(d.payload, d.message_id),
        stream=ATTENDANDT_EVENTS.name,
    )
    # The Mews companies sync reports.
    sub(UPSERT_COMPANY, UPSERT_COMPANY_POLICY, lambda d: companies.upsert_company(d.payload))
    # What sync's reconciliation read of each charge in Mews.
    sub(
        RECORD_CHARGE_IN_MEWS,
        RECORD_CHARGE_IN_MEWS_POLICY,
        lambda d: charges.record_charge_in_mews(d.payload),
    )
    # A guest's erasure, from the guests service.
    sub(
        ERASE_GUEST_IN_VENDORS,
        ERASE_GUEST_POLICY,
        lambda d: erasure.erase(d.payload),
        batch_size=10,
    )
