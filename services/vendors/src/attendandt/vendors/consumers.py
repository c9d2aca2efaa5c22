"""JetStream subscribers: commands for vendors and the guests service's stay events.

Decoding, acks, retries and dead letters follow the platform's one ack policy
(`platform.consumer.process`); the effects are the service's, each once per message.
"""

from __future__ import annotations

from collections.abc import Callable

from faststream import AckPolicy
from faststream.nats import JStream, NatsBroker, NatsMessage, PullSub
from nats.js import JetStreamContext

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
STAY_EVENTS_FILTER = STAY_EVENT.filter()  # attendandt.v1.*.stay.>


def register_consumers(
    broker: NatsBroker,
    service: VendorsService,
    jetstream: Callable[[], JetStreamContext],
    *,
    batch_size: int = 100,
    inbox_prefix: bytes = b"_INBOX.",
) -> None:
    """Durable pull consumers; `jetstream()` gives the connected context (for dead letters)."""
    commands = JStream(DOMAIN_COMMANDS.name, declare=False)
    events = JStream(ATTENDANDT_EVENTS.name, declare=False)
    pull = PullSub(batch_size=batch_size, timeout=PULL_WAIT_S)

    @broker.subscriber(
        UPSERT_VENDOR.template,
        stream=commands,
        durable=UPSERT_VENDOR_POLICY.consumer,
        config=UPSERT_VENDOR_POLICY.consumer_config(UPSERT_VENDOR.template),
        pull_sub=pull,
        # Pull replies on this user's own inbox: the only one its NATS user may read.
        inbox_prefix=inbox_prefix,
        ack_policy=AckPolicy.MANUAL,
    )
    async def on_upsert_vendor(msg: NatsMessage) -> None:
        async def handle(delivery: Delivery[UpsertVendor]) -> None:
            await service.upsert_vendor(delivery.payload)

        await process(msg.raw_message, UpsertVendor, handle, UPSERT_VENDOR_POLICY, jetstream())

    @broker.subscriber(
        RECORD_CHARGE_RESULT.template,
        stream=commands,
        durable=RECORD_CHARGE_RESULT_POLICY.consumer,
        config=RECORD_CHARGE_RESULT_POLICY.consumer_config(RECORD_CHARGE_RESULT.template),
        pull_sub=pull,
        # Pull replies on this user's own inbox: the only one its NATS user may read.
        inbox_prefix=inbox_prefix,
        ack_policy=AckPolicy.MANUAL,
    )
    async def on_record_charge_result(msg: NatsMessage) -> None:
        async def handle(delivery: Delivery[RecordChargeResult]) -> None:
            await service.record_charge_result(delivery.payload)

        await process(
            msg.raw_message, RecordChargeResult, handle, RECORD_CHARGE_RESULT_POLICY, jetstream()
        )

    @broker.subscriber(
        RECORD_CHARGE_CANCELLATION.template,
        stream=commands,
        durable=RECORD_CHARGE_CANCELLATION_POLICY.consumer,
        config=RECORD_CHARGE_CANCELLATION_POLICY.consumer_config(
            RECORD_CHARGE_CANCELLATION.template
        ),
        pull_sub=pull,
        # Pull replies on this user's own inbox: the only one its NATS user may read.
        inbox_prefix=inbox_prefix,
        ack_policy=AckPolicy.MANUAL,
    )
    async def on_record_charge_cancellation(msg: NatsMessage) -> None:
        async def handle(delivery: Delivery[RecordChargeCancellation]) -> None:
            await service.record_charge_cancellation(delivery.payload)

        await process(
            msg.raw_message,
            RecordChargeCancellation,
            handle,
            RECORD_CHARGE_CANCELLATION_POLICY,
            jetstream(),
        )

    @broker.subscriber(
        UPSERT_CATALOGUE.template,
        stream=commands,
        durable=UPSERT_CATALOGUE_POLICY.consumer,
        config=UPSERT_CATALOGUE_POLICY.consumer_config(UPSERT_CATALOGUE.template),
        pull_sub=pull,
        # Pull replies on this user's own inbox: the only one its NATS user may read.
        inbox_prefix=inbox_prefix,
        ack_policy=AckPolicy.MANUAL,
    )
    async def on_upsert_catalogue(msg: NatsMessage) -> None:
        async def handle(delivery: Delivery[UpsertCatalogue]) -> None:
            await service.upsert_catalogue(delivery.payload)

        await process(
            msg.raw_message, UpsertCatalogue, handle, UPSERT_CATALOGUE_POLICY, jetstream()
        )

    @broker.subscriber(
        STAY_EVENTS_FILTER,
        stream=events,
        durable=STAY_EVENTS_POLICY.consumer,
        config=STAY_EVENTS_POLICY.consumer_config(STAY_EVENTS_FILTER),
        pull_sub=pull,
        # Pull replies on this user's own inbox: the only one its NATS user may read.
        inbox_prefix=inbox_prefix,
        ack_policy=AckPolicy.MANUAL,
    )
    async def on_stay_event(msg: NatsMessage) -> None:
        async def handle(delivery: Delivery[StayEvent]) -> None:
            await service.apply_stay_event(delivery.payload, delivery.message_id)

        await process(msg.raw_message, StayEvent, handle, STAY_EVENTS_POLICY, jetstream())


def register_company_consumer(
    broker: NatsBroker,
    companies: MewsCompanies,
    jetstream: Callable[[], JetStreamContext],
    *,
    batch_size: int = 100,
    inbox_prefix: bytes = b"_INBOX.",
) -> None:
    """The Mews companies sync reports (`cmd.v1.vendors.upsert_company`)."""

    @broker.subscriber(
        UPSERT_COMPANY.template,
        stream=JStream(DOMAIN_COMMANDS.name, declare=False),
        durable=UPSERT_COMPANY_POLICY.consumer,
        config=UPSERT_COMPANY_POLICY.consumer_config(UPSERT_COMPANY.template),
        pull_sub=PullSub(batch_size=batch_size, timeout=PULL_WAIT_S),
        # Pull replies on this user's own inbox: the only one its NATS user may read.
        inbox_prefix=inbox_prefix,
        ack_policy=AckPolicy.MANUAL,
    )
    async def on_upsert_company(msg: NatsMessage) -> None:
        async def handle(delivery: Delivery[UpsertCompany]) -> None:
            await companies.upsert_company(delivery.payload)

        await process(msg.raw_message, UpsertCompany, handle, UPSERT_COMPANY_POLICY, jetstream())


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

    @broker.subscriber(
        RECORD_CHARGE_IN_MEWS.template,
        stream=JStream(DOMAIN_COMMANDS.name, declare=False),
        durable=RECORD_CHARGE_IN_MEWS_POLICY.consumer,
        config=RECORD_CHARGE_IN_MEWS_POLICY.consumer_config(RECORD_CHARGE_IN_MEWS.template),
        pull_sub=PullSub(batch_size=batch_size, timeout=PULL_WAIT_S),
        # Pull replies on this user's own inbox: the only one its NATS user may read.
        inbox_prefix=inbox_prefix,
        ack_policy=AckPolicy.MANUAL,
    )
    async def on_record_charge_in_mews(msg: NatsMessage) -> None:
        async def handle(delivery: Delivery[RecordChargeInMews]) -> None:
            await charges.record_charge_in_mews(delivery.payload)

        await process(
            msg.raw_message,
            RecordChargeInMews,
            handle,
            RECORD_CHARGE_IN_MEWS_POLICY,
            jetstream(),
        )
