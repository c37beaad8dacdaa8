"""KPIs by audience segment from audience_daily (KPI-5c), on DuckDB and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import pytest

from tokops.errors import ConfigError
from tokops.metrics.compute import compute_kpis
from tokops.warehouse import Store

Loader = Callable[[Store, str, Sequence[dict[str, Any]]], None]
D1, D2, D8 = dt.date(2024, 5, 1), dt.date(2024, 5, 2), dt.date(2024, 5, 8)


def seg(dim: str, value: str, campaign: str, day: dt.date, spend: str, imp: int, clicks: int,
        conv: int, value_sum: str = "0.00") -> dict[str, Any]:  # fmt: skip
    return {"advertiser_id": "adv1", "campaign_id": campaign, "stat_date": day,
            "dimension": dim, "segment": value, "currency": "USD", "spend": Decimal(spend),
            "impressions": imp, "clicks": clicks, "conversion": conv,
            "total_complete_payment_rate": Decimal(value_sum)}  # fmt: skip


# The same delivery split twice: by gender and by age (each dimension sums to the same totals).
ROWS = [
    seg("gender", "FEMALE", "c1", D1, "6.00", 600, 12, 3, "30.00"),
    seg("gender", "MALE", "c1", D1, "4.00", 400, 2, 1, "5.00"),
    seg("gender", "FEMALE", "c2", D2, "1.00", 100, 1, 0),
    seg("gender", "FEMALE", "c1", D8, "2.00", 0, 0, 0),
    seg("age", "AGE_18_24", "c1", D1, "7.00", 700, 10, 2, "20.00"),
    seg("age", "AGE_25_34", "c1", D1, "3.00", 300, 4, 2, "15.00"),
    seg("age", "AGE_18_24", "c2", D2, "1.00", 100, 1, 0),
    seg("age", "AGE_25_34", "c1", D8, "2.00", 0, 0, 0),
]


@pytest.fixture
def store(any_store: Store, load: Loader) -> Store:
    load(any_store, "audience_daily", ROWS)
    return any_store


def test_gender_is_sum_over_sum_per_segment(store: Store) -> None:
    result = compute_kpis(store, "gender", kpis="spend,impressions,ctr,cpa,roas,cvr_click")
    assert result.table == "audience_daily"
    female, male = result.rows
    assert (female["gender"], female["currency"], male["gender"]) == ("FEMALE", "USD", "MALE")
    assert female["spend"] == Decimal("9.00") and female["impressions"] == 700
    assert female["ctr"] == Decimal(13) * 100 / 700  # Σclicks / Σimpressions, not a mean
    assert female["cpa"] == Decimal(3) and female["roas"] == Decimal(30) / 9
    assert female["cvr_click"] == Decimal(300) / 13
    assert male["ctr"] == Decimal("0.5") and male["cpa"] == Decimal(4)
    # each dimension splits the same totals: age sums to what gender sums to
    ages = compute_kpis(store, "age", kpis="spend").rows
    assert sum(r["spend"] for r in ages) == female["spend"] + male["spend"] == Decimal(13)


def test_segment_with_campaign_and_week(store: Store) -> None:
    rows = compute_kpis(store, "age,campaign", kpis="spend,clicks").rows
    assert [(r["age"], r["campaign_id"], r["spend"], r["clicks"]) for r in rows] == [
        ("AGE_18_24", "c1", Decimal("7.00"), 10), ("AGE_18_24", "c2", Decimal("1.00"), 1),
        ("AGE_25_34", "c1", Decimal("5.00"), 4),
    ]  # fmt: skip
    weeks = compute_kpis(store, "gender,week", kpis="spend", start=D2).rows
    assert [(r["gender"], r["week"], r["spend"]) for r in weeks] == [
        ("FEMALE", dt.date(2024, 4, 29), Decimal("1.00")),
        ("FEMALE", dt.date(2024, 5, 6), Decimal("2.00")),
    ]  # fmt: skip
    countries = compute_kpis(store, "country", kpis="spend").rows
    assert countries == []  # no country rows loaded: nothing, not the other dimensions' rows


def test_kpis_outside_the_audience_report_are_none_with_a_note(store: Store) -> None:
    result = compute_kpis(store, "gender", kpis="spend,reach,frequency,video_views,ctr")
    assert all(r["reach"] is None and r["video_views"] is None for r in result.rows)
    assert all(r["frequency"] is None for r in result.rows)
    assert result.rows[0]["ctr"] is not None
    assert any("reach, frequency, video_views: not in audience_daily" in n for n in result.notes)


@pytest.mark.parametrize(
    ("by", "message"),
    [
        ("age,gender", "age and gender cannot be combined"),
        ("gender,country_code", "gender and country cannot be combined"),
        ("gender,ad", "gender cannot be combined with ad"),
        ("age,adgroup,day", "age cannot be combined with adgroup"),
        ("spark,country", "country cannot be combined with spark"),
    ],
)
def test_impossible_segment_grains_are_refused(store: Store, by: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        compute_kpis(store, by, kpis="spend")


def test_no_audience_table_is_a_clear_error(any_store: Store) -> None:
    with pytest.raises(ConfigError, match="no audience_daily table"):
        compute_kpis(any_store, "gender", kpis="spend")
    with pytest.raises(ConfigError, match="does not apply to organic"):
        compute_kpis(any_store, "gender", kpis="organic_likes")
