"""``serviceOrderNotes/getAll``, ``/add`` and ``/update``: the notes on reservations (and
product orders)."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from .common import MewsModel, MewsRequest, StringUpdateValue, TimeInterval


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


class ServiceOrderNoteParameters(MewsRequest):
    service_order_id: str
    text: str


class ServiceOrderNotesAdd(MewsRequest):
    """``serviceOrderNotes/add``: up to 1000 notes, each on a reservation or order."""

    service_order_notes: list[ServiceOrderNoteParameters]


class ServiceOrderNoteUpdateParameters(MewsRequest):
    service_order_note_id: str
    #: Omitted: the text stays as it is.
    text: StringUpdateValue | None = None


class ServiceOrderNotesUpdate(MewsRequest):
    """``serviceOrderNotes/update``: up to 1000 notes' new texts."""

    service_order_note_updates: list[ServiceOrderNoteUpdateParameters]


class ServiceOrderNotesResult(MewsModel):
    """The answer of ``serviceOrderNotes/add`` and ``/update``: the notes as Mews holds them."""

    service_order_notes: list[ServiceOrderNote] | None = None


__all__ = [
    "ServiceOrderNote",
    "ServiceOrderNoteParameters",
    "ServiceOrderNoteType",
    "ServiceOrderNoteUpdateParameters",
    "ServiceOrderNotesAdd",
    "ServiceOrderNotesGetAll",
    "ServiceOrderNotesPage",
    "ServiceOrderNotesResult",
    "ServiceOrderNotesUpdate",
]
