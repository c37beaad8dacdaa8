"""Date windows cut to the sync report caps: 30 days daily, 1 day hourly, 365 otherwise (§2.1)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tokops.tiktok.marketing.report_windows import (
    DateWindow,
    chunk_window,
    max_days_for,
    report_windows,
)

DAILY = ("ad_id", "stat_time_day")
HOURLY = ("ad_id", "stat_time_hour")


def test_31_days_make_two_windows() -> None:
    windows = report_windows(date(2024, 1, 1), date(2024, 1, 31), DAILY)
    assert windows == [
        DateWindow(date(2024, 1, 1), date(2024, 1, 30)),
        DateWindow(date(2024, 1, 31), date(2024, 1, 31)),
    ]


def test_exactly_30_days_is_one_window() -> None:
    assert len(report_windows(date(2024, 1, 1), date(2024, 1, 30), DAILY)) == 1


def test_one_day_is_one_window() -> None:
    assert report_windows(date(2024, 5, 1), date(2024, 5, 1), DAILY) == [
        DateWindow(date(2024, 5, 1), date(2024, 5, 1))
    ]


def test_hourly_is_one_day_per_window() -> None:
    windows = report_windows(date(2024, 2, 28), date(2024, 3, 1), HOURLY)
    assert [(w.start, w.end) for w in windows] == [
        (date(2024, 2, 28), date(2024, 2, 28)),
        (date(2024, 2, 29), date(2024, 2, 29)),  # leap day kept
        (date(2024, 3, 1), date(2024, 3, 1)),
    ]


def test_month_and_year_boundaries() -> None:
    windows = report_windows(date(2023, 12, 15), date(2024, 2, 20), DAILY)
    assert windows[0] == DateWindow(date(2023, 12, 15), date(2024, 1, 13))
    assert windows[1] == DateWindow(date(2024, 1, 14), date(2024, 2, 12))
    assert windows[2] == DateWindow(date(2024, 2, 13), date(2024, 2, 20))


def test_no_time_dimension_allows_365_days() -> None:
    assert max_days_for(["campaign_id"]) == 365
    assert len(report_windows(date(2023, 1, 1), date(2023, 12, 31), ["campaign_id"])) == 1
    assert len(report_windows(date(2023, 1, 1), date(2024, 1, 1), ["campaign_id"])) == 2


def test_a_smaller_step_is_allowed_a_larger_one_is_not() -> None:
    assert len(report_windows(date(2024, 1, 1), date(2024, 1, 30), DAILY, max_days=7)) == 5
    with pytest.raises(ValueError, match="exceeds the API cap"):
        report_windows(date(2024, 1, 1), date(2024, 1, 2), HOURLY, max_days=2)


def test_reversed_dates_are_refused() -> None:
    with pytest.raises(ValueError, match="after end_date"):
        chunk_window(date(2024, 1, 2), date(2024, 1, 1), 30)


def test_halves_cover_the_window() -> None:
    a, b = DateWindow(date(2024, 1, 1), date(2024, 1, 5)).halves()
    assert (a, b) == (
        DateWindow(date(2024, 1, 1), date(2024, 1, 2)),
        DateWindow(date(2024, 1, 3), date(2024, 1, 5)),
    )
    with pytest.raises(ValueError):
        DateWindow(date(2024, 1, 1), date(2024, 1, 1)).halves()


@given(
    start=st.dates(min_value=date(2016, 9, 1), max_value=date(2030, 1, 1)),
    span=st.integers(min_value=0, max_value=800),
    cap=st.sampled_from([1, 7, 29, 30, 365]),
)
def test_windows_are_contiguous_capped_and_complete(start: date, span: int, cap: int) -> None:
    end = start + timedelta(days=span)
    windows = chunk_window(start, end, cap)
    assert windows[0].start == start and windows[-1].end == end
    assert all(w.days <= cap for w in windows)
    assert all(
        b.start == a.end + timedelta(days=1) for a, b in zip(windows, windows[1:], strict=False)
    )
    assert sum(w.days for w in windows) == span + 1
    assert len(windows) == -(-(span + 1) // cap)
