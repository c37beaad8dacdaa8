"""Budget reallocation: planted power curves recovered, equal marginal returns, exploration."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tokops.errors import ConfigError
from tokops.insights._common import StatsInputError
from tokops.insights.budget import Curve, allocate, budget_reallocation, fit_curve
from tokops.insights.data import Window
from tokops.warehouse import Store, connect

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_store_data import load_rows  # noqa: E402

D0 = dt.date(2024, 5, 1)
PLANTED = {"c1": (0.5, 0.6), "c2": (0.12, 0.8)}


def curve_rows(campaign: str, a: float, b: float, days: int, seed: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    spend = np.exp(rng.uniform(np.log(50), np.log(800), days))
    conv = rng.poisson(a * spend**b)
    return [
        {
            "advertiser_id": "adv1",
            "campaign_id": campaign,
            "adgroup_id": f"g_{campaign}",
            "ad_id": f"a_{campaign}",
            "stat_date": D0 + dt.timedelta(days=d),
            "currency": "USD",
            "spend": Decimal(float(s)).quantize(Decimal("0.01")),
            "impressions": int(s * 100),
            "clicks": int(s),
            "conversion": int(c),
        }
        for d, (s, c) in enumerate(zip(spend, conv, strict=True))
    ]


def build_curves(store: Store) -> Store:
    rows = []
    for i, (cid, (a, b)) in enumerate(PLANTED.items()):
        rows += curve_rows(cid, a, b, 60, seed=i)
    rows += curve_rows("c3", 0.1, 0.8, 3, seed=9)  # new campaign: too few days for a curve
    load_rows(store, "ad_daily", rows)
    return store


def test_planted_power_curves_are_recovered() -> None:
    for i, (a, b) in enumerate(PLANTED.values()):
        rng = np.random.default_rng(100 + 2 * i)
        spend = np.exp(rng.uniform(np.log(50), np.log(800), 200))
        curve = fit_curve(spend, rng.poisson(a * spend**b))
        assert curve.b == pytest.approx(b, abs=max(0.05, 3 * curve.se_b))
        assert curve.predict(300.0) == pytest.approx(a * 300.0**b, rel=0.08)
        assert curve.se_b < 0.1


def test_slope_is_clipped_to_concave() -> None:
    spend = np.linspace(10, 100, 30)
    convex = fit_curve(spend, np.round(0.001 * spend**2))
    assert convex.b == 1.0
    assert float(np.sum(convex.a * spend)) == pytest.approx(
        float(np.sum(np.round(0.001 * spend**2)))
    )
    with pytest.raises(StatsInputError):
        fit_curve([1.0, 2.0], [0.0, 0.0])


def test_allocation_equalises_marginal_returns() -> None:
    curves = [Curve(1.0, 0.5, 0, 0, 0, 10), Curve(2.0, 0.5, 0, 0, 0, 10)]
    x = allocate(curves, np.zeros(2), np.full(2, 1e9), 100.0)
    assert x.sum() == pytest.approx(100.0)
    # a·b·x^(b-1) equal ⇒ x ∝ a² for b = 1/2: 20 and 80
    assert x == pytest.approx([20.0, 80.0], rel=1e-6)
    # bounds bind: the better curve is capped, the rest goes to the other one
    x = allocate(curves, np.zeros(2), np.array([1e9, 50.0]), 100.0)
    assert x == pytest.approx([50.0, 50.0], rel=1e-6)
    # a linear curve takes everything its bound allows before a weaker concave one
    lin = [Curve(0.05, 1.0, 0, 0, 0, 10), Curve(1.0, 0.5, 0, 0, 0, 10)]
    x = allocate(lin, np.zeros(2), np.array([60.0, 1e9]), 200.0)
    assert x.sum() == pytest.approx(200.0) and x[0] == pytest.approx(60.0)


def test_reallocation_from_the_store() -> None:
    store = build_curves(connect("duckdb://"))
    plan = budget_reallocation(store, total_budget=900.0, explore_share=0.1, max_scale=3.0)
    assert plan.currency == "USD" and plan.total_budget == 900.0
    c1, c2, c3 = plan.unit("c1"), plan.unit("c2"), plan.unit("c3")
    assert c1.role == c2.role == "fitted" and c3.role == "explore" and "3 day" in (c3.reason or "")
    assert c3.recommended_spend == pytest.approx(90.0)  # the whole exploration share
    assert c1.recommended_spend + c2.recommended_spend == pytest.approx(810.0)
    assert c1.b == pytest.approx(0.6, abs=0.1) and c2.b == pytest.approx(0.8, abs=0.1)
    assert c1.b is not None and c1.b_ci is not None and c1.b_ci[0] < c1.b < c1.b_ci[1]
    # equal marginal returns at the recommended spends (both inside their bounds)
    margins = [
        u.a * u.b * u.recommended_spend ** (u.b - 1)
        for u in (c1, c2)
        if u.a is not None and u.b is not None
    ]
    assert len(margins) == 2 and margins[0] == pytest.approx(margins[1], rel=1e-6)
    for u in (c1, c2):
        assert 0.5 * u.current_spend < u.recommended_spend < 3.0 * u.current_spend
        assert u.marginal_cpa is not None and u.marginal_cpa > 0
    change = plan.expected_change
    assert change["low"] < change["expected"] < change["high"]
    data = plan.to_dict()
    assert [u["unit_id"] for u in data["units"]] == ["c1", "c2", "c3"]
    assert any("exploration" in n for n in data["notes"])


def test_reallocation_refusals() -> None:
    store = build_curves(connect("duckdb://"))
    with pytest.raises(ConfigError, match="explore_share"):
        budget_reallocation(store, explore_share=1.5)
    with pytest.raises(ConfigError, match="level"):
        budget_reallocation(store, level="ad")  # type: ignore[arg-type]
    with pytest.raises(StatsInputError, match="nothing to reallocate"):
        budget_reallocation(store, window=Window(D0, D0 + dt.timedelta(days=2)))
