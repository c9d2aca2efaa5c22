"""Id chunks and time windows: pure functions, no I/O."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from attendandt.mews.batching import (
    add_months,
    chunked,
    expand,
    id_batches,
    split_interval,
    unique,
)
from attendandt.mews.models import (
    CompaniesGetAll,
    CustomersGetAll,
    OrderItemsGetAll,
    ReservationsGetAll,
    TimeInterval,
)
from attendandt.mews.operations import (
    COMPANIES_GET_ALL,
    CUSTOMERS_GET_ALL,
    ORDER_ITEMS_GET_ALL,
    RESERVATIONS_GET_ALL,
)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_unique_keeps_first_occurrence_order() -> None:
    assert unique(["b", "a", "b", "c", "a"]) == ["b", "a", "c"]


def test_chunked_sizes_and_rejects_zero() -> None:
    assert chunked(list(range(7)), 3) == [[0, 1, 2], [3, 4, 5], [6]]
    assert chunked([], 3) == []
    with pytest.raises(ValueError, match="chunk size"):
        chunked([1], 0)


def test_id_batches_deduplicates_before_chunking() -> None:
    ids = [f"id-{i % 1500}" for i in range(3000)]  # every id twice
    batches = id_batches(ids, 1000)
    assert [len(b) for b in batches] == [1000, 500]
    assert len({i for b in batches for i in b}) == 1500


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (utc(2024, 1, 31, 5), 1, utc(2024, 2, 29, 5)),
        (utc(2023, 1, 31), 1, utc(2023, 2, 28)),
        (utc(2023, 11, 30), 3, utc(2024, 2, 29)),
        (utc(2023, 12, 15), 1, utc(2024, 1, 15)),
        (utc(2023, 5, 1), 12, utc(2024, 5, 1)),
    ],
)
def test_add_months_clamps_day(start: datetime, months: int, expected: datetime) -> None:
    assert add_months(start, months) == expected


def test_short_interval_is_not_split() -> None:
    interval = TimeInterval(utc(2024, 1, 1), utc(2024, 4, 1))  # exactly three months
    assert split_interval(interval) == [interval]


def test_exact_instant_interval_is_kept() -> None:
    interval = TimeInterval(utc(2024, 1, 1), utc(2024, 1, 1))
    assert split_interval(interval) == [interval]


def test_long_interval_splits_into_shared_boundary_windows() -> None:
    start, end = utc(2023, 11, 30, 12), utc(2024, 11, 2, 8, 30)
    windows = split_interval(TimeInterval(start, end))
    assert windows[0].start_utc == start
    assert windows[-1].end_utc == end
    for left, right in itertools.pairwise(windows):
        assert left.end_utc == right.start_utc  # no gap, no overlap under [start, end)
    for window in windows:
        assert window.start_utc < window.end_utc
        assert window.end_utc <= add_months(window.start_utc, 3)
    assert [w.start_utc for w in windows] == [
        utc(2023, 11, 30, 12),
        utc(2024, 2, 29, 12),
        utc(2024, 5, 29, 12),
        utc(2024, 8, 29, 12),
    ]


def test_every_instant_falls_in_exactly_one_window() -> None:
    start, end = utc(2022, 1, 1), utc(2023, 3, 15)
    windows = split_interval(TimeInterval(start, end), max_months=2)
    probe = start
    while probe < end:
        hits = [w for w in windows if w.start_utc <= probe < w.end_utc]
        assert len(hits) == 1, probe
        probe += timedelta(days=3, hours=7)


def test_interval_widens_to_whole_seconds_and_rejects_naive() -> None:
    interval = TimeInterval(
        datetime(2024, 1, 1, 0, 0, 0, 500_000, tzinfo=UTC),
        datetime(2024, 1, 2, 0, 0, 0, 1, tzinfo=UTC),
    )
    assert interval.start_utc == utc(2024, 1, 1)
    assert interval.end_utc == utc(2024, 1, 2) + timedelta(seconds=1)
    with pytest.raises(ValueError, match="naive"):
        TimeInterval(datetime(2024, 1, 1), utc(2024, 1, 2))
    with pytest.raises(ValueError, match="before"):
        TimeInterval(utc(2024, 1, 2), utc(2024, 1, 1))


def test_expand_leaves_a_request_within_limits_alone() -> None:
    request = CustomersGetAll(customer_ids=["a", "b"])
    assert expand(request, id_limits=CUSTOMERS_GET_ALL.id_limits) == [request]


def test_expand_splits_company_ids_one_per_request() -> None:
    request = CustomersGetAll(company_ids=["c1", "c2", "c3"])
    parts = expand(request, id_limits=CUSTOMERS_GET_ALL.id_limits)
    assert [p.company_ids for p in parts] == [["c1"], ["c2"], ["c3"]]


def test_expand_splits_account_ids_at_100_on_order_items() -> None:
    ids = [f"a{i}" for i in range(250)]
    parts = expand(OrderItemsGetAll(account_ids=ids), id_limits=ORDER_ITEMS_GET_ALL.id_limits)
    assert [len(p.account_ids or []) for p in parts] == [100, 100, 50]
    assert [i for p in parts for i in p.account_ids or []] == ids


def test_expand_is_the_product_of_id_batches_and_windows() -> None:
    ids = [f"r{i}" for i in range(1001)]
    interval = TimeInterval(utc(2024, 1, 1), utc(2024, 12, 1))
    request = ReservationsGetAll(reservation_ids=ids, updated_utc=interval, states=["Confirmed"])
    parts = expand(
        request,
        id_limits=RESERVATIONS_GET_ALL.id_limits,
        interval_fields=RESERVATIONS_GET_ALL.interval_fields,
    )
    assert len(parts) == 2 * 4
    combos = {(tuple(p.reservation_ids or []), p.updated_utc.start_utc) for p in parts}  # type: ignore[union-attr]
    assert len(combos) == 8
    assert all(p.states == ["Confirmed"] for p in parts)


def test_expand_keeps_small_lists_as_given_but_deduplicates_long_ones() -> None:
    request = CustomersGetAll(customer_ids=["x", "x"])
    (part,) = expand(request, id_limits=CUSTOMERS_GET_ALL.id_limits)
    assert part.customer_ids == ["x"]


def test_company_ids_split_at_1000_and_updated_ranges_at_three_months() -> None:
    ids = [f"c{i}" for i in range(2500)]
    interval = TimeInterval(utc(2025, 1, 1), utc(2025, 8, 1))
    parts = expand(
        CompaniesGetAll(ids=ids, updated_utc=interval),
        id_limits=COMPANIES_GET_ALL.id_limits,
        interval_fields=COMPANIES_GET_ALL.interval_fields,
    )
    assert len(parts) == 3 * 3  # 1000 + 1000 + 500 ids, Jan-Apr, Apr-Jul, Jul-Aug
    assert sorted({len(p.ids or []) for p in parts}) == [500, 1000]
    assert {i for p in parts for i in p.ids or []} == set(ids)
    windows = sorted({(p.updated_utc.start_utc, p.updated_utc.end_utc) for p in parts})  # type: ignore[union-attr]
    assert windows[0][0] == utc(2025, 1, 1)
    assert windows[-1][1] == utc(2025, 8, 1)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(windows))
