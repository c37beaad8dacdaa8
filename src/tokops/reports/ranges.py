"""Report ranges: a named relative range or ``--from``/``--to``, with its comparison period (KPI-6).

Every relative range ends on the last **complete** day (yesterday, in UTC, unless the caller
gives another ``today``): a day still running would make every delta look like a drop.

==========================  =====================================  ==============================
name                        current period                         compared with
==========================  =====================================  ==============================
``last-7-complete-days``    the 7 days before today                the 7 days before those
``last-30-days``            the 30 days before today               the 30 days before those
``month-to-date``           the 1st of yesterday's month to        the same days of the month
                            yesterday                              before (cut at its last day)
``previous-month``          the whole month before yesterday's     the whole month before that
``--from D --to D``         D to D, both inclusive                 the period of equal length
                                                                   that ends the day before D
==========================  =====================================  ==============================

The comparison of ``--from``/``--to`` is the one ``tokops kpi --compare previous`` uses
(:func:`tokops.metrics.compare.previous_period`), so a tile's previous value equals what that
command prints for the same days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from tokops.errors import ConfigError
from tokops.metrics.compare import previous_period

__all__ = ["DEFAULT_RANGE", "RANGES", "ReportRange", "resolve_range"]

_DAY = dt.timedelta(days=1)
DEFAULT_RANGE: Final = "last-30-days"


@dataclass(frozen=True, slots=True)
class ReportRange:
    """The days a report shows (``start..end``, inclusive) and the days it compares them with."""

    name: str
    start: dt.date
    end: dt.date
    compare_start: dt.date
    compare_end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        return f"{self.start:%d %b %Y} – {self.end:%d %b %Y}"

    @property
    def compare_label(self) -> str:
        return f"{self.compare_start:%d %b %Y} – {self.compare_end:%d %b %Y}"


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _last_days(days: int, yesterday: dt.date, name: str) -> ReportRange:
    start = yesterday - dt.timedelta(days=days - 1)
    before = start - _DAY
    return ReportRange(name, start, yesterday, before - dt.timedelta(days=days - 1), before)


def _month_to_date(yesterday: dt.date) -> ReportRange:
    start = _month_start(yesterday)
    prev_start = _month_start(start - _DAY)
    prev_end = min(prev_start + (yesterday - start), start - _DAY)
    return ReportRange("month-to-date", start, yesterday, prev_start, prev_end)


def _previous_month(yesterday: dt.date) -> ReportRange:
    end = _month_start(yesterday) - _DAY
    start = _month_start(end)
    before_end = start - _DAY
    return ReportRange("previous-month", start, end, _month_start(before_end), before_end)


#: The relative ranges by name, each a function of yesterday (the last complete day).
RANGES: Final = {
    "last-7-complete-days": lambda y: _last_days(7, y, "last-7-complete-days"),
    "last-30-days": lambda y: _last_days(30, y, "last-30-days"),
    "month-to-date": _month_to_date,
    "previous-month": _previous_month,
}


def _today() -> dt.date:
    """Today in UTC (the day a relative range is counted back from)."""
    return dt.datetime.now(dt.UTC).date()


def resolve_range(
    name: str | None,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    today: dt.date | None = None,
) -> ReportRange:
    """The range called *name* (default :data:`DEFAULT_RANGE`), or ``start..end`` when given.

    ``--from``/``--to`` come together and exclude a named range.
    """
    if (start is None) != (end is None):
        raise ConfigError("--from and --to go together")
    if start is not None and end is not None:
        if name is not None:
            raise ConfigError("use either --range or --from/--to, not both")
        before_start, before_end = previous_period(start, end)
        return ReportRange("custom", start, end, before_start, before_end)
    chosen = name or DEFAULT_RANGE
    make = RANGES.get(chosen)
    if make is None:
        raise ConfigError(f"unknown range {chosen!r}; use one of: {', '.join(RANGES)}")
    yesterday = (today or _today()) - _DAY
    result: ReportRange = make(yesterday)
    return result
