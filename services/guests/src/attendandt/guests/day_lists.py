"""The front desk's day lists, as a front office defines them (HOTEL.md, "Day lists"). This
module is the one place the rules are written; the stay repository (`stay_read_repository`)
turns them into SQL as they stand here and adds nothing of its own.

A date D is the hotel's local date: the day runs from the local midnight that starts D to the
one that starts D + 1 (23 or 25 hours across a DST change), in the hotel's IANA time zone.
"Today" is the local date of the service's clock in that zone, so whether D is past, today or
future is decided per request. A stay's night belongs to the date it starts: a guest checked in
on 3 Dec and leaving on 5 Dec is in house the nights of 3 and 4 Dec.

The states are Mews's (`Confirmed`, `Optional`, `Started` = checked in, `Processed` = checked
out, `Canceled`); `Inquired`, `Requested` and states we do not know are on no list.
"Checked in at" is Mews's `ActualStartUtc`, "checked out at" its `ActualEndUtc` (sync maps
both); where Mews gave none, the scheduled start or end stands in for it.

Arrivals of D (due in, and those already checked in):
    scheduled start on D, and state Confirmed, Optional or Started, whatever D is.
    A stay already checked out (Processed) is no arrival, even one that arrived and left on D:
    HOTEL.md names the states, and the front desk has nothing left to do for it. It is a
    departure of D if its scheduled end and its check-out are on D.

Departures of D (due out, and those already checked out):
    scheduled end on D, and either Started, or Processed and checked out on D;
    for a future D also Confirmed (a guest due in before D and out on D). Optional is not.
    A guest who left early while the scheduled end stayed later (checked out before the
    scheduled end's day) is on no day's departures: HOTEL.md and the issue ask for both the
    scheduled end on D and the check-out on D.

In house the night of D (checked in, still here):
    today:  exactly the Started stays, whatever their dates (a guest past their scheduled
            end is in house until checked out; one checked in early is in house now);
    past:   stays that were in house that night: checked in on or before D, and either still
            Started, or Processed and checked out after D (on D + 1 or later);
    future: the stays expected that night: Started ones (checked in on or before D) whose
            scheduled end is after D, and Confirmed or Optional ones whose scheduled nights
            include D (scheduled start on or before D, scheduled end after D).

Cancelled stays are on none of the lists. Asked to include them (`include_cancelled`), a list
adds the Canceled stays its dates would take: scheduled start on D (arrivals), scheduled end
on D (departures), scheduled nights including D (in house).

Known limits: a checked-out stay for which Mews gave no check-out time counts as in house
until its scheduled end on past days; no-shows (HOTEL.md) are not a list yet.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from attendandt.contracts.snapshots import StayState

DayList = Literal["arrivals", "departures", "in_house"]


class Moment(enum.StrEnum):
    """A time in a stay's life the rules compare with the day's bounds."""

    SCHEDULED_START = "scheduled_start"
    SCHEDULED_END = "scheduled_end"
    #: Mews `ActualStartUtc`, else the scheduled start.
    CHECKED_IN = "checked_in"
    #: Mews `ActualEndUtc`, else the scheduled end.
    CHECKED_OUT = "checked_out"


class Bound(enum.StrEnum):
    """The instants that bound the local date D, in UTC."""

    #: The local midnight that starts D.
    DAY_START = "day_start"
    #: The local midnight that starts D + 1 ("after D" means at or after it).
    DAY_END = "day_end"


@dataclass(frozen=True)
class Before:
    """`moment` is strictly before `bound` (a missing moment is before nothing)."""

    moment: Moment
    bound: Bound


@dataclass(frozen=True)
class AtOrAfter:
    """`moment` is at or after `bound` (a missing moment is after nothing)."""

    moment: Moment
    bound: Bound


Condition = Before | AtOrAfter


@dataclass(frozen=True)
class Clause:
    """A stay matches when its state is one of `states` and every condition holds."""

    states: frozenset[StayState]
    conditions: tuple[Condition, ...] = ()


def _on_d(moment: Moment) -> tuple[Condition, ...]:
    return (AtOrAfter(moment, Bound.DAY_START), Before(moment, Bound.DAY_END))


#: Checked in (or due in) on or before D: before the midnight that starts D + 1.
_IN_BY_D = Before(Moment.CHECKED_IN, Bound.DAY_END)
_SCHEDULED_NIGHT_OF_D = (
    Before(Moment.SCHEDULED_START, Bound.DAY_END),
    AtOrAfter(Moment.SCHEDULED_END, Bound.DAY_END),
)


def _states(*states: StayState) -> frozenset[StayState]:
    return frozenset(states)


@dataclass(frozen=True)
class HotelDay:
    """A local date D of a hotel, its bounds in UTC, and where it lies from the hotel's today."""

    day: date
    start_utc: datetime
    end_utc: datetime
    when: Literal["past", "today", "future"]

    @classmethod
    def of(cls, day: date, zone: ZoneInfo, now: datetime) -> HotelDay:
        start, end = local_day_bounds(day, zone)
        today = local_date(now, zone)
        when: Literal["past", "today", "future"] = (
            "past" if day < today else "today" if day == today else "future"
        )
        return cls(day=day, start_utc=start, end_utc=end, when=when)


