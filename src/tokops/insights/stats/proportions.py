"""Two-proportion z-test and sample-ratio-mismatch check (spec analytics §3b, BYD-3).

Notation (spec §3b): arm A = control, B = test, ``n`` units, ``x`` successes::

    p̂A = xA/nA,  p̂B = xB/nB,  p̂ = (xA + xB)/(nA + nB)
    z  = (p̂B − p̂A) / sqrt(p̂(1 − p̂)(1/nA + 1/nB))            pooled: the test
    SE = sqrt(p̂A(1 − p̂A)/nA + p̂B(1 − p̂B)/nB)                  unpooled: the CI
    p  = 2(1 − Φ(|z|))                                          two-sided
    CI = (p̂B − p̂A) ± z_{1−α/2} · SE                            α = 0.10 ↔ TikTok's 90 %

Relative lift ``p̂B/p̂A − 1`` gets a delta-method CI with
``Var ≈ σA² p̂B²/(p̂A⁴ nA) + σB²/(p̂A² nB)``, ``σ² = p̂(1 − p̂)``.

Caveat (spec §3b): impressions of one user are not independent, so an impression-level test is
anti-conservative. Prefer users as units, or day clusters (:mod:`.ratio`).

SRM: Pearson's chi-square of the observed units per arm against the planned split.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from tokops.insights.stats.common import (
    StatsInputError,
    check_alpha,
    chi2_sf,
    jsonable,
    norm_ppf,
    norm_sf,
)

__all__ = ["ProportionTest", "SrmCheck", "srm_check", "two_proportion_test"]

DEFAULT_ALPHA = 0.10
SRM_ALPHA = 0.001


@dataclass(frozen=True, slots=True)
class ProportionTest:
    """Result of :func:`two_proportion_test` (B − A; relative = B/A − 1)."""

    p_a: float
    p_b: float
    lift_abs: float
    lift_abs_ci: tuple[float, float]
    lift_rel: float
    """NaN when ``p_a == 0``."""
    lift_rel_ci: tuple[float, float]
    z: float
    """Pooled z statistic (NaN when both arms are all-0 or all-1)."""
    p_value: float
    alpha: float
    se_unpooled: float

    @property
    def significant(self) -> bool:
        return self.p_value < self.alpha

    def to_dict(self) -> dict[str, Any]:
        return {**jsonable(asdict(self)), "significant": self.significant}


def _check_counts(x: float, n: float, arm: str) -> None:
    if n <= 0:
        raise StatsInputError(f"arm {arm}: n must be > 0, got {n}")
    if not 0 <= x <= n:
        raise StatsInputError(f"arm {arm}: successes must lie in [0, n], got x={x}, n={n}")


def two_proportion_test(
    x_a: float, n_a: float, x_b: float, n_b: float, *, alpha: float = DEFAULT_ALPHA
) -> ProportionTest:
    """Two-sided two-proportion z-test of B vs A (pooled z, unpooled CI); see module doc."""
    check_alpha(alpha)
    _check_counts(x_a, n_a, "A")
    _check_counts(x_b, n_b, "B")
    p_a, p_b = x_a / n_a, x_b / n_b
    pooled = (x_a + x_b) / (n_a + n_b)
    se_pooled = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    diff = p_b - p_a
    if se_pooled > 0:
        z = diff / se_pooled
        p_value = min(1.0, 2 * norm_sf(abs(z)))
    else:  # both arms all-0 or all-1: no evidence of any difference
        z, p_value = math.nan, 1.0
    var_a, var_b = p_a * (1 - p_a), p_b * (1 - p_b)
    se = math.sqrt(var_a / n_a + var_b / n_b)
    zq = norm_ppf(1 - alpha / 2)
    if p_a > 0:
        rel = p_b / p_a - 1
        se_rel = math.sqrt(var_a * p_b**2 / (p_a**4 * n_a) + var_b / (p_a**2 * n_b))
        rel_ci = (rel - zq * se_rel, rel + zq * se_rel)
    else:
        rel, rel_ci = math.nan, (math.nan, math.nan)
    return ProportionTest(
        p_a=p_a,
        p_b=p_b,
        lift_abs=diff,
        lift_abs_ci=(diff - zq * se, diff + zq * se),
        lift_rel=rel,
        lift_rel_ci=rel_ci,
        z=z,
        p_value=p_value,
        alpha=alpha,
        se_unpooled=se,
    )


@dataclass(frozen=True, slots=True)
class SrmCheck:
    """Sample-ratio-mismatch check: chi-square of observed units against the planned split."""

    observed: tuple[float, ...]
    expected: tuple[float, ...]
    chi2: float
    p_value: float
    threshold: float
    """Flag when ``p_value < threshold`` (default 0.001, a common SRM convention)."""

    @property
    def mismatch(self) -> bool:
        return self.p_value < self.threshold

    def to_dict(self) -> dict[str, Any]:
        return {**jsonable(asdict(self)), "mismatch": self.mismatch}


def srm_check(
    observed: Sequence[float],
    planned: Sequence[float] | None = None,
    *,
    threshold: float = SRM_ALPHA,
) -> SrmCheck:
    """Pearson chi-square ``Σ (O − E)²/E`` with ``E_i = N · w_i/Σw``, df = k − 1.

    ``planned`` are the split weights (default: equal). Units are what was randomised (users,
    or the audience reached); impressions only approximate it.
    """
    obs = tuple(float(o) for o in observed)
    weights = tuple(float(w) for w in planned) if planned is not None else (1.0,) * len(obs)
    if len(obs) < 2 or len(weights) != len(obs):
        raise StatsInputError("srm_check needs ≥ 2 arms and one planned weight per arm")
    if any(o < 0 for o in obs) or any(w <= 0 for w in weights):
        raise StatsInputError("observed counts must be ≥ 0 and planned weights > 0")
    total = sum(obs)
    if total <= 0:
        raise StatsInputError("srm_check needs at least one unit")
    expected = tuple(total * w / sum(weights) for w in weights)
    chi2 = sum((o - e) ** 2 / e for o, e in zip(obs, expected, strict=True))
    return SrmCheck(obs, expected, chi2, chi2_sf(chi2, len(obs) - 1), threshold)
