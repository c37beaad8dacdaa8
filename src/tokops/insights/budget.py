"""Budget reallocation on diminishing-returns curves, with an exploration share (KPI-5b).

Per campaign (or ad group) the daily points (spend, conversions) come from one Ibis query over
``ad_daily`` (``GROUP BY`` unit and day, ``SUM`` in the engine). Each unit gets a concave response
curve ``conversions = a · spend^b`` with ``B_MIN ≤ b ≤ 1``: the Poisson maximum likelihood of
conversions on ``log spend`` (days with zero conversions count, unlike a log-log fit). The level
is profiled out (``a = Σy / Σx^b``, the sums in log space) and the slope maximises the concave
profile likelihood inside its bounds, so yen-sized spend cannot overflow; the standard errors
come from the information on centred log spend, inflated by the overdispersion (Pearson χ²/df).
Anything non-finite is a typed refusal, never a numpy warning.

Every unit keeps within ``[min_scale, max_scale]`` times its current daily spend (the curve is
never extrapolated far) and the whole total is shared. Units with few days, a narrow spend
range, no conversions or an uncertain slope are not trusted to a curve: they share
``explore_share`` of the total in proportion to their current spend, moved only as far as their
bounds require. The fitted units share the rest so that their marginal returns ``a·b·x^(b−1)``
are equal (bisection on the common marginal value λ, in log space). A total the bounds cannot
hold is refused with the range they allow. The expected change in conversions is a range from
a parametric bootstrap over the fitted curves (BYD-3). With several currencies,
:func:`budget_plans` shares each currency's budget separately.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from tokops.errors import ConfigError
from tokops.insights.data import MixedCurrencies, split_groups
from tokops.insights.stats.common import FloatArray, StatsInputError, jsonable
from tokops.metrics.names import entity_names
from tokops.metrics.query import MeasureQuery, ad_rows, currency_groups, sum_measures
from tokops.metrics.window import ALL_TIME, Window

if TYPE_CHECKING:
    from tokops.metrics.reader import Reader

__all__ = [
    "BudgetParams",
    "BudgetPlan",
    "BudgetReport",
    "Reallocation",
    "ReallocationParams",
    "InfeasibleBudget",
    "Curve",
    "UnitBudget",
    "allocate",
    "budget_plans",
    "budget_reallocation",
    "curve_needs",
    "draw_curves",
    "fit_curve",
    "reallocate",
    "unit_points",
]

Level = Literal["campaign", "adgroup"]
B_MIN = 0.05
MIN_POINTS = 7
MAX_SE_B = 0.35
MIN_LOG_RANGE = 0.2
"""Smallest log-range of daily spend a curve is read from (largest/smallest ≥ e^0.2 ≈ 1.22)."""


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


def _log_sum_exp(values: FloatArray) -> float:
    top = float(np.max(values))
    return top + math.log(float(np.sum(np.exp(values - top))))


def _profile(b: float, lx: FloatArray, y: FloatArray, total: float) -> float:
    """Poisson log-likelihood at slope *b* with the level at its optimum ``Σy / Σx^b``."""
    return total * (math.log(total) - _log_sum_exp(b * lx)) + b * float(np.dot(y, lx)) - total


def _best_slope(lx: FloatArray, y: FloatArray, total: float) -> float:
    """Golden-section search of the (concave) profile likelihood over ``[B_MIN, 1]``."""
    lo, hi = B_MIN, 1.0
    ratio = (math.sqrt(5.0) - 1.0) / 2.0
    c, d = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fc, fd = _profile(c, lx, y, total), _profile(d, lx, y, total)
    for _ in range(80):
        if fc >= fd:
            hi, d, fd = d, c, fc
            c = hi - ratio * (hi - lo)
            fc = _profile(c, lx, y, total)
        else:
            lo, c, fc = c, d, fd
            d = lo + ratio * (hi - lo)
            fd = _profile(d, lx, y, total)
    best = (lo + hi) / 2.0
    ends = {B_MIN: _profile(B_MIN, lx, y, total), 1.0: _profile(1.0, lx, y, total)}
    edge, f_edge = max(ends.items(), key=lambda kv: kv[1])
    f_best = _profile(best, lx, y, total)
    return edge if f_edge >= f_best - 1e-12 * abs(f_best) or abs(best - edge) < 1e-7 else best


def fit_curve(spend: Any, conversions: Any) -> Curve:
    """Poisson fit of ``log E[conv] = log a + b log spend`` on days with spend > 0; b in [B_MIN, 1].

    Numerically safe at any scale of spend (yen or euros): the level is profiled out
    (``a = Σy / Σx^b``, sums taken in log space), the slope maximises the concave profile
    likelihood inside its bounds, and the covariance comes from the information matrix on
    centred log spend. Standard errors are inflated by the overdispersion (Pearson χ²/df);
    they are ``inf`` when the information is singular (the curve is then never trusted).
    Raises :class:`StatsInputError` when the days cannot carry a curve.
    """
    x = np.asarray(spend, dtype=np.float64)
    y = np.asarray(conversions, dtype=np.float64)
    if x.shape != y.shape or not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise StatsInputError("a response curve needs finite daily spend and conversions")
    keep = x > 0
    x, y = x[keep], np.maximum(y[keep], 0.0)
    n = int(x.size)
    total = float(y.sum())
    if n < 3 or total <= 0:
        raise StatsInputError("a response curve needs ≥ 3 days with spend and some conversions")
    lx = np.log(x)
    try:
        with np.errstate(all="raise", under="ignore"):
            b = _best_slope(lx, y, total)
            log_a = math.log(total) - _log_sum_exp(b * lx)
            se_a, se_b, c = _standard_errors(lx, y, log_a, b)
    except (FloatingPointError, OverflowError, ValueError) as exc:
        raise StatsInputError(f"the response curve could not be fitted ({exc})") from None
    if not math.isfinite(log_a) or abs(log_a) > 700:
        raise StatsInputError("the response curve could not be fitted (level out of range)")
    return Curve(math.exp(log_a), b, se_a, se_b, c, n)


def _standard_errors(
    lx: FloatArray, y: FloatArray, log_a: float, b: float
) -> tuple[float, float, float]:
    """se(log a), se(b), cov from the Poisson information on centred log spend, inflated by the
    overdispersion; ``inf`` when the information is singular or not finite."""
    n = int(lx.size)
    centre = float(lx.mean())
    with np.errstate(under="ignore"):
        mu = np.exp(log_a + b * lx)
    if not np.all(mu > 0):
        return math.inf, math.inf, 0.0
    design = np.column_stack([np.ones(n), lx - centre])
    info = design.T @ (design * mu[:, None])
    dispersion = max(1.0, float(np.sum((y - mu) ** 2 / mu)) / max(n - 2, 1))
    try:
        cov_c = np.linalg.inv(info) * dispersion
    except np.linalg.LinAlgError:
        return math.inf, math.inf, 0.0
    if not (np.all(np.isfinite(cov_c)) and cov_c[0, 0] > 0 and cov_c[1, 1] > 0):
        return math.inf, math.inf, 0.0
    jac = np.array([[1.0, -centre], [0.0, 1.0]])  # centred level log a + b·centre → log a
    cov = jac @ cov_c @ jac.T
    if not (cov[0, 0] > 0 and np.all(np.isfinite(cov))):
        return math.inf, math.inf, 0.0
    return math.sqrt(cov[0, 0]), math.sqrt(cov[1, 1]), float(cov[0, 1])


def draw_curves(curve: Curve, size: int, rng: np.random.Generator) -> tuple[FloatArray, FloatArray]:
    """*size* draws of ``(log a, b)`` from the fit's normal approximation, b kept in [B_MIN, 1].

    The 2×2 Cholesky factor is written out, so no decomposition can fail to converge.
    """
    z1, z2 = rng.standard_normal(size), rng.standard_normal(size)
    if not (math.isfinite(curve.se_log_a) and math.isfinite(curve.se_b)) or curve.se_log_a == 0:
        la = np.full(size, math.log(curve.a))
        return la, np.full(size, curve.b)
    r = curve.cov / curve.se_log_a
    rest = math.sqrt(max(curve.se_b**2 - r * r, 0.0))
    la = math.log(curve.a) + curve.se_log_a * z1
    b = np.clip(curve.b + r * z1 + rest * z2, B_MIN, 1.0)
    return la, b


class InfeasibleBudget(StatsInputError):
    """The total cannot be shared within the per-unit bounds (KPI-5b)."""


def allocate(curves: list[Curve], lower: FloatArray, upper: FloatArray, total: float) -> FloatArray:
    """Spend per curve maximising Σ a·x^b under Σx = total and lower ≤ x ≤ upper.

    Equal marginal returns: log x_i(λ) = (log(a_i b_i) − log λ)/(1 − b_i), clipped to the
    bounds (computed in log space, so a slope near 1 cannot overflow); Σx_i(λ) falls as λ rises,
    so log λ is found by bisection. Linear curves (b = 1) take their upper bound when a_i > λ,
    else their lower bound; what a kink leaves goes to the best margins. The result always lies
    within the bounds and sums to *total*; :class:`InfeasibleBudget` when the bounds cannot
    hold *total* (Σlower > total or Σupper < total).
    """
    lo, hi = np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)
    if np.any(lo < 0) or np.any(hi < lo) or not math.isfinite(total):
        raise StatsInputError("allocation bounds must satisfy 0 ≤ lower ≤ upper")
    tol = 1e-9 * max(abs(total), 1.0)
    if total < float(lo.sum()) - tol or total > float(hi.sum()) + tol:
        raise InfeasibleBudget(
            f"{total:,.2f} cannot be shared within the bounds, which allow "
            f"{float(lo.sum()):,.2f} to {float(hi.sum()):,.2f}"
        )
    if float(hi.sum() - lo.sum()) <= tol:
        return hi.copy()
    log_lo = np.log(np.maximum(lo, 1e-300))
    log_hi = np.log(np.maximum(hi, 1e-300))

    def spend_at(log_lam: float) -> FloatArray:
        out = np.empty(len(curves))
        for i, c in enumerate(curves):
            if c.b >= 1.0 - 1e-9:
                out[i] = hi[i] if math.log(c.a) > log_lam else lo[i]
                continue
            lx = (math.log(c.a * c.b) - log_lam) / (1.0 - c.b)
            out[i] = math.exp(min(max(lx, log_lo[i]), log_hi[i]))
        return np.clip(out, lo, hi)

    def log_marginal(c: Curve, log_x: float) -> float:
        return math.log(c.a * c.b) + (c.b - 1.0) * log_x

    ends = [log_marginal(c, float(v)) for c, v in zip(curves, log_lo, strict=True)]
    ends += [log_marginal(c, float(v)) for c, v in zip(curves, log_hi, strict=True)]
    finite = [m for m in ends if math.isfinite(m)]
    a, b = min(finite) - 1.0, max(finite) + 1.0
    for _ in range(200):
        mid = (a + b) / 2.0
        if float(spend_at(mid).sum()) > total:
            a = mid
        else:
            b = mid
    x = spend_at(b)
    gap = total - float(x.sum())  # linear units at a kink: give the rest to the best margins
    if gap > 0:
        order = np.argsort([-log_marginal(c, math.log(max(float(v), 1e-300)))
                            for c, v in zip(curves, x, strict=True)])  # fmt: skip
        for i in order:
            add = min(gap, float(hi[i] - x[i]))
            x[i] += add
            gap -= add
            if gap <= 0:
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
    name: str | None = None
    """The campaign's or ad group's name, when the store has it."""


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
    advertiser_ids: tuple[str, ...] = ()
    """The accounts the plan covers (empty: every account of the selection)."""

    def unit(self, unit_id: str) -> UnitBudget:
        return next(u for u in self.units if u.unit_id == unit_id)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["start"] = self.start.isoformat() if self.start else None
        data["end"] = self.end.isoformat() if self.end else None
        return dict(jsonable(data))


def curve_needs(min_points: int = MIN_POINTS, max_se_b: float = MAX_SE_B) -> str:
    """What a unit's history needs for a response curve, in words (for messages)."""
    return (
        f"a response curve needs at least {min_points} days with spend per unit, the largest "
        f"daily spend at least {math.exp(MIN_LOG_RANGE):.2f}x the smallest, some conversions "
        f"and a slope known to ±{max_se_b:g}"
    )


