"""The funnel of a goal plan: historical rates and the volumes a target needs (KPI-2, BYD-3).

Pure: per-day sums in, a :class:`Funnel` out (no store). Every rate is a ratio of sums. The
uncertainty is a bootstrap over days: each replicate resamples whole days, recomputes every rate
from its sums, and turns the target into required volumes with that replicate's rates, so the
ranges keep the correlation between the rates. See :mod:`tokops.insights.plan` for the formulas.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Final, Literal

import numpy as np

from tokops.errors import ConfigError
from tokops.insights.stats.common import FloatArray, StatsInputError

__all__ = [
    "EVENTS",
    "MIN_CONVERSIONS",
    "MIN_DAYS",
    "RATE_KPIS",
    "Event",
    "Funnel",
    "FunnelOptions",
    "FunnelRate",
    "GoalTarget",
    "Requirement",
    "check_event",
    "finite",
    "funnel_plan",
]

Event = Literal["conversions", "purchases"]

EVENTS: Final[dict[str, tuple[str, ...]]] = {
    "conversions": ("conversions",),
    "purchases": ("purchases", "orders"),
}
"""The measures an event counts (summed)."""
MIN_DAYS = 7
MIN_CONVERSIONS = 20
RATE_KPIS: dict[str, dict[str, str]] = {
    "conversions": {
        "view_rate": "view_rate_p25",
        "ctr": "ctr",
        "atc_rate": "atc_rate",
        "cvr": "cvr_click",
        "cpm": "cpm",
        "cpa": "cpa",
        "aov": "value_per_conversion",
        "roas": "total_roas",
    },
    "purchases": {
        "view_rate": "view_rate_p25",
        "ctr": "ctr",
        "atc_rate": "atc_rate",
        "cvr": "purchase_rate_click",
        "cpm": "cpm",
        "cpa": "cost_per_purchase",
        "aov": "value_per_purchase",
        "roas": "total_roas",
    },
}
"""The funnel's rates by event → the catalogue KPI each one is (name, definition and unit)."""


@dataclass(frozen=True, slots=True)
class FunnelRate:
    """One historical rate: a catalogue KPI (in its unit: percent for rates), bootstrap interval."""

    name: str
    estimate: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True, slots=True)
class Requirement:
    """A volume the target needs: ``expected`` from the pooled rates, ``low``–``high`` range."""

    name: str
    low: float | None
    expected: float | None
    high: float | None


@dataclass(frozen=True, slots=True)
class GoalTarget:
    """What to reach: a number of sales or a revenue (exactly one); a ROAS with a revenue."""

    sales: float | None = None
    revenue: float | None = None
    roas: float | None = None

    @property
    def value(self) -> float:
        """The sales or the revenue asked for."""
        return float(self.sales if self.sales is not None else self.revenue or 0.0)

    def check(self) -> None:
        """Exactly one positive target; a ROAS only with a revenue, and positive."""
        if (self.sales is None) == (self.revenue is None):
            raise ConfigError("give exactly one target: sales or revenue")
        if self.roas is not None and self.revenue is None:
            raise ConfigError("a ROAS target needs a revenue target (revenue at that ROAS)")
        if not math.isfinite(self.value) or self.value <= 0:
            raise ConfigError(f"the target must be a positive number, got {self.value}")
        if self.roas is not None and self.roas <= 0:
            raise ConfigError(f"ROAS must be positive, got {self.roas}")


@dataclass(frozen=True, slots=True)
class FunnelOptions:
    """How the funnel is estimated: interval level, bootstrap, the history it needs, the event."""

    level: float = 0.90
    n_boot: int = 2000
    seed: int = 0
    min_days: int = MIN_DAYS
    min_conversions: float = MIN_CONVERSIONS
    event: Event = "conversions"


@dataclass(frozen=True, slots=True)
class Funnel:
    """The rates of the history, the volumes the target needs, the history's totals, notes."""

    rates: list[FunnelRate]
    requirements: list[Requirement]
    history: dict[str, float]
    notes: list[str] = field(default_factory=list)


