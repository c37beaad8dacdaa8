"""Split-test analysis on known cells: verdict, budget split, short tests (KPI-5e)."""

from __future__ import annotations

import numpy as np
import pytest

from tokops.insights.splittest import SplitTest, analyze_split_test, budget_split_check


def _test(key_metric: str = "COST_PER_CONVERT") -> SplitTest:
    return SplitTest("g1", "adv", "ADGROUP", ("A", "B"), "CREATIVE", key_metric, "COMPLETED",
                     None, None, "B", True, {key_metric: 0.01})  # fmt: skip


Cells = dict[str, dict[str, np.ndarray]]


def _cells(days: int, cpa_a: float, cpa_b: float, seed: int = 0) -> Cells:
    rng = np.random.default_rng(seed)
    out = {}
    for name, cpa in (("A", cpa_a), ("B", cpa_b)):
        spend = np.full(days, 150.0)
        conv = rng.poisson(spend / cpa).astype(float)
        impressions = rng.poisson(20_000, days).astype(float)
        clicks = rng.binomial(impressions.astype(int), 0.01).astype(float)
        out[name] = {"spend": spend, "impressions": impressions, "clicks": clicks,
                     "conversions": conv, "purchase_value": conv * 40.0}  # fmt: skip
    return out


def test_budget_split_inside_the_margin_is_not_flagged() -> None:
    check = budget_split_check([100, 101, 99, 100], [100, 99, 101, 100])
    assert check.p_value == 1.0 and not check.mismatch
    assert check.observed == (400.0, 400.0) and check.expected == (400.0, 400.0)


def test_budget_split_beyond_the_margin_is_flagged() -> None:
    rng = np.random.default_rng(1)
    a = 100 + rng.normal(0, 2, 28)
    b = 150 + rng.normal(0, 2, 28)  # B takes 60 % of the spend, planned 50 % ± 5
    check = budget_split_check(a, b)
    assert check.mismatch and check.p_value < 1e-6
    assert not budget_split_check(a, b, margin=0.15).mismatch


def test_clear_winner_is_found_on_cpa() -> None:
    found = analyze_split_test(_test(), _cells(28, 20.0, 14.0))
    key, analyses, split, notes = found.key_kpi, found.analyses, found.split, found.notes
    assert key == "cpa" and not notes and not split.mismatch
    cpa = next(a.result for a in analyses if a.key)
    assert cpa.method == "delta_method_t" and cpa.winner == "B"
    assert cpa.lift_rel_ci[1] < 0 < cpa.power
    methods = [(a.metric, a.result.method) for a in analyses]
    assert methods == [("cpa", "delta_method_t"), ("ctr", "two_proportion_z"),
                       ("ctr", "delta_method_t"), ("cvr_click", "two_proportion_z"),
                       ("cvr_click", "delta_method_t")]  # fmt: skip
    assert not any("sample-ratio" in w for a in analyses for w in a.result.warnings)


def test_no_difference_is_inconclusive_with_an_interval_around_zero() -> None:
    analyses = analyze_split_test(_test(), _cells(28, 20.0, 20.0, seed=3)).analyses
    cpa = next(a.result for a in analyses if a.key)
    assert cpa.winner is None
    assert cpa.lift_rel_ci[0] < 0 < cpa.lift_rel_ci[1]


def test_short_test_warns_and_rate_key_metric_maps_to_the_catalogue() -> None:
    found = analyze_split_test(_test("CLICK_THROUGH_RATE"), _cells(4, 20.0, 14.0))
    key, analyses = found.key_kpi, found.analyses
    assert key == "ctr"
    keyed = [a.result for a in analyses if a.key]
    assert {r.method for r in keyed} == {"two_proportion_z", "delta_method_t"}
    assert all(any("fewer than the recommended 7" in w for w in r.warnings) for r in keyed)


def test_unknown_key_metric_falls_back_to_cpa_with_a_note() -> None:
    found = analyze_split_test(_test("COST_PER_REACH"), _cells(10, 20.0, 20.0))
    key, notes = found.key_kpi, found.notes
    assert key == "cpa" and "COST_PER_REACH" in notes[0]


@pytest.mark.parametrize("margin", [0.0, 0.05])
def test_budget_split_with_identical_days(margin: float) -> None:
    check = budget_split_check([100.0] * 5, [100.0] * 5, margin=margin)
    assert check.p_value == 1.0
