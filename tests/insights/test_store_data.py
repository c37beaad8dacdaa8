"""Store → insights on small hand-made stores: sums pushed down, shrinkage, Spark, A/B."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from tokops.errors import ConfigError
from tokops.insights.creatives import top_creatives
from tokops.insights.data import Window, ad_counts, adgroup_days, spark_clusters
from tokops.insights.spark_store import ab_from_store, spark_from_store
from tokops.warehouse import Store, connect
from tokops.warehouse.merge import declare_table
from tokops.warehouse.schema import table as table_def

D0 = dt.date(2024, 5, 1)
DAYS = 10


def load_rows(store: Store, name: str, rows: Sequence[dict[str, Any]]) -> None:
    spec = table_def(name)
    declare_table(store, spec.spec())
    cols = [c for c in spec.names if any(c in r for r in rows)]
    data = pa.Table.from_pylist(
        [{c: r.get(c) for c in cols} for r in rows], schema=spec.arrow_schema(cols)
    )
    store.insert(name, data)


def _day(
    ad: str, group: str, day: int, impressions: int, clicks: int, **extra: Any
) -> dict[str, Any]:
    return {
        "advertiser_id": extra.pop("advertiser_id", "adv1"),
        "campaign_id": "c1",
        "adgroup_id": group,
        "ad_id": ad,
        "stat_date": D0 + dt.timedelta(days=day),
        "currency": extra.pop("currency", "USD"),
        "spend": Decimal(impressions) / 200,
        "impressions": impressions,
        "clicks": clicks,
        **extra,
    }


def build(store: Store, *, crowd: bool = False) -> Store:
    """Three ads: steady a1 (1 % CTR, not Spark), steady a2 (2 %, Spark), lucky a3 (3 of 20).

    *crowd* adds eight more ads (ad group g3, 1.0–1.7 % CTR) so the prior has a population.
    """
    rows = (
        [_day(f"c{k}", "g3", d, 5_000, 50 + 5 * k) for k in range(8) for d in range(3)]
        if crowd
        else []
    )
    for d in range(DAYS):
        wobble = d % 3 - 1  # -1, 0, 1: per-day noise for the cluster variances
        rows.append(
            _day("a1", "g1", d, 10_000, 100 + wobble, conversion=10, video_play_actions=5000,
                 video_views_p100=1000 + 10 * wobble, likes=50, comments=5, shares=5)
        )  # fmt: skip
        rows.append(
            _day("a2", "g2", d, 10_000, 200 - wobble, conversion=14 + wobble,
                 video_play_actions=5000, video_views_p100=1300, likes=100, comments=20,
                 shares=10 + wobble)
        )  # fmt: skip
    rows.append(_day("a3", "g1", 0, 20, 3, conversion=0))
    load_rows(store, "ad_daily", rows)
    ads = [
        {"advertiser_id": "adv1", "ad_id": "a1", "ad_name": "Steady", "is_spark": False},
        {"advertiser_id": "adv1", "ad_id": "a2", "ad_name": "Spark one", "is_spark": True},
        {"advertiser_id": "adv1", "ad_id": "a3", "ad_name": "Lucky", "is_spark": False},
    ]
    load_rows(store, "ads", ads)
    return store


@pytest.fixture
def store() -> Store:
    return build(connect("duckdb://"))


@pytest.fixture
def crowd() -> Store:
    return build(connect("duckdb://"), crowd=True)


def test_ad_counts_are_sums_per_ad_on_both_engines(any_store: Store) -> None:
    build(any_store, crowd=True)
    counts = ad_counts(any_store, "ctr", Window(advertiser_ids=("adv1",)))
    assert counts.ad_ids[:3] == ["a1", "a2", "a3"] and len(counts.ad_ids) == 11
    counts = ad_counts(any_store, "ctr", Window(D0 + dt.timedelta(days=3)))
    assert counts.ad_ids == ["a1", "a2"]
    counts = ad_counts(any_store, "ctr", Window(D0, D0 + dt.timedelta(days=DAYS)))
    assert counts.numerator.tolist()[:3] == [1000.0 - 1, 2000.0 + 1, 3.0]
    assert counts.denominator.tolist()[:3] == [100_000.0, 100_000.0, 20.0]
    assert counts.is_spark[:3] == [False, True, False] and not any(counts.is_spark[3:])
    assert counts.currencies == ("USD",)
    ranking = top_creatives(any_store, "ctr", by="lower", top=3)
    assert [r.ad_id for r in ranking.rows] == ["a2", "c7", "c6"]  # the lucky a3 is not there


def test_window_filters_days_and_accounts(store: Store) -> None:
    first_two = Window(D0, D0 + dt.timedelta(days=1))
    counts = ad_counts(store, "ctr", first_two)
    assert counts.denominator.tolist() == [20_000.0, 20_000.0, 20.0]
    assert ad_counts(store, "ctr", Window(advertiser_ids=("nope",))).ad_ids == []


def test_lucky_small_ad_does_not_top_the_ranking(crowd: Store) -> None:
    store = crowd
    ranking = top_creatives(store, "ctr", top=None)
    lucky = next(r for r in ranking.rows if r.ad_id == "a3")
    assert lucky.raw == pytest.approx(0.15) and lucky.raw_rank == 1
    assert lucky.rank > 1 and lucky.shrunk < 0.05  # pulled to the pooled rate
    assert lucky.ci[0] < lucky.shrunk < lucky.ci[1]
    by_lower = top_creatives(store, "ctr", by="lower", top=None)
    assert by_lower.rows[0].ad_id == "a2" and "a3" not in [r.ad_id for r in by_lower.rows[:5]]
    assert by_lower.to_dict()["rows"][0]["ad_name"] == "Spark one"


def test_ranking_refuses_non_proportions_and_bad_options(store: Store) -> None:
    with pytest.raises(ConfigError, match="cannot be shrunk"):
        top_creatives(store, "cpa")
    with pytest.raises(ConfigError, match="unknown metric"):
        ad_counts(store, "nope")
    with pytest.raises(ConfigError, match="top must be at least 1"):
        top_creatives(store, "ctr", top=0)


def test_spark_clusters_by_day_and_by_ad(store: Store) -> None:
    days = spark_clusters(store, ["clicks", "impressions"])
    assert days.clusters == {"spark": DAYS, "non_spark": DAYS}
    assert days.groups["spark"]["clicks"].sum() == 2001
    assert days.groups["non_spark"]["impressions"][0] == 10_020  # a1 + a3 on day 0
    ads = spark_clusters(store, ["clicks"], cluster="ad")
    assert ads.clusters == {"spark": 1, "non_spark": 2}


def test_spark_report_measures_the_relative_difference(store: Store) -> None:
    report = spark_from_store(store, cluster="day")
    by = {m.metric: m for m in report.comparison.metrics}
    assert by["completion_rate"].measured_rel == pytest.approx(13_000 / 9_990 - 1)
    assert by["cpm"].measured_rel == pytest.approx(0.0, abs=1e-9)  # 5 per mille everywhere
    assert report.to_dict()["cluster"] == "day"
    assert report.notes == ()


def test_spark_values_agree_with_tokops_kpi_by_spark(store: Store) -> None:
    """One vocabulary (issue 9 §4): `insights spark` shows each KPI as `tokops kpi --by spark`
    computes it: same definition, same unit (percent for rates, not fractions)."""
    from tokops.metrics.compute import compute_kpis

    report = spark_from_store(store, cluster="day")  # one Spark ad: day clusters measure it
    names = [m.metric for m in report.comparison.metrics]
    table = compute_kpis(store, "spark", kpis=names)
    by = {bool(r["is_spark"]): r for r in table.rows}
    for m in report.comparison.metrics:
        assert m.spark == pytest.approx(float(by[True][m.metric]), rel=1e-9), m.metric
        assert m.non_spark == pytest.approx(float(by[False][m.metric]), rel=1e-9), m.metric
    completion = next(m for m in report.comparison.metrics if m.metric == "completion_rate")
    assert completion.spark == pytest.approx(100 * 1300 / 5000)  # percent


def test_spark_money_measured_per_currency_when_currencies_mix(store: Store) -> None:
    """issue 9 §3: CPM is never pooled across currencies, and no longer silently left out."""
    pooled = {m.metric: m for m in spark_from_store(store, cluster="day").comparison.metrics}
    load_rows(store, "ad_daily", [_day("a9", "g9", 0, 500, 5, currency="JPY",
                                       advertiser_id="adv2")])  # fmt: skip
    report = spark_from_store(store, cluster="day")
    cpm = [m for m in report.comparison.metrics if m.metric == "cpm"]
    assert [m.currency for m in cpm] == ["JPY", "USD"]
    assert [m.label for m in cpm] == ["CPM (JPY)", "CPM (USD)"]
    usd = cpm[1]
    # the USD row is the single-currency measurement: the JPY row does not leak into it
    assert usd.spark == pytest.approx(pooled["cpm"].spark)
    assert usd.non_spark == pytest.approx(pooled["cpm"].non_spark)
    assert cpm[0].verdict == "not_measurable"  # one JPY ad: no Spark side
    assert any("per currency" in n for n in report.notes)


def test_ab_of_two_ad_groups_on_day_clusters(store: Store) -> None:
    data = adgroup_days(store, ["g1", "g2"], ["clicks", "impressions"])
    assert data.clusters == {"g1": DAYS, "g2": DAYS}
    result = ab_from_store(store, "g1", "g2", "ctr")
    assert result.method == "delta_method_t"
    assert result.estimates[0] == pytest.approx(1002 / 100_020 * 100)
    assert result.winner == "test" and result.significant
    assert result.days_run == DAYS and result.alpha == 0.10
    cpa = ab_from_store(store, "g1", "g2", "cpa")
    assert not cpa.higher_is_better and np.isfinite(cpa.lift_rel)
    assert ab_from_store(store, "g1", "g2", "ctr", Window(D0, D0 + dt.timedelta(days=2))).warnings


def test_ab_errors(store: Store) -> None:
    with pytest.raises(ConfigError, match="no ad_daily rows"):
        ab_from_store(store, "g1", "missing", "ctr")
    with pytest.raises(ConfigError, match="use one of"):
        ab_from_store(store, "g1", "g2", "completion_rate")
    with pytest.raises(ConfigError, match="must differ"):
        ab_from_store(store, "g1", "g1", "ctr")


def test_missing_table_says_what_to_do() -> None:
    with pytest.raises(ConfigError, match="tokops sync ads"):
        top_creatives(connect("duckdb://"), "ctr")
