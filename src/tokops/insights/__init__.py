"""The statistics behind the insights: A/B tests, Spark vs non-Spark, shrinkage ranking.

Pure functions over per-arm aggregates or per-day cluster arrays (lists, numpy, pyarrow), from
:mod:`tokops.insights.stats` and :mod:`tokops.insights.spark`. The features beside them read
their sums through :mod:`tokops.metrics.query` and never import the store. Spec: analytics §3
and §6.8; requirements KPI-5a, KPI-5e, SPK-11, BYD-3. Defaults mirror TikTok's Split Test:
two-sided, α = 0.10 (90 % confidence).
"""

from tokops.insights.spark import (
    SPARK_CLAIMS,
    SparkClaim,
    SparkComparison,
    SparkMetric,
    compare_spark,
)
from tokops.insights.stats.abtest import ABResult, ClusterArm, ProportionArm, analyze_ab
from tokops.insights.stats.common import StatsInputError
from tokops.insights.stats.power import (
    MIN_TEST_DAYS,
    DurationPlan,
    duration_days,
    plan_proportion_test,
    power_for_n,
    power_two_proportions,
    sample_size_per_arm,
    sample_size_two_proportions,
    short_test_warning,
    z_factor,
)
from tokops.insights.stats.proportions import (
    ProportionTest,
    SrmCheck,
    srm_check,
    two_proportion_test,
)
from tokops.insights.stats.ratio import RatioArm, RatioTest, ratio_arm, ratio_test
from tokops.insights.stats.shrinkage import (
    BetaPrior,
    ShrunkRate,
    fit_beta_prior,
    rank_shrunk,
    shrink_rates,
)

__all__ = [
    "MIN_TEST_DAYS",
    "SPARK_CLAIMS",
    "ABResult",
    "BetaPrior",
    "ClusterArm",
    "DurationPlan",
    "ProportionArm",
    "ProportionTest",
    "RatioArm",
    "RatioTest",
    "ShrunkRate",
    "SparkClaim",
    "SparkComparison",
    "SparkMetric",
    "SrmCheck",
    "StatsInputError",
    "analyze_ab",
    "compare_spark",
    "duration_days",
    "fit_beta_prior",
    "plan_proportion_test",
    "power_for_n",
    "power_two_proportions",
    "rank_shrunk",
    "ratio_arm",
    "ratio_test",
    "sample_size_per_arm",
    "sample_size_two_proportions",
    "short_test_warning",
    "shrink_rates",
    "srm_check",
    "two_proportion_test",
    "z_factor",
]