def _unit_curve(
    spend: FloatArray, conv: FloatArray, min_points: int, max_se_b: float
) -> Curve | str:
    """The unit's curve, or why it has none (one short reason)."""
    days = spend > 0
    n = int(days.sum())
    if n < min_points:
        return f"{n} day(s) with spend (< {min_points})"
    if float(conv[days].sum()) <= 0:
        return f"no conversions in {n} days with spend"
    if float(np.ptp(np.log(spend[days]))) < MIN_LOG_RANGE:
        return "spend barely varied: the curve cannot be read"
    try:
        curve = fit_curve(spend, conv)
    except StatsInputError as exc:
        return str(exc)
    if not curve.se_b <= max_se_b:  # also catches a NaN
        return f"slope too uncertain (se {curve.se_b:.2f})"
    return curve


def _explore_pool(
    wanted: float, total: float, explore: tuple[float, float], fitted: tuple[float, float]
) -> float:
    """The exploration units' share: *wanted*, moved the least to respect every bound."""
    low = max(explore[0], total - fitted[1])
    high = min(explore[1], total - fitted[0])
    return min(max(wanted, low), high)


@dataclass(frozen=True, slots=True)
class ReallocationParams:
    """How :func:`reallocate` shares a budget: total, exploration, curve needs, bounds, interval."""

    total_budget: float | None = None
    """Daily total to share (default: the current total)."""
    explore_share: float = 0.1
    min_points: int = MIN_POINTS
    max_se_b: float = MAX_SE_B
    min_scale: float = 0.5
    max_scale: float = 2.0
    interval: float = 0.90
    """Level of the range of the expected change."""
    n_sim: int = 2000
    seed: int = 0

    def check(self) -> None:
        if not 0.0 <= self.explore_share < 1.0:
            raise ConfigError(f"explore_share must lie in [0, 1), got {self.explore_share}")
        lo, hi = self.min_scale, self.max_scale
        if not 0.0 < lo <= 1.0 <= hi or not math.isfinite(hi):
            raise ConfigError(
                f"need 0 < min_scale ≤ 1 ≤ max_scale, got min_scale {lo:g}, max_scale {hi:g}"
            )


