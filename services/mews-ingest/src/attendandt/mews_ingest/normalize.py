"""WebSocket frames and webhook bodies → change notifications. Pure functions, no I/O.

Both sources carry ids only. Unknown event types are tolerated (Mews says its enums are not
exhaustive); anything that is not the documented shape raises MalformedInput with the reason,
and the caller keeps the original as a dead letter.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated

import msgspec

from attendandt.contracts.mews import ChangeSource, MewsChange, MewsEntity


class MalformedInput(ValueError):
    """Not the documented shape; the message says what is wrong."""


WEBSOCKET_TYPES = {
    "Reservation": MewsEntity.RESERVATION,
    "Resource": MewsEntity.RESOURCE,
    "DeviceCommand": MewsEntity.COMMAND,
}
WEBHOOK_TYPES = {
    "ServiceOrderUpdated": MewsEntity.RESERVATION,
    "ResourceUpdated": MewsEntity.RESOURCE,
    "CustomerAdded": MewsEntity.CUSTOMER,
    "CustomerUpdated": MewsEntity.CUSTOMER,
    "PaymentUpdated": MewsEntity.PAYMENT,
}


#: What a body or frame cannot be decoded into: msgspec's own errors, and what it raises on
#: hostile input (nesting deeper than Python recurses, bytes that are not UTF-8, text with
#: lone surrogates).
_UNDECODABLE = (msgspec.MsgspecError, RecursionError, UnicodeError)

#: Mews ids are GUIDs. Ids go into NATS subjects (the enterprise) and `Nats-Msg-Id` headers
#: (every id), so anything but these characters could aim a publish elsewhere or break the
#: header block: refused as malformed. Empty stays allowed (an event without an id is skipped).
MewsId = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_-]*$", max_length=64)]
EnterpriseIdField = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_-]+$", max_length=64)]
Name = Annotated[str, msgspec.Meta(max_length=100)]
#: Mews batches "in the order of hundreds" of events per delivery; far more is not Mews.
MAX_EVENTS = 5000


class _WsEvent(msgspec.Struct, rename="pascal"):
    type: Name
    id: MewsId
    state: Name | None = None


class _WsFrame(msgspec.Struct, rename="pascal"):
    events: Annotated[list[_WsEvent], msgspec.Meta(max_length=MAX_EVENTS)]


class _EntityRef(msgspec.Struct, rename="pascal"):
    id: MewsId


class _WebhookEvent(msgspec.Struct, rename="pascal"):
    discriminator: Name
    value: _EntityRef | None = None


class _GeneralWebhook(msgspec.Struct, rename="pascal"):
    enterprise_id: EnterpriseIdField
    events: Annotated[list[_WebhookEvent], msgspec.Meta(max_length=MAX_EVENTS)]
    integration_id: MewsId | None = None


#: An AccessToken or ApiKey as Mews writes them (hex, dashes): nothing else is stored.
Token = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_-]+$", min_length=8, max_length=200)]


class _Named(msgspec.Struct, rename="pascal"):
    id: EnterpriseIdField
    name: Annotated[str, msgspec.Meta(max_length=255)] | None = None


class _IntegrationData(msgspec.Struct, rename="pascal"):
    integration: _Named
    enterprise: _Named | None = None
    service: _Named | None = None
    access_token: Token | None = None
    api_key: Token | None = None
    is_enabled: bool | None = None
    created_utc: datetime | None = None
    deleted_utc: datetime | None = None
    # `Requestor` (a person's name and email) is not read: nothing here needs it.


class _IntegrationWebhook(msgspec.Struct, rename="pascal"):
    action: Name
    data: _IntegrationData


@dataclass(frozen=True)
class WebhookBatch:
    enterprise_id: str
    integration_id: str | None
    changes: list[MewsChange]
    ignored: int


@dataclass(frozen=True)
class IntegrationNotice:
    """An Integration Webhook (IntegrationCreated, ApiKeyCreated...): an action on the
    integration a property connected, not a change. `token` is the AccessToken of
    IntegrationCreated or the ApiKey of IntegrationApiKeyCreated (never in a repr)."""

    action: str
    integration_id: str
    integration_name: str = ""
    enterprise_id: str | None = None
    enterprise_name: str = ""
    service_id: str | None = None
    token: str | None = field(default=None, repr=False)
    is_enabled: bool | None = None
    created_utc: datetime | None = None
    deleted_utc: datetime | None = None


def _notice(hook: _IntegrationWebhook) -> IntegrationNotice:
    data = hook.data
    return IntegrationNotice(
        action=hook.action,
        integration_id=data.integration.id,
        integration_name=data.integration.name or "",
        enterprise_id=data.enterprise.id if data.enterprise else None,
        enterprise_name=(data.enterprise.name or "") if data.enterprise else "",
        service_id=data.service.id if data.service else None,
        token=data.access_token or data.api_key,
        is_enabled=data.is_enabled,
        created_utc=data.created_utc,
        deleted_utc=data.deleted_utc,
    )


def changes_from_frame(frame: str | bytes, enterprise_id: str, now: datetime) -> list[MewsChange]:
    """One WebSocket message → one change per known event (duplicates in a frame collapse)."""
    try:
        decoded = msgspec.json.decode(frame, type=_WsFrame)
    except _UNDECODABLE as exc:
        raise MalformedInput(f"WebSocket frame is not {{Events: [...]}}: {_why(exc)}") from exc
    changes: dict[tuple[MewsEntity, str], MewsChange] = {}
    for event in decoded.events:
        entity = WEBSOCKET_TYPES.get(event.type)
        if entity is None or not event.id:
            continue  # PriceUpdate and types added later: not tracked
        changes[(entity, event.id)] = MewsChange(
            enterprise_id=enterprise_id,
            entity=entity,
            mews_id=event.id,
            source=ChangeSource.WEBSOCKET,
            observed_at=now,
            observed_state=event.state,
            sighting=f"{now.isoformat()}:{event.state or ''}",
        )
    return list(changes.values())


def parse_webhook(body: bytes, now: datetime) -> WebhookBatch | IntegrationNotice:
    """A General Webhook delivery → its changes; an Integration Webhook → a notice."""
    try:
        raw = msgspec.json.decode(body)
    except _UNDECODABLE as exc:
        raise MalformedInput(f"webhook body is not JSON: {_why(exc)}") from exc
    if not isinstance(raw, dict):
        raise MalformedInput("webhook body is not a JSON object")
    try:
        if "Action" in raw:
            # Dates come as ISO text in JSON: converted, not taken strictly.
            return _notice(msgspec.convert(raw, _IntegrationWebhook, strict=False))
        hook = msgspec.convert(raw, _GeneralWebhook)
    except _UNDECODABLE as exc:
        kind = "an Integration Webhook" if "Action" in raw else "a General Webhook"
        raise MalformedInput(f"webhook body is not {kind}: {_why(exc)}") from exc
    # A body names ids only, so two changes of one reservation send the same body: each
    # delivery is its own sighting (its arrival time), never a duplicate of an earlier one.
    # Mews re-sending a delivery we did not acknowledge costs one more fetch, nothing else.
    digest = f"{now.isoformat()}:{hashlib.sha256(body).hexdigest()[:16]}"
    changes: dict[tuple[MewsEntity, str], MewsChange] = {}
    ignored = 0
    for event in hook.events:
        entity = WEBHOOK_TYPES.get(event.discriminator)
        if entity is None or event.value is None or not event.value.id:
            ignored += 1
            continue
        # CustomerAdded and CustomerUpdated arrive together for a new customer: one change.
        changes[(entity, event.value.id)] = MewsChange(
            enterprise_id=hook.enterprise_id,
            entity=entity,
            mews_id=event.value.id,
            source=ChangeSource.WEBHOOK,
            observed_at=now,
            sighting=digest,
        )
    return WebhookBatch(hook.enterprise_id, hook.integration_id, list(changes.values()), ignored)


def _why(exc: BaseException) -> str:
    """The reason, bounded: a UnicodeDecodeError's text quotes the offending bytes."""
    if isinstance(exc, UnicodeDecodeError | UnicodeEncodeError):
        return f"not UTF-8 (at {exc.start})"
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc)[:300]
