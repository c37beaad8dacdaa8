"""Is a period-over-period change real, or within day-to-day noise? (KPI-6)

A tile compares a KPI over the range with the comparison period. Days vary on their own, so a
change smaller than that variation says nothing. The test, per KPI:

- the **daily values** of each period are the KPI of each day (a day without delivery counts
  as 0 for a sum, and is left out for a ratio, which has no value on such a day);
- the change is compared on the **daily level**: for a sum, the mean per day of each period
  (total / days of the period); for a ratio, the period's own value (Σ / Σ);
- the **noise band** is ``Z × √(s₁²/n₁ + s₂²/n₂)``, the standard error of the difference of two
  means from the days' sample variances (Welch), with ``Z = 1.96`` (a 95 % two-sided band);
- the change is **within noise** when its size is inside the band. With fewer than
  :data:`MIN_DAYS` daily values in either period there is no verdict (``None``).

Days are treated as independent; weekly seasonality widens the band (a Monday-heavy KPI varies
more from day to day), which errs on the side of calling a change noise.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from decimal import Decimal
from statistics import variance
from typing import Final

from tokops.metrics.catalogue import Kpi

__all__ = ["MIN_DAYS", "Z", "within_noise"]

Z: Final = 1.96
MIN_DAYS: Final = 3

Daily = Mapping[dt.date, float | Decimal | int | None]


def _values(daily: Daily, start: dt.date, end: dt.date, fill_zero: bool) -> list[float]:
    days = (end - start).days + 1
    out: list[float] = []
    for i in range(days):
        value = daily.get(start + dt.timedelta(days=i))
        if value is None:
            if fill_zero:
                out.append(0.0)
        else:
            out.append(float(value))
    return out


def within_noise(
    kpi: Kpi,
    daily: Daily,
    current: tuple[dt.date, dt.date],
    previous: tuple[dt.date, dt.date],
    value: float | Decimal | int | None,
    before: float | Decimal | int | None,
) -> bool | None:
    """True when *value* vs *before* is within the day-to-day noise of *daily* (see the module).

    *daily* holds the KPI's value per day over both periods; *current* and *previous* are the
    periods as ``(first, last)`` days.
    """
    if value is None or before is None:
        return None
    is_sum = not kpi.denominator
    cur = _values(daily, *current, fill_zero=is_sum)
    prev = _values(daily, *previous, fill_zero=is_sum)
    if len(cur) < MIN_DAYS or len(prev) < MIN_DAYS:
        return None
    if is_sum:
        diff = float(value) / len(cur) - float(before) / len(prev)
    else:
        diff = float(value) - float(before)
    band = Z * math.sqrt(variance(cur) / len(cur) + variance(prev) / len(prev))
    if band == 0:
        return diff == 0
    return abs(diff) <= band or math.isclose(abs(diff), band)
