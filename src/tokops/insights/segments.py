"""Performance by audience segment: age, gender, country (KPI-5c).

One Ibis query over ``audience_daily`` filtered on one ``dimension`` (each dimension splits the
same totals, so dimensions are never summed together): ``GROUP BY segment, stat_date`` and
``SUM`` run in the engine. Every KPI is Σnumerator/Σdenominator per segment; its interval is the
delta method over day clusters (:func:`tokops.insights.ratio.ratio_arm`), so day-to-day swings
widen it (BYD-3). Paid follows per segment are summed too.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from tokops.errors import ConfigError
from tokops.insights._common import FloatArray, StatsInputError, jsonable, t_ppf
from tokops.insights.data import Window, _currencies, _floats
from tokops.insights.ratio import ratio_arm

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from tokops.warehouse import Store

__all__ = ["SEGMENT_KPIS", "SegmentKpi", "SegmentReport", "SegmentRow", "segment_report"]

TABLE = "audience_daily"
DIMENSIONS = {"age": "age", "gender": "gender", "country": "country_code"}
_COLUMNS = {
    "spend": ("spend",),
    "impressions": ("impressions",),
    "clicks": ("clicks",),
    "conversions": ("conversion",),
    "revenue": ("total_complete_payment_rate", "total_onsite_shopping_value"),
    "follows": ("follows",),
}
SEGMENT_KPIS: dict[str, tuple[str, str]] = {
    "ctr": ("clicks", "impressions"),
    "cvr": ("conversions", "clicks"),
    "cpa": ("spend", "conversions"),
    "roas": ("revenue", "spend"),
}


@dataclass(frozen=True, slots=True)
class SegmentKpi:
    estimate: float | None
    ci: tuple[float, float] | None


@dataclass(frozen=True, slots=True)
class SegmentRow:
    segment: str
    days: int
    totals: dict[str, float]
    kpis: dict[str, SegmentKpi]
    share_of_spend: float | None


@dataclass(frozen=True, slots=True)
class SegmentReport:
    dimension: str
    start: dt.date | None
    end: dt.date | None
    currency: str | None
    confidence: float
    rows: list[SegmentRow]
    notes: list[str] = field(default_factory=list)

    def row(self, segment: str) -> SegmentRow:
        return next(r for r in self.rows if r.segment == segment)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["start"] = self.start.isoformat() if self.start else None
        data["end"] = self.end.isoformat() if self.end else None
        return dict(jsonable(data))


def segment_kpi(num: FloatArray, den: FloatArray, alpha: float) -> SegmentKpi:
    """Σnum/Σden with a delta-method interval over days (none with < 2 days or Σden = 0)."""
    total_den = float(den.sum())
    if total_den <= 0:
        return SegmentKpi(None, None)
    estimate = float(num.sum()) / total_den
    if num.size < 2:
        return SegmentKpi(estimate, None)
    try:
        arm = ratio_arm(num, den)
    except StatsInputError:
        return SegmentKpi(estimate, None)
    half = t_ppf(1.0 - alpha / 2.0, arm.n - 1) * math.sqrt(max(arm.var, 0.0))
    return SegmentKpi(estimate, (estimate - half, estimate + half))


def _sum(t: ir.Table, columns: tuple[str, ...]) -> ir.FloatingValue:
    total = t[columns[0]].cast("float64").fill_null(0.0)
    for c in columns[1:]:
        total = total + t[c].cast("float64").fill_null(0.0)
    return total.sum()


def segment_report(
    store: Store,
    dimension: str = "age",
    window: Window | None = None,
    *,
    alpha: float = 0.10,
) -> SegmentReport:
    """KPIs per segment of *dimension* (age, gender or country) from ``audience_daily``."""
    column_value = DIMENSIONS.get(dimension)
    if column_value is None:
        raise ConfigError(f"dimension {dimension!r}: use age, gender or country")
    if not 0.0 < alpha < 1.0:
        raise ConfigError(f"alpha must lie in (0, 1), got {alpha}")
    if not store.exists(TABLE):
        raise ConfigError(f"no {TABLE} table in the store: run `tokops sync audiences` first")
    window = window or Window()
    t = store.table(TABLE)
    t = t.filter(t.dimension == column_value)
    if window.start is not None:
        t = t.filter(t.stat_date >= window.start)
    if window.end is not None:
        t = t.filter(t.stat_date <= window.end)
    if window.advertiser_ids:
        t = t.filter(t.advertiser_id.isin(list(window.advertiser_ids)))
    currencies = _currencies(store, t)
    if len(currencies) > 1:
        raise ConfigError(
            f"the segments mix currencies {', '.join(currencies)}: pick one account "
            "with --advertiser"
        )
    aggs = {k: _sum(t, cols) for k, cols in _COLUMNS.items()}
    expr = (
        t.group_by(segment=t.segment.cast("string"), stat_date=t.stat_date)
        .aggregate(**aggs)
        .order_by(["segment", "stat_date"])
    )
    rows = store.fetch(expr)
    keys = [str(v) for v in rows.column("segment").to_pylist()]
    cols = {k: _floats(rows, k) for k in _COLUMNS}
    total_spend = float(cols["spend"].sum())
    out = []
    for seg in dict.fromkeys(keys):
        mask = np.array([k == seg for k in keys], dtype=bool)
        sums = {k: v[mask] for k, v in cols.items()}
        kpis = {
            name: segment_kpi(sums[num], sums[den], alpha)
            for name, (num, den) in SEGMENT_KPIS.items()
        }
        out.append(
            SegmentRow(
                segment=seg,
                days=int(mask.sum()),
                totals={k: float(v.sum()) for k, v in sums.items()},
                kpis=kpis,
                share_of_spend=float(sums["spend"].sum()) / total_spend if total_spend else None,
            )
        )
    notes = [
        f"intervals: {1 - alpha:.0%} delta method over days per segment; segments with one day "
        "have none",
    ]
    if not out:
        notes.append(f"no {TABLE} rows for dimension {column_value!r} in the window")
    return SegmentReport(
        dimension=dimension,
        start=window.start,
        end=window.end,
        currency=currencies[0] if currencies else None,
        confidence=1.0 - alpha,
        rows=out,
        notes=notes,
    )
