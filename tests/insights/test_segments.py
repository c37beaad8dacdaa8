"""Segment report: Σ/Σ per segment of one dimension, intervals over days, refusals."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tokops.errors import ConfigError
from tokops.insights.data import Window
from tokops.insights.segments import SEGMENT_KPIS, segment_report, segment_reports
from tokops.warehouse import Store, connect

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_store_data import load_rows  # noqa: E402

D0 = dt.date(2024, 5, 1)


def seg_row(
    dim: str, seg: str, day: int, imp: int, clk: int, conv: int, **kw: Any
) -> dict[str, Any]:
    return {
        "advertiser_id": kw.pop("advertiser_id", "adv1"),
        "campaign_id": kw.pop("campaign_id", "c1"),
        "stat_date": D0 + dt.timedelta(days=day),
        "dimension": dim,
        "segment": seg,
        "currency": kw.pop("currency", "USD"),
        "spend": Decimal(imp) / 100,
        "impressions": imp,
        "clicks": clk,
        "conversion": conv,
        "total_complete_payment_rate": Decimal(conv * 40),
        "total_onsite_shopping_value": Decimal(conv * 10),
        "follows": kw.pop("follows", 1),
    }


def build_segments(store: Store) -> Store:
    rows = []
    for d in range(6):
        w = d % 3 - 1
        rows.append(seg_row("age", "AGE_18_24", d, 10_000, 200 + 10 * w, 10 + w))
        rows.append(seg_row("age", "AGE_25_34", d, 10_000, 100 - 5 * w, 10))
        rows.append(seg_row("gender", "FEMALE", d, 12_000, 180, 12))  # another dimension
    rows.append(seg_row("age", "AGE_25_34", 0, 10_000, 100, 10, campaign_id="c2"))
    rows.append(seg_row("age", "AGE_55_100", 0, 500, 5, 0))  # one day, no conversions
    load_rows(store, "audience_daily", rows)
    return store


def test_sums_over_sums_per_segment() -> None:
    report = segment_report(build_segments(connect("duckdb://")), "age")
    assert [r.segment for r in report.rows] == ["AGE_18_24", "AGE_25_34", "AGE_55_100"]
    young, mid, old = report.rows
    assert young.totals["impressions"] == 60_000 and young.totals["clicks"] == 1200
    assert young.kpis["ctr"].estimate == pytest.approx(2.0)  # percent, as the catalogue
    assert young.kpis["cvr_click"].estimate == pytest.approx(100 * 60 / 1200)
    assert young.kpis["cpa"].estimate == pytest.approx(600 / 60)
    assert young.kpis["total_roas"].estimate == pytest.approx((40 + 10) * 60 / 600)
    # two campaigns on day 0 are summed into one day cluster: 7 rows, 6 days
    assert mid.days == 6 and mid.totals["impressions"] == 70_000
    assert mid.kpis["ctr"].estimate == pytest.approx(100 * 700 / 70_000)
    ci = young.kpis["ctr"].ci
    assert ci is not None and ci[0] < 2.0 < ci[1]
    assert mid.kpis["cpa"].ci == pytest.approx((10.0, 10.0))  # constant CPA every day
    assert old.kpis["cpa"].estimate is None and old.kpis["ctr"].ci is None
    assert sum(r.share_of_spend or 0 for r in report.rows) == pytest.approx(1.0)
    assert young.totals["follows"] == 6
    data = report.to_dict()
    assert data["dimension"] == "age" and data["currency"] == "USD"


def test_window_dimension_and_refusals() -> None:
    store = build_segments(connect("duckdb://"))
    gender = segment_report(store, "gender", Window(D0, D0 + dt.timedelta(days=1)))
    assert [r.segment for r in gender.rows] == ["FEMALE"] and gender.rows[0].days == 2
    assert segment_report(store, "country").rows == []
    with pytest.raises(ConfigError, match="dimension"):
        segment_report(store, "os")
    with pytest.raises(ConfigError, match="no audience_daily"):
        segment_report(connect("duckdb://"), "age")
    load_rows(store, "audience_daily", [seg_row("age", "AGE_18_24", 9, 10, 1, 0, currency="EUR")])
    with pytest.raises(ConfigError, match="mix currencies"):
        segment_report(store, "age")


def test_one_report_per_currency() -> None:
    """issue 9 §3: a store with accounts in two currencies gives one table per currency."""
    store = build_segments(connect("duckdb://"))
    eur = [seg_row("age", "AGE_18_24", d, 1000, 50, 5, currency="EUR", advertiser_id="adv2")
           for d in range(3)]  # fmt: skip
    load_rows(store, "audience_daily", eur)
    reports = segment_reports(store, "age")
    assert [(r.currency, r.advertiser_ids) for r in reports] == [
        ("EUR", ("adv2",)), ("USD", ("adv1",))
    ]  # fmt: skip
    eur_young = reports[0].row("AGE_18_24")
    assert eur_young.totals["spend"] == pytest.approx(30.0)  # only the EUR rows
    assert eur_young.kpis["ctr"].estimate == pytest.approx(5.0)
    assert reports[1].row("AGE_18_24").totals["impressions"] == 60_000


def test_segments_agree_with_tokops_kpi() -> None:
    """One vocabulary (issue 9 §4): the same catalogue KPI from `kpi --by age` and `segments`."""
    from tokops.metrics.compute import compute_kpis

    store = build_segments(connect("duckdb://"))
    report = segment_report(store, "age")
    table = compute_kpis(store, "age", kpis=list(SEGMENT_KPIS))
    by_seg = {str(r["age"]): r for r in table.rows}
    assert set(by_seg) == {r.segment for r in report.rows}
    for row in report.rows:
        for name in SEGMENT_KPIS:
            mine = row.kpis[name].estimate
            theirs = by_seg[row.segment][name]
            if theirs is None:
                assert mine is None, (row.segment, name)
            else:
                assert mine == pytest.approx(float(theirs), rel=1e-9), (row.segment, name)


def test_same_answers_on_both_engines(any_store: Store) -> None:
    """Segments, plan and budget queries run in DuckDB and PostgreSQL alike (BYD-2)."""
    from test_budget import build_curves
    from test_plan import build_funnel

    from tokops.insights.budget import BudgetParams, budget_reallocation
    from tokops.insights.plan import GoalParams, plan_goal

    store = build_curves(build_funnel(build_segments(any_store)))
    report = segment_report(store, "age")
    assert report.row("AGE_18_24").kpis["ctr"].estimate == pytest.approx(2.0)
    plan = plan_goal(store, GoalParams(sales=150, window_days=10, end=D0 + dt.timedelta(days=9)))
    assert plan.days == 10 and plan.requirement("conversions").expected == pytest.approx(150)
    budget = budget_reallocation(store, BudgetParams(window=Window(D0 + dt.timedelta(days=10))))
    assert {u.unit_id for u in budget.units} == {"c1", "c2"}
