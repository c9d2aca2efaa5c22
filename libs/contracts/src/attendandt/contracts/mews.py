"""Mews change notifications: mews-ingest → sync, on `mews.v1.<enterprise>.change.<entity>`."""

from __future__ import annotations

import enum
from datetime import datetime

from attendandt.contracts.base import Payload, Subject


class MewsEntity(enum.StrEnum):
    CUSTOMER = "customer"
    RESERVATION = "reservation"
    COMPANY = "company"
    RESOURCE = "resource"
    ORDER_ITEM = "order_item"
    PAYMENT = "payment"
    COMMAND = "command"


class ChangeSource(enum.StrEnum):
    WEBSOCKET = "websocket"
    WEBHOOK = "webhook"
    SWEEP = "sweep"
    BACKFILL = "backfill"
    RECONCILE = "reconcile"


class MewsChange(Payload, frozen=True, kw_only=True):
    """Something changed in Mews: only the id and what the source saw; sync fetches the rest."""

    SCHEMA = "mews.change"

    enterprise_id: str
    entity: MewsEntity
    mews_id: str
    source: ChangeSource
    observed_at: datetime
    #: Mews UpdatedUtc when the source knows it (sweeps); None for id-only sources.
    observed_version: datetime | None = None
    #: The state a WebSocket event carried (e.g. reservation `Started`), for diagnostics.
    observed_state: str | None = None
    #: For id-only sources: what identifies this sighting (e.g. a digest of the webhook
    #: delivery, so Mews re-sending the same body is dropped).
    sighting: str | None = None

    def msg_id(self) -> str:
        """JetStream de-duplication key.

        With a version (sweeps): the same version seen twice is stored once, whichever
        source saw it. Id-only notifications (webhook, WebSocket) carry no version: they
        de-duplicate on their sighting (a redelivered webhook body), else on the second they
        were observed, so a later change of the same entity is never dropped.
        """
        if self.observed_version is not None:
            version = self.observed_version.isoformat()
        else:
            seen = self.sighting or self.observed_at.replace(microsecond=0).isoformat()
            version = f"{self.source}:{seen}"
        return f"{self.enterprise_id}:{self.entity}:{self.mews_id}:{version}"

    def subject_parts(self) -> dict[str, str]:
        """The parts of MEWS_CHANGE's subject this change is published on."""
        return {"enterprise": self.enterprise_id, "entity": self.entity}


MEWS_CHANGE = Subject("mews.v1.{enterprise}.change.{entity}", MewsChange)
