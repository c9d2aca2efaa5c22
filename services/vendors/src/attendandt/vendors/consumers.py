"""JetStream subscribers: commands for vendors and the guests service's stay events.

Decoding, acks, retries and dead letters follow the platform's one ack policy
(`platform.consumer.process`); the effects are the service's, each once per message.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import TypeVar

from faststream import AckPolicy
from faststream.nats import JStream, NatsBroker, NatsMessage, PullSub
from nats.js import JetStreamContext

from attendandt.contracts.base import Payload
from attendandt.contracts.commands import (
    RECORD_CHARGE_CANCELLATION,
    RECORD_CHARGE_IN_MEWS,
    RECORD_CHARGE_RESULT,
    UPSERT_CATALOGUE,
    UPSERT_COMPANY,
    UPSERT_VENDOR,
    RecordChargeCancellation,
    RecordChargeInMews,
    RecordChargeResult,
    UpsertCatalogue,
    UpsertCompany,
    UpsertVendor,
)
from attendandt.contracts.events import STAY_EVENT, StayEvent
from attendandt.contracts.streams import ATTENDANDT_EVENTS, DOMAIN_COMMANDS
from attendandt.platform.consumer import PULL_WAIT_S, ConsumerPolicy, Delivery, process
from attendandt.vendors.companies import UPSERT_COMPANY_CONSUMER, MewsCompanies
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
STAY_EVENTS_POLICY = ConsumerPolicy(service=SERVICE, consumer=STAY_EVENTS_CONSUMER)
UPSERT_CATALOGUE_POLICY = ConsumerPolicy(service=SERVICE, consumer=UPSERT_CATALOGUE_CONSUMER)
UPSERT_COMPANY_POLICY = ConsumerPolicy(service=SERVICE, consumer=UPSERT_COMPANY_CONSUMER)
RECORD_CHARGE_IN_MEWS_POLICY = ConsumerPolicy(
    service=SERVICE, consumer=RECORD_CHARGE_IN_MEWS_CONSUMER
)
P = TypeVar("P", bound=Payload)

STAY_EVENTS_FILTER = STAY_EVENT.filter()  # attendandt.v1.*.stay.>


def subscribe(
    broker: NatsBroker,
    jetstream: Callable[[], JetStreamContext],
    policy: ConsumerPolicy,
    payload: type[P],
    work: Callable[[Delivery[P]], Awaitable[object]],
    *,
    stream: str,
    filter_subject: str,
    batch_size: int,
    inbox_prefix: bytes,
) -> None:
    """A durable pull consumer of `stream` whose messages `work` takes, each acked, retried
    or dead-lettered by `platform.consumer.process`."""

    async def handle(delivery: Delivery[P]) -> None:
        await work(delivery)

    async def on_message(msg: NatsMessage) -> None:
        await process(msg.raw_message, payload, handle, policy, jetstream())

    broker.subscriber(
        filter_subject,
        stream=JStream(stream, declare=False),
        durable=policy.consumer,
        config=policy.consumer_config(filter_subject),
        pull_sub=PullSub(batch_size=batch_size, timeout=PULL_WAIT_S),
        # Pull replies on this user's own inbox: the only one its NATS user may read.
        inbox_prefix=inbox_prefix,
        ack_policy=AckPolicy.MANUAL,
    )(on_message)


def register_consumers(
    broker: NatsBroker,
    service: VendorsService,
    jetstream: Callable[[], JetStreamContext],
    *,
    batch_size: int = 100,
    inbox_prefix: bytes = b"_INBOX.",
) -> None:
    """Durable pull consumers; `jetstream()` gives the connected context (for dead letters)."""
    sub = functools.partial(
        subscribe, broker, jetstream, batch_size=batch_size, inbox_prefix=inbox_prefix
    )
    commands, events = DOMAIN_COMMANDS.name, ATTENDANDT_EVENTS.name
    sub(
        UPSERT_VENDOR_POLICY,
        UpsertVendor,
        lambda d: service.upsert_vendor(d.payload),
        stream=commands,
        filter_subject=UPSERT_VENDOR.template,
    )
    sub(
        RECORD_CHARGE_RESULT_POLICY,
        RecordChargeResult,
        lambda d: service.record_charge_result(d.payload),
        stream=commands,
        filter_subject=RECORD_CHARGE_RESULT.template,
    )
    sub(
        RECORD_CHARGE_CANCELLATION_POLICY,
        RecordChargeCancellation,
        lambda d: service.record_charge_cancellation(d.payload),
        stream=commands,
        filter_subject=RECORD_CHARGE_CANCELLATION.template,
    )
    sub(
        UPSERT_CATALOGUE_POLICY,
        UpsertCatalogue,
        lambda d: service.upsert_catalogue(d.payload),
        stream=commands,
        filter_subject=UPSERT_CATALOGUE.template,
    )
    sub(
        STAY_EVENTS_POLICY,
        StayEvent,
        lambda d: service.apply_stay_event(d.payload, d.message_id),
        stream=events,
        filter_subject=STAY_EVENTS_FILTER,
    )


def register_company_consumer(
    broker: NatsBroker,
    companies: MewsCompanies,
    jetstream: Callable[[], JetStreamContext],
    *,
    batch_size: int = 100,
    inbox_prefix: bytes = b"_INBOX.",
) -> None:
    """The Mews companies sync reports (`cmd.v1.vendors.upsert_company`)."""
    subscribe(
        broker,
        jetstream,
        UPSERT_COMPANY_POLICY,
        UpsertCompany,
        lambda d: companies.upsert_company(d.payload),
        stream=DOMAIN_COMMANDS.name,
        filter_subject=UPSERT_COMPANY.template,
        batch_size=batch_size,
        inbox_prefix=inbox_prefix,
    )


def register_reconciliation_consumer(
    broker: NatsBroker,
    charges: ChargesInMews,
    jetstream: Callable[[], JetStreamContext],
    *,
    batch_size: int = 100,
    inbox_prefix: bytes = b"_INBOX.",
) -> None:
    """What sync's reconciliation read of each charge in Mews
    (`cmd.v1.vendors.record_charge_in_mews`)."""
    subscribe(
        broker,
        jetstream,
        RECORD_CHARGE_IN_MEWS_POLICY,
        RecordChargeInMews,
        lambda d: charges.record_charge_in_mews(d.payload),
        stream=DOMAIN_COMMANDS.name,
        filter_subject=RECORD_CHARGE_IN_MEWS.template,
        batch_size=batch_size,
        inbox_prefix=inbox_prefix,
    )
