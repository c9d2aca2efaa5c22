"""Every subject and payload in one list: what the schema snapshots and docs are made from."""

from __future__ import annotations

from typing import Any

from attendandt.contracts import rpc
from attendandt.contracts.alerts import SYNC_ALERT
from attendandt.contracts.base import Payload, RpcError, Subject
from attendandt.contracts.commands import COMMANDS
from attendandt.contracts.deadletter import DEAD_LETTER
from attendandt.contracts.erasure import GUEST_ERASED
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

# Subject is invariant in its payload: the list holds every kind.
SUBJECTS: tuple[Subject[Any], ...] = (
    MEWS_CHANGE,
    *COMMANDS,
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
    GUEST_ERASED,
    SYNC_ALERT,
)


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
