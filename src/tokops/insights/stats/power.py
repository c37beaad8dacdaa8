"""Power, sample size per arm and test duration (spec analytics §3b, KPI-5e, BYD-3).

Two-sided test at level α, power 1 − β, effect Δ, unit variances σA², σB² (spec §3b)::

    n per arm = (z_{1−α/2} + z_{1−β})² · (σA² + σB²) / Δ²
    proportions: σ² = p(1 − p);   (z.95 + z.80)² = 6.18 (α = .10), (z.975 + z.80)² = 7.85 (α = .05)
    power(n)  = Φ(|Δ| / sqrt((σA² + σB²)/n) − z_{1−α/2})        (the far tail is ignored)

For day-cluster analyses (:mod:`.ratio`) the unit is a day, so "n per arm" is already the number
of days. Otherwise the duration is ``max over arms ⌈n / (daily units · share of the arm)⌉``.
TikTok split tests should run **at least 7 days** (KPI-5e; the figure comes from a third-party
page, spec §3a ⚠), so :class:`DurationPlan` never recommends fewer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from tokops.insights.stats.common import StatsInputError, check_alpha, jsonable, norm_cdf, norm_ppf

__all__ = [
    "MIN_TEST_DAYS",
    "DurationPlan",
    "duration_days",
    "plan_proportion_test",
    "power_for_n",
    "power_two_proportions",
    "sample_size_per_arm",
    "sample_size_two_proportions",
    "short_test_warning",
    "z_factor",
]

MIN_TEST_DAYS = 7


def _check_power(power: float) -> None:
    if not 0.0 < power < 1.0:
        raise StatsInputError(f"power must lie in (0, 1), got {power}")


def z_factor(alpha: float = 0.10, power: float = 0.80) -> float:
    """``(z_{1−α/2} + z_{power})²``: 6.18 at α = .10 and 7.85 at α = .05 for 80 % power."""
    check_alpha(alpha)
    _check_power(power)
    return (norm_ppf(1 - alpha / 2) + norm_ppf(power)) ** 2


def sample_size_per_arm(
    effect: float, var_a: float, var_b: float, *, alpha: float = 0.10, power: float = 0.80
) -> int:
    """Units per arm to detect ``effect`` (absolute) given unit-level variances; rounded up."""
    if effect == 0:
        raise StatsInputError("effect must be non-zero")
    if var_a < 0 or var_b < 0:
        raise StatsInputError("variances must be ≥ 0")
    return max(2, math.ceil(z_factor(alpha, power) * (var_a + var_b) / effect**2))


def sample_size_two_proportions(
    p_a: float, p_b: float, *, alpha: float = 0.10, power: float = 0.80
) -> int:
    """Spec §3b: ``(z_{1−α/2} + z_{1−β})² [pA(1 − pA) + pB(1 − pB)] / (pB − pA)²``."""
    for p in (p_a, p_b):
        if not 0.0 <= p <= 1.0:
            raise StatsInputError(f"proportions must lie in [0, 1], got {p}")
    return sample_size_per_arm(
        p_b - p_a, p_a * (1 - p_a), p_b * (1 - p_b), alpha=alpha, power=power
    )


def power_for_n(
    effect: float, var_a: float, var_b: float, n_a: float, n_b: float, *, alpha: float = 0.10
) -> float:
    """``Φ(|Δ| / sqrt(σA²/nA + σB²/nB) − z_{1−α/2})``."""
    check_alpha(alpha)
    if n_a <= 0 or n_b <= 0:
        raise StatsInputError("sample sizes must be > 0")
    se = math.sqrt(var_a / n_a + var_b / n_b)
    if se == 0:
        return 1.0 if effect != 0 else alpha
    return norm_cdf(abs(effect) / se - norm_ppf(1 - alpha / 2))


def power_two_proportions(
    p_a: float, p_b: float, n_a: float, n_b: float, *, alpha: float = 0.10
) -> float:
    """Power of the two-proportion test to detect ``p_b`` vs ``p_a`` with these sample sizes."""
    return power_for_n(p_b - p_a, p_a * (1 - p_a), p_b * (1 - p_b), n_a, n_b, alpha=alpha)


def duration_days(n_per_arm: int, daily_units: float, split: Sequence[float] = (0.5, 0.5)) -> int:
    """Days until every arm holds ``n_per_arm`` units, given total daily units and the split."""
    if daily_units <= 0:
        raise StatsInputError("daily_units must be > 0")
    if not split or any(w <= 0 for w in split):
        raise StatsInputError("split weights must be > 0")
    smallest = min(split) / sum(split)
    return max(1, math.ceil(n_per_arm / (daily_units * smallest)))


def short_test_warning(days_run: int | None, min_days: int = MIN_TEST_DAYS) -> str | None:
    """A warning text when a test ran fewer than ``min_days`` days (KPI-5e), else ``None``."""
    if days_run is None or days_run >= min_days:
        return None
    return (
        f"test ran {days_run} day(s), fewer than the recommended {min_days}: weekday effects "
        "and learning-phase swings may dominate the result"
    )


@dataclass(frozen=True, slots=True)
class DurationPlan:
    """How many units and days a test needs (KPI-5e, BYD-3)."""

    n_per_arm: int
    days_needed: int
    """From traffic alone."""
    recommended_days: int
    """``max(days_needed, 7)``."""
    alpha: float
    power: float

    def to_dict(self) -> dict[str, Any]:
        return dict(jsonable(asdict(self)))


def plan_proportion_test(
    p_a: float,
    relative_mde: float,
    daily_units: float,
    *,
    split: Sequence[float] = (0.5, 0.5),
    alpha: float = 0.10,
    power: float = 0.80,
) -> DurationPlan:
    """Plan a test of a rate ``p_a`` for a relative minimum detectable effect (e.g. 0.10)."""
    p_b = p_a * (1 + relative_mde)
    n = sample_size_two_proportions(p_a, p_b, alpha=alpha, power=power)
    days = duration_days(n, daily_units, split)
    return DurationPlan(n, days, max(days, MIN_TEST_DAYS), alpha, power)
