"""TikTok Split Tests re-analysed from the store, beside the platform's verdict (KPI-5e).

``tokops sync ads`` stores each split test (``split_tests``: cells, test variable, key metric,
start and end, the platform's p-values and winner) and the cells' delivery (``ad_daily``). This
module reads both and analyses the two cells over the test's days, in the advertiser's time zone:

- **rates** (CTR, CVR per click): the two-proportion z-test on the totals, as the platform does
  (spec §6.1 [EMU]; impressions of one user are not independent, so it is anti-conservative),
  and the delta method on day clusters (Welch t), which carries the day-to-day spread;
- **cost and value ratios** (CPA, CPC, CPM, ROAS): the delta method on day clusters only;
- **budget split** instead of an impression SRM: a creative or bidding test changes CPM, so the
  cells' impressions legitimately differ; what the advertiser fixes is the budget. The check is
  a t-test on the daily spend share of cell B against the planned ½, beyond a margin of
  ``split_margin`` (5 points): only a real delivery imbalance is flagged;
- **power** to detect ``mde_rel`` and the days needed, and a warning under 7 days (KPI-5e).

The **verdict** on the key metric comes from the day-cluster test at ``alpha`` (0.10, TikTok's
90 %): the better cell when significant, else ``inconclusive`` with the interval of the lift.
TikTok's own test statistic is not documented (spec §3a, §6.1), so disagreement is possible.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from tokops.errors import ConfigError
from tokops.insights.data import ratio_kpi
from tokops.insights.stats.abtest import ABResult, ClusterArm, ProportionArm, analyze_ab
from tokops.insights.stats.common import FloatArray, StatsInputError, jsonable, t_sf
from tokops.insights.stats.proportions import SRM_ALPHA, SrmCheck
from tokops.metrics.query import MeasureQuery, sum_measures
from tokops.metrics.sources import synced_table
from tokops.metrics.tables import SPLIT_TESTS
from tokops.metrics.window import Window

if TYPE_CHECKING:
    from tokops.metrics.reader import Reader

__all__ = [
    "KEY_METRIC_KPIS",
    "SplitTest",
    "SplitTestAnalysis",
    "SplitTestReport",
    "CellAnalysis",
    "analyze_split_test",
    "budget_split_check",
    "list_split_tests",
    "load_split_test",
    "split_test_report",
]

TABLE: Final = SPLIT_TESTS.name
KEY_METRIC_KPIS: Final = {
    "COST_PER_CONVERT": "cpa",
    "CONVERT_RATE": "cvr_click",
    "CLICK_THROUGH_RATE": "ctr",
    "COST_PER_CLICK": "cpc",
    "COST_PER_SHOW": "cpm",
    "COMPLETE_PAYMENT_ROAS": "roas",
}
"""The platform's key metric → the KPI of the catalogue tokops tests it with."""
_RATES: Final = frozenset({"ctr", "cvr_click", "cvr"})
_ALSO: Final = ("ctr", "cvr_click", "cpa")
_MEASURES: Final = ("spend", "impressions", "clicks", "conversions", "purchase_value")


@dataclass(frozen=True, slots=True)
class SplitTest:
    """One row of ``split_tests``: the test and the platform's verdict."""

    split_test_group_id: str
    advertiser_id: str
    level: str
    object_ids: tuple[str, str]
    """Cell A (control) then cell B, as the platform lists them."""
    test_variable: str | None
    key_metric: str | None
    status: str | None
    start: dt.datetime | None
    end: dt.datetime | None
    winning_object_id: str | None
    is_significant: bool | None
    p_values: dict[str, float | None]

    @property
    def key_p_value(self) -> float | None:
        return self.p_values.get(self.key_metric or "")

    @property
    def platform_verdict(self) -> str:
        if self.status != "COMPLETED":
            return f"pending ({self.status or 'unknown status'})"
        return self.winning_object_id or "no winner"


@dataclass(frozen=True, slots=True)
class SplitTestAnalysis:
    """tokops's test of one metric on the two cells."""

    metric: str
    key: bool
    """True for the test's key metric."""
    result: ABResult

    def to_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, "key": self.key, **self.result.to_dict()}


