"""A delta is "within noise" when it is inside the day-to-day variation (KPI-6)."""

from __future__ import annotations

from datetime import date, timedelta

from tokops.metrics.catalogue import CATALOGUE
from tokops.reports.noise import within_noise

PREV = (date(2024, 5, 1), date(2024, 5, 7))
CUR = (date(2024, 5, 8), date(2024, 5, 14))


def _daily(prev: list[float], cur: list[float]) -> dict[date, float]:
    days = [PREV[0] + timedelta(days=i) for i in range(14)]
    return dict(zip(days, prev + cur, strict=True))


def test_a_steady_kpi_that_jumps_is_a_real_change() -> None:
    daily = _daily([100, 101, 99, 100, 100, 101, 99], [150, 151, 149, 150, 150, 151, 149])
    assert within_noise(CATALOGUE["spend"], daily, CUR, PREV, 1050, 700) is False


def test_a_jumpy_kpi_with_the_same_change_is_noise() -> None:
    daily = _daily([10, 190, 20, 180, 30, 170, 100], [60, 240, 70, 230, 80, 220, 150])
    assert within_noise(CATALOGUE["spend"], daily, CUR, PREV, 1050, 700) is True


def test_a_day_without_delivery_counts_as_zero_for_a_sum_and_is_skipped_for_a_ratio() -> None:
    daily = _daily([100, 100, 100, 100, 100, 100, 100], [100, 100, 100, 100, 100, 100, 100])
    del daily[CUR[0]]
    # sum: the missing day is a 0, so the week is 600 vs 700 with variation: no false alarm
    assert within_noise(CATALOGUE["spend"], daily, CUR, PREV, 600, 700) is True
    # ratio: the missing day has no CTR at all; the six others are flat and equal
    assert within_noise(CATALOGUE["ctr"], daily, CUR, PREV, 100, 100) is True
    assert within_noise(CATALOGUE["ctr"], daily, CUR, PREV, 101, 100) is False


def test_no_verdict_without_enough_days_or_values() -> None:
    daily = _daily([1.0] * 7, [2.0] * 7)
    short = (CUR[0], CUR[0] + timedelta(days=1))
    assert within_noise(CATALOGUE["spend"], daily, short, PREV, 4, 7) is None
    assert within_noise(CATALOGUE["spend"], daily, CUR, PREV, None, 7) is None
