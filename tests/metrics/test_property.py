"""Property: the KPI of a union of groups is Σ/Σ of the parts, never the average of ratios."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tokops.metrics import CATALOGUE
from tokops.metrics.compute import compute_kpis, evaluate
from tokops.warehouse import Store, connect

Loader = Callable[[Store, str, Sequence[dict[str, Any]]], None]
RATIOS = [k.name for k in CATALOGUE.of_source("paid") if k.denominator and k.additive]

rows_strategy = st.lists(
    st.fixed_dictionaries(
        {
            "campaign_id": st.sampled_from(["c1", "c2", "c3"]),
            "stat_date": st.dates(dt.date(2024, 1, 1), dt.date(2024, 3, 31)),
            "spend": st.decimals(0, 10_000, places=2),
            "impressions": st.integers(0, 10**9),
            "clicks": st.integers(0, 10**6),
            "conversion": st.integers(0, 10**4),
            "total_complete_payment_rate": st.decimals(0, 10**6, places=2),
            "video_play_actions": st.integers(0, 10**6),
            "video_views_p100": st.integers(0, 10**5),
            "likes": st.integers(0, 10**4),
        }
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(rows=rows_strategy)
def test_union_of_groups_is_ratio_of_sums(rows: list[dict[str, Any]], load: Loader) -> None:
    store = connect("duckdb://")
    data = [
        {**r, "advertiser_id": "a", "adgroup_id": "g", "ad_id": f"ad{i}", "currency": "USD"}
        for i, r in enumerate(rows)
    ]
    load(store, "ad_daily", data)
    parts = compute_kpis(store, "campaign,week", kpis=RATIOS)
    whole = compute_kpis(store, None, kpis=RATIOS)
    summed: dict[str, Any] = {}
    for sums in parts.sums:
        for name, value in sums.items():  # SUM over only NULLs is NULL on every engine
            old = summed.get(name)
            summed[name] = value if old is None else old if value is None else old + value
    assert whole.sums[0] == summed
    for row, sums in zip(parts.rows, parts.sums, strict=True):  # column-wise = row-wise
        assert all(row[name] == evaluate(CATALOGUE[name], sums) for name in RATIOS)
    for name in RATIOS:
        assert whole.rows[0][name] == evaluate(CATALOGUE[name], summed)
    clicks = sum(r["clicks"] for r in rows)
    impressions = sum(r["impressions"] for r in rows)
    expected = None if impressions == 0 else Decimal(100 * clicks) / impressions
    assert whole.rows[0]["ctr"] == expected
    store.close()