@dataclass(frozen=True, slots=True)
class SplitTestReport:
    test: SplitTest
    key_kpi: str
    start_day: dt.date
    end_day: dt.date
    timezone: str
    currency: str | None
    analyses: tuple[SplitTestAnalysis, ...]
    budget_split: SrmCheck
    verdict: str
    """tokops's winner on the key metric (an object ID) or ``inconclusive``."""
    agreement: str
    """``agree`` | ``disagree`` | ``platform pending``."""
    notes: tuple[str, ...]

    @property
    def key(self) -> ABResult:
        """The day-cluster analysis of the key metric (the verdict's basis)."""
        return next(
            a.result for a in self.analyses if a.key and a.result.method == "delta_method_t"
        )

    def to_dict(self) -> dict[str, Any]:
        t = self.test
        return dict(
            jsonable(
                {
                    "split_test_group_id": t.split_test_group_id,
                    "advertiser_id": t.advertiser_id,
                    "level": t.level,
                    "cells": list(t.object_ids),
                    "test_variable": t.test_variable,
                    "key_metric": t.key_metric,
                    "key_kpi": self.key_kpi,
                    "days": [self.start_day.isoformat(), self.end_day.isoformat()],
                    "timezone": self.timezone,
                    "currency": self.currency,
                    "platform": {
                        "status": t.status,
                        "winner": t.winning_object_id,
                        "verdict": t.platform_verdict,
                        "is_significant": t.is_significant,
                        "key_p_value": t.key_p_value,
                        "confidence": None if t.key_p_value is None else 1 - t.key_p_value,
                        "p_values": t.p_values,
                    },
                    "tokops": {
                        "verdict": self.verdict,
                        "budget_split": self.budget_split.to_dict(),
                        "analyses": [a.to_dict() for a in self.analyses],
                    },
                    "agreement": self.agreement,
                    "notes": list(self.notes),
                }
            )
        )


# ---------------------------------------------------------------- store → SplitTest


