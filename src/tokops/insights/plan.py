"""Goal-first planning: from a sales or revenue target back to the volumes and budget (KPI-2).

The funnel rates come from the account's own history in ``ad_daily`` (one Ibis query: filter,
``GROUP BY stat_date``, ``SUM`` in the engine; only one row per day comes back). Every rate is a
ratio of sums. The uncertainty is a bootstrap over days: each replicate resamples whole days,
recomputes every rate from its sums, and turns the target into required volumes with that
replicate's rates, so the ranges of the requirements keep the correlation between the rates
(a day with a high CTR and a low CVR stays one day). Ranges, never single numbers (BYD-3)::

    conversions = sales                      (or revenue / AOV)
    clicks      = conversions / CVR          CVR = Σconversions / Σclicks
    impressions = clicks / CTR               CTR = Σclicks / Σimpressions
    views (25%) = impressions · view rate    view rate = Σp25 views / Σimpressions
    add-to-cart = clicks · ATC rate          ATC rate = Σadd-to-cart / Σclicks
    budget      = impressions · CPM / 1000   (= conversions · CPA)

The rates are reported under their names in the KPI catalogue (``cvr_click``, ``view_rate_p25``,
``atc_rate``, ``value_per_conversion``, ``total_roas`` …; :data:`RATE_KPIS`), in the catalogue's
units (percent for rates), so ``tokops kpi`` gives the same values on the same days. Money is
never summed across currencies: :func:`plan_goals` plans each currency's accounts on their own
and shares a sales target by each one's conversions.

The budget above assumes the rates hold at any volume. Spending more usually buys conversions
at a rising CPA, so the plan also fits the account's daily **response curve** (KPI-5b,
:func:`tokops.insights.budget.fit_curve`: ``outcome/day = a · spend/day^b``, ``0 < b ≤ 1``, a
quasi-Poisson fit over the history's days) and inverts it over a horizon of ``H`` days at a
constant daily spend::

    daily spend = (target / H / a)^(1/b)         budget = H · daily spend

The range comes from a parametric bootstrap over (log a, b). When the daily spend needed lies
beyond the largest daily spend of the history, the curve is extrapolated and the plan says by
how much: the shape of the curve there is an assumption, not an observation. A curve is fitted
only on ≥ 7 days whose spend varied (log-range ≥ 0.2) with a slope known to ±0.35 (1 se).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from tokops.errors import ConfigError
from tokops.insights.budget import MAX_SE_B, Curve, draw_curves, fit_curve
from tokops.insights.data import MixedCurrencies
from tokops.insights.funnel import (
    EVENTS,
    MIN_DAYS,
    Event,
    FunnelOptions,
    FunnelRate,
    GoalTarget,
    Requirement,
    check_event,
    finite,
    funnel_plan,
)
from tokops.insights.stats.common import FloatArray, StatsInputError, jsonable
from tokops.metrics.query import (
    AD_TABLE,
    CurrencyGroup,
    MeasureQuery,
    Total,
    ad_rows,
    currency_groups,
    last_day,
    sum_measures,
)
from tokops.metrics.sources import synced_table
from tokops.metrics.window import Window

if TYPE_CHECKING:
    from tokops.metrics.reader import Reader

__all__ = [
    "CurveBudget",
    "FunnelRate",
    "GoalParams",
    "GoalPlan",
    "PlanReport",
    "Requirement",
    "curve_budget",
    "daily_sums",
    "plan_goal",
    "plan_goals",
]

_SUMS: dict[str, tuple[str, ...]] = {
    "spend": ("spend",),
    "impressions": ("impressions",),
    "views": ("video_views_p25",),
    "clicks": ("clicks",),
    "add_to_cart": ("add_to_cart",),
    "revenue": ("purchase_value", "gmv"),
}


@dataclass(frozen=True, slots=True)
class CurveBudget:
    """The budget a target needs on the fitted response curve (nonlinear in the target)."""

    outcome: str
    """What the curve predicts: ``conversions`` (sales target) or ``revenue``."""
    horizon_days: int
    per_day: float
    """Outcome needed per day of the horizon."""
    a: float
    b: float
    b_ci: tuple[float, float]
    daily_spend: Requirement
    budget: Requirement
    """Total over the horizon: ``low``–``high`` from the curve's uncertainty."""
    linear_budget: float
    """The same target at the history's average cost per outcome (no diminishing returns)."""
    observed_daily_spend: tuple[float, float]
    """Smallest and largest daily spend of the history."""
    extrapolation: float
    """Needed daily spend / largest observed daily spend (> 1: beyond the data)."""
    marginal_cost: float | None
    """Cost of one more unit of outcome at the needed daily spend."""


