"""The gateway's stay queries: one stay, the public view of a stay, the day lists (arrivals,
departures, in house), each answered for the caller (`query_rules.View`); and the hotels the
caller acts for."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from attendandt.contracts.caller import Caller
from attendandt.contracts.privacy import public_stay
from attendandt.contracts.rpc.guests import (
    PUBLIC_STAY_PERMISSIONS,
    DayStaysRequest,
    GetStayRequest,
    ListPropertiesRequest,
    PropertyList,
    PublicStay,
    PublicStayRequest,
    StayDetail,
    StayPage,
)
from attendandt.guests import property_repository as pr
from attendandt.guests import stay_read_repository as sr
from attendandt.guests import stored_stay_repository as ssr
from attendandt.guests.day_lists import DayList, HotelDay
from attendandt.guests.input_checks import hotel_zone, require_one_of, valid_uuid
from attendandt.guests.query_rules import (
    DEFAULT_ZONE,
    decode_cursor,
    encode_cursor,
    view_of,
    zone_of,
)
from attendandt.guests.stay_events import known_guests
from attendandt.guests.stay_notes import writes_of_stay
from attendandt.platform.db import snapshot
from attendandt.platform.rpc import Forbidden, Invalid, NotFound


class StayQueries:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Callable[[], datetime],
    ) -> None:
        self._sessions = sessions
        self._clock = clock

    async def get_stay(self, request: GetStayRequest, caller: Caller) -> StayDetail:
        view = view_of(caller)
        require_one_of(request.stay_id, request.mews_id, "stay_id and mews_id")
        stay_id = valid_uuid(request.stay_id, "stay_id") if request.stay_id else None
        missing = NotFound(f"no stay {request.stay_id or request.mews_id}")
        if not caller.may_act_for(request.enterprise_id):
            raise missing
        async with snapshot(self._sessions) as session:
            stay = await sr.find_stay(
                session,
                request.enterprise_id,
                stay_id=stay_id,
                mews_id=request.mews_id,
                vendor_id=view.vendor_id,
            )
            writes = await writes_of_stay(session, stay.stay_id) if stay and view.personal else ()
        if stay is None:
            raise missing
        return StayDetail(stay=view.stay(stay), note_writes=writes)

    async def public_stay(self, request: PublicStayRequest, caller: Caller) -> PublicStay:
        """The stay as its public event carries it, for a service whose copy lags: the
        owner answers, so what the caller was shown can be acted on at once."""
        missing = NotFound(f"no stay {request.stay_id}")
        if not caller.may_act_for(request.enterprise_id):
            raise missing
        if not any(caller.can(p) for p in PUBLIC_STAY_PERMISSIONS):
            raise Forbidden("only those who book or charge for a stay's guests may ask")
        stay_id = valid_uuid(request.stay_id, "stay_id")
        async with snapshot(self._sessions) as session:
            stored = await ssr.stay_snapshot(session, request.enterprise_id, stay_id)
            if stored is None:
                raise missing
            _, stay, _, customers = stored
            guest_ids = await known_guests(
                session, request.enterprise_id, [mews_id for mews_id, _ in customers]
            )
        return PublicStay(
            enterprise_id=request.enterprise_id,
            stay_id=stay_id,
            stay=public_stay(stay),
            guest_ids=guest_ids,
        )

    async def arrivals(self, request: DayStaysRequest, caller: Caller) -> StayPage:
        return await self._day(request, caller, "arrivals")

    async def departures(self, request: DayStaysRequest, caller: Caller) -> StayPage:
        return await self._day(request, caller, "departures")

    async def in_house(self, request: DayStaysRequest, caller: Caller) -> StayPage:
        return await self._day(request, caller, "in_house")

    async def list_properties(self, request: ListPropertiesRequest, caller: Caller) -> PropertyList:
        """The hotels the caller acts for (every known one for a portfolio-wide caller)."""
        async with self._sessions() as session:
            found = await pr.list_properties(session, caller.enterprise_ids)
        return PropertyList(items=tuple(found))

    async def _day(self, request: DayStaysRequest, caller: Caller, which: DayList) -> StayPage:
        view = view_of(caller)
        allowed = caller.may_act_for(request.enterprise_id)
        async with self._sessions() as session:
            # Another property's zone is not looked up: the answer must not tell it.
            zone = (
                await zone_of(session, request.enterprise_id, request.timezone)
                if allowed
                else request.timezone or DEFAULT_ZONE
            )
            day = HotelDay.of(request.date, hotel_zone(zone), self._clock())
            start, end = day.start_utc, day.end_utc
            after: sr.StayKey | None = None
            if request.cursor is not None:
                at, stay_id = decode_cursor(request.cursor, 2)
                try:
                    after = (datetime.fromisoformat(at), valid_uuid(stay_id, "cursor"))
                except ValueError as exc:
                    raise Invalid("cursor is not one this service gave out") from exc
            if not allowed:
                return StayPage(items=(), window_start_utc=start, window_end_utc=end, timezone=zone)
            found = await sr.day_stays(
                session,
                enterprise_id=request.enterprise_id,
                which=which,
                day=day,
                include_cancelled=request.include_cancelled,
                after=after,
                limit=request.limit + 1,
                vendor_id=view.vendor_id,
            )
        page = found[: request.limit]
        more = len(found) > request.limit
        return StayPage(
            items=tuple(view.stay(stay) for stay, _ in page),
            next_cursor=encode_cursor(page[-1][1]) if more else None,
            window_start_utc=start,
            window_end_utc=end,
            timezone=zone,
        )
