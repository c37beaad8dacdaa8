"""Two-proportion z-test and SRM: known answers against hand computations with scipy primitives."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats  # type: ignore[import-untyped]

from tokops.insights import StatsInputError, srm_check, two_proportion_test


def test_known_answer_against_hand_computation() -> None:
    xa, na, xb, nb = 200, 10_000, 260, 10_000
    r = two_proportion_test(xa, na, xb, nb)
    pooled = 460 / 20_000
    z = (0.026 - 0.02) / math.sqrt(pooled * (1 - pooled) * (2 / 10_000))
    assert r.z == pytest.approx(z)
    assert r.z == pytest.approx(2.8303, abs=1e-4)
    assert r.p_value == pytest.approx(2 * stats.norm.sf(z))
    se = math.sqrt(0.02 * 0.98 / na + 0.026 * 0.974 / nb)
    assert r.lift_abs_ci == pytest.approx((0.006 - 1.6448536 * se, 0.006 + 1.6448536 * se))
    assert r.lift_rel == pytest.approx(0.30)
    assert r.significant and r.alpha == 0.10


def test_pooled_z_squared_equals_chi_square_without_correction() -> None:
    table = np.array([[200, 9_800], [230, 9_770]])
    chi2, p, _, _ = stats.chi2_contingency(table, correction=False)
    r = two_proportion_test(200, 10_000, 230, 10_000)
    assert r.z**2 == pytest.approx(chi2)
    assert r.p_value == pytest.approx(p)


def test_alpha_controls_significance_and_ci_width() -> None:
    r10 = two_proportion_test(100, 5_000, 123, 5_000, alpha=0.10)
    r05 = two_proportion_test(100, 5_000, 123, 5_000, alpha=0.05)
    assert r10.p_value == r05.p_value
    assert 0.05 < r10.p_value < 0.15
    w10 = r10.lift_abs_ci[1] - r10.lift_abs_ci[0]
    w05 = r05.lift_abs_ci[1] - r05.lift_abs_ci[0]
    assert w05 / w10 == pytest.approx(1.959964 / 1.644854, rel=1e-5)


def test_degenerate_arms_give_no_evidence_and_zero_control_has_no_relative_lift() -> None:
    r = two_proportion_test(0, 100, 0, 100)
    assert r.p_value == 1.0 and not r.significant
    assert math.isnan(r.lift_rel)
    assert r.to_dict()["lift_rel"] is None  # strict JSON: no NaN


@pytest.mark.parametrize(("xa", "na"), [(5, 0), (-1, 10), (11, 10)])
def test_rejects_impossible_counts(xa: float, na: float) -> None:
    with pytest.raises(StatsInputError):
        two_proportion_test(xa, na, 1, 10)


def test_aa_simulation_rejects_about_alpha() -> None:
    rng = np.random.default_rng(20240601)
    sims, n, p = 3_000, 5_000, 0.03
    xa = rng.binomial(n, p, sims)
    xb = rng.binomial(n, p, sims)
    rejected = sum(two_proportion_test(a, n, b, n).significant for a, b in zip(xa, xb, strict=True))
    # 3 standard errors of a 10 % rate over 3 000 draws ≈ ±1.6 points
    assert 0.084 < rejected / sims < 0.116


def test_ci_covers_true_lift_about_90_percent() -> None:
    rng = np.random.default_rng(7)
    sims, n, pa, pb = 1_000, 20_000, 0.020, 0.024
    xa, xb = rng.binomial(n, pa, sims), rng.binomial(n, pb, sims)
    covered = 0
    for a, b in zip(xa, xb, strict=True):
        lo, hi = two_proportion_test(a, n, b, n).lift_abs_ci
        covered += lo <= pb - pa <= hi
    assert 0.87 < covered / sims < 0.93


def test_srm_against_scipy_chisquare() -> None:
    obs, planned = (5_100, 4_900), (0.5, 0.5)
    ref = stats.chisquare(obs, [5_000, 5_000])
    r = srm_check(obs, planned)
    assert r.chi2 == pytest.approx(ref.statistic)
    assert r.p_value == pytest.approx(ref.pvalue)
    assert not r.mismatch


def test_srm_flags_a_broken_split_and_honours_unequal_plans() -> None:
    assert srm_check((52_000, 48_000)).mismatch
    assert not srm_check((70_100, 29_900), (0.7, 0.3)).mismatch
    d = srm_check((52_000, 48_000)).to_dict()
    assert d["mismatch"] is True and d["expected"] == [50_000.0, 50_000.0]


def test_srm_rejects_bad_input() -> None:
    with pytest.raises(StatsInputError):
        srm_check((10,))
    with pytest.raises(StatsInputError):
        srm_check((10, 10), (1, 0))