@dataclass(frozen=True, slots=True)
class GoalPlan:
    target: dict[str, float]
    event: str
    start: dt.date
    end: dt.date
    days: int
    currency: str | None
    level: float
    rates: list[FunnelRate]
    requirements: list[Requirement]
    history: dict[str, float]
    notes: list[str] = field(default_factory=list)
    curve: CurveBudget | None = None
    advertiser_ids: tuple[str, ...] = ()
    """The accounts planned (empty: every account of the selection)."""
    share: float | None = None
    """The part of a sales target given to this currency's accounts (several currencies)."""

    def rate(self, name: str) -> FunnelRate:
        return next(r for r in self.rates if r.name == name)

    def requirement(self, name: str) -> Requirement:
        return next(r for r in self.requirements if r.name == name)

    def to_dict(self) -> dict[str, Any]:
        return dict(
            jsonable(
                {
                    "target": self.target,
                    "event": self.event,
                    "start": self.start.isoformat(),
                    "end": self.end.isoformat(),
                    "days": self.days,
                    "currency": self.currency,
                    "level": self.level,
                    "rates": [vars_of(r) for r in self.rates],
                    "requirements": [vars_of(r) for r in self.requirements],
                    "history": self.history,
                    "curve": None if self.curve is None else _curve_dict(self.curve),
                    "advertiser_ids": list(self.advertiser_ids),
                    "share": self.share,
                    "notes": self.notes,
                }
            )
        )


def vars_of(obj: FunnelRate | Requirement) -> dict[str, Any]:
    return {k: getattr(obj, k) for k in obj.__slots__}


def _curve_dict(c: CurveBudget) -> dict[str, Any]:
    out = {k: getattr(c, k) for k in c.__slots__}
    out["daily_spend"], out["budget"] = vars_of(c.daily_spend), vars_of(c.budget)
    return out


def curve_budget(
    spend: FloatArray,
    outcome: FloatArray,
    target: float,
    *,
    horizon_days: int,
    outcome_name: str = "conversions",
    level: float = 0.90,
    n_sim: int = 4000,
    seed: int = 0,
    min_days: int = MIN_DAYS,
    max_se_b: float = MAX_SE_B,
) -> tuple[CurveBudget | None, list[str]]:
    """Budget for *target* (over *horizon_days*) on the daily response curve, with notes.

    ``None`` with a note when the history cannot carry a curve (too few days with spend, spend
    that barely varied, or a slope too uncertain).
    """
    if horizon_days < 1:
        raise ConfigError(f"horizon_days must be ≥ 1, got {horizon_days}")
    x = np.asarray(spend, dtype=np.float64)
    y = np.asarray(outcome, dtype=np.float64)
    c = _daily_curve(x, y, outcome_name, min_days, max_se_b)
    if isinstance(c, str):
        return None, [f"no response curve: {c}"]
    per_day = target / horizon_days

    def spend_for(la: FloatArray, b: FloatArray) -> FloatArray:
        with np.errstate(over="ignore"):
            out = np.exp((math.log(per_day) - la) / b)
        return np.asarray(out, dtype=np.float64)

    la, bb = draw_curves(c, n_sim, np.random.default_rng(seed))
    sims = spend_for(la, bb)
    tail = (1.0 - level) / 2.0
    lo, hi = (float(v) for v in np.quantile(sims, [tail, 1.0 - tail]))
    need = float(spend_for(np.array([math.log(c.a)]), np.array([c.b]))[0])
    z = _z(level)
    days = x > 0
    lo_obs, hi_obs = float(x[days].min()), float(x[days].max())
    marginal = c.marginal(need)
    curve = CurveBudget(
        outcome=outcome_name,
        horizon_days=horizon_days,
        per_day=per_day,
        a=c.a,
        b=c.b,
        b_ci=(max(0.0, c.b - z * c.se_b), min(1.0, c.b + z * c.se_b)),
        daily_spend=Requirement("daily_spend", finite(lo), finite(need), finite(hi)),
        budget=Requirement(
            "budget_curve",
            finite(lo * horizon_days),
            finite(need * horizon_days),
            finite(hi * horizon_days),
        ),
        linear_budget=target * float(x.sum()) / float(y.sum()),
        observed_daily_spend=(lo_obs, hi_obs),
        extrapolation=need / hi_obs,
        marginal_cost=1.0 / marginal if marginal > 0 and math.isfinite(marginal) else None,
    )
    return curve, _curve_notes(curve, int(days.sum()), need, level)