def local_day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """From the local midnight of `day` to the next one, in UTC. A midnight inside a DST gap
    is read with the offset before the change, i.e. the instant the clocks jump."""
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    """The local date whose bounds hold `instant`. Usually the wall-clock date, but where the
    clocks go back across midnight the repeated hour after midnight belongs to the new day,
    as the bounds say, though the wall clock shows the day before."""
    day = instant.astimezone(zone).date()
    start, end = local_day_bounds(day, zone)
    if instant >= end:
        return day + timedelta(days=1)
    if instant < start:
        return day - timedelta(days=1)
    return day


def clauses(which: DayList, day: HotelDay, *, include_cancelled: bool = False) -> list[Clause]:
    """The list `which` of `day`: a stay is on it when it matches any clause."""
    found = _rules(which, day)
    if include_cancelled:
        found.append(Clause(_states(StayState.CANCELED), _cancelled_dates(which)))
    return found


def _rules(which: DayList, day: HotelDay) -> list[Clause]:
    if which == "arrivals":
        arriving = _states(StayState.CONFIRMED, StayState.OPTIONAL, StayState.STARTED)
        return [Clause(arriving, _on_d(Moment.SCHEDULED_START))]
    if which == "departures":
        due_out = {StayState.STARTED}
        if day.when == "future":
            due_out.add(StayState.CONFIRMED)
        return [
            Clause(frozenset(due_out), _on_d(Moment.SCHEDULED_END)),
            Clause(
                _states(StayState.PROCESSED),
                _on_d(Moment.SCHEDULED_END) + _on_d(Moment.CHECKED_OUT),
            ),
        ]
    if day.when == "today":
        return [Clause(_states(StayState.STARTED))]
    if day.when == "past":
        return [
            Clause(_states(StayState.STARTED), (_IN_BY_D,)),
            Clause(
                _states(StayState.PROCESSED),
                (_IN_BY_D, AtOrAfter(Moment.CHECKED_OUT, Bound.DAY_END)),
            ),
        ]
    return [
        Clause(
            _states(StayState.STARTED),
            (_IN_BY_D, AtOrAfter(Moment.SCHEDULED_END, Bound.DAY_END)),
        ),
        Clause(_states(StayState.CONFIRMED, StayState.OPTIONAL), _SCHEDULED_NIGHT_OF_D),
    ]


def _cancelled_dates(which: DayList) -> tuple[Condition, ...]:
    if which == "arrivals":
        return _on_d(Moment.SCHEDULED_START)
    if which == "departures":
        return _on_d(Moment.SCHEDULED_END)
    return _SCHEDULED_NIGHT_OF_D
