"""The gateway's guest queries: a search page and one guest with their stays, timeline and
edits, each answered for the caller (`query_rules.View`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from attendandt.contracts.caller import Caller
from attendandt.contracts.rpc.guests import (
    GetGuestRequest,
    GuestDetail,
    GuestPage,
    SearchGuestsRequest,
    TimelineEntry,
)
from attendandt.guests import edit_repository as er
from attendandt.guests import guest_read_repository as gr
from attendandt.guests import stay_read_repository as sr
from attendandt.guests import timeline_repository as tr
from attendandt.guests.day_lists import local_date, local_day_bounds
from attendandt.guests.editing import SETTLED_SHOWN
from attendandt.guests.input_checks import hotel_zone, require_one_of, valid_uuid
from attendandt.guests.query_rules import decode_cursor, encode_cursor, view_of, zone_of
from attendandt.platform.db import snapshot
from attendandt.platform.rpc import NotFound

_PHONE_CHARS = re.compile(r"^[\d\s+()./\-]+$")
#: A phone search needs this many digits: fewer would match half the hotel.
PHONE_MIN_DIGITS = 5


def parse_search(
    query: str, *, personal: bool = True, today_ends: datetime | None = None
) -> gr.GuestSearch | None:
    """What a search box query can mean (None: list everyone). Without `personal` (a
    vendor's search) it never matches an email or a phone: a hit would reveal them.
    `today_ends`: the hotel's next midnight, until which a stay due in counts as in its room."""
    typed = " ".join(query.split())
    if not typed:
        return None
    lowered = typed.lower()
    words = lowered.split(" ")
    pairs: list[tuple[str, str]] = []
    if len(words) > 1:
        pairs.append((" ".join(words[:-1]), words[-1]))
        if len(words) > 2:
            pairs.append((words[0], " ".join(words[1:])))
    digits = re.sub(r"\D", "", typed)
    phone = None
    if personal and len(digits) >= PHONE_MIN_DIGITS and _PHONE_CHARS.match(typed):
        phone = digits[::-1]
    return gr.GuestSearch(
        prefix=lowered,
        name_pairs=tuple(pairs),
        phone_reversed=phone,
        room_or_number=None if "@" in typed else typed,
        email=personal,
        today_ends=today_ends,
    )


class GuestQueries:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Callable[[], datetime],
    ) -> None:
        self._sessions = sessions
        self._clock = clock

    async def search(self, request: SearchGuestsRequest, caller: Caller) -> GuestPage:
        view = view_of(caller)
        after: gr.GuestKey | None = None
        if request.cursor is not None:
            last, first, guest_id = decode_cursor(request.cursor, 3)
            after = (last, first, valid_uuid(guest_id, "cursor"))
        if request.timezone is not None:
            hotel_zone(request.timezone)  # a zone that does not exist is refused to anyone
        if not caller.may_act_for(request.enterprise_id):
            return GuestPage(items=())
        now = self._clock()
        async with self._sessions() as session:
            zone = hotel_zone(await zone_of(session, request.enterprise_id, request.timezone))
            today_ends = local_day_bounds(local_date(now, zone), zone)[1]
            found = await gr.search_guests(
                session,
                enterprise_id=request.enterprise_id,
                search=parse_search(request.query, personal=view.personal, today_ends=today_ends),
                include_inactive=request.include_inactive,
                after=after,
                limit=request.limit + 1,
                now=now,
                vendor_id=view.vendor_id,
            )
        page = found[: request.limit]
        more = len(found) > request.limit
        return GuestPage(
            items=tuple(view.guest(guest) for guest, _ in page),
            next_cursor=encode_cursor(page[-1][1]) if more else None,
        )

    async def get_guest(self, request: GetGuestRequest, caller: Caller) -> GuestDetail:
        view = view_of(caller)
        require_one_of(request.guest_id, request.mews_id, "guest_id and mews_id")
        guest_id = valid_uuid(request.guest_id, "guest_id") if request.guest_id else None
        missing = NotFound(f"no guest {request.guest_id or request.mews_id}")
        if not caller.may_act_for(request.enterprise_id):
            raise missing
        # One snapshot: the guest's sync state and its edits' states agree.
        async with snapshot(self._sessions) as session:
            guest = await gr.find_guest(
                session,
                request.enterprise_id,
                guest_id=guest_id,
                mews_id=request.mews_id,
                vendor_id=view.vendor_id,
            )
            if guest is None:
                raise missing
            stays = await sr.stays_of_guest(
                session,
                request.enterprise_id,
                guest.mews_id,
                request.stays_limit,
                vendor_id=view.vendor_id,
            )
            if not view.personal:
                return GuestDetail(
                    guest=view.guest(guest), stays=tuple(view.stay(s) for s in stays)
                )
            vendor_entries = await tr.timeline_of_guest(
                session, request.enterprise_id, guest.guest_id, request.timeline_limit
            )
            edits = await er.edits_of_guest(
                session, request.enterprise_id, guest.guest_id, SETTLED_SHOWN
            )
        stay_entries = [
            TimelineEntry(
                kind="stay",
                at=at,
                event=stay.state.value,
                ref_id=stay.stay_id,
                stay_id=stay.stay_id,
            )
            for stay in stays
            if (at := stay.actual_start_utc or stay.scheduled_start_utc) is not None
        ]
        merged = sorted([*stay_entries, *vendor_entries], key=lambda e: e.at, reverse=True)
        return GuestDetail(
            guest=guest,
            stays=tuple(stays),
            timeline=tuple(merged[: request.timeline_limit]),
            edits=tuple(edits),
        )