def _daily_curve(
    x: FloatArray, y: FloatArray, outcome_name: str, min_days: int, max_se_b: float
) -> Curve | str:
    """The history's response curve, or why it cannot carry one."""
    days = x > 0
    n = int(days.sum())
    if n < min_days:
        return f"{n} day(s) with spend (< {min_days}); the budget is linear"
    if float(np.ptp(np.log(x[days]))) < 0.2:
        return (
            f"daily spend barely varied in the history, so how {outcome_name} respond to "
            "more spend is unknown; the budget is linear and likely too low at a larger scale"
        )
    try:
        c = fit_curve(x, y)
    except StatsInputError as exc:
        return str(exc)
    if c.se_b > max_se_b:
        return f"the slope is too uncertain (b = {c.b:.2f} ± {c.se_b:.2f})"
    return c


def _curve_notes(curve: CurveBudget, n: int, need: float, level: float) -> list[str]:
    lo_obs, hi_obs = curve.observed_daily_spend
    notes = [
        f"response curve {curve.outcome}/day = {curve.a:.3g} · spend^{curve.b:.2f} (b "
        f"{level:.0%} CI {curve.b_ci[0]:.2f}–{curve.b_ci[1]:.2f}) over {n} days; budget_curve "
        f"spends evenly over {curve.horizon_days} days"
    ]
    if curve.b < 0.95 and curve.budget.expected is not None:
        notes.append(
            f"returns diminish (b = {curve.b:.2f} < 1): the budget grows faster than the target; "
            f"{curve.budget.expected:,.2f} on the curve vs {curve.linear_budget:,.2f} at the "
            "history's average cost"
        )
    if need > hi_obs:
        notes.append(
            f"extrapolating: the target needs {need:,.2f}/day, {curve.extrapolation:.1f}x the "
            f"largest daily spend seen ({hi_obs:,.2f}); the curve's shape there is assumed, "
            "so treat the range as optimistic"
        )
    elif need < lo_obs:
        notes.append(
            f"the target needs {need:,.2f}/day, below the smallest daily spend seen "
            f"({lo_obs:,.2f}): the curve is extrapolated downwards"
        )
    return notes


def _z(level: float) -> float:
    from tokops.insights.stats.common import norm_ppf

    return norm_ppf(0.5 + level / 2.0)


@dataclass(frozen=True, slots=True)
class GoalParams:
    """What :func:`plan_goal` and :func:`plan_goals` plan: the target, its history, the method.

    History: the *window_days* days ending at *end* (default: the last day in ``ad_daily``) of
    *advertiser_ids* (default: every account). The response-curve budget spreads the target
    over *horizon_days* (default *window_days*).
    """

    sales: float | None = None
    revenue: float | None = None
    roas: float | None = None
    window_days: int = 28
    end: dt.date | None = None
    advertiser_ids: tuple[str, ...] = ()
    event: Event = "conversions"
    level: float = 0.90
    n_boot: int = 2000
    seed: int = 0
    horizon_days: int | None = None

    @property
    def target(self) -> GoalTarget:
        return GoalTarget(self.sales, self.revenue, self.roas)

    @property
    def funnel(self) -> FunnelOptions:
        return FunnelOptions(self.level, self.n_boot, self.seed, event=self.event)

    def check_days(self) -> None:
        if self.window_days < 1:
            raise ConfigError(f"window_days must be ≥ 1, got {self.window_days}")

    def history(self, reader: Reader, currency: str | None = None) -> Window:
        """The window of the history: ends at *end* or the last day with rows."""
        synced_table(reader, AD_TABLE)  # a clear error when nothing was synced yet
        last = self.end or last_day(reader, Window(advertiser_ids=self.advertiser_ids,
                                                    currency=currency))  # fmt: skip
        if last is None:
            raise StatsInputError("history too thin: ad_daily has no rows to plan from")
        start = last - dt.timedelta(days=self.window_days - 1)
        return Window(start, last, self.advertiser_ids, currency)


def daily_sums(
    reader: Reader, window: Window, event: Event = "conversions"
) -> tuple[dict[str, FloatArray], tuple[str, ...]]:
    """Per-day sums of the funnel measures over *window* (one engine query)."""
    check_event(event)
    measures = {**_SUMS, "conversions": EVENTS[event]}
    query = MeasureQuery(
        tuple(Total(k, v) for k, v in measures.items()), by=("stat_date",), window=window
    )
    sums = sum_measures(reader, query)
    return {k: sums.floats(k) for k in measures}, sums.currencies


