"""analyze_ab: winner logic, warnings, power/duration and JSON output."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tokops.insights import (
    ClusterArm,
    ProportionArm,
    StatsInputError,
    analyze_ab,
    two_proportion_test,
)


def test_proportions_winner_matches_the_z_test() -> None:
    a, b = ProportionArm("A", 200, 10_000), ProportionArm("B", 260, 10_000)
    r = analyze_ab(a, b, metric="cvr", days_run=10)
    ref = two_proportion_test(200, 10_000, 260, 10_000)
    assert r.method == "two_proportion_z"
    assert r.p_value == ref.p_value and r.lift_abs_ci == ref.lift_abs_ci
    assert r.significant and r.winner == "B" and r.outcome == "winner found"
    assert r.estimates == (0.02, 0.026)
    assert not r.srm.mismatch
    assert r.days_needed is not None and r.days_needed >= 7
    assert 0 < r.power < 1


def test_lower_is_better_flips_the_winner() -> None:
    a, b = ProportionArm("A", 200, 10_000), ProportionArm("B", 260, 10_000)
    assert analyze_ab(a, b, metric="bounce", higher_is_better=False, days_run=7).winner == "A"


def test_no_winner_short_test_srm_and_small_counts_warn() -> None:
    a, b = ProportionArm("A", 5, 1_200), ProportionArm("B", 6, 800)
    r = analyze_ab(a, b, metric="cvr", days_run=3)
    assert r.winner is None and r.outcome == "no winner"
    text = " | ".join(r.warnings)
    assert "3 day(s)" in text
    assert "sample-ratio mismatch" in text
    assert "normal approximation" in text
    assert "power" in text
    d = r.to_dict()
    assert d["winner"] == "no winner" and d["srm"]["mismatch"] is True
    assert d["confidence"] == pytest.approx(0.9)
    json.dumps(d, allow_nan=False)


def _days(rng: np.random.Generator, n: int, ctr: float) -> tuple[list[float], list[float]]:
    imp = rng.integers(5_000, 9_000, n).astype(float)
    return rng.binomial(imp.astype(int), ctr).astype(float).tolist(), imp.tolist()


def test_clusters_use_the_delta_method_and_count_days() -> None:
    rng = np.random.default_rng(8)
    c = ClusterArm("control", *_days(rng, 14, 0.010))
    t = ClusterArm("test", *_days(rng, 14, 0.013))
    r = analyze_ab(c, t, metric="ctr")
    assert r.method == "delta_method_t" and r.days_run == 14
    assert r.winner == "test" and r.lift_rel_ci[0] < 0.3 < r.lift_rel_ci[1]
    assert r.days_needed is not None and r.days_needed >= 7
    assert not any("day(s)" in w for w in r.warnings)
    json.dumps(r.to_dict(), allow_nan=False)


def test_cluster_srm_uses_explicit_units() -> None:
    rng = np.random.default_rng(9)
    c = ClusterArm("c", *_days(rng, 7, 0.01), units=50_000)
    t = ClusterArm("t", *_days(rng, 7, 0.01), units=56_000)
    assert analyze_ab(c, t, metric="ctr").srm.mismatch


def test_mixed_arms_are_rejected() -> None:
    with pytest.raises(StatsInputError):
        analyze_ab(ProportionArm("a", 1, 10), ClusterArm("b", [1, 2], [10, 20]), metric="x")