@dataclass(frozen=True, slots=True)
class Reallocation:
    """The units' budgets, the daily total shared, the expected change per day, and notes."""

    units: list[UnitBudget]
    total: float
    change: dict[str, float]
    """Δ conversions per day: ``expected``, ``low``, ``high`` (fitted units' curves)."""
    notes: list[str]


@dataclass(slots=True)
class _Units:
    """Each unit's current daily spend and conversions, and its curve or why it has none."""

    current: dict[str, float] = field(default_factory=dict)
    conv_rate: dict[str, float] = field(default_factory=dict)
    fitted: dict[str, Curve] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)


def _fit_units(points: dict[str, tuple[FloatArray, FloatArray]], p: ReallocationParams) -> _Units:
    out = _Units()
    for uid, (spend, conv) in points.items():
        days = spend > 0
        out.current[uid] = float(spend[days].mean()) if days.any() else 0.0
        out.conv_rate[uid] = float(conv[days].mean()) if days.any() else 0.0
        got = _unit_curve(spend, conv, p.min_points, p.max_se_b)
        if isinstance(got, Curve):
            out.fitted[uid] = got
        else:
            out.reasons[uid] = got
    if not out.fitted:
        seen = "; ".join(f"{u}: {why}" for u, why in list(out.reasons.items())[:4])
        more = f"; {len(out.reasons) - 4} more" if len(out.reasons) > 4 else ""
        raise StatsInputError(
            f"no unit has a usable response curve, nothing to reallocate ({seen}{more}); "
            f"{curve_needs(p.min_points, p.max_se_b)}"
        )
    return out


