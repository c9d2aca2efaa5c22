"""Splitting one logical query into requests Mews accepts: id chunks and time windows.

Mews caps id filters (usually 1000 items, some 100, ``CompanyIds`` on ``customers/getAll`` 1) and
time-interval filters (3 months). ``expand`` turns a request that exceeds any cap into the
cartesian product of id chunks and time windows. Filters combine with AND, so every matching
entity falls into exactly one of the produced requests.
"""

from __future__ import annotations

import calendar
import itertools
from collections.abc import Hashable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

import msgspec

from .models.common import TimeInterval

T = TypeVar("T", bound=Hashable)
R = TypeVar("R", bound=msgspec.Struct)

DEFAULT_ID_LIMIT = 1000
DEFAULT_MAX_INTERVAL_MONTHS = 3


def unique(values: Iterable[T]) -> list[T]:
    """Values without repeats, first occurrence kept (ids from events arrive duplicated)."""
    return list(dict.fromkeys(values))


def chunked(values: Sequence[T], size: int) -> list[list[T]]:
    """Consecutive chunks of at most ``size`` items."""
    if size < 1:
        raise ValueError("chunk size must be >= 1")
    return [list(values[i : i + size]) for i in range(0, len(values), size)]


def id_batches(values: Iterable[T], size: int = DEFAULT_ID_LIMIT) -> list[list[T]]:
    """De-duplicated ids in chunks of at most ``size``."""
    return chunked(unique(values), size)


def add_months(value: datetime, months: int) -> datetime:
    """Calendar month arithmetic; the day is clamped to the target month (Jan 31 + 1 = Feb 28)."""
    index = value.month - 1 + months
    year = value.year + index // 12
    month = index % 12 + 1
    day = min(value.day, calendar.monthrange(year, month)[1])
    return value.replace(year=year, month=month, day=day)


def split_interval(
    interval: TimeInterval, *, max_months: int = DEFAULT_MAX_INTERVAL_MONTHS
) -> list[TimeInterval]:
    """Consecutive half-open windows of at most ``max_months`` covering ``interval``.

    Each window ends exactly where the next starts (``[a, b)``, ``[b, c)``...), which is gap- and
    overlap-free under the Mews half-open filter rule. Each window is measured from its own start
    (Nov 30 -> Feb 28 -> May 28), so none is longer than ``max_months`` calendar months. An
    exact-instant interval (start == end) is returned unchanged.
    """
    if max_months < 1:
        raise ValueError("max_months must be >= 1")
    start, end = interval.start_utc, interval.end_utc
    if add_months(start, max_months) >= end:
        return [interval]
    windows: list[TimeInterval] = []
    while start < end:
        stop = min(add_months(start, max_months), end)
        windows.append(TimeInterval(start, stop))
        start = stop
    return windows


def fixed_windows(
    start: datetime, end: datetime, size: timedelta
) -> list[tuple[datetime, datetime]]:
    """Consecutive half-open windows of ``size`` covering ``[start, end)`` exactly (the last
    one shorter): the steps a long sweep or backfill takes and records its progress after."""
    bounds: list[tuple[datetime, datetime]] = []
    cursor = start
    while cursor < end:
        upper = min(cursor + size, end)
        bounds.append((cursor, upper))
        cursor = upper
    return bounds


def expand(
    request: R,
    *,
    id_limits: Mapping[str, int],
    interval_fields: Iterable[str] = (),
    max_months: int = DEFAULT_MAX_INTERVAL_MONTHS,
) -> list[R]:
    """Requests equivalent to ``request`` that each respect the id and interval limits.

    ``id_limits`` maps attribute names of id/value list filters to their cap; lists are
    de-duplicated first. ``interval_fields`` names the time-interval filters to window.
    """
    dimensions: list[list[tuple[str, Any]]] = []
    for name, limit in id_limits.items():
        values = getattr(request, name)
        if values is None:
            continue
        batches = id_batches(values, limit)
        if not batches or batches == [list(values)]:
            continue
        dimensions.append([(name, batch) for batch in batches])
    for name in interval_fields:
        interval = getattr(request, name)
        if interval is None:
            continue
        windows = split_interval(interval, max_months=max_months)
        if len(windows) > 1:
            dimensions.append([(name, window) for window in windows])
    if not dimensions:
        return [request]
    return [
        msgspec.structs.replace(request, **dict(combination))
        for combination in itertools.product(*dimensions)
    ]


__all__ = [
    "DEFAULT_ID_LIMIT",
    "DEFAULT_MAX_INTERVAL_MONTHS",
    "add_months",
    "chunked",
    "expand",
    "fixed_windows",
    "id_batches",
    "split_interval",
    "unique",
]
