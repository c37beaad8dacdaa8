"""Budget reallocation on diminishing-returns curves, with an exploration share (KPI-5b).

Per campaign (or ad group) the daily points (spend, conversions) come from one Ibis query over
``ad_daily`` (``GROUP BY`` unit and day, ``SUM`` in the engine). Each unit gets a concave response
curve ``conversions = a · spend^b`` with ``0 < b ≤ 1``: a Poisson regression of conversions on
``log spend`` (days with zero conversions count, unlike a log-log fit), started from the log-log
least-squares line, with the standard errors inflated by the overdispersion (Pearson χ²/df).

The fitted units share the budget so that their marginal returns ``a·b·x^(b−1)`` are equal
(bisection on the common marginal value λ), each kept within ``[min_scale, max_scale]`` times its
current spend so the curve is never extrapolated far. Units with few days, a narrow spend range
or an uncertain slope are not trusted to a curve: they share ``explore_share`` of the budget in
proportion to their current spend (exploration of channels with high potential). The expected
change in conversions is a range from a parametric bootstrap over the fitted curves (BYD-3).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from tokops.errors import ConfigError
from tokops.insights._common import FloatArray, StatsInputError, jsonable
from tokops.insights.data import Window, _base, _currencies, _floats, _measure

if TYPE_CHECKING:
    from tokops.warehouse import Store

__all__ = [
    "BudgetPlan",
    "Curve",
    "UnitBudget",
    "allocate",
    "budget_reallocation",
    "fit_curve",
]

Level = Literal["campaign", "adgroup"]
B_MIN = 0.05
MIN_POINTS = 7
MAX_SE_B = 0.35


@dataclass(frozen=True, slots=True)
class Curve:
    """``conversions = a · spend^b`` fitted on ``n`` daily points."""

    a: float
    b: float
    se_log_a: float
    se_b: float
    cov: float
    """Covariance of (log a, b)."""
    n: int

    def predict(self, spend: float) -> float:
        return self.a * spend**self.b if spend > 0 else 0.0

    def marginal(self, spend: float) -> float:
        """d conversions / d spend at *spend*."""
        return self.a * self.b * spend ** (self.b - 1.0) if spend > 0 else math.inf


def fit_curve(spend: Any, conversions: Any, *, iterations: int = 50) -> Curve:
    """Poisson fit of ``log E[conv] = log a + b log spend`` on days with spend > 0; b in (0, 1]."""
    x = np.asarray(spend, dtype=np.float64)
    y = np.asarray(conversions, dtype=np.float64)
    keep = x > 0
    x, y = x[keep], y[keep]
    n = int(x.size)
    if n < 3 or float(y.sum()) <= 0:
        raise StatsInputError("a response curve needs ≥ 3 days with spend and some conversions")
    lx = np.log(x)
    design = np.column_stack([np.ones(n), lx])
    pos = y > 0
    if pos.sum() >= 2 and np.ptp(lx[pos]) > 0:
        beta = np.polyfit(lx[pos], np.log(y[pos]), 1)[::-1].astype(np.float64)
    else:
        beta = np.array([math.log(float(y.mean()) / float(x.mean())), 1.0])
    beta[1] = float(np.clip(beta[1], B_MIN, 1.0))
    for _ in range(iterations):
        mu = np.exp(design @ beta)
        grad = design.T @ (y - mu)
        info = design.T @ (design * mu[:, None])
        try:
            step = np.linalg.solve(info, grad)
        except np.linalg.LinAlgError:
            break
        beta = beta + step
        if float(np.max(np.abs(step))) < 1e-10:
            break
    b_raw = float(beta[1])
    b = float(np.clip(b_raw, B_MIN, 1.0))
    if b != b_raw:  # refit the level at the clipped slope: Σy = a Σx^b
        beta = np.array([math.log(float(y.sum()) / float(np.sum(x**b))), b])
    mu = np.exp(design @ beta)
    info = design.T @ (design * mu[:, None])
    dispersion = max(1.0, float(np.sum((y - mu) ** 2 / mu)) / max(n - 2, 1))
    try:
        cov = np.linalg.inv(info) * dispersion
        se_a, se_b, c = math.sqrt(cov[0, 0]), math.sqrt(cov[1, 1]), float(cov[0, 1])
    except np.linalg.LinAlgError:
        se_a, se_b, c = math.inf, math.inf, 0.0
    return Curve(math.exp(float(beta[0])), b, se_a, se_b, c, n)


def allocate(curves: list[Curve], lower: FloatArray, upper: FloatArray, total: float) -> FloatArray:
    """Spend per curve maximising Σ a·x^b under Σx = total and lower ≤ x ≤ upper.

    Equal marginal returns: x_i(λ) = clip((a_i b_i / λ)^(1/(1−b_i)), lower_i, upper_i); Σx_i(λ)
    falls as λ rises, so λ is found by bisection on log λ. Linear curves (b = 1) take their upper
    bound when a_i > λ, else their lower bound.
    """
    lo, hi = np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)
    if total <= float(lo.sum()):
        return lo.copy()
    if total >= float(hi.sum()):
        return hi.copy()

    def spend_at(lam: float) -> FloatArray:
        out = np.empty(len(curves))
        for i, c in enumerate(curves):
            if c.b >= 1.0 - 1e-9:
                x = hi[i] if c.a > lam else lo[i]
            else:
                x = (c.a * c.b / lam) ** (1.0 / (1.0 - c.b))
            out[i] = min(max(x, lo[i]), hi[i])
        return out

    marg = [c.marginal(float(v)) for c, v in zip(curves, np.maximum(lo, 1e-9), strict=True)]
    marg += [c.marginal(float(v)) for c, v in zip(curves, hi, strict=True)]
    finite = [m for m in marg if math.isfinite(m) and m > 0]
    a, b = math.log(min(finite)) - 1.0, math.log(max(finite)) + 1.0
    for _ in range(200):
        mid = (a + b) / 2.0
        if float(spend_at(math.exp(mid)).sum()) > total:
            a = mid
        else:
            b = mid
    x = spend_at(math.exp(b))
    gap = total - float(x.sum())  # linear units at a kink: give the rest to the best margins
    if gap > 1e-9:
        for i in np.argsort([-c.marginal(float(v)) for c, v in zip(curves, x, strict=True)]):
            add = min(gap, float(hi[i] - x[i]))
            x[i] += add
            gap -= add
            if gap <= 1e-9:
                break
    return x


@dataclass(frozen=True, slots=True)
class UnitBudget:
    unit_id: str
    days: int
    current_spend: float
    """Mean daily spend over the days with delivery."""
    recommended_spend: float
    conversions_per_day: float
    role: Literal["fitted", "explore"]
    a: float | None = None
    """Curve level: conversions/day = a · spend^b."""
    b: float | None = None
    b_ci: tuple[float, float] | None = None
    marginal_cpa: float | None = None
    """Cost of one more conversion at the current spend, from the curve."""
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class BudgetPlan:
    level: str
    start: dt.date | None
    end: dt.date | None
    currency: str | None
    total_budget: float
    explore_share: float
    units: list[UnitBudget]
    expected_change: dict[str, float]
    """Δ conversions per day: ``expected``, ``low``, ``high`` (fitted units' curves)."""
    notes: list[str] = field(default_factory=list)

    def unit(self, unit_id: str) -> UnitBudget:
        return next(u for u in self.units if u.unit_id == unit_id)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["start"] = self.start.isoformat() if self.start else None
        data["end"] = self.end.isoformat() if self.end else None
        return dict(jsonable(data))


def reallocate(
    points: dict[str, tuple[FloatArray, FloatArray]],
    *,
    total_budget: float | None = None,
    explore_share: float = 0.1,
    min_points: int = MIN_POINTS,
    max_se_b: float = MAX_SE_B,
    min_scale: float = 0.5,
    max_scale: float = 2.0,
    level: float = 0.90,
    n_sim: int = 2000,
    seed: int = 0,
) -> tuple[list[UnitBudget], float, dict[str, float], list[str]]:
    """Pure core of :func:`budget_reallocation` on ``{unit: (daily spend, daily conversions)}``."""
    if not 0.0 <= explore_share < 1.0:
        raise ConfigError(f"explore_share must lie in [0, 1), got {explore_share}")
    if not 0.0 < min_scale <= 1.0 <= max_scale:
        raise ConfigError("need 0 < min_scale ≤ 1 ≤ max_scale")
    from tokops.insights._common import norm_ppf

    z = norm_ppf(0.5 + level / 2.0)
    fitted: dict[str, Curve] = {}
    reasons: dict[str, str] = {}
    current: dict[str, float] = {}
    conv_rate: dict[str, float] = {}
    for uid, (spend, conv) in points.items():
        days = spend > 0
        current[uid] = float(spend[days].mean()) if days.any() else 0.0
        conv_rate[uid] = float(conv[days].mean()) if days.any() else 0.0
        n = int(days.sum())
        if n < min_points:
            reasons[uid] = f"{n} day(s) with spend (< {min_points})"
            continue
        if float(np.ptp(np.log(spend[days]))) < 0.2:
            reasons[uid] = "spend barely varied: the curve cannot be read"
            continue
        try:
            curve = fit_curve(spend, conv)
        except StatsInputError as exc:
            reasons[uid] = str(exc)
            continue
        if curve.se_b > max_se_b:
            reasons[uid] = f"slope too uncertain (se {curve.se_b:.2f})"
            continue
        fitted[uid] = curve
    if not fitted:
        raise StatsInputError(
            "no unit has enough varied daily history for a response curve: nothing to reallocate"
        )
    total = float(sum(current.values())) if total_budget is None else float(total_budget)
    if total <= 0:
        raise ConfigError(f"total budget must be positive, got {total}")
    explore_ids = [u for u in points if u not in fitted]
    explore_total = explore_share * total if explore_ids else 0.0
    ids = list(fitted)
    curves = [fitted[u] for u in ids]
    cur = np.array([current[u] for u in ids])
    x = allocate(curves, min_scale * cur, max_scale * cur, total - explore_total)
    notes: list[str] = []
    left = total - explore_total - float(x.sum())
    if abs(left) > 1e-6 * max(total, 1.0):
        word = "unallocated" if left > 0 else "over the total"
        notes.append(
            f"{abs(left):,.2f} {word}: the {min_scale:g}x–{max_scale:g}x bounds around current "
            "spend bind; widen them or change the total"
        )
    recommended = dict(zip(ids, (float(v) for v in x), strict=True))
    ex_cur = sum(current[u] for u in explore_ids)
    for u in explore_ids:
        share = current[u] / ex_cur if ex_cur > 0 else 1.0 / len(explore_ids)
        recommended[u] = explore_total * share

    rng = np.random.default_rng(seed)
    sims = np.zeros(n_sim)
    point = 0.0
    for u, c in zip(ids, curves, strict=True):
        cov = np.array([[c.se_log_a**2, c.cov], [c.cov, c.se_b**2]])
        draws = rng.multivariate_normal([math.log(c.a), c.b], cov, size=n_sim)
        la, bb = draws[:, 0], np.clip(draws[:, 1], B_MIN, 1.0)
        x_new, x_old = recommended[u], current[u]
        sims += np.exp(la) * (x_new**bb - x_old**bb)
        point += c.predict(x_new) - c.predict(x_old)
    tail = (1.0 - level) / 2.0
    lo, hi = np.quantile(sims, [tail, 1.0 - tail])
    change = {"expected": point, "low": float(lo), "high": float(hi)}
    if explore_ids:
        notes.append(
            f"{len(explore_ids)} unit(s) keep {explore_share:.0%} of the budget for exploration; "
            "their change is not in the expected range"
        )
    notes.append(
        f"curves are fitted on daily history; the range is {level:.0%} of the curves' "
        "uncertainty, not of market changes"
    )
    units = []
    for uid in points:
        n_days = int((points[uid][0] > 0).sum())
        c_fit = fitted.get(uid)
        if c_fit is None:
            units.append(
                UnitBudget(uid, n_days, current[uid], recommended[uid], conv_rate[uid], "explore",
                           reason=reasons.get(uid))
            )  # fmt: skip
            continue
        m = c_fit.marginal(current[uid])
        units.append(
            UnitBudget(
                uid,
                n_days,
                current[uid],
                recommended[uid],
                conv_rate[uid],
                "fitted",
                a=c_fit.a,
                b=c_fit.b,
                b_ci=(max(0.0, c_fit.b - z * c_fit.se_b), min(1.0, c_fit.b + z * c_fit.se_b)),
                marginal_cpa=1.0 / m if m > 0 and math.isfinite(m) else None,
            )
        )
    return units, total, change, notes


def unit_points(
    store: Store, window: Window, level: Level = "campaign"
) -> tuple[dict[str, tuple[FloatArray, FloatArray]], tuple[str, ...]]:
    """Daily (spend, conversions) per campaign or ad group (one engine query)."""
    key = {"campaign": "campaign_id", "adgroup": "adgroup_id"}.get(level)
    if key is None:
        raise ConfigError(f"level {level!r}: use campaign or adgroup")
    t = _base(store, window)
    expr = (
        t.group_by(_unit=t[key].cast("string"), stat_date=t.stat_date)
        .aggregate(spend=_measure(t, "spend").sum(), conv=_measure(t, "conversions").sum())
        .order_by(["_unit", "stat_date"])
    )
    rows = store.fetch(expr)
    keys = [str(v) for v in rows.column("_unit").to_pylist()]
    spend, conv = _floats(rows, "spend"), _floats(rows, "conv")
    out: dict[str, tuple[FloatArray, FloatArray]] = {}
    for uid in dict.fromkeys(keys):
        mask = np.array([k == uid for k in keys], dtype=bool)
        out[uid] = (spend[mask], conv[mask])
    return out, _currencies(store, t)


def budget_reallocation(
    store: Store,
    *,
    level: Level = "campaign",
    total_budget: float | None = None,
    explore_share: float = 0.1,
    window: Window | None = None,
    min_points: int = MIN_POINTS,
    min_scale: float = 0.5,
    max_scale: float = 2.0,
    interval: float = 0.90,
    seed: int = 0,
) -> BudgetPlan:
    """Current vs recommended daily budget per campaign (or ad group) on response curves."""
    window = window or Window()
    points, currencies = unit_points(store, window, level)
    if len(currencies) > 1:
        raise ConfigError(
            f"the history mixes currencies {', '.join(currencies)}: pick one account "
            "with --advertiser"
        )
    if not points:
        raise StatsInputError("no daily rows in the window: nothing to reallocate")
    units, total, change, notes = reallocate(
        points,
        total_budget=total_budget,
        explore_share=explore_share,
        min_points=min_points,
        min_scale=min_scale,
        max_scale=max_scale,
        level=interval,
        seed=seed,
    )
    return BudgetPlan(
        level=level,
        start=window.start,
        end=window.end,
        currency=currencies[0] if currencies else None,
        total_budget=total,
        explore_share=explore_share,
        units=units,
        expected_change=change,
        notes=notes,
    )
