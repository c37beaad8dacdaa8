"""Performance by audience segment: age, gender, country (KPI-5c).

One Ibis query over ``audience_daily`` filtered on one ``dimension`` (each dimension splits the
same totals, so dimensions are never summed together): ``GROUP BY segment, stat_date`` and
``SUM`` run in the engine. Every KPI is a KPI of the catalogue (:mod:`tokops.metrics.catalogue`:
same name, definition and unit as ``tokops kpi --by age``), Σnumerator/Σdenominator per segment
in the catalogue's unit (percent for rates); its interval is the delta method over day clusters
(:func:`tokops.insights.stats.ratio.ratio_arm`), so day-to-day swings widen it (BYD-3). Paid follows
per segment are summed too. Money is never summed across currencies: :func:`segment_reports`
gives one report per currency.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from tokops.errors import ConfigError
from tokops.insights.data import MixedCurrencies
from tokops.insights.stats.common import FloatArray, StatsInputError, jsonable, t_ppf
from tokops.insights.stats.ratio import ratio_arm
from tokops.metrics.query import MeasureQuery, ad_rows, currency_groups, sum_measures
from tokops.metrics.sources import synced_table
from tokops.metrics.tables import AUDIENCE_DAILY
from tokops.metrics.window import Window

if TYPE_CHECKING:
    from tokops.metrics.catalogue import Kpi
    from tokops.metrics.reader import Reader

__all__ = [
    "SEGMENT_KPIS",
    "SegmentKpi",
    "SegmentReport",
    "SegmentRow",
    "segment_report",
    "segment_reports",
]

TABLE = AUDIENCE_DAILY.name
DIMENSIONS = {"age": "age", "gender": "gender", "country": "country_code"}
SEGMENT_KPIS: tuple[str, ...] = ("ctr", "cvr_click", "cpa", "total_roas")
"""Catalogue KPIs per segment: CVR per click (segments differ in clicks), ROAS website + Shop."""
_TOTALS = ("spend", "impressions", "clicks", "conversions", "follows")


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
    advertiser_ids: tuple[str, ...] = ()

    def row(self, segment: str) -> SegmentRow:
        return next(r for r in self.rows if r.segment == segment)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["start"] = self.start.isoformat() if self.start else None
        data["end"] = self.end.isoformat() if self.end else None
        return dict(jsonable(data))


def segment_kpi(num: FloatArray, den: FloatArray, alpha: float, scale: float = 1.0) -> SegmentKpi:
    """scale × Σnum/Σden with a delta-method interval over days (none with < 2 days or Σden = 0)."""
    total_den = float(den.sum())
    if total_den <= 0:
        return SegmentKpi(None, None)
    estimate = scale * float(num.sum()) / total_den
    if num.size < 2:
        return SegmentKpi(estimate, None)
    try:
        arm = ratio_arm(num, den)
    except StatsInputError:
        return SegmentKpi(estimate, None)
    half = scale * t_ppf(1.0 - alpha / 2.0, arm.n - 1) * math.sqrt(max(arm.var, 0.0))
    return SegmentKpi(estimate, (estimate - half, estimate + half))


def _kpis() -> dict[str, Kpi]:
    from tokops.metrics.catalogue import CATALOGUE

    return {name: CATALOGUE[name] for name in SEGMENT_KPIS}


def segment_reports(
    store: Reader,
    dimension: str = "age",
    window: Window | None = None,
    *,
    alpha: float = 0.10,
) -> list[SegmentReport]:
    """:func:`segment_report` once per currency of the selection (money never mixed)."""
    window = window or Window()
    _check(store, dimension, alpha)
    where = {"dimension": (DIMENSIONS[dimension],)}
    groups = currency_groups(store, ad_rows(store, window, TABLE, where), window)
    return [
        replace(segment_report(store, dimension, g.window, alpha=alpha),
                advertiser_ids=g.advertiser_ids)
        for g in groups
    ]  # fmt: skip


def _check(store: Reader, dimension: str, alpha: float) -> None:
    if dimension not in DIMENSIONS:
        raise ConfigError(f"dimension {dimension!r}: use age, gender or country")
    if not 0.0 < alpha < 1.0:
        raise ConfigError(f"alpha must lie in (0, 1), got {alpha}")
    synced_table(store, TABLE)  # audience_daily comes with the ads sync


def _segment_row(
    seg: str, sums: dict[str, FloatArray], absent: set[str], kpis_def: dict[str, Kpi],
    alpha: float, total_spend: float,
) -> SegmentRow:  # fmt: skip
    """One segment's totals and KPIs from its per-day sums."""
    kpis = {
        name: SegmentKpi(None, None)
        if absent & set(k.measures)
        else segment_kpi(
            np.sum([sums[m] for m in k.numerator], axis=0),
            np.sum([sums[m] for m in k.denominator], axis=0),
            alpha,
            float(k.scale),
        )
        for name, k in kpis_def.items()
    }
    spend = float(sums["spend"].sum())
    return SegmentRow(
        segment=seg,
        days=len(sums["spend"]),
        totals={k: float(v.sum()) for k, v in sums.items()},
        kpis=kpis,
        share_of_spend=spend / total_spend if total_spend else None,
    )


def segment_report(
    store: Reader,
    dimension: str = "age",
    window: Window | None = None,
    *,
    alpha: float = 0.10,
) -> SegmentReport:
    """KPIs per segment of *dimension* (age, gender or country) from ``audience_daily``.

    The selection must report in one currency (:func:`segment_reports` splits it).
    """
    _check(store, dimension, alpha)
    column_value = DIMENSIONS[dimension]
    window = window or Window()
    kpis_def = _kpis()
    measures = dict.fromkeys([*_TOTALS, *(m for k in kpis_def.values() for m in k.measures)])
    query = MeasureQuery(
        tuple(measures),
        by=("segment", "stat_date"),
        window=window,
        where={"dimension": (column_value,)},
        table=TABLE,
        reported=True,
    )
    rows = sum_measures(store, query)
    currencies = rows.currencies
    if len(currencies) > 1:
        raise MixedCurrencies(
            f"the segments mix currencies {', '.join(currencies)}: costs and values are "
            "compared within one currency; choose the accounts of one currency"
        )
    keys = rows.strings("segment")
    cols = {k: rows.floats(k) for k in measures}
    counts = {k: rows.reported(k) for k in measures}
    total_spend = float(cols["spend"].sum())
    out = []
    for seg in dict.fromkeys(keys):
        mask = np.array([k == seg for k in keys], dtype=bool)
        sums = {k: v[mask] for k, v in cols.items()}
        # as `tokops kpi`: a measure never reported in the segment gives no KPI (not a zero)
        absent = {m for m in measures if float(counts[m][mask].sum()) == 0}
        out.append(_segment_row(seg, sums, absent, kpis_def, alpha, total_spend))
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