def _float(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def _test(row: dict[str, Any]) -> SplitTest:
    ids = [str(i) for i in json.loads(row["object_ids"] or "[]")]
    if len(ids) != 2:
        raise ConfigError(
            f"split test {row['split_test_group_id']} has {len(ids)} cell(s) in the store, not 2"
        )
    p_values = {str(k): _float(v) for k, v in json.loads(row["p_values"] or "{}").items()}
    return SplitTest(
        split_test_group_id=str(row["split_test_group_id"]),
        advertiser_id=str(row["advertiser_id"]),
        level=row["split_test_level"] or "ADGROUP",
        object_ids=(ids[0], ids[1]),
        test_variable=row["test_variable"],
        key_metric=row["key_metric"],
        status=row["status"],
        start=row["start_time"],
        end=row["end_time"],
        winning_object_id=row["winning_object_id"],
        is_significant=row["is_significant"],
        p_values=p_values,
    )


def _require(store: Reader) -> None:
    synced_table(store, TABLE)


def list_split_tests(store: Reader) -> list[SplitTest]:
    """Every split test in the store, newest start first."""
    _require(store)
    t = store.table(TABLE)
    rows = store.fetch(t.order_by([t.start_time.desc(), t.split_test_group_id])).to_pylist()
    return [_test(r) for r in rows]


def load_split_test(store: Reader, group_id: str) -> SplitTest:
    _require(store)
    t = store.table(TABLE)
    rows = store.fetch(t.filter(t.split_test_group_id == group_id)).to_pylist()
    if not rows:
        raise ConfigError(
            f"no split test {group_id} in the store: run `tokops sync ads` (stream split_tests)"
        )
    return _test(rows[0])


def _timezone(store: Reader, advertiser_id: str) -> str | None:
    if not store.exists("advertisers"):
        return None
    t = store.table("advertisers")
    rows = store.fetch(t.filter(t.advertiser_id == advertiser_id).select("timezone")).to_pylist()
    return rows[0]["timezone"] if rows and rows[0]["timezone"] else None


def _local_day(moment: dt.datetime, zone: str) -> dt.date:
    try:
        return moment.astimezone(ZoneInfo(zone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        return moment.astimezone(dt.UTC).date()


def _cell_days(
    store: Reader, test: SplitTest, start: dt.date, end: dt.date
) -> tuple[dict[str, dict[str, FloatArray]], list[dt.date], tuple[str, ...]]:
    """Per cell, per local day: sums of the measures, aligned on the same days (0 when idle)."""
    column = "adgroup_id" if test.level == "ADGROUP" else "campaign_id"
    query = MeasureQuery(
        _MEASURES,
        by=("stat_date", column),
        window=Window(start, end, (test.advertiser_id,)),
        where={column: tuple(test.object_ids)},
    )
    sums = sum_measures(store, query)
    cells = sums.strings(column)
    days_col: list[dt.date] = sums.rows.column("stat_date").to_pylist()
    days = sorted(set(days_col))
    pos = {d: i for i, d in enumerate(days)}
    out = {c: {m: np.zeros(len(days)) for m in _MEASURES} for c in test.object_ids}
    values = {m: sums.floats(m) for m in _MEASURES}
    for k, (cell, day) in enumerate(zip(cells, days_col, strict=True)):
        for m in _MEASURES:
            out[cell][m][pos[day]] = values[m][k]
    return out, days, tuple(c for c in sums.currencies if c)


# ---------------------------------------------------------------- statistics


def budget_split_check(
    spend_a: Any,
    spend_b: Any,
    *,
    planned: float = 0.5,
    margin: float = 0.05,
    threshold: float = SRM_ALPHA,
) -> SrmCheck:
    """Is cell B's daily share of spend beyond ``planned ± margin``? (one-sample t on days).

    ``chi2`` holds t² of ``(|mean share − planned| − margin) / se`` (0 inside the margin) and
    ``p_value`` its two-sided t p-value; ``observed`` are the cells' total spend.
    """
    a, b = np.asarray(spend_a, dtype=np.float64), np.asarray(spend_b, dtype=np.float64)
    both = (a + b) > 0
    if not both.any():
        raise StatsInputError("no spend in either cell")
    share = b[both] / (a[both] + b[both])
    total = float(a.sum() + b.sum())
    expected = (total * (1 - planned), total * planned)
    n = int(share.size)
    gap = max(abs(float(share.mean()) - planned) - margin, 0.0)
    sd = float(share.std(ddof=1)) if n > 1 else 0.0
    if gap == 0.0:
        t, p = 0.0, 1.0
    elif sd == 0.0 or n < 2:
        t, p = math.inf, 0.0
    else:
        t = gap / (sd / math.sqrt(n))
        p = 2 * t_sf(t, n - 1)
    return SrmCheck((float(a.sum()), float(b.sum())), expected, t * t, p, threshold)


def _verdict(result: ABResult) -> str:
    return result.winner or "inconclusive"


@dataclass(frozen=True, slots=True)
class CellAnalysis:
    """What :func:`analyze_split_test` finds: the KPI tested as key, the tests, the split check."""

    key_kpi: str
    analyses: tuple[SplitTestAnalysis, ...]
    split: SrmCheck
    notes: list[str]


def _as_percent(result: ABResult, scale: float) -> ABResult:
    """A z-test on proportions shown in the catalogue's unit (percent), like the day-cluster
    rows beside it (one unit per KPI, issue 9 §4)."""
    return replace(
        result,
        estimates=(result.estimates[0] * scale, result.estimates[1] * scale),
        lift_abs=result.lift_abs * scale,
        lift_abs_ci=(result.lift_abs_ci[0] * scale, result.lift_abs_ci[1] * scale),
    )


def _metric_tests(
    test: SplitTest, cells: dict[str, dict[str, FloatArray]], metric: str, key: bool,
    split: SrmCheck, alpha: float, mde_rel: float,
) -> tuple[list[SplitTestAnalysis], str | None]:  # fmt: skip
    """The tests of one metric on the two cells, or the note that says why there are none."""
    a_id, b_id = test.object_ids
    kpi = ratio_kpi(metric)
    num, den = kpi.numerator[0], kpi.denominator[0]
    better_up, scale = kpi.better != "down", float(kpi.scale)
    ca, cb = cells[a_id], cells[b_id]
    if float(ca[den].sum()) <= 0 or float(cb[den].sum()) <= 0:
        return [], f"{metric}: a cell has no {den}; not tested"
    out: list[SplitTestAnalysis] = []
    if metric in _RATES:
        pa = ProportionArm(a_id, float(ca[num].sum()), float(ca[den].sum()))
        pb = ProportionArm(b_id, float(cb[num].sum()), float(cb[den].sum()))
        days = int(np.count_nonzero((ca[den] + cb[den]) > 0))
        prop = analyze_ab(pa, pb, metric=metric, alpha=alpha, higher_is_better=better_up,
                          mde_rel=mde_rel, days_run=days, srm=split)  # fmt: skip
        out.append(SplitTestAnalysis(metric, key, _as_percent(prop, scale)))
    keep_a, keep_b = ca[den] > 0, cb[den] > 0
    try:
        clustered = analyze_ab(
            ClusterArm(a_id, ca[num][keep_a] * scale, ca[den][keep_a]),
            ClusterArm(b_id, cb[num][keep_b] * scale, cb[den][keep_b]),
            metric=metric,
            alpha=alpha,
            higher_is_better=better_up,
            mde_rel=mde_rel,
            srm=split,
        )
    except StatsInputError as exc:
        return out, f"{metric}: day clusters not testable ({exc})"
    return [*out, SplitTestAnalysis(metric, key, clustered)], None


def analyze_split_test(
    test: SplitTest,
    cells: dict[str, dict[str, FloatArray]],
    *,
    alpha: float = 0.10,
    mde_rel: float = 0.10,
    split_margin: float = 0.05,
) -> CellAnalysis:
    """Pure core of :func:`split_test_report` on aligned per-day sums of the two cells."""
    a_id, b_id = test.object_ids
    notes: list[str] = []
    key_kpi = KEY_METRIC_KPIS.get(test.key_metric or "")
    if key_kpi is None:
        key_kpi = "cpa"
        notes.append(
            f"key metric {test.key_metric!r} has no ratio in the catalogue: CPA is tested instead"
        )
    split = budget_split_check(cells[a_id]["spend"], cells[b_id]["spend"], margin=split_margin)
    analyses: list[SplitTestAnalysis] = []
    for metric in dict.fromkeys((key_kpi, *_ALSO)):
        found, note = _metric_tests(test, cells, metric, metric == key_kpi, split, alpha, mde_rel)
        analyses += found
        if note is not None:
            notes.append(note)
    key = [a for a in analyses if a.key and a.result.method == "delta_method_t"]
    if not key:
        raise StatsInputError(f"the key metric ({key_kpi}) could not be tested on day clusters")
    return CellAnalysis(key_kpi, tuple(analyses), split, notes)


def _test_days(
    store: Reader, test: SplitTest, as_of: dt.date | None
) -> tuple[str, dt.date, dt.date, list[str]]:
    """The test's time zone, first and last local day (stopped at *as_of*), and notes."""
    if test.start is None or test.end is None:
        raise ConfigError(
            f"split test {test.split_test_group_id} has no start or end time in the store"
        )
    zone = _timezone(store, test.advertiser_id)
    notes: list[str] = []
    if zone is None:
        notes.append("advertiser time zone unknown: the test's days are taken in UTC")
    tz = zone or "UTC"
    start, end = _local_day(test.start, tz), _local_day(test.end, tz)
    if as_of is not None and as_of < end:
        if as_of < start:
            raise ConfigError(f"as_of {as_of} is before the test's first day {start}")
        end = as_of
        notes.append(f"analysis stopped at {as_of}, before the test's last day")
    return tz, start, end, notes


def _agreement(test: SplitTest, verdict: str) -> str:
    """``agree``, ``disagree``, or ``platform pending`` while the test runs."""
    if test.status != "COMPLETED":
        return "platform pending"
    return "agree" if (test.winning_object_id or "inconclusive") == verdict else "disagree"


def split_test_report(
    store: Reader,
    group_id: str,
    *,
    alpha: float = 0.10,
    mde_rel: float = 0.10,
    split_margin: float = 0.05,
    as_of: dt.date | None = None,
) -> SplitTestReport:
    """The platform's verdict on split test *group_id* next to tokops's analysis of its cells.

    *as_of* stops the analysis at that local day (what tokops would have said then).
    """
    test = load_split_test(store, group_id)
    tz, start, end, notes = _test_days(store, test, as_of)
    cells, days, currencies = _cell_days(store, test, start, end)
    if not days:
        raise StatsInputError(
            f"no ad_daily rows for the cells of split test {group_id} between {start} and {end}"
        )
    if len(currencies) > 1:
        raise ConfigError(f"the cells report in different currencies ({', '.join(currencies)})")
    found = analyze_split_test(test, cells, alpha=alpha, mde_rel=mde_rel, split_margin=split_margin)
    notes += found.notes
    key = next(a.result for a in found.analyses if a.key and a.result.method == "delta_method_t")
    verdict = _verdict(key)
    agreement = _agreement(test, verdict)
    if agreement == "platform pending":
        notes.append(f"the test is {test.status}: both verdicts can still change")
    if days[-1] < end:
        notes.append(f"ad_daily ends on {days[-1]}, before the test's last day {end}")
    notes.append(
        "verdict: day-cluster delta method on the key metric at "
        f"{1 - alpha:.0%}; rates also show the platform-style two-proportion z-test "
        "(anti-conservative: impressions of one user are not independent)"
    )
    return SplitTestReport(
        test=test,
        key_kpi=found.key_kpi,
        start_day=start,
        end_day=end,
        timezone=tz,
        currency=currencies[0] if currencies else None,
        analyses=found.analyses,
        budget_split=found.split,
        verdict=verdict,
        agreement=agreement,
        notes=tuple(notes),
    )
