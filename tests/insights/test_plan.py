"""Goal planner: known funnel rates give the hand-computed volumes; ranges; thin history."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tokops.errors import ConfigError
from tokops.insights.funnel import GoalTarget, funnel_plan
from tokops.insights.plan import GoalParams, plan_goal
from tokops.insights.stats.common import StatsInputError
from tokops.warehouse import Store, connect

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_store_data import load_rows  # noqa: E402

D0 = dt.date(2024, 5, 1)


def funnel_day(day: int, scale: float = 1.0, **over: Any) -> dict[str, Any]:
    """One day at CTR 1 %, view rate 20 %, ATC 20 %, CVR 5 %, CPM 10, AOV 50 (ROAS 2.5)."""
    row: dict[str, Any] = {
        "advertiser_id": "adv1",
        "campaign_id": "c1",
        "adgroup_id": "g1",
        "ad_id": "a1",
        "stat_date": D0 + dt.timedelta(days=day),
        "currency": "USD",
        "spend": Decimal(1000 * scale).quantize(Decimal("0.01")),
        "impressions": int(100_000 * scale),
        "video_views_p25": int(20_000 * scale),
        "clicks": int(1000 * scale),
        "web_event_add_to_cart": int(200 * scale),
        "conversion": int(50 * scale),
        "total_complete_payment_rate": Decimal(2500 * scale).quantize(Decimal("0.01")),
    }
    row.update(over)
    return row


def build_funnel(store: Store, days: int = 10, *, noisy: bool = False) -> Store:
    rows = [funnel_day(d, 1.0 + (0.3 * ((d % 3) - 1) if noisy else 0.0)) for d in range(days)]
    if noisy:  # shift the conversion count so CVR varies between days
        for d, r in enumerate(rows):
            r["conversion"] += 5 * ((d % 4) - 1)
    load_rows(store, "ad_daily", rows)
    return store


def test_known_rates_give_hand_computed_volumes() -> None:
    store = build_funnel(connect("duckdb://"))
    plan = plan_goal(store, GoalParams(sales=1500))
    assert plan.days == 10 and plan.currency == "USD" and plan.end == D0 + dt.timedelta(days=9)
    assert plan.rate("ctr").estimate == pytest.approx(1.0)  # percent
    assert plan.rate("cvr_click").estimate == pytest.approx(5.0)  # percent, as the catalogue
    assert plan.rate("cpm").estimate == pytest.approx(10.0)
    assert plan.rate("value_per_conversion").estimate == pytest.approx(50.0)
    expected = {
        "conversions": 1500,
        "clicks": 30_000,
        "impressions": 3_000_000,
        "views_p25": 600_000,
        "add_to_cart": 6_000,
        "budget": 30_000,
    }
    for name, value in expected.items():
        req = plan.requirement(name)
        assert req.expected == pytest.approx(value), name
        # identical days: the bootstrap has nothing to vary
        assert req.low == pytest.approx(value) and req.high == pytest.approx(value), name
    data = plan.to_dict()
    assert data["target"] == {"sales": 1500.0} and len(data["requirements"]) == 6


def test_revenue_at_roas() -> None:
    store = build_funnel(connect("duckdb://"))
    plan = plan_goal(store, GoalParams(revenue=50_000, roas=3))
    assert plan.requirement("conversions").expected == pytest.approx(1000)  # 50 000 / AOV 50
    assert plan.requirement("budget").expected == pytest.approx(20_000)  # 50 000 / ROAS 2.5
    assert any("allows a budget of 16,666.67" in n for n in plan.notes)
    assert any("not reachable" in n for n in plan.notes)  # history says 2.5, target 3


def test_noisy_history_gives_ranges_around_the_pooled_value() -> None:
    store = build_funnel(connect("duckdb://"), days=20, noisy=True)
    plan = plan_goal(store, GoalParams(sales=1500, window_days=20))
    for name in ("clicks", "impressions", "budget"):
        req = plan.requirement(name)
        assert req.low is not None and req.high is not None and req.expected is not None
        assert req.low < req.expected < req.high, name
    cvr = plan.rate("cvr_click")
    assert cvr.low is not None and cvr.high is not None and cvr.estimate is not None
    assert cvr.low < cvr.estimate < cvr.high and cvr.high - cvr.low < 1.0  # percent
    # a shorter window reads only the last days
    short = plan_goal(store, GoalParams(sales=1500, window_days=8))
    assert short.days == 8 and short.start == D0 + dt.timedelta(days=12)


def test_thin_history_is_refused() -> None:
    store = build_funnel(connect("duckdb://"), days=5)
    with pytest.raises(StatsInputError, match="history too thin"):
        plan_goal(store, GoalParams(sales=100))
    few = {k: np.ones(10) for k in ("spend", "impressions", "views", "clicks", "add_to_cart")}
    few |= {"conversions": np.ones(10), "revenue": np.zeros(10)}
    with pytest.raises(StatsInputError, match="10 conversions"):
        funnel_plan(few, GoalTarget(sales=100))


def test_missing_stages_and_bad_targets() -> None:
    rows = [funnel_day(d, video_views_p25=None, web_event_add_to_cart=None) for d in range(8)]
    store = connect("duckdb://")
    load_rows(store, "ad_daily", rows)
    plan = plan_goal(store, GoalParams(sales=100))
    assert plan.requirement("views_p25").expected is None
    assert plan.requirement("add_to_cart").expected is None
    assert plan.requirement("clicks").expected == pytest.approx(2000)
    with pytest.raises(ConfigError, match="exactly one target"):
        plan_goal(store, GoalParams(sales=1, revenue=2))
    with pytest.raises(ConfigError, match="needs a revenue"):
        plan_goal(store, GoalParams(sales=1, roas=2))
    with pytest.raises(ConfigError, match="positive"):
        plan_goal(store, GoalParams(sales=-5))
    with pytest.raises(ConfigError, match="no ad_daily"):
        plan_goal(connect("duckdb://"), GoalParams(sales=5))


# ---------------------------------------------------------------- response-curve budget


def power_days(b: float, a: float = 2.0, days: int = 21) -> tuple[np.ndarray, np.ndarray]:
    spend = np.geomspace(500.0, 2000.0, days)
    return spend, a * spend**b


def test_curve_budget_inverts_a_known_curve_beyond_the_observed_spend() -> None:
    from tokops.insights.plan import curve_budget

    spend, conv = power_days(0.6)
    target = 10 * 2.0 * 8000.0**0.6  # 10 days at 8,000/day: 4x the largest day seen
    curve, notes = curve_budget(spend, conv, target, horizon_days=10)
    assert curve is not None
    assert curve.b == pytest.approx(0.6, abs=1e-6) and curve.a == pytest.approx(2.0, rel=1e-5)
    assert curve.daily_spend.expected == pytest.approx(8000.0, rel=1e-4)
    assert curve.budget.expected == pytest.approx(80_000.0, rel=1e-4)
    assert curve.extrapolation == pytest.approx(4.0, rel=1e-4)
    b = curve.budget
    assert b.low is not None and b.high is not None and b.low <= b.expected <= b.high
    assert curve.linear_budget < 0.6 * b.expected  # the linear plan badly underestimates
    assert curve.marginal_cost == pytest.approx(8000.0**0.4 / (2.0 * 0.6), rel=1e-4)
    assert any("extrapolating" in n and "4.0x" in n for n in notes)
    assert any("returns diminish" in n for n in notes)


def test_curve_budget_inside_the_observed_range_does_not_warn() -> None:
    from tokops.insights.plan import curve_budget

    spend, conv = power_days(0.6)
    curve, notes = curve_budget(spend, conv, 7 * 2.0 * 1000.0**0.6, horizon_days=7)
    assert curve is not None and curve.budget.expected == pytest.approx(7000.0, rel=1e-4)
    assert curve.extrapolation < 1 and not any("extrapolat" in n for n in notes)


def test_linear_history_gives_the_linear_budget() -> None:
    from tokops.insights.plan import curve_budget

    spend, conv = power_days(1.0, a=0.05)
    curve, notes = curve_budget(spend, conv, 5000.0, horizon_days=28)
    assert curve is not None and curve.b == pytest.approx(1.0)
    assert curve.budget.expected == pytest.approx(curve.linear_budget, rel=1e-4)
    assert curve.budget.expected == pytest.approx(100_000.0, rel=1e-4)
    assert not any("returns diminish" in n for n in notes)


def test_no_curve_when_spend_never_varied_or_history_is_short() -> None:
    from tokops.insights.plan import curve_budget

    flat, notes = curve_budget(np.full(20, 1000.0), np.full(20, 50.0), 1500.0, horizon_days=28)
    assert flat is None and "barely varied" in notes[0]
    short, notes = curve_budget(*power_days(0.6, days=5), 1500.0, horizon_days=28)
    assert short is None and "5 day(s)" in notes[0]


def test_plan_goal_uses_the_curve_on_store_history() -> None:
    rows = []
    for d in range(21):
        scale = 0.5 * 4.0 ** (d / 20)  # spend 500 … 2,000 a day
        rows.append(funnel_day(d, scale, conversion=int(round(50 * scale**0.6))))
    store = connect("duckdb://")
    load_rows(store, "ad_daily", rows)
    plan = plan_goal(store, GoalParams(sales=1500, window_days=21, horizon_days=10))
    assert plan.curve is not None and plan.curve.b == pytest.approx(0.6, abs=0.03)
    curve_req = plan.requirement("budget_curve")
    assert curve_req.expected == plan.curve.budget.expected
    linear = plan.requirement("budget").expected
    assert linear is not None and curve_req.expected is not None
    # 150 sales a day at 50 · (spend/1000)^0.6 need 1000 · 3^(1/0.6) = 6,240 a day
    assert curve_req.expected == pytest.approx(62_400.0, rel=0.05)
    assert curve_req.expected > 1.8 * linear
    assert any("extrapolating" in n for n in plan.notes)
    assert plan.to_dict()["curve"]["horizon_days"] == 10


def test_one_plan_per_currency_shares_the_sales_target() -> None:
    """issue 9 §3: `plan --sales 1500` on a history in USD and JPY plans each in its own money,
    the target shared by each currency's conversions; a revenue target needs one currency."""
    from tokops.insights.plan import plan_goals

    store = build_funnel(connect("duckdb://"))
    jpy = [
        funnel_day(d, 3.0, advertiser_id="adv2", campaign_id="c9", adgroup_id="g9", ad_id="a9",
                   currency="JPY", spend=Decimal(450_000))
        for d in range(10)
    ]  # fmt: skip
    load_rows(store, "ad_daily", jpy)
    report = plan_goals(store, GoalParams(sales=1500))
    assert [(p.currency, p.advertiser_ids) for p in report.plans] == [
        ("JPY", ("adv2",)), ("USD", ("adv1",))
    ]  # fmt: skip
    by = {p.currency: p for p in report.plans}
    assert by["JPY"].share == pytest.approx(0.75) and by["USD"].share == pytest.approx(0.25)
    assert sum(p.target["sales"] for p in report.plans) == pytest.approx(1500)
    # each plan reads only its own currency: USD CPA 20, JPY CPA 450,000 / 150 = 3,000
    assert by["USD"].rate("cpa").estimate == pytest.approx(20.0)
    assert by["JPY"].rate("cpa").estimate == pytest.approx(3000.0)
    assert by["USD"].requirement("budget").expected == pytest.approx(375 * 20.0)
    assert any("shared by each one's conversions" in n for n in report.notes)
    with pytest.raises(ConfigError, match="revenue target is an amount in one currency"):
        plan_goals(store, GoalParams(revenue=10_000))
    one = plan_goals(store, GoalParams(sales=100, advertiser_ids=("adv2",)))
    assert [p.currency for p in one.plans] == ["JPY"] and one.plans[0].share is None


def test_plan_rates_agree_with_tokops_kpi() -> None:
    """One vocabulary (issue 9 §4): each rate of the plan is the catalogue KPI `tokops kpi`
    computes on the same days, in the same unit."""
    from tokops.metrics.compute import compute_kpis

    store = connect("duckdb://")
    rows = [
        funnel_day(d, 1.0 + 0.3 * ((d % 3) - 1), total_onsite_shopping_value=Decimal(40 * d))
        for d in range(20)
    ]
    load_rows(store, "ad_daily", rows)
    plan = plan_goal(store, GoalParams(sales=500, window_days=20))
    names = [r.name for r in plan.rates if r.estimate is not None]
    assert {"ctr", "cvr_click", "cpm", "cpa", "total_roas", "view_rate_p25"} <= set(names)
    table = compute_kpis(store, "", start=plan.start, end=plan.end, kpis=names)
    (row,) = table.rows
    for name in names:
        assert plan.rate(name).estimate == pytest.approx(float(row[name]), rel=1e-9), name
