"""Delta method on day clusters: hand computation, scipy Welch, A/A and recovery simulations."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest
from scipy import stats  # type: ignore[import-untyped]

from tokops.insights import StatsInputError, ratio_arm, ratio_test


def test_ratio_arm_against_hand_computation() -> None:
    clicks = [10.0, 12.0, 9.0, 15.0]
    impressions = [1_000.0, 1_100.0, 950.0, 1_300.0]
    arm = ratio_arm(clicks, impressions)
    assert arm.estimate == pytest.approx(46 / 4_350)  # ratio of sums, not mean of ratios
    m, d = np.array(clicks), np.array(impressions)
    r = m.mean() / d.mean()
    var_m, var_d = m.var(ddof=1), d.var(ddof=1)
    cov = ((m - m.mean()) * (d - d.mean())).sum() / 3
    expected = (var_m - 2 * r * cov + r * r * var_d) / d.mean() ** 2
    assert arm.unit_var == pytest.approx(expected)
    assert arm.var == pytest.approx(expected / 4)
    # the delta-method variance equals the sample variance of the linearised residuals
    resid = (m - r * d) / d.mean()
    assert arm.unit_var == pytest.approx(resid.var(ddof=1))


def test_constant_denominator_reduces_to_welch_t_test() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.normal(10, 2, 12), rng.normal(11, 3, 9)
    res = ratio_test(ratio_arm(a, np.ones(12)), ratio_arm(b, np.ones(9)), alpha=0.10)
    ref = stats.ttest_ind(b, a, equal_var=False)
    assert res.lift_abs == pytest.approx(b.mean() - a.mean())
    assert res.p_value_abs == pytest.approx(ref.pvalue)
    ci = ref.confidence_interval(0.90)
    assert res.lift_abs_ci == pytest.approx((ci.low, ci.high))


def test_relative_lift_variance_formula() -> None:
    c = ratio_arm([5, 7, 6, 8, 4], [100, 120, 110, 130, 90])
    t = ratio_arm([9, 8, 10, 7, 11], [110, 100, 120, 95, 125])
    res = ratio_test(c, t)
    mc, mt = c.estimate, t.estimate
    a, b = c.var * mt**2 / mc**4, t.var / mc**2
    assert res.lift_rel == pytest.approx(mt / mc - 1)
    assert res.lift_rel_se == pytest.approx(math.sqrt(a + b))
    df = (a + b) ** 2 / (a * a / 4 + b * b / 4)
    assert res.df_rel == pytest.approx(df)
    q = stats.t.ppf(0.95, df)
    assert res.lift_rel_ci[1] - res.lift_rel == pytest.approx(q * math.sqrt(a + b))


def test_accepts_pyarrow_and_rejects_bad_input() -> None:
    arm = ratio_arm(pa.array([1, 2, 3]), pa.chunked_array([[10, 20], [30]]))
    assert arm.estimate == pytest.approx(0.1)
    assert arm.unit_var == pytest.approx(0.0)
    with pytest.raises(StatsInputError):
        ratio_arm([1], [10])
    with pytest.raises(StatsInputError):
        ratio_arm([1, 2], [0, 0])
    with pytest.raises(StatsInputError):
        ratio_arm([1, 2], [10, 20, 30])
    with pytest.raises(StatsInputError):
        ratio_arm(pa.array([1, None]), [10, 20])


def _simulate_days(
    rng: np.random.Generator, days: int, ctr: float
) -> tuple[np.ndarray, np.ndarray]:
    """Daily impressions vary; the daily CTR wobbles around ``ctr`` (a day effect)."""
    impressions = rng.integers(2_000, 8_000, days)
    daily_ctr = ctr * rng.lognormal(0.0, 0.15, days)
    clicks = rng.binomial(impressions, np.clip(daily_ctr, 0, 1))
    return clicks.astype(float), impressions.astype(float)


def test_aa_day_clusters_reject_about_alpha() -> None:
    rng = np.random.default_rng(42)
    sims, rejected = 1_500, 0
    for _ in range(sims):
        c = ratio_arm(*_simulate_days(rng, 14, 0.015))
        t = ratio_arm(*_simulate_days(rng, 14, 0.015))
        rejected += ratio_test(c, t).p_value_abs < 0.10
    assert 0.075 < rejected / sims < 0.125


def test_recovery_ci_covers_true_relative_lift() -> None:
    rng = np.random.default_rng(99)
    true_rel, sims, covered = 0.20, 800, 0
    for _ in range(sims):
        c = ratio_arm(*_simulate_days(rng, 21, 0.015))
        t = ratio_arm(*_simulate_days(rng, 21, 0.015 * (1 + true_rel)))
        lo, hi = ratio_test(c, t).lift_rel_ci
        covered += lo <= true_rel <= hi
    assert 0.86 < covered / sims < 0.94
    # and one seeded run with plenty of data recovers the lift
    c = ratio_arm(*_simulate_days(rng, 60, 0.015))
    t = ratio_arm(*_simulate_days(rng, 60, 0.018))
    res = ratio_test(c, t)
    assert res.lift_rel_ci[0] <= 0.20 <= res.lift_rel_ci[1]
    assert res.p_value_abs < 0.10
    assert res.to_dict()["control"]["n"] == 60
