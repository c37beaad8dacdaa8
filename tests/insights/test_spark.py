"""Spark vs non-Spark (SPK-11): measured relative differences beside TikTok's claims."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pytest

from tokops.insights import SPARK_CLAIMS, compare_spark


def _group(rng: np.random.Generator, days: int, lift: dict[str, float]) -> dict[str, np.ndarray]:
    imp = rng.integers(40_000, 60_000, days)
    views = rng.binomial(imp, 0.6)
    return {
        "impressions": imp.astype(float),
        "video_views": views.astype(float),
        "video_views_p100": rng.binomial(views, 0.10 * lift.get("cvr_view", 1.0)).astype(float),
        "likes": rng.binomial(views, 0.004 * lift.get("eng", 1.0)).astype(float),
        "comments": rng.binomial(views, 0.001 * lift.get("eng", 1.0)).astype(float),
        "shares": rng.binomial(views, 0.0005 * lift.get("eng", 1.0)).astype(float),
        "conversions": rng.binomial(imp, 0.001 * lift.get("cvr", 1.0)).astype(float),
        "spend": imp / 1000 * 8.0 * lift.get("cpm", 1.0) * rng.normal(1, 0.02, days),
    }


def test_claims_are_the_published_figures() -> None:
    assert {c.metric: c.claimed_rel for c in SPARK_CLAIMS} == {
        "completion_rate": 0.30,
        "engagement_rate": 1.42,
        "cvr": 0.43,
        "cpm": -0.04,
    }


def test_data_matching_the_claims_is_consistent() -> None:
    rng = np.random.default_rng(21)
    spark = _group(rng, 28, {"cvr_view": 1.30, "eng": 2.42, "cvr": 1.43, "cpm": 0.96})
    non = _group(rng, 28, {})
    res = compare_spark(spark, non)
    by = {m.metric: m for m in res.metrics}
    for claim in SPARK_CLAIMS:
        m = by[claim.metric]
        assert m.ci is not None and m.ci[0] <= claim.claimed_rel <= m.ci[1], m
        assert m.verdict == "consistent" and m.claim_in_ci is True
    assert by["cpm"].spark == pytest.approx(8 * 0.96, rel=0.02)
    assert res.days_spark == 28 and any("not randomised" in w for w in res.warnings)


def test_no_difference_is_below_the_claim() -> None:
    rng = np.random.default_rng(22)
    res = compare_spark(_group(rng, 21, {}), _group(rng, 21, {}))
    by = {m.metric: m for m in res.metrics}
    assert by["engagement_rate"].verdict == "below_claim"
    assert by["completion_rate"].verdict == "below_claim"
    assert by["cpm"].verdict == "above_claim"  # measured ≈ 0 % lies above −4 %


def test_missing_columns_and_pyarrow_input() -> None:
    rng = np.random.default_rng(23)
    spark = pa.table(_group(rng, 5, {}))
    non = {k: v for k, v in _group(rng, 5, {}).items() if k != "video_views_p100"}
    res = compare_spark(spark, non)
    by = {m.metric: m for m in res.metrics}
    assert by["completion_rate"].verdict == "not_measurable"
    assert by["completion_rate"].claim_in_ci is None
    assert by["cpm"].measured_rel is not None
    assert any("5 day(s)" in w for w in res.warnings)
    out = res.to_dict()
    json.dumps(out, allow_nan=False)
    assert out["metrics"][0]["note"].startswith("needs per-day columns")
