"""The catalogue: declarative, complete for KPI-1/SPK-10, duplicates refused, columns real."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tokops.metrics import CATALOGUE, MEASURES, Catalogue, Kpi
from tokops.metrics.catalogue import format_money, format_value, minor_units
from tokops.metrics.compute import Number, evaluate
from tokops.warehouse.schema import table as table_def

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


def test_money_uses_the_currency_minor_units() -> None:
    """issue 9 §4: JPY has no decimals, USD and EUR two, KWD three; unknown → two."""
    assert minor_units("JPY") == 0 and minor_units("usd") == 2 and minor_units("KWD") == 3
    assert minor_units(None) == 2 and minor_units("XYZ") == 2
    assert format_money(89_616.46, "JPY") == "89,616"
    assert format_money(1234.5, "USD") == "1,234.50" and format_money(2.675, "EUR") == "2.68"
    assert format_money(Decimal("1.2345"), "KWD") == "1.234"  # half-even
    assert format_money(None, "USD") == "-" and format_money(float("nan"), "USD") == "-"
    assert CATALOGUE["cpa"].format(65_287.4, "JPY") == "65,287"


def test_one_display_form_per_unit() -> None:
    ctr = CATALOGUE["ctr"]
    assert ctr.of_fraction(0.008259) == pytest.approx(0.8259)
    assert ctr.format(ctr.of_fraction(0.008259)) == "0.83%"
    assert format_value("percent", 0.0149) == "0.015%"  # small rates keep two digits
    assert format_value("ratio", 3.2) == "3.20x" and format_value("count", 12345.4) == "12,345"
    assert format_value("seconds", 4.14) == "4.1s" and format_value("percent", None) == "-"
    assert CATALOGUE["total_roas"].format(1.14) == "1.14x"


def test_combined_website_and_shop_kpis_have_their_own_names() -> None:
    """A different definition gets a different name (issue 9 §4): ROAS (website) is not
    ROAS (website + Shop), CVR per impression is not CVR per click."""
    assert CATALOGUE["roas"].numerator == ("purchase_value",)
    assert CATALOGUE["total_roas"].numerator == ("purchase_value", "gmv")
    assert CATALOGUE["cvr_click"].denominator == ("clicks",)
    labels = [k.label for k in CATALOGUE.values()]
    assert len(labels) == len(set(labels))  # one label, one definition
