"""The simulator's clock, and UTC time in the Mews wire format (`YYYY-MM-DDThh:mm:ssZ`).

Timestamps are kept as canonical strings: with a fixed width and a `Z` suffix they sort and
compare lexicographically in time order, so filters compare strings without parsing.

The clock follows real time unless set: a test can put the hotel at a chosen moment (for
example 10:00 in London, when some guests have checked out and others are still due out).
Set, it keeps ticking from that moment, or stands still when frozen. One simulator runs per
process, so the clock is process-wide.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

WIRE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


@dataclass
class _Setting:
    offset: timedelta = timedelta(0)
    frozen_at: datetime | None = None


_setting = _Setting()


def real_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def now() -> datetime:
    if _setting.frozen_at is not None:
        return _setting.frozen_at
    return (datetime.now(UTC) + _setting.offset).replace(microsecond=0)


def set_now(at: datetime | None, *, frozen: bool = False) -> None:
    """Make the clock read `at` from now on (ticking, or standing still if `frozen`);
    `None` returns it to real time."""
    if at is None:
        _setting.offset = timedelta(0)
        _setting.frozen_at = None
        return
    at = at.astimezone(UTC).replace(microsecond=0)
    _setting.offset = at - datetime.now(UTC)
    _setting.frozen_at = at if frozen else None


def is_frozen() -> bool:
    return _setting.frozen_at is not None


def describe() -> dict[str, Any]:
    return {
        "now_utc": now_str(),
        "real_now_utc": fmt(real_now()),
        "frozen": is_frozen(),
        "set": _setting.frozen_at is not None or _setting.offset != timedelta(0),
    }


@contextmanager
def fixed(at: datetime) -> Iterator[None]:
    """The clock frozen at `at` for the duration (in-process tests)."""
    previous = _Setting(_setting.offset, _setting.frozen_at)
    set_now(at, frozen=True)
    try:
        yield
    finally:
        _setting.offset = previous.offset
        _setting.frozen_at = previous.frozen_at


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
