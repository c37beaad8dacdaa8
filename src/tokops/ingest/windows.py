"""Date windows sized so that report pages come back full (few calls per row).

A sync report with ``stat_time_day`` covers at most 30 days per request and pages by 1,000 rows
(``marketing_api.md`` §2.1, §1.3). Cutting a year into fixed 30-day windows wastes a nearly empty
last page on almost every window: an account with 167 ads delivering daily gives 5,010 rows per
30 days, i.e. 6 calls, where 29 days (4,843 rows) take 5.

:class:`WindowPlanner` predicts a window's rows as ``rate × activity``: *activity* counts, per
day, the objects that can deliver (e.g. the ads created by then — an account grows through the
year, and a prediction from last month alone would spill a page whenever new ads start), and
*rate* is learned from the windows already pulled (rows per unit of activity). It then picks the
next window's length (up to the cap) that needs the fewest calls for the whole remaining range —
counting each window's pages with a small margin for day-to-day variation — and, among those,
fills its pages best.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, timedelta
from itertools import accumulate
from typing import Final

from tokops.tiktok.marketing import DateWindow

__all__ = ["MARGIN", "WindowPlanner"]

MARGIN: Final = 0.015
"""Head room on the expected rows of a window, so a busier day does not spill a page."""


class WindowPlanner:
    """Consecutive windows covering *start*..*end*, oldest first, sized from observed rows."""

    def __init__(
        self,
        start: date,
        end: date,
        *,
        max_days: int,
        page_size: int = 1000,
        rate: float | None = None,
        activity: Callable[[date], float] | None = None,
        margin: float = MARGIN,
    ) -> None:
        if max_days < 1 or page_size < 1:
            raise ValueError("max_days and page_size must be positive")
        self.start = start
        self.next_day = start
        self.end = end
        self.max_days = max_days
        self.page_size = page_size
        self.margin = margin
        self.rate = rate
        """Rows per unit of activity (per day when no *activity* is given); learned."""
        days = max((end - start).days + 1, 0)
        weights = (
            max(activity(start + timedelta(i)), 0.0) if activity else 1.0 for i in range(days)
        )
        self._cum = [0.0, *accumulate(weights)]

    def _units(self, first: date, days: int) -> float:
        i = (first - self.start).days
        return self._cum[i + days] - self._cum[i]

    def _pages(self, first: date, days: int) -> int:
        rows = (self.rate or 0.0) * self._units(first, days)
        return max(1, math.ceil(rows * (1 + self.margin) / self.page_size))

    def _rest(self, first: date, days: int) -> int:
        """Calls the days from *first* on will take at best (pages, and one per window)."""
        if days <= 0:
            return 0
        return max(self._pages(first, days), math.ceil(days / self.max_days))

    def next(self) -> DateWindow | None:
        """The next window to pull (``None`` when the range is covered)."""
        if self.next_day > self.end:
            return None
        first = self.next_day
        remaining = (self.end - first).days + 1
        limit = min(self.max_days, remaining)
        days = limit
        if self.rate:
            best: tuple[int, float] | None = None
            for d in range(limit, 0, -1):
                pages = self._pages(first, d)
                calls = pages + self._rest(first + timedelta(d), remaining - d)
                fill = self.rate * self._units(first, d) / (pages * self.page_size)
                score = (calls, -round(fill, 3))  # fewest calls, then fullest pages, then longest
                if best is None or score < best:
                    best, days = score, d
        window = DateWindow(first, first + timedelta(days=days - 1))
        self.next_day = window.end + timedelta(days=1)
        return window

    def observed(self, window: DateWindow, rows: int) -> None:
        """Learn from a pulled window (the latest window weighs most)."""
        units = self._units(window.start, window.days)
        if units <= 0:
            return
        rate = rows / units
        self.rate = rate if self.rate is None else 0.7 * rate + 0.3 * self.rate
