"""The NATS user of every process, described by what it does (see the package doc for why these
rules)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from attendandt.contracts import rpc
from attendandt.contracts.alerts import SYNC_ALERT
from attendandt.contracts.base import Payload, RpcMethod, Subject
from attendandt.contracts.commands import (
    RECORD_CHARGE_CANCELLATION,
    RECORD_CHARGE_IN_MEWS,
    RECORD_CHARGE_RESULT,
    RECORD_GUEST_EDIT_RESULT,
    RECORD_STAY_NOTE_RESULT,
    UPSERT_CATALOGUE,
    UPSERT_COMPANY,
    UPSERT_GUEST,
    UPSERT_PROPERTY,
    UPSERT_ROOM,
    UPSERT_STAY,
    UPSERT_STAY_BILL,
    UPSERT_USER,
    UPSERT_VENDOR,
)
from attendandt.contracts.erasure import (
    ERASE_GUEST_IN_GUESTS,
    ERASE_GUEST_IN_VENDORS,
    GUEST_ERASED,
    RECORD_ERASURE_RECEIPT,
)
from attendandt.contracts.events import (
    BOOKING_EVENT,
    CHARGE_EVENT,
    GUEST_EVENT,
    RESTRICTED_GUEST_EVENT,
    STAY_EVENT,
    USER_EVENT,
    VENDOR_EVENT,
)
from attendandt.contracts.mews import MEWS_CHANGE
from attendandt.contracts.outbound import (
    CANCEL_CHARGE,
    POST_CHARGE,
    UPDATE_CUSTOMER,
    WRITE_STAY_NOTE,
)
from attendandt.contracts.permissions.principals import OPS, Consumer, NatsUser
from attendandt.contracts.streams import (
    ATTENDANDT_EVENTS,
    ATTENDANDT_RESTRICTED,
    DEAD_LETTERS,
    DOMAIN_COMMANDS,
    INGEST_CHECKPOINTS,
    INGEST_STATE,
    MEWS_CHANGES,
    MEWS_INTEGRATIONS,
    MEWS_OUTBOX,
    MEWS_RATE_LIMITS,
    SIGNIN_LIMITS,
    SYNC_HEALTH,
    StreamSpec,
)


def _services_of(methods: Iterable[RpcMethod[Payload, Payload]]) -> tuple[str, ...]:
    return tuple(sorted({m.service for m in methods}))


RPC_SERVICES = _services_of(rpc.METHODS)

#: The consumers an import's commands go to (guests applying guests and stays): sync reads
#: their backlog and waits while it is long (sync.backpressure).
IMPORT_TARGETS: tuple[tuple[StreamSpec, str], ...] = (
    (DOMAIN_COMMANDS, "guests-upsert-guest"),
    (DOMAIN_COMMANDS, "guests-upsert-stay"),
)

USERS: tuple[NatsUser, ...] = (
    NatsUser(
        name="mews-ingest",
        description="Mews WebSocket, webhooks and sweeps: publishes Mews change notifications",
        produces=(MEWS_CHANGE, SYNC_ALERT),
        answers=("ingest",),
        # Onboarding: the Integration Webhooks' properties and their sealed tokens.
        kv_write=(INGEST_CHECKPOINTS, INGEST_STATE, MEWS_RATE_LIMITS, MEWS_INTEGRATIONS),
    ),
    NatsUser(
        name="sync",
        description="turns Mews changes and each hotel's configuration into domain commands",
        produces=(
            UPSERT_GUEST,
            UPSERT_STAY,
            UPSERT_ROOM,
            UPSERT_STAY_BILL,
            UPSERT_PROPERTY,
            UPSERT_CATALOGUE,
            UPSERT_COMPANY,
            RECORD_CHARGE_IN_MEWS,
        ),
        consumes=(Consumer(MEWS_CHANGES, "sync-changes", MEWS_CHANGE),),
        # Charges reconciliation reads the property's ledger; no other vendors method.
        calls_methods=(rpc.vendors.POSTED_CHARGES,),
        # Commands on subjects no service consumes become dead letters (platform.unrouted).
        sweeps=(DOMAIN_COMMANDS,),
        # An import waits while guests has many commands waiting (sync.backpressure).
        watches=IMPORT_TARGETS,
        kv_write=(SYNC_HEALTH, MEWS_RATE_LIMITS),
        kv_read=(MEWS_INTEGRATIONS,),
    ),
    NatsUser(
        name="guests",
        description="guests and stays: their events, the timeline from vendors' events, and "
        "staff edits of guests and notes of stays queued for Mews",
        produces=(
            GUEST_EVENT,
            STAY_EVENT,
            RESTRICTED_GUEST_EVENT,
            UPDATE_CUSTOMER,
            WRITE_STAY_NOTE,
            GUEST_ERASED,
            # An erasure's commands: to itself (durable, so it outlives a restart) and vendors.
            ERASE_GUEST_IN_GUESTS,
            ERASE_GUEST_IN_VENDORS,
        ),
        consumes=(
            Consumer(DOMAIN_COMMANDS, "guests-upsert-guest", UPSERT_GUEST),
            Consumer(DOMAIN_COMMANDS, "guests-record-edit-result", RECORD_GUEST_EDIT_RESULT),
            Consumer(DOMAIN_COMMANDS, "guests-record-stay-note-result", RECORD_STAY_NOTE_RESULT),
            Consumer(DOMAIN_COMMANDS, "guests-upsert-stay", UPSERT_STAY),
            Consumer(DOMAIN_COMMANDS, "guests-upsert-property", UPSERT_PROPERTY),
            Consumer(DOMAIN_COMMANDS, "guests-upsert-room", UPSERT_ROOM),
            Consumer(DOMAIN_COMMANDS, "guests-upsert-stay-bill", UPSERT_STAY_BILL),
            Consumer(DOMAIN_COMMANDS, "guests-erase-guest", ERASE_GUEST_IN_GUESTS),
            Consumer(DOMAIN_COMMANDS, "guests-erasure-receipts", RECORD_ERASURE_RECEIPT),
            Consumer(ATTENDANDT_EVENTS, "guests-timeline-bookings", BOOKING_EVENT),
            Consumer(ATTENDANDT_EVENTS, "guests-timeline-charges", CHARGE_EVENT),
        ),
        answers=("guests",),
        # An erasure deletes the guest's messages from these, one by one (contracts.erasure).
        purges=(ATTENDANDT_EVENTS, ATTENDANDT_RESTRICTED, DEAD_LETTERS),
    ),
    NatsUser(
        name="vendors",
        description="vendors, bookings and charges; queues charges and cancellations for Mews",
        produces=(
            VENDOR_EVENT,
            BOOKING_EVENT,
            CHARGE_EVENT,
            POST_CHARGE,
            CANCEL_CHARGE,
            RECORD_ERASURE_RECEIPT,
        ),
        consumes=(
            Consumer(DOMAIN_COMMANDS, "vendors-upsert-vendor", UPSERT_VENDOR),
            Consumer(DOMAIN_COMMANDS, "vendors-upsert-company", UPSERT_COMPANY),
            Consumer(DOMAIN_COMMANDS, "vendors-record-charge-result", RECORD_CHARGE_RESULT),
            Consumer(
                DOMAIN_COMMANDS,
                "vendors-record-charge-cancellation",
                RECORD_CHARGE_CANCELLATION,
            ),
            Consumer(DOMAIN_COMMANDS, "vendors-record-charge-in-mews", RECORD_CHARGE_IN_MEWS),
            Consumer(DOMAIN_COMMANDS, "vendors-upsert-catalogue", UPSERT_CATALOGUE),
            Consumer(ATTENDANDT_EVENTS, "vendors-stay-events", STAY_EVENT),
            Consumer(DOMAIN_COMMANDS, "vendors-erase-guest", ERASE_GUEST_IN_VENDORS),
        ),
        answers=("vendors",),
        # guests' `public_stay`, when its copy of a stay lags what the caller was shown.
        calls=("guests",),
    ),
    NatsUser(
        name="users",
        description="staff and vendor accounts: user events",
        produces=(USER_EVENT,),
        consumes=(Consumer(DOMAIN_COMMANDS, "users-upsert-user", UPSERT_USER),),
        answers=("users",),
    ),
    NatsUser(
        name="mews-publisher",
        description="the only writer to Mews: reports each charge's result and cancellation "
        "to vendors and each guest edit's and stay note's to guests",
        produces=(
            RECORD_CHARGE_RESULT,
            RECORD_CHARGE_CANCELLATION,
            RECORD_GUEST_EDIT_RESULT,
            RECORD_STAY_NOTE_RESULT,
        ),
        consumes=(
            Consumer(MEWS_OUTBOX, "mews-publisher-post-charge", POST_CHARGE),
            Consumer(MEWS_OUTBOX, "mews-publisher-cancel-charge", CANCEL_CHARGE),
            Consumer(MEWS_OUTBOX, "mews-publisher-update-customer", UPDATE_CUSTOMER),
            Consumer(MEWS_OUTBOX, "mews-publisher-write-stay-note", WRITE_STAY_NOTE),
        ),
        kv_write=(MEWS_RATE_LIMITS,),
        kv_read=(MEWS_INTEGRATIONS,),
    ),
    NatsUser(
        name="gateway",
        description="HTTP API: calls the services, streams public events, reads sync health",
        calls=RPC_SERVICES,
        reads=(ATTENDANDT_EVENTS,),
        listens=(USER_EVENT,),
        kv_read=(INGEST_STATE, SYNC_HEALTH),
        kv_write=(SIGNIN_LIMITS,),
        dead_letters=False,
    ),
    NatsUser(
        name=OPS,
        description="the ops command: streams, migrations, demo accounts, dead-letter requeue",
        calls=RPC_SERVICES,
        admin=True,
        dead_letters=False,
    ),
)

#: Commands no service produces: only the ops command may publish them (requeueing a dead
#: letter). A test checks that no service user may.
OPERATOR_ONLY: tuple[Subject[Any], ...] = (
    UPSERT_USER,
    UPSERT_VENDOR,
)


def user(name: str) -> NatsUser:
    for candidate in USERS:
        if candidate.name == name:
            return candidate
    raise KeyError(f"no NATS user {name!r}: one of {[u.name for u in USERS]}")
