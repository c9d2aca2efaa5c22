"""UTC time in the Mews wire format (`YYYY-MM-DDThh:mm:ssZ`).

Timestamps are kept as canonical strings: with a fixed width and a `Z` suffix they sort and
compare lexicographically in time order, so filters compare strings without parsing.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime

WIRE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def fmt(value: datetime) -> str:
    return value.astimezone(UTC).strftime(WIRE_FORMAT)


def now_str() -> str:
    return fmt(now())


def parse(value: str) -> datetime:
    """Parse an ISO 8601 date-time; naive values are taken as UTC. Raises ValueError."""
    text = value.strip()
    if len(text) < 10 or len(text) > 40:
        raise ValueError("not a date-time")
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def add_months(value: datetime, months: int) -> datetime:
    month_index = value.month - 1 + months
    year = value.year + month_index // 12
    month = month_index % 12 + 1
    day = min(value.day, calendar.monthrange(year, month)[1])
    return value.replace(year=year, month=month, day=day)


def later_than(previous: str | None) -> str:
    """A fresh `UpdatedUtc`: the time of the change, as Mews stamps it.

    Never in the future: a client sweeping `UpdatedUtc` up to Mews's `NowUtc` must see every
    change made before that moment. With whole seconds on the wire, two changes within one
    second share a value, as they can in Mews; clients must not treat (Id, UpdatedUtc) as
    unique before that second is over. `previous` only guards against a clock stepping back.
    """
    current = now()
    if previous is not None:
        current = max(current, parse(previous))
    return fmt(current)