def check_event(event: str) -> None:
    """*event* is ``conversions`` or ``purchases``."""
    if event not in EVENTS:
        raise ConfigError(f"event {event!r}: use conversions or purchases")


def finite(value: float) -> float | None:
    """*value*, or None when it is not finite."""
    return value if math.isfinite(value) else None


def _ratio(num: FloatArray, den: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    return np.asarray(out, dtype=np.float64)


def _scaled(value: float | None, scale: float) -> float | None:
    return None if value is None else value * scale


def _rates(s: dict[str, FloatArray]) -> dict[str, FloatArray]:
    return {
        "view_rate": _ratio(s["views"], s["impressions"]),
        "ctr": _ratio(s["clicks"], s["impressions"]),
        "atc_rate": _ratio(s["add_to_cart"], s["clicks"]),
        "cvr": _ratio(s["conversions"], s["clicks"]),
        "cpm": 1000.0 * _ratio(s["spend"], s["impressions"]),
        "cpa": _ratio(s["spend"], s["conversions"]),
        "aov": _ratio(s["revenue"], s["conversions"]),
        "roas": _ratio(s["revenue"], s["spend"]),
    }


def _needs(r: dict[str, FloatArray], target: GoalTarget) -> dict[str, FloatArray]:
    value = target.value
    conv = np.full_like(r["cvr"], value) if target.sales is not None else value / r["aov"]
    clicks = conv / r["cvr"]
    impressions = clicks / r["ctr"]
    return {
        "impressions": impressions,
        "views_p25": impressions * r["view_rate"],
        "clicks": clicks,
        "add_to_cart": clicks * r["atc_rate"],
        "conversions": conv,
        "budget": impressions * r["cpm"] / 1000.0,
    }


def _band(values: FloatArray, level: float) -> tuple[float | None, float | None]:
    ok = values[np.isfinite(values)]
    if ok.size < 0.5 * values.size:
        return None, None
    tail = (1.0 - level) / 2.0
    lo, hi = np.quantile(ok, [tail, 1.0 - tail])
    return float(lo), float(hi)


def _check_history(totals: dict[str, float], n: int, target: GoalTarget, o: FunnelOptions) -> None:
    if n < o.min_days:
        raise StatsInputError(
            f"history too thin: {n} day(s) with delivery, a plan needs at least {o.min_days}"
        )
    if totals["conversions"] < o.min_conversions:
        raise StatsInputError(
            f"history too thin: {totals['conversions']:.0f} conversions in {n} days, a plan "
            f"needs at least {o.min_conversions:.0f} to estimate the conversion rate"
        )
    if totals["clicks"] <= 0 or totals["impressions"] <= 0 or totals["spend"] <= 0:
        raise StatsInputError("history has no clicks, impressions or spend to plan from")
    if target.revenue is not None and totals["revenue"] <= 0:
        raise StatsInputError("no purchase value in the history: plan a sales target instead")


def _absent(totals: dict[str, float]) -> dict[str, bool]:
    return {
        "view_rate": totals["views"] <= 0,
        "atc_rate": totals["add_to_cart"] <= 0,
        "aov": totals["revenue"] <= 0,
        "roas": totals["revenue"] <= 0,
    }


def _rate_rows(
    boot: dict[str, FloatArray], pooled: dict[str, FloatArray], absent: dict[str, bool],
    o: FunnelOptions,
) -> list[FunnelRate]:  # fmt: skip
    from tokops.metrics.catalogue import CATALOGUE

    out = []
    for name, values in boot.items():
        kpi = CATALOGUE[RATE_KPIS[o.event][name]]
        # cpm is 1000·Σspend/Σimpressions already; the rates are plain fractions here
        scale = 1.0 if name == "cpm" else float(kpi.scale)
        if absent.get(name, False):
            out.append(FunnelRate(kpi.name, None, None, None))
            continue
        lo, hi = _band(values, o.level)
        estimate = finite(float(pooled[name][0]))
        out.append(
            FunnelRate(kpi.name, _scaled(estimate, scale), _scaled(lo, scale), _scaled(hi, scale))
        )
    return out


def _requirement_rows(
    boot: dict[str, FloatArray], pooled: dict[str, FloatArray], absent: dict[str, bool],
    level: float,
) -> list[Requirement]:  # fmt: skip
    left_out = {"views_p25": absent["view_rate"], "add_to_cart": absent["atc_rate"]}
    out = []
    for name, values in boot.items():
        if left_out.get(name, False):
            out.append(Requirement(name, None, None, None))
            continue
        lo, hi = _band(values, level)
        out.append(Requirement(name, lo, finite(float(pooled[name][0])), hi))
    return out


def _roas_notes(target: GoalTarget, rates: list[FunnelRate]) -> list[str]:
    roas, revenue = target.roas, target.revenue
    if roas is None or revenue is None:
        return []
    notes = [f"a ROAS of {roas:g} allows a budget of {revenue / roas:,.2f} for this revenue"]
    hist = next(r for r in rates if r.name == "total_roas")
    if hist.high is not None and hist.high < roas:
        notes.append(
            f"target ROAS {roas:g} is above the history's range "
            f"({hist.low:.2f}–{hist.high:.2f}): not reachable at current performance"
        )
    elif hist.low is not None and hist.low < roas:
        notes.append(f"target ROAS {roas:g} lies within the history's range: uncertain")
    return notes


def _notes(
    n: int, totals: dict[str, float], absent: dict[str, bool], funnel: Funnel, o: FunnelOptions,
    target: GoalTarget,
) -> list[str]:  # fmt: skip
    notes = [
        f"ranges are {o.level:.0%} bootstrap intervals over {n} days of history; they cover the "
        "uncertainty of the rates, not a change in the market",
    ]
    if absent["view_rate"]:
        notes.append("no 25 % video views in the history: the views requirement is left out")
    if absent["atc_rate"]:
        notes.append("no add-to-cart events in the history: that requirement is left out")
    budget = next(r for r in funnel.requirements if r.name == "budget")
    if budget.expected is not None and budget.expected > 3 * totals["spend"]:
        notes.append(
            f"the plan needs {budget.expected / totals['spend']:.1f}x the spend of the whole "
            "history: at that scale CPA usually rises (diminishing returns), so read the budget "
            "as a floor"
        )
    return notes + _roas_notes(target, funnel.rates)


def funnel_plan(
    daily: dict[str, FloatArray], target: GoalTarget, options: FunnelOptions | None = None
) -> Funnel:
    """Rates, requirements, history totals and notes from per-day sums (pure; no store).

    *daily* maps ``spend``, ``impressions``, ``views``, ``clicks``, ``add_to_cart``,
    ``conversions`` and ``revenue`` to arrays with one value per day. The rates come back under
    their catalogue names (:data:`RATE_KPIS` for the event), in the catalogue's units.
    """
    o = options or FunnelOptions()
    check_event(o.event)
    target.check()
    if not 0.5 < o.level < 1.0:
        raise ConfigError(f"level must lie in (0.5, 1), got {o.level}")
    n = len(daily["spend"])
    totals = {k: float(np.sum(v)) for k, v in daily.items()}
    _check_history(totals, n, target, o)
    idx = np.random.default_rng(o.seed).integers(0, n, size=(o.n_boot, n))
    boot = {k: np.asarray(v, dtype=np.float64)[idx].sum(axis=1) for k, v in daily.items()}
    pooled = {k: np.array([v]) for k, v in totals.items()}
    r_boot, r_pool = _rates(boot), _rates(pooled)
    absent = _absent(totals)
    funnel = Funnel(
        _rate_rows(r_boot, r_pool, absent, o),
        _requirement_rows(_needs(r_boot, target), _needs(r_pool, target), absent, o.level),
        {**totals, "days": float(n), "daily_spend": totals["spend"] / n},
    )
    return Funnel(
        funnel.rates,
        funnel.requirements,
        funnel.history,
        _notes(n, totals, absent, funnel, o, target),
    )
