"""Power, sample size and duration (spec analytics §3b constants, KPI-5e)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats  # type: ignore[import-untyped]

from tokops.insights import (
    MIN_TEST_DAYS,
    StatsInputError,
    duration_days,
    plan_proportion_test,
    power_two_proportions,
    sample_size_two_proportions,
    short_test_warning,
    two_proportion_test,
    z_factor,
)


def test_spec_constants() -> None:
    assert z_factor(0.10, 0.80) == pytest.approx(6.18, abs=0.005)
    assert z_factor(0.05, 0.80) == pytest.approx(7.85, abs=0.005)


def test_sample_size_matches_the_spec_formula() -> None:
    pa, pb = 0.02, 0.022
    expected = math.ceil(
        (stats.norm.ppf(0.95) + stats.norm.ppf(0.80)) ** 2
        * (pa * (1 - pa) + pb * (1 - pb))
        / (pb - pa) ** 2
    )
    assert sample_size_two_proportions(pa, pb) == expected
    assert 63_000 < expected < 64_000  # 6.18 · 0.041116 / 0.002²
    assert sample_size_two_proportions(pa, pb, alpha=0.05) > expected


def test_power_at_the_required_n_is_the_target() -> None:
    n = sample_size_two_proportions(0.05, 0.06, power=0.8)
    assert power_two_proportions(0.05, 0.06, n, n) == pytest.approx(0.8, abs=0.002)
    assert power_two_proportions(0.05, 0.06, n / 4, n / 4) < 0.4


def test_power_formula_against_simulation() -> None:
    rng = np.random.default_rng(11)
    pa, pb, n, sims = 0.05, 0.06, 6_000, 1_500
    predicted = power_two_proportions(pa, pb, n, n)
    xa, xb = rng.binomial(n, pa, sims), rng.binomial(n, pb, sims)
    hits = sum(two_proportion_test(a, n, b, n).significant for a, b in zip(xa, xb, strict=True))
    assert hits / sims == pytest.approx(predicted, abs=0.04)


def test_duration_uses_the_smallest_arm() -> None:
    assert duration_days(10_000, 2_000) == 10
    assert duration_days(10_000, 2_000, (0.8, 0.2)) == 25
    with pytest.raises(StatsInputError):
        duration_days(10, 0)


def test_plan_never_recommends_less_than_seven_days() -> None:
    plan = plan_proportion_test(0.05, 0.20, daily_units=1_000_000)
    assert plan.days_needed == 1 and plan.recommended_days == MIN_TEST_DAYS
    slow = plan_proportion_test(0.02, 0.10, daily_units=4_000)
    assert slow.recommended_days == slow.days_needed == math.ceil(slow.n_per_arm / 2_000)
    assert slow.to_dict()["n_per_arm"] == slow.n_per_arm


def test_short_test_warning() -> None:
    assert short_test_warning(6) is not None and "6 day" in str(short_test_warning(6))
    assert short_test_warning(7) is None
    assert short_test_warning(None) is None
