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
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from tokops.errors import ConfigError
from tokops.insights._common import FloatArray, StatsInputError, jsonable
from tokops.insights.budget import MAX_SE_B, draw_curves, fit_curve
from tokops.insights.data import (
    AD_TABLE,
    MixedCurrencies,
    Window,
    _base,
    _currencies,
    _floats,
    _measure,
    currency_groups,
)
from tokops.metrics.sources import synced_table

if TYPE_CHECKING:
    from tokops.warehouse import Store

__all__ = [
    "CurveBudget",
    "FunnelRate",
    "GoalPlan",
    "PlanReport",
    "Requirement",
    "curve_budget",
    "funnel_plan",
    "plan_goal",
    "plan_goals",
]

Event = Literal["conversions", "purchases"]

_EVENTS: dict[str, tuple[str, ...]] = {
    "conversions": ("conversions",),
    "purchases": ("purchases", "orders"),
}
_SUMS: dict[str, tuple[str, ...]] = {
    "spend": ("spend",),
    "impressions": ("impressions",),
    "views": ("video_views_p25",),
    "clicks": ("clicks",),
    "add_to_cart": ("add_to_cart",),
    "revenue": ("purchase_value", "gmv"),
}
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
    days = x > 0
    n = int(days.sum())
    skip = "no response curve: "
    if n < min_days:
        return None, [f"{skip}{n} day(s) with spend (< {min_days}); the budget is linear"]
    if float(np.ptp(np.log(x[days]))) < 0.2:
        return None, [
            f"{skip}daily spend barely varied in the history, so how {outcome_name} respond to "
            "more spend is unknown; the budget is linear and likely too low at a larger scale"
        ]
    try:
        c = fit_curve(x, y)
    except StatsInputError as exc:
        return None, [f"{skip}{exc}"]
    if c.se_b > max_se_b:
        return None, [f"{skip}the slope is too uncertain (b = {c.b:.2f} ± {c.se_b:.2f})"]
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
    lo_obs, hi_obs = float(x[days].min()), float(x[days].max())
    marginal = c.marginal(need)
    curve = CurveBudget(
        outcome=outcome_name,
        horizon_days=horizon_days,
        per_day=per_day,
        a=c.a,
        b=c.b,
        b_ci=(max(0.0, c.b - z * c.se_b), min(1.0, c.b + z * c.se_b)),
        daily_spend=Requirement("daily_spend", _finite(lo), _finite(need), _finite(hi)),
        budget=Requirement(
            "budget_curve",
            _finite(lo * horizon_days),
            _finite(need * horizon_days),
            _finite(hi * horizon_days),
        ),
        linear_budget=target * float(x.sum()) / float(y.sum()),
        observed_daily_spend=(lo_obs, hi_obs),
        extrapolation=need / hi_obs,
        marginal_cost=1.0 / marginal if marginal > 0 and math.isfinite(marginal) else None,
    )
    notes = [
        f"response curve {outcome_name}/day = {c.a:.3g} · spend^{c.b:.2f} (b {level:.0%} CI "
        f"{curve.b_ci[0]:.2f}–{curve.b_ci[1]:.2f}) over {n} days; budget_curve spends evenly "
        f"over {horizon_days} days"
    ]
    if c.b < 0.95 and curve.budget.expected is not None:
        notes.append(
            f"returns diminish (b = {c.b:.2f} < 1): the budget grows faster than the target; "
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
    return curve, notes


def _z(level: float) -> float:
    from tokops.insights._common import norm_ppf

    return norm_ppf(0.5 + level / 2.0)


def _ratio(num: FloatArray, den: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    return np.asarray(out, dtype=np.float64)


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _scaled(value: float | None, scale: float) -> float | None:
    return None if value is None else value * scale


def funnel_plan(
    daily: dict[str, FloatArray],
    *,
    sales: float | None = None,
    revenue: float | None = None,
    roas: float | None = None,
    level: float = 0.90,
    n_boot: int = 2000,
    seed: int = 0,
    min_days: int = MIN_DAYS,
    min_conversions: float = MIN_CONVERSIONS,
    event: Event = "conversions",
) -> tuple[list[FunnelRate], list[Requirement], dict[str, float], list[str]]:
    """Rates, requirements, history totals and notes from per-day sums (pure; no store).

    *daily* maps ``spend``, ``impressions``, ``views``, ``clicks``, ``add_to_cart``,
    ``conversions`` and ``revenue`` to arrays with one value per day. The rates come back under
    their catalogue names (:data:`RATE_KPIS` for *event*), in the catalogue's units.
    """
    from tokops.metrics.catalogue import CATALOGUE

    if event not in RATE_KPIS:
        raise ConfigError(f"event {event!r}: use conversions or purchases")
    names = RATE_KPIS[event]
    if (sales is None) == (revenue is None):
        raise ConfigError("give exactly one target: sales or revenue")
    if roas is not None and revenue is None:
        raise ConfigError("a ROAS target needs a revenue target (revenue at that ROAS)")
    target = float(sales if sales is not None else revenue)  # type: ignore[arg-type]
    if not math.isfinite(target) or target <= 0:
        raise ConfigError(f"the target must be a positive number, got {target}")
    if roas is not None and roas <= 0:
        raise ConfigError(f"ROAS must be positive, got {roas}")
    if not 0.5 < level < 1.0:
        raise ConfigError(f"level must lie in (0.5, 1), got {level}")
    n = len(daily["spend"])
    totals = {k: float(np.sum(v)) for k, v in daily.items()}
    if n < min_days:
        raise StatsInputError(
            f"history too thin: {n} day(s) with delivery, a plan needs at least {min_days}"
        )
    if totals["conversions"] < min_conversions:
        raise StatsInputError(
            f"history too thin: {totals['conversions']:.0f} conversions in {n} days, a plan "
            f"needs at least {min_conversions:.0f} to estimate the conversion rate"
        )
    if totals["clicks"] <= 0 or totals["impressions"] <= 0 or totals["spend"] <= 0:
        raise StatsInputError("history has no clicks, impressions or spend to plan from")
    if revenue is not None and totals["revenue"] <= 0:
        raise StatsInputError("no purchase value in the history: plan a sales target instead")

    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(n_boot, n))
    boot = {k: np.asarray(v, dtype=np.float64)[idx].sum(axis=1) for k, v in daily.items()}
    pooled = {k: np.array([v]) for k, v in totals.items()}

    def rates(s: dict[str, FloatArray]) -> dict[str, FloatArray]:
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

    def needs(r: dict[str, FloatArray]) -> dict[str, FloatArray]:
        conv = np.full_like(r["cvr"], target) if sales is not None else target / r["aov"]
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

    tail = (1.0 - level) / 2.0
    r_boot, r_pool = rates(boot), rates(pooled)
    q_boot, q_pool = needs(r_boot), needs(r_pool)
    absent = {
        "view_rate": totals["views"] <= 0,
        "atc_rate": totals["add_to_cart"] <= 0,
        "aov": totals["revenue"] <= 0,
        "roas": totals["revenue"] <= 0,
    }

    def band(values: FloatArray) -> tuple[float | None, float | None]:
        ok = values[np.isfinite(values)]
        if ok.size < 0.5 * values.size:
            return None, None
        lo, hi = np.quantile(ok, [tail, 1.0 - tail])
        return float(lo), float(hi)

    out_rates = []
    for name, values in r_boot.items():
        kpi = CATALOGUE[names[name]]
        # cpm is 1000·Σspend/Σimpressions already; the rates are plain fractions here
        scale = 1.0 if name == "cpm" else float(kpi.scale)
        if absent.get(name, False):
            out_rates.append(FunnelRate(kpi.name, None, None, None))
            continue
        lo, hi = band(values)
        out_rates.append(
            FunnelRate(
                kpi.name,
                _scaled(_finite(float(r_pool[name][0])), scale),
                _scaled(lo, scale),
                _scaled(hi, scale),
            )
        )
    out_req = []
    for name, values in q_boot.items():
        if (name == "views_p25" and absent["view_rate"]) or (
            name == "add_to_cart" and absent["atc_rate"]
        ):
            out_req.append(Requirement(name, None, None, None))
            continue
        lo, hi = band(values)
        out_req.append(Requirement(name, lo, _finite(float(q_pool[name][0])), hi))

    notes = [
        f"ranges are {level:.0%} bootstrap intervals over {n} days of history; they cover the "
        "uncertainty of the rates, not a change in the market",
    ]
    if absent["view_rate"]:
        notes.append("no 25 % video views in the history: the views requirement is left out")
    if absent["atc_rate"]:
        notes.append("no add-to-cart events in the history: that requirement is left out")
    budget = next(r for r in out_req if r.name == "budget")
    daily_spend = totals["spend"] / n
    if budget.expected is not None and budget.expected > 3 * totals["spend"]:
        notes.append(
            f"the plan needs {budget.expected / totals['spend']:.1f}x the spend of the whole "
            "history: at that scale CPA usually rises (diminishing returns), so read the budget "
            "as a floor"
        )
    if roas is not None and revenue is not None:
        cap = revenue / roas
        notes.append(f"a ROAS of {roas:g} allows a budget of {cap:,.2f} for this revenue")
        hist = next(r for r in out_rates if r.name == "total_roas")
        if hist.high is not None and hist.high < roas:
            notes.append(
                f"target ROAS {roas:g} is above the history's range "
                f"({hist.low:.2f}–{hist.high:.2f}): not reachable at current performance"
            )
        elif hist.low is not None and hist.low < roas:
            notes.append(f"target ROAS {roas:g} lies within the history's range: uncertain")
    history = {**totals, "days": float(n), "daily_spend": daily_spend}
    return out_rates, out_req, history, notes


def _last_day(store: Store, window: Window) -> dt.date | None:
    t = _base(store, window)
    value = store.fetch(t.aggregate(last=t.stat_date.max())).column("last").to_pylist()[0]
    return value if isinstance(value, dt.date) else None


def daily_sums(
    store: Store, window: Window, event: Event = "conversions"
) -> tuple[dict[str, FloatArray], tuple[str, ...]]:
    """Per-day sums of the funnel measures over *window* (one engine query)."""
    if event not in _EVENTS:
        raise ConfigError(f"event {event!r}: use conversions or purchases")
    t = _base(store, window)
    measures = {**_SUMS, "conversions": _EVENTS[event]}
    aggs = {}
    for key, names in measures.items():
        total = _measure(t, names[0])
        for name in names[1:]:
            total = total + _measure(t, name)
        aggs[key] = total.sum()
    rows = store.fetch(t.group_by("stat_date").aggregate(**aggs).order_by("stat_date"))
    return {k: _floats(rows, k) for k in measures}, _currencies(store, t)


def plan_goal(
    store: Store,
    *,
    sales: float | None = None,
    revenue: float | None = None,
    roas: float | None = None,
    window_days: int = 28,
    end: dt.date | None = None,
    advertiser_ids: tuple[str, ...] = (),
    event: Event = "conversions",
    level: float = 0.90,
    n_boot: int = 2000,
    seed: int = 0,
    horizon_days: int | None = None,
    currency: str | None = None,
) -> GoalPlan:
    """Work a sales or revenue target back to impressions, views, clicks and budget (KPI-2).

    History: the *window_days* days ending at *end* (default: the last day in ``ad_daily``),
    of the accounts that report in *currency* when given. It must be in one currency (see
    :func:`plan_goals` for several). The response-curve budget spreads the target over
    *horizon_days* (default *window_days*).
    """
    if window_days < 1:
        raise ConfigError(f"window_days must be ≥ 1, got {window_days}")
    synced_table(store, AD_TABLE)  # a clear error when nothing was synced yet
    last = end or _last_day(store, Window(advertiser_ids=advertiser_ids, currency=currency))
    if last is None:
        raise StatsInputError("history too thin: ad_daily has no rows to plan from")
    start = last - dt.timedelta(days=window_days - 1)
    daily, currencies = daily_sums(store, Window(start, last, advertiser_ids, currency), event)
    if len(currencies) > 1:
        raise MixedCurrencies(
            f"the history mixes currencies {', '.join(currencies)}: a budget is planned in "
            "one currency; choose the accounts of one currency"
        )
    rates, reqs, history, notes = funnel_plan(
        daily,
        sales=sales,
        revenue=revenue,
        roas=roas,
        level=level,
        n_boot=n_boot,
        seed=seed,
        event=event,
    )
    outcome = "conversions" if sales is not None else "revenue"
    curve, curve_notes = curve_budget(
        daily["spend"],
        daily[outcome],
        float(sales if sales is not None else revenue or 0.0),
        horizon_days=horizon_days or window_days,
        outcome_name=outcome,
        level=level,
        seed=seed,
    )
    notes = [n for n in notes if "diminishing returns" not in n] if curve else notes
    notes += curve_notes
    if curve is not None:
        reqs = [*reqs, curve.budget]
    target = {"sales": sales} if sales is not None else {"revenue": float(revenue or 0.0)}
    if roas is not None:
        target["roas"] = roas
    return GoalPlan(
        target={k: float(v) for k, v in target.items() if v is not None},
        event=event,
        start=start,
        end=last,
        days=int(history["days"]),
        currency=currencies[0] if currencies else None,
        level=level,
        rates=rates,
        requirements=reqs,
        history=history,
        notes=notes,
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


def plan_goals(
    store: Store,
    *,
    sales: float | None = None,
    revenue: float | None = None,
    roas: float | None = None,
    window_days: int = 28,
    end: dt.date | None = None,
    advertiser_ids: tuple[str, ...] = (),
    event: Event = "conversions",
    level: float = 0.90,
    n_boot: int = 2000,
    seed: int = 0,
    horizon_days: int | None = None,
) -> PlanReport:
    """:func:`plan_goal` per currency of the history: each group is planned in its own money.

    A sales target is shared between the currencies in proportion to each one's conversions
    (or purchases) in the history; a revenue target is an amount in one currency and needs a
    history in one currency. A group that cannot be planned is listed with its reason.
    """
    if window_days < 1:
        raise ConfigError(f"window_days must be ≥ 1, got {window_days}")
    if (sales is None) == (revenue is None):
        raise ConfigError("give exactly one target: sales or revenue")
    if event not in _EVENTS:
        raise ConfigError(f"event {event!r}: use conversions or purchases")
    synced_table(store, AD_TABLE)  # a clear error when nothing was synced yet
    last = end or _last_day(store, Window(advertiser_ids=advertiser_ids))
    if last is None:
        raise StatsInputError("history too thin: ad_daily has no rows to plan from")
    start = last - dt.timedelta(days=window_days - 1)
    history = Window(start, last, advertiser_ids)
    t = _base(store, history)
    groups = currency_groups(store, t, history)
    kwargs: dict[str, Any] = {
        "roas": roas, "window_days": window_days, "end": last, "advertiser_ids": advertiser_ids,
        "event": event, "level": level, "n_boot": n_boot, "seed": seed,
        "horizon_days": horizon_days,
    }  # fmt: skip
    if len(groups) == 1:
        plan = plan_goal(store, sales=sales, revenue=revenue, **kwargs)
        return PlanReport([replace(plan, advertiser_ids=groups[0].advertiser_ids)], [], [])
    names = ", ".join(str(g.currency) for g in groups)
    if sales is None:
        raise MixedCurrencies(
            f"a revenue target is an amount in one currency, and the history has {names}: "
            "choose the accounts of one currency"
        )
    outcome = _measure(t, _EVENTS[event][0])
    for name in _EVENTS[event][1:]:
        outcome = outcome + _measure(t, name)
    rows = store.fetch(t.group_by("currency").aggregate(n=outcome.sum()))
    counts = {
        str(c): float(n or 0.0)
        for c, n in zip(rows.column("currency").to_pylist(), rows.column("n").to_pylist(),
                        strict=True)
    }  # fmt: skip
    total = sum(counts.values())
    plans: list[GoalPlan] = []
    skipped: list[dict[str, Any]] = []
    for g in groups:
        share = counts.get(str(g.currency), 0.0) / total if total > 0 else 0.0
        part = sales * share
        try:
            if part <= 0:
                raise StatsInputError(f"no {event} in the history")
            plan = plan_goal(store, sales=part, currency=g.currency, **kwargs)
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
        f"of {sales:,.0f} sales is shared by each one's {event} over the {window_days} days "
        f"({split})"
    ]
    for s in skipped:
        notes.append(
            f"{s['currency']} accounts not planned ({s['reason']}): their part of the target, "
            f"{sales * s['share']:,.0f} sales, has no plan"
        )
    return PlanReport(plans, skipped, notes)