def plan_goal(reader: Reader, params: GoalParams, currency: str | None = None) -> GoalPlan:
    """Work a sales or revenue target back to impressions, views, clicks and budget (KPI-2).

    The history (see :class:`GoalParams`) is read from the accounts that report in *currency*
    when given. It must be in one currency (see :func:`plan_goals` for several).
    """
    params.check_days()
    history = params.history(reader, currency)
    assert history.start is not None and history.end is not None
    daily, currencies = daily_sums(reader, history, params.event)
    if len(currencies) > 1:
        raise MixedCurrencies(
            f"the history mixes currencies {', '.join(currencies)}: a budget is planned in "
            "one currency; choose the accounts of one currency"
        )
    target = params.target
    funnel = funnel_plan(daily, target, params.funnel)
    outcome = "conversions" if params.sales is not None else "revenue"
    curve, curve_notes = curve_budget(
        daily["spend"],
        daily[outcome],
        target.value,
        horizon_days=params.horizon_days or params.window_days,
        outcome_name=outcome,
        level=params.level,
        seed=params.seed,
    )
    notes = [n for n in funnel.notes if "diminishing returns" not in n] if curve else funnel.notes
    reqs = funnel.requirements if curve is None else [*funnel.requirements, curve.budget]
    wanted = {"sales": params.sales} if params.sales is not None else {"revenue": target.value}
    if params.roas is not None:
        wanted["roas"] = params.roas
    return GoalPlan(
        target={k: float(v) for k, v in wanted.items() if v is not None},
        event=params.event,
        start=history.start,
        end=history.end,
        days=int(funnel.history["days"]),
        currency=currencies[0] if currencies else None,
        level=params.level,
        rates=funnel.rates,
        requirements=reqs,
        history=funnel.history,
        notes=notes + curve_notes,
        curve=curve,
    )


@dataclass(frozen=True, slots=True)
class PlanReport:
    """One :class:`GoalPlan` per currency, the groups that could not be planned, and notes."""

    plans: list[GoalPlan]
    skipped: list[dict[str, Any]]
    notes: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "plans": [p.to_dict() for p in self.plans],
            "skipped": self.skipped,
            "notes": self.notes,
        }


def plan_goals(reader: Reader, params: GoalParams) -> PlanReport:
    """:func:`plan_goal` per currency of the history: each group is planned in its own money.

    A sales target is shared between the currencies in proportion to each one's conversions
    (or purchases) in the history; a revenue target is an amount in one currency and needs a
    history in one currency. A group that cannot be planned is listed with its reason.
    """
    params.check_days()
    if (params.sales is None) == (params.revenue is None):
        raise ConfigError("give exactly one target: sales or revenue")
    check_event(params.event)
    history = params.history(reader)
    groups = currency_groups(reader, ad_rows(reader, history), history)
    fixed = replace(params, end=history.end)
    if len(groups) == 1:
        plan = plan_goal(reader, fixed)
        return PlanReport([replace(plan, advertiser_ids=groups[0].advertiser_ids)], [], [])
    names = ", ".join(str(g.currency) for g in groups)
    if params.sales is None:
        raise MixedCurrencies(
            f"a revenue target is an amount in one currency, and the history has {names}: "
            "choose the accounts of one currency"
        )
    query = MeasureQuery((Total("n", EVENTS[params.event]),), by=("currency",), window=history)
    rows = sum_measures(reader, query).rows
    counts = {
        str(c): float(n or 0.0)
        for c, n in zip(rows.column("currency").to_pylist(), rows.column("n").to_pylist(),
                        strict=True)
    }  # fmt: skip
    return _shared_plans(reader, fixed, groups, counts, names)


def _shared_plans(
    reader: Reader, params: GoalParams, groups: list[CurrencyGroup], counts: dict[str, float],
    names: str,
) -> PlanReport:  # fmt: skip
    """A sales target shared between currency *groups* by their *counts* of the event."""
    sales = float(params.sales or 0.0)
    total = sum(counts.values())
    plans: list[GoalPlan] = []
    skipped: list[dict[str, Any]] = []
    for g in groups:
        share = counts.get(str(g.currency), 0.0) / total if total > 0 else 0.0
        part = sales * share
        try:
            if part <= 0:
                raise StatsInputError(f"no {params.event} in the history")
            plan = plan_goal(reader, replace(params, sales=part), g.currency)
        except StatsInputError as exc:
            skipped.append({"currency": g.currency, "advertiser_ids": list(g.advertiser_ids),
                            "share": share, "reason": str(exc)})  # fmt: skip
            continue
        plans.append(replace(plan, advertiser_ids=g.advertiser_ids, share=share))
    if not plans:
        raise StatsInputError(
            "no currency group can be planned: "
            + " | ".join(f"{s['currency']}: {s['reason']}" for s in skipped)
        )
    split = ", ".join(f"{g.currency} {counts.get(str(g.currency), 0.0) / total:.0%}"
                      for g in groups)  # fmt: skip
    notes = [
        f"the history has {names}: each currency is planned in its own money, and the target "
        f"of {sales:,.0f} sales is shared by each one's {params.event} over the "
        f"{params.window_days} days ({split})"
    ]
    for s in skipped:
        notes.append(
            f"{s['currency']} accounts not planned ({s['reason']}): their part of the target, "
            f"{sales * s['share']:,.0f} sales, has no plan"
        )
    return PlanReport(plans, skipped, notes)
