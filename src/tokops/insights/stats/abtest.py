"""A/B test analysis: one call, one frozen result (KPI-5e, BYD-3; spec analytics §3, §6.8).

Mirrors TikTok's Split Test outcome, "winning ad group found" or not at a 90 % confidence level
(α = 0.10, two-sided; spec §3a), and adds what TikTok does not show: lift with a CI, a
sample-ratio-mismatch check, the power to detect a chosen relative effect, the duration needed,
and warnings (fewer than 7 days, SRM, small counts).

Two kinds of input:

* :class:`ProportionArm` (successes / trials per arm, e.g. users who converted / users reached):
  two-proportion z-test (:mod:`.proportions`).
* :class:`ClusterArm` (per-day numerator and denominator arrays, e.g. clicks and impressions, cost
  and conversions): delta method on day clusters with Welch t (:mod:`.ratio`). Prefer this for
  impression-level rates, CPA and ROAS: impressions of one user are not independent.

The p-value, significance and winner come from the **absolute** difference (pooled z, or Welch t);
the relative lift is reported with its own delta-method CI.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from tokops.insights.stats.common import StatsInputError, jsonable
from tokops.insights.stats.power import (
    MIN_TEST_DAYS,
    power_for_n,
    power_two_proportions,
    sample_size_per_arm,
    sample_size_two_proportions,
    short_test_warning,
)
from tokops.insights.stats.proportions import SrmCheck, srm_check, two_proportion_test
from tokops.insights.stats.ratio import ratio_arm, ratio_test

__all__ = ["ABResult", "ClusterArm", "ProportionArm", "analyze_ab"]

Method = Literal["two_proportion_z", "delta_method_t"]
_MIN_COUNT = 10


@dataclass(frozen=True, slots=True)
class ProportionArm:
    """Aggregates of one arm: ``successes`` out of ``trials`` independent units."""

    name: str
    successes: float
    trials: float


@dataclass(frozen=True, slots=True)
class ClusterArm:
    """Per-day sums of one arm: metric = Σnumerator / Σdenominator (equal-length arrays)."""

    name: str
    numerator: Any
    denominator: Any
    units: float | None = None
    """Randomised units for the SRM check (e.g. users reached); default Σdenominator."""


@dataclass(frozen=True, slots=True)
class ABResult:
    """Outcome of :func:`analyze_ab` (control first, then test)."""

    metric: str
    method: Method
    arms: tuple[str, str]
    estimates: tuple[float, float]
    lift_abs: float
    lift_abs_ci: tuple[float, float]
    lift_rel: float
    """test/control − 1 (NaN when the control estimate is 0)."""
    lift_rel_ci: tuple[float, float]
    p_value: float
    alpha: float
    significant: bool
    winner: str | None
    """Name of the better arm when significant, else ``None`` ("no winner")."""
    higher_is_better: bool
    srm: SrmCheck
    mde_rel: float
    power: float
    """Power to detect a relative effect of ``mde_rel`` with the sample at hand."""
    days_needed: int | None
    """Days per arm for 1 − β = 0.80 at ``mde_rel`` (≥ 7); ``None`` when unknown."""
    days_run: int | None
    warnings: tuple[str, ...]

    @property
    def confidence(self) -> float:
        return 1 - self.alpha

    @property
    def outcome(self) -> str:
        return "winner found" if self.winner else "no winner"

    def to_dict(self) -> dict[str, Any]:
        out = dict(jsonable(asdict(self)))
        out["srm"] = self.srm.to_dict()
        out["winner"] = self.winner or "no winner"
        out["outcome"] = self.outcome
        out["confidence"] = self.confidence
        return out


def _winner(arms: tuple[str, str], diff: float, significant: bool, higher: bool) -> str | None:
    if not significant or diff == 0:
        return None
    return arms[1] if (diff > 0) == higher else arms[0]


def analyze_ab(
    control: ProportionArm | ClusterArm,
    test: ProportionArm | ClusterArm,
    *,
    metric: str,
    alpha: float = 0.10,
    higher_is_better: bool = True,
    planned_split: Sequence[float] = (0.5, 0.5),
    days_run: int | None = None,
    mde_rel: float = 0.10,
    power_target: float = 0.80,
    srm: SrmCheck | None = None,
) -> ABResult:
    """Analyse a two-arm test. ``days_run`` defaults to the number of day clusters.

    *srm* replaces the default sample-ratio check (chi-square on trials, or on the cluster
    arms' ``units``) when the caller knows better what was split, e.g. the budget.
    """
    if type(control) is not type(test):
        raise StatsInputError("both arms must be ProportionArm or both ClusterArm")
    if mde_rel <= 0:
        raise StatsInputError("mde_rel must be > 0")
    arms = (control.name, test.name)
    warnings: list[str] = []
    days_needed: int | None = None
    if isinstance(control, ProportionArm) and isinstance(test, ProportionArm):
        method: Method = "two_proportion_z"
        pt = two_proportion_test(
            control.successes, control.trials, test.successes, test.trials, alpha=alpha
        )
        est, diff, diff_ci = (pt.p_a, pt.p_b), pt.lift_abs, pt.lift_abs_ci
        rel, rel_ci, p_value = pt.lift_rel, pt.lift_rel_ci, pt.p_value
        srm = srm or srm_check((control.trials, test.trials), planned_split)
        p_alt = min(1.0, pt.p_a * (1 + mde_rel))
        power = power_two_proportions(pt.p_a, p_alt, control.trials, test.trials, alpha=alpha)
        if days_run and pt.p_a > 0:
            n_need = sample_size_two_proportions(pt.p_a, p_alt, alpha=alpha, power=power_target)
            per_day = min(control.trials, test.trials) / days_run
            days_needed = max(MIN_TEST_DAYS, math.ceil(n_need / per_day))
        for arm in (control, test):
            if min(arm.successes, arm.trials - arm.successes) < _MIN_COUNT:
                warnings.append(
                    f"arm {arm.name!r} has fewer than {_MIN_COUNT} successes or failures: "
                    "the normal approximation is unreliable"
                )
    elif isinstance(control, ClusterArm) and isinstance(test, ClusterArm):
        method = "delta_method_t"
        c = ratio_arm(control.numerator, control.denominator)
        t = ratio_arm(test.numerator, test.denominator)
        rt = ratio_test(c, t, alpha=alpha)
        est, diff, diff_ci = (c.estimate, t.estimate), rt.lift_abs, rt.lift_abs_ci
        rel, rel_ci, p_value = rt.lift_rel, rt.lift_rel_ci, rt.p_value_abs
        units = (
            control.units if control.units is not None else c.denominator_total,
            test.units if test.units is not None else t.denominator_total,
        )
        srm = srm or srm_check(units, planned_split)
        effect = mde_rel * c.estimate
        if effect != 0:
            power = power_for_n(effect, c.unit_var, t.unit_var, c.n, t.n, alpha=alpha)
            n_days = sample_size_per_arm(
                effect, c.unit_var, t.unit_var, alpha=alpha, power=power_target
            )
            days_needed = max(MIN_TEST_DAYS, n_days)
        else:
            power = math.nan
        if days_run is None:
            days_run = max(c.n, t.n)
    else:  # pragma: no cover - excluded by the type check above
        raise StatsInputError("unsupported arm type")
    significant = p_value < alpha
    short = short_test_warning(days_run)
    if short:
        warnings.append(short)
    if srm.mismatch:
        warnings.append(
            f"sample-ratio mismatch (p = {srm.p_value:.2g}): the split is not the planned one; "
            "do not trust the result before finding the cause"
        )
    if not significant and power < power_target:
        warnings.append(
            f"power to detect a {mde_rel:.0%} relative change is only {power:.0%}: "
            "'no winner' may just mean too little data"
        )
    return ABResult(
        metric=metric,
        method=method,
        arms=arms,
        estimates=est,
        lift_abs=diff,
        lift_abs_ci=diff_ci,
        lift_rel=rel,
        lift_rel_ci=rel_ci,
        p_value=p_value,
        alpha=alpha,
        significant=significant,
        winner=_winner(arms, diff, significant, higher_is_better),
        higher_is_better=higher_is_better,
        srm=srm,
        mde_rel=mde_rel,
        power=power,
        days_needed=days_needed,
        days_run=days_run,
        warnings=tuple(warnings),
    )
