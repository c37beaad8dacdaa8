"""Delta-method test for ratio metrics on day clusters (spec analytics §3b, GrowthBook [G1]).

A ratio metric (CTR = Σclicks/Σimpressions, CPA = Σcost/Σconversions, ROAS = Σrevenue/Σcost) is
a ratio of sums, never a mean of daily ratios (style principle 12). Each day is one cluster
(randomisation unit), so within-day dependence (one user seen many times) is absorbed::

    μ̂ = ΣM/ΣD = M̄/D̄
    σ²_ratio = (σ_M² − 2 (M̄/D̄) σ_MD + (M̄/D̄)² σ_D²) / D̄²         unit-level (per day)
    Var(μ̂) = σ²_ratio / n                                          n = days in the arm

    absolute  Δa = μT − μC,          Var = vC + vT                  (v = σ²/n)
    relative  Δr = μT/μC − 1,        Var ≈ vC μT²/μC⁴ + vT/μC²
    ν (Welch–Satterthwaite) = (a + b)² / (a²/(nC − 1) + b²/(nT − 1))  a, b: the two terms above
    p = 2(1 − F_t(|Δ/σ_Δ|, ν)),      CI = Δ ± F_t⁻¹(1 − α/2, ν) σ_Δ

Arms are treated as independent. For two groups observed on the same days (Spark vs non-Spark)
the shared day effects make this conservative (the CI is wider than a paired analysis).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from tokops.insights.stats.common import (
    StatsInputError,
    as_array,
    check_alpha,
    jsonable,
    t_ppf,
    t_sf,
)

__all__ = ["RatioArm", "RatioTest", "ratio_arm", "ratio_test"]

DEFAULT_ALPHA = 0.10


@dataclass(frozen=True, slots=True)
class RatioArm:
    """One arm's ratio estimate from ``n`` day clusters."""

    estimate: float
    """ΣM / ΣD."""
    unit_var: float
    """σ²_ratio: the per-cluster (per-day) variance of the ratio, by the delta method."""
    n: int
    """Clusters (days)."""
    numerator_total: float
    denominator_total: float

    @property
    def var(self) -> float:
        """Var(μ̂) = σ²_ratio / n."""
        return self.unit_var / self.n

    def to_dict(self) -> dict[str, Any]:
        return dict(jsonable(asdict(self)))


def ratio_arm(numerator: Any, denominator: Any) -> RatioArm:
    """Delta-method estimate for one arm from per-day arrays (list, numpy or pyarrow)."""
    m = as_array(numerator, "numerator")
    d = as_array(denominator, "denominator")
    if m.shape != d.shape:
        raise StatsInputError("numerator and denominator need one value per day each")
    n = int(m.size)
    if n < 2:
        raise StatsInputError(f"the delta method needs ≥ 2 day clusters per arm, got {n}")
    if np.any(d < 0):
        raise StatsInputError("denominator must be ≥ 0 on every day")
    mean_m, mean_d = float(m.mean()), float(d.mean())
    if mean_d <= 0:
        raise StatsInputError("denominator sums to 0: the ratio is undefined")
    cov = np.cov(m, d, ddof=1)
    var_m, var_d, cov_md = float(cov[0, 0]), float(cov[1, 1]), float(cov[0, 1])
    r = mean_m / mean_d
    unit_var = (var_m - 2 * r * cov_md + r * r * var_d) / (mean_d * mean_d)
    return RatioArm(r, max(unit_var, 0.0), n, float(m.sum()), float(d.sum()))


@dataclass(frozen=True, slots=True)
class _Side:
    estimate: float
    se: float
    df: float
    ci: tuple[float, float]
    p_value: float


def _welch_df(a: float, n_a: int, b: float, n_b: int) -> float:
    denom = a * a / (n_a - 1) + b * b / (n_b - 1)
    return (a + b) ** 2 / denom if denom > 0 else math.inf


def _t_test(est: float, a: float, n_a: int, b: float, n_b: int, alpha: float) -> _Side:
    var = a + b
    se = math.sqrt(var)
    df = _welch_df(a, n_a, b, n_b)
    if se > 0:
        p = min(1.0, 2 * t_sf(abs(est) / se, df))
    else:
        p = 1.0 if est == 0 else 0.0
    q = t_ppf(1 - alpha / 2, df) if se > 0 else 0.0
    return _Side(est, se, df, (est - q * se, est + q * se), p)


@dataclass(frozen=True, slots=True)
class RatioTest:
    """Delta-method comparison of a ratio metric, treatment (T) vs control (C)."""

    control: RatioArm
    treatment: RatioArm
    alpha: float
    lift_abs: float
    lift_abs_se: float
    lift_abs_ci: tuple[float, float]
    df_abs: float
    p_value_abs: float
    lift_rel: float
    lift_rel_se: float
    lift_rel_ci: tuple[float, float]
    df_rel: float
    p_value_rel: float

    def to_dict(self) -> dict[str, Any]:
        out = dict(jsonable(asdict(self)))
        out["control"] = self.control.to_dict()
        out["treatment"] = self.treatment.to_dict()
        return out


def ratio_test(
    control: RatioArm, treatment: RatioArm, *, alpha: float = DEFAULT_ALPHA
) -> RatioTest:
    """Absolute and relative lift with Welch–Satterthwaite t intervals; see module doc."""
    check_alpha(alpha)
    mc, mt = control.estimate, treatment.estimate
    nc, nt = control.n, treatment.n
    ab = _t_test(mt - mc, control.var, nc, treatment.var, nt, alpha)
    if mc != 0:
        a_rel = control.var * mt * mt / mc**4
        b_rel = treatment.var / (mc * mc)
        rel = _t_test(mt / mc - 1, a_rel, nc, b_rel, nt, alpha)
    else:
        rel = _Side(math.nan, math.nan, math.nan, (math.nan, math.nan), math.nan)
    return RatioTest(
        control=control,
        treatment=treatment,
        alpha=alpha,
        lift_abs=ab.estimate,
        lift_abs_se=ab.se,
        lift_abs_ci=ab.ci,
        df_abs=ab.df,
        p_value_abs=ab.p_value,
        lift_rel=rel.estimate,
        lift_rel_se=rel.se,
        lift_rel_ci=rel.ci,
        df_rel=rel.df,
        p_value_rel=rel.p_value,
    )
