"""``serviceOrderNotes/getAll``: the notes on reservations (and product orders)."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from .common import MewsModel, MewsRequest, TimeInterval


class ServiceOrderNoteType:
    GENERAL: Final = "General"
    CHANNEL_MANAGER: Final = "ChannelManager"
    SPECIAL_REQUEST: Final = "SpecialRequest"

    #: Every type documented today. Mews returns only General and ChannelManager notes
    #: unless ``Types`` asks for others.
    ALL: Final = (GENERAL, CHANNEL_MANAGER, SPECIAL_REQUEST)


class ServiceOrderNote(MewsModel):
    """A note on a service order; ``OrderId`` is the reservation (or order) it belongs to."""

    id: str
    order_id: str | None = None
    text: str | None = None
    type: str | None = None
    created_utc: datetime | None = None
    updated_utc: datetime | None = None


class ServiceOrderNotesGetAll(MewsRequest):
    """Filters of ``serviceOrderNotes/getAll``; ``ServiceOrderIds`` (reservation or order
    ids) is required. ``Types`` defaults, on the Mews side, to General and ChannelManager."""

    service_order_ids: list[str]
    enterprise_ids: list[str] | None = None
    service_order_note_ids: list[str] | None = None
    updated_utc: TimeInterval | None = None
    types: list[str] | None = None


class ServiceOrderNotesPage(MewsModel):
    service_order_notes: list[ServiceOrderNote] | None = None
    cursor: str | None = None


__all__ = [
    "ServiceOrderNote",
    "ServiceOrderNoteType",
    "ServiceOrderNotesGetAll",
    "ServiceOrderNotesPage",
]
