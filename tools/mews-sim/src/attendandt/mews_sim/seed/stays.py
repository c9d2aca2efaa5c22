"""The seeded stays of one hotel: dates, states, front-office times and room states.

Everything is placed relative to the simulator's clock (`now`) and read in the hotel's own
time zone: "today" is the hotel's local date. Nothing happens after `now`: no check-in,
check-out, cancellation, creation or update is stamped in the future. States follow the
front office:

- stays that ended before today are `Processed` (some `Canceled`, a few as `NoShow`);
- stays leaving today are either checked out already (`Processed`, out between 06:00 local
  and now) or still due out (`Started`), both kinds whenever the hour allows;
- stays that arrived before today and leave after it are in house (`Started`);
- stays arriving today are either checked in already (`Started`, in before now) or due in
  (`Confirmed`/`Optional`), both kinds whenever the hour allows;
- future stays are `Confirmed`, `Optional`, `Inquired`, `Requested` or `Canceled`.

A backbone of never-cancelled stays gives every day from today-90 to today+180 at least one
arrival and one departure, and today at least three of each, so day lists are never empty.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PAST_DAYS = 90
FUTURE_DAYS = 180
# Arrivals in a block of BLOCK days leave, shuffled, on the days of the next block: every day
# gets an arrival and a departure, and stays last 1 to 2*BLOCK-1 nights.
BLOCK = 3
TODAY_EXTRA = 2
NIGHTS = ((1, 2, 3, 4, 5, 7, 10), (25, 25, 18, 12, 9, 8, 3))
NEEDS_ROOM = frozenset({"Processed", "DueOut", "Started", "DueIn", "Confirmed", "Optional"})
# Provisional states, settled once rooms are known.
DUE_OUT = "DueOut"
DUE_IN = "DueIn"
CANCEL_REASONS = (
    ("RequestedByGuest", 60),
    ("BookedElsewhere", 12),
    ("PriceTooHigh", 8),
    ("ForceMajeure", 5),
    ("InputError", 5),
    ("Other", 10),
)


NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass
class Stay:
    arrival: date
    departure: date
    category_id: str
    guaranteed: bool
    roll: float
    roll2: float
    state: str = ""
    reason: str | None = None
    room: str | None = None
    start: datetime = NEVER
    end: datetime = NEVER
    created: datetime = NEVER
    updated: datetime = NEVER
    actual_start: datetime | None = None
    actual_end: datetime | None = None
    cancelled: datetime | None = None


def local_time(day: date, hour: int, zone: ZoneInfo, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


def local_today(now: datetime, zone: ZoneInfo) -> date:
    return now.astimezone(zone).date()


def plan(
    rng: random.Random, count: int, today: date, categories: list[tuple[str, float]]
) -> list[Stay]:
    """`count` stays: the day-list backbone first (thinned out if `count` is too small for
    it), then stays on random days."""
    category_ids = [c for c, _ in categories]
    weights = [w for _, w in categories]

    def category() -> str:
        return rng.choices(category_ids, weights)[0]

    backbone: list[tuple[date, int]] = []
    for nights in range(1, TODAY_EXTRA + 1):
        backbone.append((today - timedelta(days=nights), nights))  # leaving today
        backbone.append((today, nights))  # arriving today
    first = today - timedelta(days=PAST_DAYS + BLOCK)
    total_days = PAST_DAYS + FUTURE_DAYS + BLOCK + 1
    for block_start in range(0, total_days, BLOCK):
        size = min(BLOCK, total_days - block_start)
        leaving = list(range(size))
        rng.shuffle(leaving)
        for i in range(size):
            backbone.append((first + timedelta(days=block_start + i), size + leaving[i] - i))
    if count < len(backbone):
        step = len(backbone) / max(count, 1)
        backbone = [backbone[int(k * step)] for k in range(count)]
    stays = [
        Stay(
            arrival, arrival + timedelta(days=nights), category(), True, rng.random(), rng.random()
        )
        for arrival, nights in backbone
    ]
    for _ in range(count - len(stays)):
        arrival = today + timedelta(days=rng.randint(-PAST_DAYS - 10, FUTURE_DAYS))
        nights = rng.choices(*NIGHTS)[0]
        stays.append(
            Stay(
                arrival,
                arrival + timedelta(days=nights),
                category(),
                False,
                rng.random(),
                rng.random(),
            )
        )
    return stays


def _cancel(stay: Stay, rng: random.Random) -> None:
    stay.state = "Canceled"
    stay.reason = rng.choices([r for r, _ in CANCEL_REASONS], [w for _, w in CANCEL_REASONS])[0]


def provisional_states(stays: list[Stay], today: date, rng: random.Random) -> None:
    for stay in stays:
        roll, keep = stay.roll, stay.guaranteed
        if stay.arrival < today and not keep and 0.05 <= roll < 0.08:
            stay.state, stay.reason = "Canceled", "NoShow"
        elif not keep and roll < (0.1 if stay.departure < today else 0.05):
            _cancel(stay, rng)
        elif stay.departure < today:
            stay.state = "Processed"
        elif stay.departure == today:
            stay.state = DUE_OUT
        elif stay.arrival < today:
            stay.state = "Started"
        elif stay.arrival == today:
            stay.state = DUE_IN
        elif keep:
            stay.state = "Confirmed" if roll < 0.9 else "Optional"
        else:
            stay.state = (
                "Confirmed"
                if roll < 0.70
                else "Optional"
                if roll < 0.78
                else "Inquired"
                if roll < 0.83
                else "Requested"
                if roll < 0.88
                else "Canceled"
            )
            if stay.state == "Canceled":
                _cancel(stay, rng)


def assign_rooms(stays: list[Stay], rooms_by_category: dict[str, list[str]]) -> None:
    """First free room of the requested category, the backbone first; a backbone stay may be
    upgraded to any free room. A past or current stay nobody could house never happened: it
    is cancelled; a future one simply has no room yet."""
    ordered = sorted(
        (s for s in stays if s.state in NEEDS_ROOM),
        key=lambda s: (not s.guaranteed, s.arrival, s.departure),
    )
    if not ordered:
        return
    base = min(s.arrival for s in ordered).toordinal()
    size = max(s.departure for s in ordered).toordinal() - base
    # One byte per room and night; per category, how many of its rooms each night is taken,
    # so a full category is known without looking at its rooms.
    taken = {r: bytearray(size) for rooms in rooms_by_category.values() for r in rooms}
    category_of = {r: c for c, rooms in rooms_by_category.items() for r in rooms}
    booked = {c: [0] * size for c in rooms_by_category}

    def place(stay: Stay, rooms: list[str], category: str) -> str | None:
        first, last = stay.arrival.toordinal() - base, stay.departure.toordinal() - base
        if max(booked[category][first:last]) >= len(rooms):
            return None
        return next((r for r in rooms if not any(taken[r][first:last])), None)

    for stay in ordered:
        room = None
        if stay.category_id in rooms_by_category:
            room = place(stay, rooms_by_category[stay.category_id], stay.category_id)
        if room is None and stay.guaranteed:
            room = next(
                (
                    found
                    for category, rooms in rooms_by_category.items()
                    if rooms and (found := place(stay, rooms, category))
                ),
                None,
            )
        if room is None:
            if stay.state not in ("Confirmed", "Optional"):
                stay.state, stay.reason = "Canceled", "ServiceNotAvailable"
            continue
        stay.room = room
        first, last = stay.arrival.toordinal() - base, stay.departure.toordinal() - base
        taken[room][first:last] = b"\x01" * (last - first)
        nights = booked[category_of[room]]
        for night in range(first, last):
            nights[night] += 1


def _window(
    now: datetime, today: date, zone: ZoneInfo, openings: tuple[int, ...]
) -> datetime | None:
    """When today's check-ins or check-outs began: the latest opening hour at least half an
    hour ago, else local midnight; None just after midnight (nothing can have happened)."""
    for hour in openings:
        opened = local_time(today, hour, zone)
        if now - opened >= timedelta(minutes=30):
            return opened
    midnight = local_time(today, 0, zone)
    return midnight if now - midnight >= timedelta(minutes=2) else None


def _split(count: int, fraction: float) -> int:
    """How many of `count` have happened: some of each kind whenever there are two or more."""
    if count < 2:
        return 1 if count == 1 and fraction >= 0.5 else 0
    return min(max(round(count * fraction), 1), count - 1)


def _times(rng: random.Random, count: int, opened: datetime, now: datetime) -> list[datetime]:
    span = (now - timedelta(minutes=1) - opened).total_seconds()
    return sorted(opened + timedelta(seconds=int(rng.random() * span)) for _ in range(count))


def settle_today(stays: list[Stay], now: datetime, zone: ZoneInfo, rng: random.Random) -> None:
    """Today's departures: checked out or due out; today's arrivals: checked in or due in."""
    today = local_today(now, zone)
    hours = (now.astimezone(zone) - datetime.combine(today, time(0), tzinfo=zone)).total_seconds()
    hours /= 3600
    leaving = sorted((s for s in stays if s.state == DUE_OUT), key=lambda s: s.roll)
    opened = _window(now, today, zone, (6,))
    done = _split(len(leaving), min(max((hours - 6) / 6, 0.2), 1.0)) if opened else 0
    out_times = _times(rng, done, opened, now) if opened else []
    for n, stay in enumerate(leaving):
        if n < done:
            stay.state = "Processed"
            stay.actual_end = out_times[n]
        else:
            stay.state = "Started"
    arriving = sorted((s for s in stays if s.state == DUE_IN), key=lambda s: s.roll)
    opened = _window(now, today, zone, (12, 8))
    done = _split(len(arriving), min(max((hours - 12) / 10, 0.2), 1.0)) if opened else 0
    in_times = _times(rng, done, opened, now) if opened else []
    for n, stay in enumerate(arriving):
        if n < done:
            stay.state = "Started"
            stay.actual_start = in_times[n]
        else:
            stay.state = "Optional" if stay.roll2 > 0.9 else "Confirmed"


def stamp(stays: list[Stay], now: datetime, zone: ZoneInfo) -> None:
    """Scheduled, actual, created, cancelled and updated times; none after `now`."""
    for stay in stays:
        roll, roll2 = stay.roll, stay.roll2
        stay.start = local_time(stay.arrival, 15, zone)
        stay.end = local_time(stay.departure, 12, zone)
        if stay.state in ("Started", "Processed") and stay.actual_start is None:
            # Arrived on a past day, between 14:00 and 21:00.
            stay.actual_start = local_time(stay.arrival, 14, zone) + timedelta(
                minutes=int(roll2 * 420)
            )
        if stay.state == "Processed" and stay.actual_end is None:
            # Left on a past day, between 07:00 and 11:30.
            stay.actual_end = local_time(stay.departure, 7, zone) + timedelta(
                minutes=int(roll2 * 270)
            )
        lead = timedelta(days=1 + roll2 * 150, minutes=int(roll2 * 1000))
        recent = now - timedelta(days=roll2 * 45, minutes=5 + int(roll * 600))
        created = min(stay.start - lead, recent)
        if stay.actual_start is not None:
            created = min(created, stay.actual_start - timedelta(minutes=30))
        stay.created = created
        if stay.state == "Canceled":
            if stay.reason == "NoShow":
                # Marked by the night audit of the arrival day.
                stay.cancelled = local_time(stay.arrival, 23, zone) + timedelta(
                    minutes=int(roll2 * 50)
                )
            else:
                until = min(stay.start, now)
                stay.cancelled = created + (until - created) * (0.1 + 0.8 * roll2)
            stay.cancelled = stay.cancelled.replace(microsecond=0)
        moments = [t for t in (created, stay.actual_start, stay.actual_end, stay.cancelled) if t]
        stay.updated = max(moments)
        if stay.state in ("Confirmed", "Optional", "Inquired", "Requested") and roll2 < 0.5:
            stay.updated = max(created, now - timedelta(days=roll2 * 60))


def _occupancy(
    stays: list[Stay], today: date
) -> tuple[dict[str, Stay], dict[str, datetime], set[str]]:
    """Rooms with a guest in house, rooms left today (when), rooms due in today."""
    occupied: dict[str, Stay] = {}
    left_today: dict[str, datetime] = {}
    due_in: set[str] = set()
    for stay in stays:
        if stay.room is None:
            continue
        if stay.state == "Started":
            occupied[stay.room] = stay
        elif stay.state == "Processed" and stay.actual_end and stay.departure == today:
            left_today[stay.room] = max(stay.actual_end, left_today.get(stay.room, stay.actual_end))
        elif stay.state in ("Confirmed", "Optional") and stay.arrival == today:
            due_in.add(stay.room)
    return occupied, left_today, due_in


def room_states(
    stays: list[Stay], rooms: list[str], now: datetime, zone: ZoneInfo, rng: random.Random
) -> dict[str, tuple[str, datetime]]:
    """Housekeeping consistent with occupancy: a room left today is dirty, an occupied room
    clean or waiting for service, a room due in today mostly ready, a few rooms out of order
    or out of service among the empty ones."""
    today = local_today(now, zone)
    hour = now.astimezone(zone).hour
    occupied, left_today, due_in = _occupancy(stays, today)
    empty = [r for r in rooms if r not in occupied and r not in left_today and r not in due_in]
    out_of_order = set(rng.sample(empty, min(len(empty) // 4, max(1, len(rooms) // 40))))
    spare = [r for r in empty if r not in out_of_order]
    out_of_service = set(rng.sample(spare, min(len(spare) // 4, max(1, len(rooms) // 30))))
    serviced = min(max((hour - 9) / 6, 0.1), 0.9)
    states: dict[str, tuple[str, datetime]] = {}
    for room in rooms:
        earlier = now - timedelta(minutes=rng.randint(10, 60 * 24 * 20))
        stay = occupied.get(room)
        if stay is not None and stay.actual_start is not None:
            if stay.actual_start.astimezone(zone).date() == today:
                states[room] = ("Clean" if rng.random() < 0.7 else "Inspected", stay.actual_start)
            else:
                state = "Clean" if rng.random() < serviced else "Dirty"
                states[room] = (state, max(earlier, stay.actual_start))
        elif room in left_today:
            states[room] = ("Dirty", left_today[room])
        elif room in due_in:
            state = rng.choices(("Inspected", "Clean", "Dirty"), (55, 35, 10))[0]
            states[room] = (state, earlier)
        elif room in out_of_order:
            states[room] = ("OutOfOrder", earlier)
        elif room in out_of_service:
            states[room] = ("OutOfService", earlier)
        else:
            states[room] = (rng.choices(("Clean", "Inspected", "Dirty"), (50, 35, 15))[0], earlier)
    return states
