"""Every subject and payload in one list: what the schema snapshots and docs are made from."""

from __future__ import annotations

from attendandt.contracts.base import Payload, Subject
from attendandt.contracts.commands import (
    RECORD_CHARGE_RESULT,
    UPSERT_GUEST,
    UPSERT_STAY,
    UPSERT_USER,
    UPSERT_VENDOR,
)
from attendandt.contracts.deadletter import DEAD_LETTER
from attendandt.contracts.events import (
    BOOKING_EVENT,
    CHARGE_EVENT,
    GUEST_EVENT,
    STAY_EVENT,
    USER_EVENT,
    VENDOR_EVENT,
)
from attendandt.contracts.mews import MEWS_CHANGE
from attendandt.contracts.outbound import POST_CHARGE, UPDATE_CUSTOMER

SUBJECTS: tuple[Subject[Payload], ...] = (
    MEWS_CHANGE,
    UPSERT_GUEST,
    UPSERT_STAY,
    UPSERT_VENDOR,
    UPSERT_USER,
    RECORD_CHARGE_RESULT,
    GUEST_EVENT,
    STAY_EVENT,
    VENDOR_EVENT,
    BOOKING_EVENT,
    CHARGE_EVENT,
    USER_EVENT,
    POST_CHARGE,
    UPDATE_CUSTOMER,
    DEAD_LETTER,
)  # type: ignore[assignment]


def payload_types() -> tuple[type[Payload], ...]:
    seen: dict[str, type[Payload]] = {}
    for subject in SUBJECTS:
        seen.setdefault(subject.payload.schema_id(), subject.payload)
    return tuple(seen.values())
