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
from tokops.insights.stats.proportions import (
    ProportionTest,
    SrmCheck,
    srm_check,
    two_proportion_test,
)
from tokops.insights.stats.ratio import RatioTest, ratio_arm, ratio_test

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


@dataclass(frozen=True, slots=True)
class _Design:
    """What the test was meant to be: level, planned split, days, the effect to detect."""

    alpha: float
    planned_split: Sequence[float]
    days_run: int | None
    mde_rel: float
    power_target: float
    srm: SrmCheck | None


@dataclass(frozen=True, slots=True)
class _Estimate:
    """One method's estimates, test of the difference, split check and power."""

    method: Method
    estimates: tuple[float, float]
    test: ProportionTest | RatioTest
    """The difference, its interval and p-value (relative lift too)."""
    srm: SrmCheck
    power: float
    days_needed: int | None
    days_run: int | None
    warnings: tuple[str, ...] = ()

    @property
    def p_value(self) -> float:
        t = self.test
        return t.p_value if isinstance(t, ProportionTest) else t.p_value_abs


def _proportions(control: ProportionArm, test: ProportionArm, d: _Design) -> _Estimate:
    pt = two_proportion_test(
        control.successes, control.trials, test.successes, test.trials, alpha=d.alpha
    )
    p_alt = min(1.0, pt.p_a * (1 + d.mde_rel))
    power = power_two_proportions(pt.p_a, p_alt, control.trials, test.trials, alpha=d.alpha)
    days_needed = None
    if d.days_run and pt.p_a > 0:
        n_need = sample_size_two_proportions(pt.p_a, p_alt, alpha=d.alpha, power=d.power_target)
        per_day = min(control.trials, test.trials) / d.days_run
        days_needed = max(MIN_TEST_DAYS, math.ceil(n_need / per_day))
    warnings = tuple(
        f"arm {arm.name!r} has fewer than {_MIN_COUNT} successes or failures: "
        "the normal approximation is unreliable"
        for arm in (control, test)
        if min(arm.successes, arm.trials - arm.successes) < _MIN_COUNT
    )
    srm = d.srm or srm_check((control.trials, test.trials), d.planned_split)
    return _Estimate(
        "two_proportion_z", (pt.p_a, pt.p_b), pt, srm, power, days_needed, d.days_run, warnings
    )


def _clusters(control: ClusterArm, test: ClusterArm, d: _Design) -> _Estimate:
    c = ratio_arm(control.numerator, control.denominator)
    t = ratio_arm(test.numerator, test.denominator)
    rt = ratio_test(c, t, alpha=d.alpha)
    units = (
        control.units if control.units is not None else c.denominator_total,
        test.units if test.units is not None else t.denominator_total,
    )
    srm = d.srm or srm_check(units, d.planned_split)
    effect = d.mde_rel * c.estimate
    power, days_needed = math.nan, None
    if effect != 0:
        power = power_for_n(effect, c.unit_var, t.unit_var, c.n, t.n, alpha=d.alpha)
        n_days = sample_size_per_arm(
            effect, c.unit_var, t.unit_var, alpha=d.alpha, power=d.power_target
        )
        days_needed = max(MIN_TEST_DAYS, n_days)
    days_run = max(c.n, t.n) if d.days_run is None else d.days_run
    return _Estimate(
        "delta_method_t", (c.estimate, t.estimate), rt, srm, power, days_needed, days_run
    )


def _estimate(control: ProportionArm | ClusterArm, test: ProportionArm | ClusterArm,
              d: _Design) -> _Estimate:  # fmt: skip
    if type(control) is not type(test):
        raise StatsInputError("both arms must be ProportionArm or both ClusterArm")
    if d.mde_rel <= 0:
        raise StatsInputError("mde_rel must be > 0")
    if isinstance(control, ProportionArm) and isinstance(test, ProportionArm):
        return _proportions(control, test, d)
    if isinstance(control, ClusterArm) and isinstance(test, ClusterArm):
        return _clusters(control, test, d)
    raise StatsInputError("unsupported arm type")  # pragma: no cover - excluded above


def _warnings(e: _Estimate, significant: bool, d: _Design) -> tuple[str, ...]:
    warnings = list(e.warnings)
    short = short_test_warning(e.days_run)
    if short:
        warnings.append(short)
    if e.srm.mismatch:
        warnings.append(
            f"sample-ratio mismatch (p = {e.srm.p_value:.2g}): the split is not the planned one; "
            "do not trust the result before finding the cause"
        )
    if not significant and e.power < d.power_target:
        warnings.append(
            f"power to detect a {d.mde_rel:.0%} relative change is only {e.power:.0%}: "
            "'no winner' may just mean too little data"
        )
    return tuple(warnings)


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
    design = _Design(alpha, planned_split, days_run, mde_rel, power_target, srm)
    e = _estimate(control, test, design)
    arms = (control.name, test.name)
    significant = e.p_value < alpha
    return ABResult(
        metric=metric,
        method=e.method,
        arms=arms,
        estimates=e.estimates,
        lift_abs=e.test.lift_abs,
        lift_abs_ci=e.test.lift_abs_ci,
        lift_rel=e.test.lift_rel,
        lift_rel_ci=e.test.lift_rel_ci,
        p_value=e.p_value,
        alpha=alpha,
        significant=significant,
        winner=_winner(arms, e.test.lift_abs, significant, higher_is_better),
        higher_is_better=higher_is_better,
        srm=e.srm,
        mde_rel=mde_rel,
        power=e.power,
        days_needed=e.days_needed,
        days_run=e.days_run,
        warnings=_warnings(e, significant, design),
    )
