"""Ground truth: a sandbox world ingested in-process; insights must find its effects again.

The world gives every ad a latent quality and applies SPK-11's Spark effects with its own KPI
definitions (``SparkEffects`` in the sandbox settings): complete views per play, all clicks per
impression, conversions per click, CPM. The claims below measure exactly those.

Spark and non-Spark ads are not randomised in the world either: each ad draws its own quality,
so with a dozen ads per group the mix of creatives differs. Day clusters hold the creatives fixed
and give intervals too narrow to cover the true effect per account (shown below); ad clusters
carry the spread between creatives and do cover it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pytest

from tokops.ingest import AdsSyncOptions, connect_client, sync_ads
from tokops.insights.creatives import top_creatives
from tokops.insights.data import Window
from tokops.insights.spark import SparkClaim
from tokops.insights.spark_store import spark_from_store
from tokops.sandbox import Sandbox, SandboxSettings
from tokops.warehouse import Store, connect

pytestmark = pytest.mark.slow

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
TOKEN = "insights-sandbox-token"


def world_claims(truth: dict[str, float]) -> tuple[SparkClaim, ...]:
    return (
        SparkClaim("complete_view_rate", "Complete views / plays", truth["complete_view_rate"],
                   ("video_views_p100",), "video_views"),
        SparkClaim("engagement_rate", "All clicks / impressions", truth["engagement_rate"],
                   ("all_clicks",), "impressions"),
        SparkClaim("cvr", "Conversions / clicks", truth["cvr"], ("conversions",), "clicks"),
        SparkClaim("cpm", "CPM", truth["cpm"], ("spend",), "impressions", 1000.0),
    )  # fmt: skip


@pytest.fixture(scope="module")
def ingested() -> tuple[Sandbox, Store]:
    settings = SandboxSettings.unthrottled(seed=11, world_anchor=NOW.date(), token=TOKEN)
    sandbox = Sandbox(settings, now=lambda: NOW)
    client = connect_client(
        TOKEN, api_base="http://sandbox.test", transport=sandbox.transport(), qps=100_000
    )
    store = connect("duckdb://")
    result = sync_ads(
        store, client, AdsSyncOptions(since=date(2024, 3, 1), concurrency=4), now=lambda: NOW
    )
    assert result.status == "ok", result.to_json()
    return sandbox, store


def test_spark_uplift_recovered_within_its_interval(ingested: tuple[Sandbox, Store]) -> None:
    sandbox, store = ingested
    truth = sandbox.world.truth.spark_uplift
    claims = world_claims(truth)
    pooled = spark_from_store(store, cluster="ad", claims=claims)
    measured = {m.metric: m for m in pooled.comparison.metrics if m.metric != "cpm"}
    cpm = [m for m in pooled.comparison.metrics if m.metric == "cpm"]
    # three currencies: money is not pooled, CPM is measured once per currency
    assert sorted(m.currency or "" for m in cpm) == sorted(pooled.currencies)
    assert len(cpm) == len(pooled.currencies) == 3
    for name in ("complete_view_rate", "engagement_rate", "cvr"):
        m = measured[name]
        assert m.verdict == "consistent", (name, m)  # the true effect lies in the 90 % CI
    assert measured["engagement_rate"].ci is not None
    assert measured["engagement_rate"].ci[0] > 0  # the big effect is detected, not just covered
    covered = 0
    for adv in sandbox.world.advertisers:
        window = Window(advertiser_ids=(adv,))
        by_ad = spark_from_store(store, window, cluster="ad", claims=claims)
        covered += sum(m.verdict == "consistent" for m in by_ad.comparison.metrics)
        by_day = spark_from_store(store, window, cluster="day", claims=claims)
        for d, a in zip(by_day.comparison.metrics, by_ad.comparison.metrics, strict=True):
            assert d.ci is not None and a.ci is not None
            assert d.ci[1] - d.ci[0] < a.ci[1] - a.ci[0]  # days ignore the creative spread
    n = 4 * len(sandbox.world.advertisers)
    assert covered >= 0.8 * n, (covered, n)


def test_top_creatives_follow_the_latent_quality(ingested: tuple[Sandbox, Store]) -> None:
    sandbox, store = ingested
    quality = sandbox.world.truth.creative_quality
    ranking = top_creatives(store, "ctr", top=None)
    assert ranking.ads_ranked >= 20
    shrunk = np.array([r.shrunk for r in ranking.rows])
    q = np.array([quality[r.ad_id] for r in ranking.rows])
    rho = float(np.corrcoef(np.argsort(np.argsort(shrunk)), np.argsort(np.argsort(q)))[0, 1])
    assert rho > 0.4, rho  # Spearman; measured 0.62 on seed 11
    top, rest = q[:10].mean(), q[10:].mean()
    assert top > rest * 1.15, (top, rest)
