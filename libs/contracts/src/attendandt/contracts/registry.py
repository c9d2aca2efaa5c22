"""Every subject and payload in one list: what the schema snapshots and docs are made from."""

from __future__ import annotations

from attendandt.contracts import rpc
from attendandt.contracts.alerts import SYNC_ALERT
from attendandt.contracts.base import Payload, RpcError, Subject
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
from attendandt.contracts.deadletter import DEAD_LETTER
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
from attendandt.contracts.subjects import PUBLIC_EVENT_VERSIONS, MalformedSubject

SUBJECTS: tuple[Subject[Payload], ...] = (
    MEWS_CHANGE,
    UPSERT_GUEST,
    UPSERT_STAY,
    UPSERT_ROOM,
    UPSERT_STAY_BILL,
    UPSERT_VENDOR,
    UPSERT_COMPANY,
    UPSERT_USER,
    RECORD_CHARGE_RESULT,
    RECORD_CHARGE_CANCELLATION,
    RECORD_CHARGE_IN_MEWS,
    UPSERT_PROPERTY,
    UPSERT_CATALOGUE,
    RECORD_GUEST_EDIT_RESULT,
    RECORD_STAY_NOTE_RESULT,
    GUEST_EVENT,
    STAY_EVENT,
    VENDOR_EVENT,
    BOOKING_EVENT,
    CHARGE_EVENT,
    USER_EVENT,
    RESTRICTED_GUEST_EVENT,
    POST_CHARGE,
    CANCEL_CHARGE,
    UPDATE_CUSTOMER,
    WRITE_STAY_NOTE,
    DEAD_LETTER,
    ERASE_GUEST_IN_GUESTS,
    ERASE_GUEST_IN_VENDORS,
    RECORD_ERASURE_RECEIPT,
    GUEST_ERASED,
    SYNC_ALERT,
)  # type: ignore[assignment]


def payload_types() -> tuple[type[Payload], ...]:
    """Every payload that crosses a process: on a subject, or in a request-reply call."""
    seen: dict[str, type[Payload]] = {}
    found = [subject.payload for subject in SUBJECTS] + [RpcError]
    for method in rpc.METHODS:
        found += [method.request, method.response]
    for payload in found:
        other = seen.setdefault(payload.schema_id(), payload)
        if other is not payload:
            raise ValueError(f"{payload.__name__} and {other.__name__} share {payload.schema_id()}")
    return tuple(seen.values())


def public_event(subject: str) -> Subject[Payload] | None:
    """The contract of a concrete public event subject (`attendandt.v1.ent-1.stay.created` →
    STAY_EVENT), or None when no contract has it: an unknown aggregate or event, a restricted
    or non-event subject."""
    for candidate in SUBJECTS:
        family, version, *_ = candidate.template.split(".")
        if family != "attendandt" or version not in PUBLIC_EVENT_VERSIONS:
            continue
        try:
            candidate.parse(subject)
        except MalformedSubject:
            continue
        return candidate
    return None
