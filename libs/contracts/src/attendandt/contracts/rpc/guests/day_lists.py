"""The hotel's day lists: arrivals, departures, in house (see the package doc for which stays
each holds)."""

from __future__ import annotations

from datetime import date, datetime

from attendandt.contracts.base import Payload, RpcMethod
from attendandt.contracts.rpc.guests.parts import Limit
from attendandt.contracts.rpc.guests.stays import StayView


class DayStaysRequest(Payload, frozen=True, kw_only=True):
    """Stays of one hotel day (see the module doc for what arrivals, departures and in house
    mean). Order: the scheduled start (departures: end), then stay id."""

    SCHEMA = "guests.day_stays_request"
    VERSION = 2
    enterprise_id: str
    date: date
    #: An IANA time zone, e.g. "Europe/Prague": the day's bounds are its midnights. None:
    #: the property's own zone (UTC while the property is not known yet).
    timezone: str | None = None
    include_cancelled: bool = False
    limit: Limit = 50
    cursor: str | None = None


class StayPage(Payload, frozen=True, kw_only=True):
    SCHEMA = "guests.stay_page"
    items: tuple[StayView, ...]
    next_cursor: str | None = None
    #: The UTC window the day was taken as.
    window_start_utc: datetime | None = None
    window_end_utc: datetime | None = None
    #: The IANA time zone the day was taken in (the property's unless the request named one).
    timezone: str | None = None


ARRIVALS = RpcMethod("guests", "arrivals", DayStaysRequest, StayPage)
DEPARTURES = RpcMethod("guests", "departures", DayStaysRequest, StayPage)
IN_HOUSE = RpcMethod("guests", "in_house", DayStaysRequest, StayPage)
