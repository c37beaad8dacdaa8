"""Local days and hours in an ad account's time zone, and the audience's activity by hour.

Report days are the ad account's calendar days (``marketing_api.md`` §2.1, "days in the
advertiser's time zone"); ``stat_time_hour`` is local wall-clock time. A day is the span from
local midnight to the next local midnight, so DST days last 23 or 25 hours. **[EMU]** Hours are
keyed by their wall-clock label: the skipped hour of a spring-forward day has no row, and the
repeated hour of a fall-back day is one row covering two real hours.

:data:`HOURLY_ACTIVITY` is the ground truth of when audiences are on TikTok (local time):
low at night, a lunch bump and an evening peak around 20:00–22:00 (KPI-5c).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo

__all__ = [
    "HOURLY_ACTIVITY",
    "DayClock",
    "day_clock",
    "local_date",
]

_RAW_ACTIVITY: Final = (
    1.6, 1.0, 0.6, 0.4, 0.35, 0.4, 0.8, 1.6, 2.4, 2.8, 3.0, 3.4,
    4.6, 4.8, 3.8, 3.6, 3.8, 4.4, 5.4, 6.6, 7.6, 8.0, 6.8, 3.6,
)  # fmt: skip
HOURLY_ACTIVITY: Final = tuple(x / sum(_RAW_ACTIVITY) for x in _RAW_ACTIVITY)
"""Share of a day's audience activity in each local hour 0..23 (sums to 1)."""


class DayClock:
    """One local day: its UTC span, its wall-clock hours and their activity weights."""

    __slots__ = ("cum", "day", "end", "hours", "start", "weights")

    def __init__(self, tz: str, day: date) -> None:
        zone = ZoneInfo(tz)
        self.day = day
        start = datetime.combine(day, time(0), zone).astimezone(UTC)
        end = datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)
        self.start = start.timestamp()
        self.end = end.timestamp()
        spans: dict[int, list[float]] = {}
        moment = start
        while moment < end:
            label = moment.astimezone(zone).hour
            nxt = min(moment + timedelta(hours=1), end)
            span = spans.setdefault(label, [moment.timestamp(), nxt.timestamp()])
            span[1] = nxt.timestamp()
            moment = nxt
        self.hours: tuple[tuple[int, float, float], ...] = tuple(
            (label, s, e) for label, (s, e) in sorted(spans.items(), key=lambda kv: kv[1][0])
        )
        raw = [HOURLY_ACTIVITY[label] * (e - s) / 3600.0 for label, s, e in self.hours]
        total = sum(raw)
        self.weights = tuple(w / total for w in raw)
        acc = 0.0
        cum = [0.0]
        for w in self.weights:
            acc += w
            cum.append(acc)
        cum[-1] = 1.0
        self.cum = tuple(cum)

    def share_until(self, moment: float) -> float:
        """Share of the day's activity before *moment* (UTC timestamp), in [0, 1]."""
        if moment >= self.end:
            return 1.0
        if moment <= self.start:
            return 0.0
        for j, (_, s, e) in enumerate(self.hours):
            if moment < e:
                return self.cum[j] + self.weights[j] * (moment - s) / (e - s)
        return 1.0

    def share_on(self, intervals: tuple[tuple[float, float], ...], until: float) -> float:
        """Share of the day's activity inside *intervals* (UTC spans) and before *until*."""
        limit = min(until, self.end)
        if limit <= self.start:
            return 0.0
        total = 0.0
        for a, b in intervals:
            lo, hi = max(a, self.start), min(b, limit)
            if hi > lo:
                if lo == self.start and hi == self.end:
                    return 1.0
                total += self.share_until(hi) - self.share_until(lo)
        return min(total, 1.0)


@lru_cache(maxsize=16_384)
def day_clock(tz: str, ordinal: int) -> DayClock:
    """The :class:`DayClock` of local day *ordinal* (``date.toordinal()``) in *tz* (cached)."""
    return DayClock(tz, date.fromordinal(ordinal))


def local_date(tz: str, moment: datetime) -> date:
    """The calendar day of *moment* in *tz*."""
    return moment.astimezone(ZoneInfo(tz)).date()
