"""The catalogue: declarative, complete for KPI-1/SPK-10, duplicates refused, columns real."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tokops.ingest.tables import table as table_def
from tokops.metrics import CATALOGUE, MEASURES, Catalogue, Kpi
from tokops.metrics.compute import Number, evaluate

KPI_1 = {
    "video_views", "video_views_p25", "video_views_p50", "video_views_p75", "video_views_p100",
    "likes", "shares", "reach", "avg_watch_time_per_user", "impressions", "clicks", "ctr", "cpc",
    "cost_per_1000_reached", "conversions", "roas", "purchase_value",
}  # fmt: skip
SPARK = {"follows", "profile_visits", "profile_visit_rate", "music_clicks", "anchor_clicks",
         "anchor_ctr"}  # fmt: skip
SOURCE_TABLE = {
    "paid": "ad_daily", "organic": "organic_account_daily",
    "organic_video": "organic_video_snapshots",
}  # fmt: skip


def test_every_kpi_of_kpi1_spark_shop_and_organic_is_defined() -> None:
    names = set(CATALOGUE)
    assert KPI_1 <= names
    assert SPARK <= names and all(CATALOGUE[n].spark_only for n in SPARK)
    assert {"gmv", "orders", "shop_roas", "cvr", "cvr_click", "cpm", "cpa"} <= names
    assert {"organic_video_views", "organic_engagement_rate", "net_followers",
            "post_avg_watch_time", "post_full_watch_rate"} <= names  # fmt: skip


def test_every_measure_reads_a_real_column_of_its_table() -> None:
    for m in MEASURES.values():
        if m.source == "followers":  # columns of the per-snapshot view (metrics/sources.py)
            assert "followers_count" in table_def("follower_snapshots").names
            assert m.column == m.name
            continue
        cols = table_def(SOURCE_TABLE[m.source]).names
        assert set(m.columns) <= set(cols), m.name


def test_definitions_are_frozen_and_duplicates_are_refused() -> None:
    kpi = CATALOGUE["ctr"]
    with pytest.raises(AttributeError):
        kpi.name = "x"  # type: ignore[misc]
    cat = Catalogue((kpi,))
    with pytest.raises(ValueError, match="defined twice"):
        cat.add(kpi)
    with pytest.raises(ValueError, match="unknown measures"):
        cat.add(Kpi("bad", "Bad", "count", "up", "", ("nope",)))
    with pytest.raises(ValueError, match="several sources"):
        cat.add(Kpi("mix", "Mix", "ratio", "up", "", ("spend",), ("organic_likes",)))


def test_descriptions_state_rates_and_denominators() -> None:
    assert CATALOGUE["ctr"].formula == "100 × Σclicks / Σimpressions"
    assert CATALOGUE["cvr"].denominator == ("impressions",)  # TikTok's per-impression CVR
    assert CATALOGUE["cvr_click"].denominator == ("clicks",)
    assert "denominator is plays" in CATALOGUE["engagement_rate"].description
    assert "denominator is views" in CATALOGUE["organic_engagement_rate"].description
    assert not CATALOGUE["reach"].additive and not CATALOGUE["frequency"].additive
    assert CATALOGUE["cpa"].better == "down" and CATALOGUE["roas"].better == "up"
    assert CATALOGUE["roas"].source_fields == ("total_complete_payment_rate", "spend")


def test_evaluate_is_a_ratio_of_sums_and_zero_denominators_give_none() -> None:
    sums: dict[str, Number | None] = {"clicks": 3, "impressions": 400, "spend": Decimal("1.50")}
    assert evaluate(CATALOGUE["ctr"], sums) == Decimal("0.75")
    assert evaluate(CATALOGUE["cpc"], sums) == Decimal("0.5")
    assert evaluate(CATALOGUE["cpm"], sums) == Decimal("3.75")
    assert evaluate(CATALOGUE["ctr"], {"clicks": 0, "impressions": 0}) is None
    assert evaluate(CATALOGUE["cpc"], {"spend": Decimal(1), "clicks": None}) is None
    eng = {"likes": 1, "comments": 2, "shares": 3, "video_views": 12}
    assert evaluate(CATALOGUE["engagement_rate"], eng) == Decimal(50)
