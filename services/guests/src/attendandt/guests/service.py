"""The guests service's use cases: apply Mews customers, reservations and rooms, record the vendor
events of a guest's timeline, answer the gateway's queries.

`GuestsService` is what the transport (consumers, RPC) calls; each concern is its own part:
sync's commands (`mews_upserts`), the vendor events (`vendor_events`), the guest and stay
queries (`guest_queries`, `stay_queries`, with what a caller may see in `query_rules`), guest
edits (`editing`), stay notes (`stay_notes`) and bills (`bills`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from attendandt.guests import property_repository as pr
from attendandt.guests.bills import StayBills
from attendandt.guests.editing import Editing
from attendandt.guests.guest_queries import GuestQueries
from attendandt.guests.mews_upserts import MewsUpserts
from attendandt.guests.stay_notes import StayNotes
from attendandt.guests.stay_queries import StayQueries
from attendandt.guests.vendor_events import VendorEvents

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    """A random (version 4) UUID, as `str(uuid.uuid4())` writes it, written directly (a
    batch of new guests asks for hundreds; the `UUID` object took twice as long)."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40  # version 4
    raw[8] = raw[8] & 0x3F | 0x80  # the RFC 4122 variant
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class GuestsService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Clock = utc_now,
        make_id: Callable[[], str] = new_id,
    ) -> None:
        self._sessions = sessions
        self.upserts = MewsUpserts(sessions, clock=clock, make_id=make_id)
        self.upsert_guest = self.upserts.upsert_guest
        self.upsert_guests = self.upserts.upsert_guests
        self.upsert_stays = self.upserts.upsert_stays
        self.upsert_stay = self.upserts.upsert_stay
        self.upsert_property = self.upserts.upsert_property
        self.upsert_room = self.upserts.upsert_room
        self.mews_versions = self.upserts.mews_versions
        self.vendor_events = VendorEvents(sessions, clock=clock)
        self.record_booking = self.vendor_events.record_booking
        self.record_charge = self.vendor_events.record_charge
        self.guest_queries = GuestQueries(sessions, clock=clock)
        self.search = self.guest_queries.search
        self.get_guest = self.guest_queries.get_guest
        self.stay_queries = StayQueries(sessions, clock=clock)
        self.get_stay = self.stay_queries.get_stay
        self.public_stay = self.stay_queries.public_stay
        self.arrivals = self.stay_queries.arrivals
        self.departures = self.stay_queries.departures
        self.in_house = self.stay_queries.in_house
        self.list_properties = self.stay_queries.list_properties
        self.editing = Editing(sessions, clock=clock, make_id=make_id)
        self.edit_guest = self.editing.edit_guest
        self.resolve_conflicts = self.editing.resolve_conflicts
        self.record_edit_result = self.editing.record_result
        self.edit_rules = self.editing.edit_rules
        self.set_edit_rules = self.editing.set_edit_rules
        self.bills = StayBills(sessions, clock=clock)
        self.upsert_stay_bill = self.bills.upsert
        self.stay_bill = self.bills.stay_bill
        self.stay_notes = StayNotes(sessions, clock=clock, make_id=make_id)
        self.write_stay_note = self.stay_notes.write_stay_note
        self.record_stay_note_result = self.stay_notes.record_result

    async def ready(self) -> bool:
        async with self._sessions() as session:
            return await pr.database_answers(session)
