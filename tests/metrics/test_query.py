"""metrics.query: measures summed at a grain over a window, filtered (issue 10 §2; KPI-5a)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import pytest

from tokops.errors import ConfigError
from tokops.metrics.compute import compute_kpis
from tokops.metrics.errors import PaidOnlyFilter, UnknownKpi
from tokops.metrics.query import MeasureQuery, Total, ad_rows, currency_groups, sum_measures
from tokops.metrics.window import Window
from tokops.warehouse import Store, connect

D0 = dt.date(2024, 5, 1)
Loader = Callable[[Store, str, Sequence[dict[str, Any]]], None]


def _row(day: int, campaign: str, spend: str, clicks: int, **extra: Any) -> dict[str, Any]:
    return {
        "advertiser_id": extra.pop("advertiser_id", "adv1"),
        "campaign_id": campaign,
        "adgroup_id": f"g{campaign}",
        "ad_id": f"a{campaign}",
        "stat_date": D0 + dt.timedelta(days=day),
        "currency": extra.pop("currency", "USD"),
        "spend": Decimal(spend),
        "impressions": 100 * clicks,
        "clicks": clicks,
        **extra,
    }


@pytest.fixture
def store(any_store: Store, load: Loader) -> Store:
    s = any_store
    load(s, "ad_daily", [
        _row(0, "c1", "10.00", 5),
        _row(1, "c1", "20.00", 7),
        _row(0, "c2", "1.50", 1),
        _row(2, "c2", "2.50", 3),
        _row(1, "c3", "100.00", 9, advertiser_id="adv2", currency="EUR"),
    ])  # fmt: skip
    return s


def test_sums_by_the_grain_within_window_and_filters(store: Store) -> None:
    query = MeasureQuery(
        ("spend", Total("traffic", ("clicks", "impressions"))),
        by=("campaign_id",),
        window=Window(D0, D0 + dt.timedelta(days=1), ("adv1",)),
    )
    sums = sum_measures(store, query)
    assert sums.strings("campaign_id") == ["c1", "c2"]
    assert sums.floats("spend").tolist() == [30.0, 1.5]
    assert sums.floats("traffic").tolist() == [12 + 1200, 1 + 100]
    assert sums.currencies == ("USD",)
    only_c2 = sum_measures(store, MeasureQuery(("clicks",), where={"campaign_id": ("c2",)}))
    assert only_c2.floats("clicks").tolist() == [4.0]


def test_currencies_are_kept_apart(store: Store) -> None:
    every = sum_measures(store, MeasureQuery(("spend",), by=("stat_date",)))
    assert every.currencies == ("EUR", "USD")
    groups = currency_groups(store, ad_rows(store), Window())
    assert [(g.currency, g.advertiser_ids, g.window.currency) for g in groups] == [
        ("EUR", ("adv2",), "EUR"),
        ("USD", ("adv1",), "USD"),
    ]


def test_reported_counts_tell_a_missing_measure_from_a_zero(store: Store) -> None:
    sums = sum_measures(store, MeasureQuery(("spend", "conversions"), reported=True))
    assert sums.reported("spend").tolist() == [5.0]
    assert sums.reported("conversions").tolist() == [0.0]


def test_errors_are_typed_and_name_no_flag(store: Store, load: Loader) -> None:
    with pytest.raises(ConfigError, match="no ad_daily table"):
        sum_measures(connect("duckdb://"), MeasureQuery(("spend",)))
    with pytest.raises(ConfigError, match="not an additive paid measure"):
        sum_measures(store, MeasureQuery(("reach",)))
    with pytest.raises(UnknownKpi) as unknown:
        compute_kpis(store, "campaign", kpis="nope")
    assert unknown.value.names == ("nope",) and "--" not in str(unknown.value)
    load(store, "organic_account_daily", [{"business_id": "b1", "stat_date": D0}])
    with pytest.raises(PaidOnlyFilter) as paid_only:
        compute_kpis(store, "", kpis="new_followers", advertiser_ids=["adv1"])
    assert paid_only.value.field == "advertiser_ids" and "--" not in str(paid_only.value)
