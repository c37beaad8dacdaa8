"""Formats and hashtags that rise, peak and saturate: the organic ground truth of KPI-4/KPI-5d.

A trend has a rise start, a peak and a decay time. Its **engagement multiplier** grows
quadratically from 1 at the rise start to ``1 + amplitude`` at the peak, then decays towards
``1 - fatigue``: engagement falls *below* where it started, and crosses 1 again on the
**collapse** date. Its **adoption** (the share of posts using it) follows a logistic curve
centred ten days before the peak and stays high afterwards: creators keep piling on while each
post earns less, which is what saturation looks like in the data. **[EMU]** shapes and numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["Trend"]


@dataclass(frozen=True)
class Trend:
    name: str
    kind: str
    """``format`` (a content type) or ``hashtag``."""
    niche: str | None
    """The niche whose accounts use it (``None``: every niche)."""
    rise_start: date
    peak: date
    amplitude: float
    """Engagement multiplier at the peak minus 1."""
    decay_days: float
    fatigue: float = 0.45
    """How far below its starting level engagement settles once saturated."""
    max_adoption: float = 0.35

    @property
    def collapse(self) -> date:
        """The first day engagement is back below its pre-trend level."""
        days = self.decay_days * math.log((self.amplitude + self.fatigue) / self.fatigue)
        return self.peak + timedelta(days=math.ceil(days))

    def engagement(self, day: date) -> float:
        """Multiplier of the engagement rate of a post published on *day*."""
        t = (day - self.peak).days
        if day <= self.rise_start:
            return 1.0
        if t <= 0:
            span = max((self.peak - self.rise_start).days, 1)
            x = (day - self.rise_start).days / span
            return 1.0 + self.amplitude * x * x
        decay = math.exp(-t / self.decay_days)
        return 1.0 + self.amplitude * decay - self.fatigue * (1.0 - decay)

    def adoption(self, day: date) -> float:
        """Probability that a post of a matching account on *day* uses the trend."""
        t = (day - self.peak).days + 10
        return self.max_adoption / (1.0 + math.exp(-t / 6.0))