def _bounds(u: _Units, explore_ids: list[str], total: float, p: ReallocationParams) -> tuple[
    tuple[float, float], tuple[float, float]
]:  # fmt: skip
    """The fitted and the exploring units' (low, high) totals; InfeasibleBudget when *total*
    does not fit."""
    fitted_cur = float(np.array([u.current[k] for k in u.fitted]).sum())
    ex_cur = float(sum(u.current[k] for k in explore_ids))
    f_bounds = (p.min_scale * fitted_cur, p.max_scale * fitted_cur)
    e_bounds = (p.min_scale * ex_cur, p.max_scale * ex_cur)
    if not f_bounds[0] + e_bounds[0] <= total * (1 + 1e-12) or not (
        total <= (f_bounds[1] + e_bounds[1]) * (1 + 1e-12)
    ):
        raise InfeasibleBudget(
            f"a daily total of {total:,.2f} cannot be shared within {p.min_scale:g}x–"
            f"{p.max_scale:g}x of the current spend ({sum(u.current.values()):,.2f}): the bounds "
            f"allow {f_bounds[0] + e_bounds[0]:,.2f} to {f_bounds[1] + e_bounds[1]:,.2f}; "
            "widen the scale bounds or change the total"
        )
    return f_bounds, e_bounds


def _expected_change(
    u: _Units, recommended: dict[str, float], p: ReallocationParams
) -> dict[str, float]:
    rng = np.random.default_rng(p.seed)
    sims = np.zeros(p.n_sim)
    point = 0.0
    for uid, c in u.fitted.items():
        la, bb = draw_curves(c, p.n_sim, rng)
        x_new, x_old = recommended[uid], u.current[uid]
        with np.errstate(over="ignore", invalid="ignore"):
            sims += np.exp(la + bb * math.log(x_new)) - np.exp(la + bb * math.log(x_old))
        point += c.predict(x_new) - c.predict(x_old)
    tail = (1.0 - p.interval) / 2.0
    finite = sims[np.isfinite(sims)]
    lo, hi = np.quantile(finite, [tail, 1.0 - tail]) if finite.size else (math.nan, math.nan)
    return {"expected": point, "low": float(lo), "high": float(hi)}


