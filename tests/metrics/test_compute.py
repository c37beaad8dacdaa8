"""Known answers against hand computations, on DuckDB and PostgreSQL (BYD-2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import pytest

from tokops.errors import ConfigError
from tokops.metrics.compare import apply_targets, compare_previous, previous_period
from tokops.metrics.compute import compute_kpis
from tokops.warehouse import Store

D1, D2, D3 = dt.date(2024, 5, 1), dt.date(2024, 5, 2), dt.date(2024, 5, 8)
Loader = Callable[[Store, str, Sequence[dict[str, Any]]], None]


def ad_row(ad: str, day: dt.date, **metrics: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"advertiser_id": metrics.pop("advertiser_id", "adv1"),
                           "campaign_id": ad[:2], "adgroup_id": ad[:3], "ad_id": ad,
                           "stat_date": day, "currency": "USD"}  # fmt: skip
    row.update({k: Decimal(v) if isinstance(v, str) else v for k, v in metrics.items()})
    return row


ROWS = [
    ad_row("c1a1", D1, spend="10.00", impressions=1000, clicks=10, conversion=2, reach=800,
           total_complete_payment_rate="30.00", video_play_actions=400, video_views_p100=40,
           average_video_play="2.5000", likes=4, comments=2, shares=2),
    ad_row("c1a2", D1, spend="5.00", impressions=100, clicks=5, conversion=1, reach=90,
           total_complete_payment_rate="0.00", video_play_actions=100, video_views_p100=30,
           average_video_play="10.0000", likes=1, comments=0, shares=1),
    ad_row("c1a1", D2, spend="2.00", impressions=900, clicks=0, conversion=0, reach=850,
           total_complete_payment_rate="0.00", video_play_actions=0, video_views_p100=0,
           average_video_play=None, likes=0, comments=0, shares=0),
    ad_row("c2a1", D3, spend="3.00", impressions=0, clicks=0, conversion=0, reach=0),
]  # fmt: skip
KPIS = "spend,impressions,clicks,ctr,cpc,cpm,cvr,cvr_click,cpa,roas,completion_rate,avg_watch_time"


@pytest.fixture
def store(any_store: Store, load: Loader) -> Store:
    load(any_store, "ad_daily", ROWS)
    return any_store


def test_campaign_grain_is_sum_over_sum(store: Store) -> None:
    result = compute_kpis(store, "campaign", kpis=KPIS + ",engagement_rate")
    c1, c2 = result.rows
    assert (c1["campaign_id"], c1["currency"]) == ("c1", "USD")
    assert c1["spend"] == Decimal("17.00") and c1["impressions"] == 2000 and c1["clicks"] == 15
    assert c1["ctr"] == Decimal("0.75")  # 100 × 15 / 2000, not mean(1, 5, 0) = 2
    assert c1["cpc"] == Decimal(17) / 15
    assert c1["cpm"] == Decimal("8.5")  # 1000 × 17 / 2000
    assert c1["cvr"] == Decimal("0.15")  # per impression: 100 × 3 / 2000
    assert c1["cvr_click"] == Decimal(20)  # per click: 100 × 3 / 15
    assert c1["cpa"] == Decimal(17) / 3
    assert c1["roas"] == Decimal(30) / 17
    assert c1["completion_rate"] == Decimal(14)  # 100 × 70 / 500
    assert c1["avg_watch_time"] == Decimal(4)  # (2.5 × 400 + 10 × 100) / 500
    assert c1["engagement_rate"] == Decimal(2)  # 100 × 10 / 500
    assert c2["ctr"] is None and c2["cpc"] is None and c2["cpm"] is None  # ÷0 → None
    assert c2["spend"] == Decimal("3.00")


def test_reach_only_at_the_ad_day_grain(store: Store) -> None:
    kpis = "reach,frequency,cost_per_1000_reached,impressions"
    coarse = compute_kpis(store, "campaign", kpis=kpis)
    assert all(r["reach"] is None and r["frequency"] is None for r in coarse.rows)
    assert coarse.notes and "not additive" in coarse.notes[0]
    fine = compute_kpis(store, "ad,day", kpis=kpis)
    first = fine.rows[0]
    assert (first["ad_id"], first["day"], first["reach"]) == ("c1a1", D1, 800)
    assert first["frequency"] == Decimal("1.25")
    assert first["cost_per_1000_reached"] == Decimal("12.5")
    assert not fine.notes
    assert compute_kpis(store, "day", kpis="reach").rows[0]["reach"] is None


def test_time_grains_and_date_filter(store: Store) -> None:
    days = compute_kpis(store, "day", kpis="spend,clicks")
    assert [(r["day"], r["spend"]) for r in days.rows] == [
        (D1, Decimal("15.00")), (D2, Decimal("2.00")), (D3, Decimal("3.00"))
    ]  # fmt: skip
    weeks = compute_kpis(store, "week", kpis="spend")
    assert [(r["week"], r["spend"]) for r in weeks.rows] == [
        (dt.date(2024, 4, 29), Decimal("17.00")), (dt.date(2024, 5, 6), Decimal("3.00"))
    ]  # fmt: skip
    months = compute_kpis(store, "month", kpis="spend")
    assert [(r["month"], r["spend"]) for r in months.rows] == [(dt.date(2024, 5, 1), Decimal(20))]
    one = compute_kpis(store, None, kpis="spend,ctr", start=D2, end=D3)
    assert one.rows == [{"currency": "USD", "spend": Decimal("5.00"), "ctr": Decimal(0)}]


def test_currencies_are_never_added(any_store: Store, load: Loader) -> None:
    load(any_store, "ad_daily", [
        ad_row("c1a1", D1, spend="10.00", impressions=10),
        ad_row("c9a1", D1, spend="7.00", impressions=10, advertiser_id="adv9"),
    ])  # fmt: skip
    assert len(compute_kpis(any_store, None, kpis="spend").rows) == 1  # both USD here
    any_store.execute("UPDATE ad_daily SET currency = 'EUR' WHERE advertiser_id = 'adv9'")
    split = compute_kpis(any_store, None, kpis="spend,cpm").rows
    assert [(r["currency"], r["spend"]) for r in split] == [
        ("EUR", Decimal("7.00")), ("USD", Decimal("10.00"))
    ]  # fmt: skip


def test_spark_flag_from_the_ads_table(any_store: Store, load: Loader) -> None:
    load(any_store, "ad_daily", [
        ad_row("c1a1", D1, spend="1.00", impressions=100, clicks=1, follows=0),
        ad_row("c1a2", D1, spend="1.00", impressions=100, clicks=3, follows=5, profile_visits=2),
    ])  # fmt: skip
    load(any_store, "ads", [
        {"advertiser_id": "adv1", "ad_id": "c1a1", "is_spark": False},
        {"advertiser_id": "adv1", "ad_id": "c1a2", "is_spark": True},
    ])  # fmt: skip
    rows = compute_kpis(any_store, "spark", kpis="ctr,follows,profile_visit_rate").rows
    assert [(r["is_spark"], r["ctr"], r["follows"]) for r in rows] == [
        (False, Decimal(1), 0), (True, Decimal(3), 5)
    ]  # fmt: skip
    assert rows[1]["profile_visit_rate"] == Decimal(2)


def test_organic_account_and_posts(any_store: Store, load: Loader) -> None:
    base = {"business_id": "b1"}
    load(any_store, "organic_account_daily", [
        {**base, "stat_date": D1, "video_views": 1000, "likes": 30, "comments": 5, "shares": 5,
         "daily_new_followers": 12, "daily_lost_followers": 2, "daily_total_followers": 10},
        {**base, "stat_date": D2, "video_views": 0, "likes": 0, "comments": 0, "shares": 0,
         "daily_new_followers": 1, "daily_lost_followers": 3, "daily_total_followers": -2},
    ])  # fmt: skip
    kpis = "organic_video_views,organic_engagement_rate,net_followers"
    total = compute_kpis(any_store, "account", kpis=kpis).rows
    assert total == [{"business_id": "b1", "organic_video_views": 1000,
                      "organic_engagement_rate": Decimal(4), "net_followers": 8}]  # fmt: skip
    snap = {**base, "taken_at": dt.datetime(2024, 5, 1, tzinfo=dt.UTC)}
    load(any_store, "organic_video_snapshots", [
        {**snap, "item_id": "p1", "snapshot_date": D1, "video_views": 10,
         "total_time_watched": Decimal(50), "full_video_watched_rate": Decimal("0.5")},
        {**snap, "item_id": "p1", "snapshot_date": D2, "video_views": 100,
         "total_time_watched": Decimal(300), "full_video_watched_rate": Decimal("0.2")},
        {**snap, "item_id": "p2", "snapshot_date": D1, "video_views": 300,
         "total_time_watched": Decimal(300), "full_video_watched_rate": Decimal("0.6")},
    ])  # fmt: skip
    posts = compute_kpis(any_store, "account", kpis="post_views,post_avg_watch_time,"
                         "post_full_watch_rate").rows  # fmt: skip
    assert posts[0]["post_views"] == 400  # latest snapshot per post, never summed over days
    assert posts[0]["post_avg_watch_time"] == Decimal("1.5")  # 600 / 400
    assert posts[0]["post_full_watch_rate"] == Decimal(50)  # 100 × (20 + 180) / 400


def test_previous_period_and_targets(store: Store) -> None:
    assert previous_period(D2, D3) == (dt.date(2024, 4, 25), D1)
    result = compare_previous(store, "campaign", start=D2, end=D2, kpis="spend,ctr")
    c1 = result.rows[0]
    assert c1["spend"] == Decimal("2.00") and c1["spend_previous"] == Decimal("15.00")
    assert c1["spend_change"] == (Decimal(2) - 15) * 100 / 15
    assert c1["ctr_previous"] == Decimal(15) * 100 / 1100 and c1["ctr_change"] == Decimal(-100)
    assert "previous period: 2024-05-01 to 2024-05-01" in result.notes
    by_day = compare_previous(store, "day", start=D2, end=D2, kpis="spend")  # the day before
    assert [(r["day"], r["spend"], r["spend_previous"]) for r in by_day.rows] == [
        (D2, Decimal("2.00"), Decimal("15.00"))
    ]
    targeted = apply_targets(compute_kpis(store, "campaign", kpis="cpc,roas"),
                             {"cpc": Decimal(1), "roas": Decimal(2)})  # fmt: skip
    c1 = targeted.rows[0]
    assert c1["cpc_on_target"] is False and c1["roas_on_target"] is False
    assert c1["roas_vs_target"] == Decimal(30) / 17 * 50
    assert targeted.rows[1]["cpc_on_target"] is None


def test_bad_grains_and_kpis_are_config_errors(store: Store) -> None:
    with pytest.raises(ConfigError, match="unknown grain"):
        compute_kpis(store, "planet")
    with pytest.raises(ConfigError, match="at most one"):
        compute_kpis(store, "day,week")
    with pytest.raises(ConfigError, match="unknown KPI"):
        compute_kpis(store, kpis="nope")
    with pytest.raises(ConfigError, match="different sources"):
        compute_kpis(store, kpis="ctr,organic_likes")
