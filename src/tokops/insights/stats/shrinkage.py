"""Empirical-Bayes shrinkage of rates for rankings (KPI-5a, BYD-3).

A lucky ad with 3 clicks out of 20 impressions must not top a CTR ranking. Each item's rate gets a
common Beta(a, b) prior fitted to all items by the method of moments (beta-binomial), then the
posterior ``Beta(a + x, b + n − x)``::

    m   = Σx / Σn                                           pooled rate (prior mean)
    S   = Σ nᵢ (xᵢ/nᵢ − m)²
    E[S] ≈ (k − 1) m(1 − m) + τ² (N − Σnᵢ²/N)                  N = Σn, k items
    τ²  = max(ε, (S − (k − 1) m(1 − m)) / (N − Σnᵢ²/N))        between-item variance of rates
    κ   = a + b = m(1 − m)/τ² − 1,  a = m κ,  b = (1 − m) κ
    shrunk rate = (a + xᵢ)/(κ + nᵢ),  credible interval = Beta quantiles

Small samples move towards ``m``; large ones barely move (their weight nᵢ ≫ κ).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np

from tokops.insights.stats.common import StatsInputError, as_array, beta_ppf, jsonable

__all__ = ["BetaPrior", "ShrunkRate", "fit_beta_prior", "rank_shrunk", "shrink_rates"]

_MIN_TAU2 = 1e-12
_MIN_PARAM = 1e-6


@dataclass(frozen=True, slots=True)
class BetaPrior:
    """The fitted common prior Beta(a, b)."""

    a: float
    b: float

    @property
    def mean(self) -> float:
        return self.a / (self.a + self.b)

    @property
    def strength(self) -> float:
        """``a + b``: how many pseudo-trials the prior is worth."""
        return self.a + self.b

    def to_dict(self) -> dict[str, Any]:
        return {**jsonable(asdict(self)), "mean": self.mean, "strength": self.strength}


@dataclass(frozen=True, slots=True)
class ShrunkRate:
    """One item's raw and shrunk rate."""

    key: str
    successes: float
    trials: float
    raw: float | None
    """x/n, ``None`` when n = 0."""
    shrunk: float
    """Posterior mean (a + x)/(a + b + n)."""
    ci: tuple[float, float]
    """Equal-tailed credible interval."""
    level: float

    def to_dict(self) -> dict[str, Any]:
        return dict(jsonable(asdict(self)))


def _counts(successes: Any, trials: Any) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    x = as_array(successes, "successes")
    n = as_array(trials, "trials")
    if x.shape != n.shape:
        raise StatsInputError("successes and trials need one value per item")
    if np.any(n < 0) or np.any(x < 0) or np.any(x > n):
        raise StatsInputError("need 0 ≤ successes ≤ trials for every item")
    return x, n


def fit_beta_prior(successes: Any, trials: Any) -> BetaPrior:
    """Method-of-moments beta-binomial prior; see module doc. Items with n = 0 are ignored."""
    x, n = _counts(successes, trials)
    keep = n > 0
    x, n = x[keep], n[keep]
    k = int(n.size)
    if k < 2:
        raise StatsInputError("shrinkage needs ≥ 2 items with trials > 0")
    total = float(n.sum())
    m = float(x.sum()) / total
    spread = total - float((n * n).sum()) / total
    if m in (0.0, 1.0) or spread <= 0:
        # every item all-0 / all-1: no heterogeneity measurable; a weak prior at m
        return BetaPrior(max(m, _MIN_PARAM), max(1 - m, _MIN_PARAM))
    s = float((n * (x / n - m) ** 2).sum())
    tau2 = max(_MIN_TAU2, (s - (k - 1) * m * (1 - m)) / spread)
    kappa = max(m * (1 - m) / tau2 - 1, _MIN_PARAM)
    return BetaPrior(max(m * kappa, _MIN_PARAM), max((1 - m) * kappa, _MIN_PARAM))


def shrink_rates(
    keys: Sequence[str],
    successes: Any,
    trials: Any,
    *,
    level: float = 0.90,
    prior: BetaPrior | None = None,
) -> list[ShrunkRate]:
    """Shrunk rate and credible interval per item (input order); prior fitted if not given."""
    if not 0.0 < level < 1.0:
        raise StatsInputError(f"level must lie in (0, 1), got {level}")
    x, n = _counts(successes, trials)
    if len(keys) != x.size:
        raise StatsInputError("one key per item")
    pr = prior if prior is not None else fit_beta_prior(x, n)
    tail = (1 - level) / 2
    out = []
    for key, xi, ni in zip(keys, x.tolist(), n.tolist(), strict=True):
        a, b = pr.a + xi, pr.b + ni - xi
        ci = (beta_ppf(tail, a, b), beta_ppf(1 - tail, a, b))
        raw = xi / ni if ni > 0 else None
        out.append(ShrunkRate(key, xi, ni, raw, a / (a + b), ci, level))
    return out


def rank_shrunk(
    rates: Sequence[ShrunkRate],
    *,
    by: Literal["shrunk", "lower"] = "shrunk",
    higher_is_better: bool = True,
) -> list[ShrunkRate]:
    """Best first, by posterior mean or (more cautious) by the interval's pessimistic end."""

    def score(r: ShrunkRate) -> float:
        if by == "shrunk":
            return r.shrunk if higher_is_better else -r.shrunk
        return r.ci[0] if higher_is_better else -r.ci[1]

    return sorted(rates, key=score, reverse=True)