def _reallocation_notes(
    n_explore: int, explore_total: float, wanted: float, total: float, p: ReallocationParams
) -> list[str]:
    notes: list[str] = []
    bounds = f"{p.min_scale:g}x–{p.max_scale:g}x"
    if n_explore:
        share = explore_total / total
        if abs(explore_total - wanted) > 1e-9 * total:
            notes.append(
                f"{n_explore} unit(s) without a curve keep {share:.0%} of the budget "
                f"for exploration (not {p.explore_share:.0%}): the {bounds} "
                "bounds around their current spend hold them there; their change is not in the "
                "expected range"
            )
        else:
            notes.append(
                f"{n_explore} unit(s) without a curve keep {share:.0%} of the budget for "
                "exploration; their change is not in the expected range"
            )
    notes.append(
        f"every unit stays within {bounds} of its current daily spend; "
        f"curves are fitted on daily history; the range is {p.interval:.0%} of the curves' "
        "uncertainty, not of market changes"
    )
    return notes


def _unit_rows(
    points: dict[str, tuple[FloatArray, FloatArray]], u: _Units, recommended: dict[str, float],
    level: float,
) -> list[UnitBudget]:  # fmt: skip
    from tokops.insights.stats.common import norm_ppf

    z = norm_ppf(0.5 + level / 2.0)
    units = []
    for uid in points:
        n_days = int((points[uid][0] > 0).sum())
        base = (uid, n_days, u.current[uid], recommended[uid], u.conv_rate[uid])
        c = u.fitted.get(uid)
        if c is None:
            units.append(UnitBudget(*base, "explore", reason=u.reasons.get(uid)))
            continue
        m = c.marginal(u.current[uid])
        units.append(
            UnitBudget(
                *base,
                "fitted",
                a=c.a,
                b=c.b,
                b_ci=(max(0.0, c.b - z * c.se_b), min(1.0, c.b + z * c.se_b)),
                marginal_cpa=1.0 / m if m > 0 and math.isfinite(m) else None,
            )
        )
    return units


def reallocate(
    points: dict[str, tuple[FloatArray, FloatArray]], params: ReallocationParams | None = None
) -> Reallocation:
    """Pure core of :func:`budget_reallocation` on ``{unit: (daily spend, daily conversions)}``.

    Every unit, fitted or exploring, stays within ``[min_scale, max_scale]`` × its current
    spend, and the whole total is shared (KPI-5b). The exploration units get ``explore_share``
    of the total, split in proportion to their current spend (one common scale), moved only as
    far as the bounds require; the fitted units share the rest on equal marginal returns.
    :class:`InfeasibleBudget` when the bounds cannot hold the total.
    """
    p = params or ReallocationParams()
    p.check()
    u = _fit_units(points, p)
    total = float(sum(u.current.values())) if p.total_budget is None else float(p.total_budget)
    if not total > 0 or not math.isfinite(total):
        raise ConfigError(f"total budget must be a positive number, got {total}")
    ids = list(u.fitted)
    explore_ids = [k for k in points if k not in u.fitted]
    f_bounds, e_bounds = _bounds(u, explore_ids, total, p)
    wanted = p.explore_share * total if explore_ids else 0.0
    explore_total = _explore_pool(wanted, total, e_bounds, f_bounds)
    cur = np.array([u.current[k] for k in ids])
    curves = [u.fitted[k] for k in ids]
    x = allocate(curves, p.min_scale * cur, p.max_scale * cur, total - explore_total)
    recommended = dict(zip(ids, (float(v) for v in x), strict=True))
    ex_cur = float(sum(u.current[k] for k in explore_ids))
    scale = explore_total / ex_cur if ex_cur > 0 else 0.0
    for k in explore_ids:
        recommended[k] = u.current[k] * scale
    return Reallocation(
        _unit_rows(points, u, recommended, p.interval),
        total,
        _expected_change(u, recommended, p),
        _reallocation_notes(len(explore_ids), explore_total, wanted, total, p),
    )


