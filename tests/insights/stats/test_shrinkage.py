"""Empirical-Bayes shrinkage for rankings (KPI-5a)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats  # type: ignore[import-untyped]

from tokops.insights import (
    BetaPrior,
    StatsInputError,
    fit_beta_prior,
    rank_shrunk,
    shrink_rates,
)


def _ads() -> tuple[list[str], list[int], list[int]]:
    rng = np.random.default_rng(5)
    true = rng.beta(20, 980, 30)  # CTRs around 2 %
    n = rng.integers(20_000, 60_000, 30)
    x = rng.binomial(n, true)
    keys = [f"ad{i}" for i in range(30)]
    return [*keys, "lucky"], [*x.tolist(), 3], [*n.tolist(), 20]


def test_method_of_moments_recovers_a_known_prior() -> None:
    rng = np.random.default_rng(1)
    true = rng.beta(30, 970, 4_000)
    n = rng.integers(5_000, 20_000, 4_000)
    prior = fit_beta_prior(rng.binomial(n, true), n)
    assert prior.mean == pytest.approx(0.03, rel=0.02)
    assert prior.strength == pytest.approx(1_000, rel=0.15)


def test_lucky_small_ad_does_not_top_the_ranking() -> None:
    keys, x, n = _ads()
    rates = shrink_rates(keys, x, n)
    lucky = rates[-1]
    assert lucky.raw == 0.15 and max(r.raw or 0 for r in rates) == 0.15
    pool = sum(x) / sum(n)
    assert abs(lucky.shrunk - pool) < 0.2 * abs(lucky.raw - pool)
    assert rank_shrunk(rates)[0].key != "lucky"
    assert rank_shrunk(rates, by="lower")[0].key != "lucky"


def test_large_samples_barely_move() -> None:
    keys, x, n = _ads()
    for r in shrink_rates(keys, x, n)[:-1]:
        assert r.raw is not None
        assert r.shrunk == pytest.approx(r.raw, rel=0.10)
        assert r.ci[0] < r.shrunk < r.ci[1]


def test_posterior_is_the_conjugate_beta() -> None:
    prior = BetaPrior(2.0, 98.0)
    (r,) = shrink_rates(["a"], [5], [50], prior=prior, level=0.80)
    assert r.shrunk == pytest.approx(7 / 150)
    assert r.ci == pytest.approx(tuple(stats.beta.ppf([0.10, 0.90], 7, 143)))
    assert r.to_dict()["ci"] == list(r.ci)


def test_no_heterogeneity_pulls_everything_to_the_pool() -> None:
    rates = shrink_rates(["a", "b", "c"], [20, 20, 20], [1_000, 1_000, 1_000])
    assert all(r.shrunk == pytest.approx(0.02, rel=1e-3) for r in rates)


def test_lower_is_better_and_zero_trials() -> None:
    rates = shrink_rates(["a", "b", "c"], [1, 50, 0], [1_000, 1_000, 0])
    assert rates[2].raw is None
    assert rank_shrunk(rates[:2], higher_is_better=False)[0].key == "a"


def test_all_zero_is_handled() -> None:
    rates = shrink_rates(["a", "b"], [0, 0], [10, 100])
    assert all(0 <= r.shrunk < 1e-3 for r in rates)


@pytest.mark.parametrize(
    ("x", "n"), [([1], [10]), ([5, 1], [4, 10]), ([-1, 1], [10, 10]), ([1, 2], [10])]
)
def test_rejects_bad_input(x: list[int], n: list[int]) -> None:
    with pytest.raises(StatsInputError):
        fit_beta_prior(x, n)
