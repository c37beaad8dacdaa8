"""Report ranges end on the last complete day and carry their comparison period (KPI-6)."""

from __future__ import annotations

from datetime import date

import pytest

from tokops.errors import ConfigError
from tokops.reports.ranges import RANGES, resolve_range

TODAY = date(2024, 3, 15)  # a leap year: February has 29 days


@pytest.mark.parametrize(
    ("name", "current", "previous"),
    [
        ("last-7-complete-days", ("2024-03-08", "2024-03-14"), ("2024-03-01", "2024-03-07")),
        ("last-30-days", ("2024-02-14", "2024-03-14"), ("2024-01-15", "2024-02-13")),
        ("month-to-date", ("2024-03-01", "2024-03-14"), ("2024-02-01", "2024-02-14")),
        ("previous-month", ("2024-02-01", "2024-02-29"), ("2024-01-01", "2024-01-31")),
    ],
)
def test_named_ranges(name: str, current: tuple[str, str], previous: tuple[str, str]) -> None:
    r = resolve_range(name, today=TODAY)
    assert (r.start.isoformat(), r.end.isoformat()) == current
    assert (r.compare_start.isoformat(), r.compare_end.isoformat()) == previous
    assert r.name == name


def test_month_to_date_on_the_first_covers_the_whole_month_before() -> None:
    r = resolve_range("month-to-date", today=date(2024, 4, 1))  # yesterday is 31 March
    assert (r.start, r.end) == (date(2024, 3, 1), date(2024, 3, 31))
    assert (r.compare_start, r.compare_end) == (date(2024, 2, 1), date(2024, 2, 29))


def test_custom_range_compares_with_the_period_before_like_tokops_kpi() -> None:
    r = resolve_range(None, start=date(2024, 5, 1), end=date(2024, 5, 7))
    assert (r.compare_start, r.compare_end) == (date(2024, 4, 24), date(2024, 4, 30))
    assert r.days == 7 and r.name == "custom"


def test_default_is_last_30_days() -> None:
    assert resolve_range(None, today=TODAY) == RANGES["last-30-days"](date(2024, 3, 14))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "last-year"}, "unknown range 'last-year'"),
        ({"name": None, "start": date(2024, 5, 1)}, "--from and --to go together"),
        ({"name": "last-30-days", "start": date(2024, 5, 1), "end": date(2024, 5, 2)}, "either"),
        ({"name": None, "start": date(2024, 5, 2), "end": date(2024, 5, 1)}, "before it starts"),
    ],
)
def test_bad_ranges_are_config_errors(kwargs: dict[str, object], message: str) -> None:
    name = kwargs.pop("name")
    with pytest.raises(ConfigError, match=message):
        resolve_range(name, **kwargs, today=TODAY)  # type: ignore[arg-type]