def unit_points(
    store: Reader, window: Window, level: Level = "campaign"
) -> tuple[dict[str, tuple[FloatArray, FloatArray]], tuple[str, ...]]:
    """Daily (spend, conversions) per campaign or ad group (one engine query)."""
    key = {"campaign": "campaign_id", "adgroup": "adgroup_id"}.get(level)
    if key is None:
        raise ConfigError(f"level {level!r}: use campaign or adgroup")
    query = MeasureQuery(("spend", "conversions"), by=(key, "stat_date"), window=window)
    sums = sum_measures(store, query)
    groups = split_groups(sums, key, ("spend", "conversions"))
    return {k: (v["spend"], v["conversions"]) for k, v in groups.items()}, sums.currencies


@dataclass(frozen=True, slots=True)
class BudgetParams(ReallocationParams):
    """:class:`ReallocationParams` for the campaigns (or ad groups, *level*) of *window*."""

    level: Level = "campaign"
    window: Window = ALL_TIME


def budget_reallocation(store: Reader, params: BudgetParams | None = None) -> BudgetPlan:
    """Current vs recommended daily budget per campaign (or ad group) on response curves.

    The selection must report in one currency (see :func:`budget_plans` for several).
    """
    p = params or BudgetParams()
    window, level = p.window, p.level
    points, currencies = unit_points(store, window, level)
    if len(currencies) > 1:
        raise MixedCurrencies(
            f"the history mixes currencies {', '.join(currencies)}: a budget is shared within "
            "one currency; choose the accounts of one currency"
        )
    if not points:
        raise StatsInputError("no daily rows in the window: nothing to reallocate")
    shared = reallocate(points, p)
    plan = BudgetPlan(
        level=level,
        start=window.start,
        end=window.end,
        currency=currencies[0] if currencies else None,
        total_budget=shared.total,
        explore_share=p.explore_share,
        units=shared.units,
        expected_change=shared.change,
        notes=shared.notes,
        advertiser_ids=window.advertiser_ids,
    )
    key = "campaign_id" if level == "campaign" else "adgroup_id"
    names = {k: v for k, v in entity_names(store, key, points).items() if v}
    return replace(plan, units=[replace(u, name=names.get(u.unit_id)) for u in plan.units])


@dataclass(frozen=True, slots=True)
class BudgetReport:
    """One :class:`BudgetPlan` per currency, and the currency groups that could not be planned."""

    plans: list[BudgetPlan]
    skipped: list[dict[str, Any]]
    """``currency``, ``advertiser_ids`` and ``reason`` of each group without a plan."""

    def to_dict(self) -> dict[str, Any]:
        return {"plans": [p.to_dict() for p in self.plans], "skipped": self.skipped}


def budget_plans(store: Reader, params: BudgetParams | None = None) -> BudgetReport:
    """:func:`budget_reallocation` once per currency of the selection (each its own budget).

    A total budget is an amount in one currency, so it needs a selection in one currency. A
    group that cannot be planned is listed with its reason; when none can, its error is raised.
    """
    p = params or BudgetParams()
    groups = currency_groups(store, ad_rows(store, p.window), p.window)
    if p.total_budget is not None and len(groups) > 1:
        raise MixedCurrencies(
            f"a total budget is an amount in one currency, and the selection has "
            f"{', '.join(str(g.currency) for g in groups)}: choose the accounts of one currency"
        )
    plans: list[BudgetPlan] = []
    skipped: list[dict[str, Any]] = []
    for g in groups:
        try:
            plan = budget_reallocation(store, replace(p, window=g.window))
        except (StatsInputError, InfeasibleBudget) as exc:
            if len(groups) == 1:
                raise
            skipped.append(
                {
                    "currency": g.currency,
                    "advertiser_ids": list(g.advertiser_ids),
                    "reason": str(exc),
                }
            )
            continue
        plans.append(replace(plan, advertiser_ids=g.advertiser_ids))
    if not plans:
        raise StatsInputError(
            "no currency group can be reallocated: "
            + " | ".join(f"{s['currency']}: {s['reason']}" for s in skipped)
        )
    return BudgetReport(plans, skipped)
