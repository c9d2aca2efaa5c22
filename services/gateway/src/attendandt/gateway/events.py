"""What a caller may see of a domain event on the live stream.

- Only events of the properties the caller acts for (`caller_of`: its own; portfolio-wide
  users every one; a vendor user without a property none).
- Staff see every event of their property (portfolio-wide staff: every property), except
  user events, which only user admins see (they carry emails and roles).
- A vendor user sees its own vendor's vendor, booking and charge events, and guest and stay
  events reduced to their ids: enough to refresh what it shows, while names, rooms and stay
  dates of guests it has no booking with stay out (its own guests' it reads from the API).
  Nothing else.
- Staff who may read guests but not their contact details see guest and stay events reduced
  to names, room, stay state and dates (never Mews ids, nor anything a public event
  published before the privacy change still carries).
- An aggregate this module does not know is not shown (closed by default), nor is an event
  whose body does not decode as its contract's payload (`decode_event`).
"""

from __future__ import annotations

import logging
from typing import Any

import msgspec

from attendandt.contracts.registry import public_event
from attendandt.contracts.rpc.users import Principal
from attendandt.contracts.snapshots import UserRole
from attendandt.contracts.subjects import EventSubject, MalformedSubject
from attendandt.gateway.permissions import Permission, caller_of, has

_GUEST_SAFE = ("first_name", "last_name", "is_active")
_STAY_SAFE = (
    "number",
    "state",
    "scheduled_start_utc",
    "scheduled_end_utc",
    "actual_start_utc",
    "actual_end_utc",
    "cancelled_utc",
    "resource_name",
)
_ENVELOPE = ("event_id", "enterprise_id", "occurred_at", "event")

P = Permission
log = logging.getLogger(__name__)


def parse_subject(subject: str) -> EventSubject | None:
    """A public event's subject, or None for anything else on the stream (the restricted
    family is never shown here)."""
    try:
        parsed = EventSubject.parse(subject)
    except MalformedSubject:
        return None
    return parsed if parsed.is_public else None


def _own(principal: Principal, vendor_id: Any) -> bool:
    return principal.vendor_id is not None and vendor_id == principal.vendor_id


def _part(body: dict[str, Any], key: str) -> dict[str, Any]:
    value = body.get(key)
    return value if isinstance(value, dict) else {}


def _pick(body: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: body[k] for k in keys if k in body}


def visible(  # noqa: PLR0911 (one rule, one return: reads as the policy it is)
    principal: Principal, subject: str, body: dict[str, Any]
) -> dict[str, Any] | None:
    """The event as `principal` may see it, or None when it may not see it at all."""
    parsed = parse_subject(subject)
    if parsed is None:
        return None
    aggregate = parsed.aggregate
    if not caller_of(principal).may_act_for(parsed.enterprise_id):
        return None
    if aggregate in ("guest", "stay"):
        if has(principal, P.GUESTS_CONTACT_READ):
            return body
        if not has(principal, P.GUESTS_READ):
            return None
        if principal.role == UserRole.VENDOR or principal.vendor_id is not None:
            ids = ("guest_id",) if aggregate == "guest" else ("stay_id", "guest_ids")
            return {**_pick(body, _ENVELOPE), **_pick(body, ids)}
        if aggregate == "guest":
            guest = _part(body, "guest")
            return {
                **_pick(body, _ENVELOPE),
                "guest_id": body.get("guest_id"),
                "guest": _pick(guest, _GUEST_SAFE),
            }
        stay = _part(body, "stay")
        return {
            **_pick(body, _ENVELOPE),
            "stay_id": body.get("stay_id"),
            "guest_ids": body.get("guest_ids", []),
            "stay": _pick(stay, _STAY_SAFE),
        }
    if aggregate in ("vendor", "booking", "charge"):
        broad, own = {
            "vendor": (P.VENDORS_READ, P.VENDORS_READ_OWN),
            "booking": (P.BOOKINGS_READ, P.BOOKINGS_READ_OWN),
            "charge": (P.CHARGES_READ, P.CHARGES_READ_OWN),
        }[aggregate]
        if has(principal, broad):
            return body
        snapshot = body.get(aggregate)
        vendor_id = snapshot.get("vendor_id") if isinstance(snapshot, dict) else None
        if has(principal, own) and _own(principal, vendor_id):
            return body
        return None
    if aggregate == "user":
        return body if has(principal, P.USERS_ADMIN) else None
    if aggregate == "sync":
        # `sync.alert`: the property's link with Mews, no personal data; as the Sync page.
        return body if has(principal, P.SYNC_READ) else None
    return None


def decode_event(subject: str, data: bytes) -> dict[str, Any] | None:
    """A public event decoded as its contract's payload (`contracts.registry.public_event`),
    as plain JSON values; None for a subject no contract has or a body that does not match
    it: what staff and vendors see has passed the same schema the publisher encoded with."""
    contract = public_event(subject)
    if contract is None:
        return None
    try:
        event = msgspec.json.decode(data, type=contract.payload)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        # The reason only: a body may carry personal data.
        log.warning("event does not match its contract; not shown",
                    extra={"subject": subject, "reason": str(exc)[:200]})  # fmt: skip
        return None
    body: dict[str, Any] = msgspec.to_builtins(event)
    return body
