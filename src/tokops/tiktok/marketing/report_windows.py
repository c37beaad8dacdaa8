"""Date windows for synchronous reports, cut to the API's caps (``marketing_api.md`` §2.1).

``start_date`` and ``end_date`` are both inclusive and are days **in the ad account's time zone**
(§2.1; Airbyte's off-by-one for accounts ahead of UTC, §7.2). The sync endpoint refuses, with
40002, a range longer than:

- **30 days** when ``stat_time_day`` is a dimension,
- **1 day** (``start_date == end_date``) when ``stat_time_hour`` is a dimension,
- **365 days** without a time dimension.

Async tasks have no limit (§2.5) and lifetime queries take no dates. GMV Max reports use the same
three caps (§2.8).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

__all__ = [
    "DAILY_MAX_DAYS",
    "HOURLY_MAX_DAYS",
    "OTHER_MAX_DAYS",
    "DateWindow",
    "chunk_window",
    "max_days_for",
    "report_windows",
]

DAILY_MAX_DAYS: Final = 30
HOURLY_MAX_DAYS: Final = 1
OTHER_MAX_DAYS: Final = 365


@dataclass(frozen=True, order=True)
class DateWindow:
    """An inclusive range of days in the ad account's time zone."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"start_date {self.start} is after end_date {self.end}")

    @property
    def days(self) -> int:
        """Number of days covered, both ends included."""
        return (self.end - self.start).days + 1

    def halves(self) -> tuple[DateWindow, DateWindow]:
        """Two windows covering this one (for a 40067 "query too large" retry); needs ≥ 2 days."""
        if self.days < 2:
            raise ValueError("a one-day window cannot be split")
        mid = self.start + timedelta(days=self.days // 2 - 1)
        return DateWindow(self.start, mid), DateWindow(mid + timedelta(days=1), self.end)

    def wire(self) -> dict[str, str]:
        """The ``start_date`` / ``end_date`` parameters (``YYYY-MM-DD``)."""
        return {"start_date": self.start.isoformat(), "end_date": self.end.isoformat()}


def max_days_for(dimensions: Iterable[str]) -> int:
    """The longest window the sync report accepts for these dimensions (§2.1)."""
    dims = set(dimensions)
    if "stat_time_hour" in dims:
        return HOURLY_MAX_DAYS
    if "stat_time_day" in dims:
        return DAILY_MAX_DAYS
    return OTHER_MAX_DAYS


def chunk_window(start: date, end: date, max_days: int) -> list[DateWindow]:
    """Consecutive, non-overlapping windows of at most *max_days* days covering start..end."""
    if max_days < 1:
        raise ValueError("max_days must be at least 1")
    whole = DateWindow(start, end)  # validates the order
    out: list[DateWindow] = []
    cursor = whole.start
    step = timedelta(days=max_days - 1)
    while cursor <= whole.end:
        last = min(cursor + step, whole.end)
        out.append(DateWindow(cursor, last))
        cursor = last + timedelta(days=1)
    return out


def report_windows(
    start: date, end: date, dimensions: Iterable[str], *, max_days: int | None = None
) -> list[DateWindow]:
    """Windows for a sync report: the API cap for *dimensions*, or a smaller *max_days*.

    A smaller step is the documented workaround for 40067 "query too large" (Airbyte's
    ``report_date_step``, §1.5); a larger one than the cap is refused.
    """
    cap = max_days_for(dimensions)
    if max_days is not None and max_days > cap:
        raise ValueError(f"max_days {max_days} exceeds the API cap of {cap} days")
    return chunk_window(start, end, max_days or cap)
