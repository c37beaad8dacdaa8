"""Spark vs non-Spark and A/B tests of two ad groups, read from the store (SPK-11, KPI-5e).

Thin glue: :mod:`.data` sums ``ad_daily`` per cluster in the engine, then
:func:`~tokops.insights.spark.compare_spark` and :func:`~tokops.insights.stats.abtest.analyze_ab`
do the statistics. Money is never summed across currencies: with several currencies in the
selection, money comparisons (CPM) are measured once per currency (``CPM (EUR)``,
``CPM (JPY)`` …), and an A/B test of ad groups in two currencies is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from tokops.errors import ConfigError
from tokops.insights.data import (
    ALL_TIME,
    Cluster,
    DailyArms,
    Window,
    adgroup_days,
    ratio_kpi,
    spark_clusters,
)
from tokops.insights.spark import (
    SPARK_CLAIMS,
    SparkClaim,
    SparkComparison,
    SparkMetric,
    compare_spark,
)
from tokops.insights.stats.abtest import ABResult, ClusterArm, analyze_ab
from tokops.insights.stats.common import StatsInputError

if TYPE_CHECKING:
    from tokops.metrics.reader import Reader

__all__ = ["AB_METRICS", "SparkReport", "ab_from_store", "spark_from_store"]

AB_METRICS = ("ctr", "cvr", "cvr_click", "cpa", "cpc", "cpm", "roas", "shop_roas")
_MONEY = frozenset({"spend", "purchase_value", "gmv"})


@dataclass(frozen=True, slots=True)
class SparkReport:
    """:class:`SparkComparison` plus how it was measured."""

    comparison: SparkComparison
    cluster: Cluster
    currencies: tuple[str, ...]
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        out = self.comparison.to_dict()
        out["cluster"] = self.cluster
        out["currencies"] = list(self.currencies)
        out["notes"] = list(self.notes)
        return out


def spark_from_store(
    store: Reader,
    window: Window = ALL_TIME,
    *,
    alpha: float = 0.10,
    cluster: Cluster = "ad",
    claims: tuple[SparkClaim, ...] = SPARK_CLAIMS,
) -> SparkReport:
    """Measure TikTok's Spark uplifts (or *claims*) on the store's ``ad_daily`` rows.

    ``cluster="day"`` treats each day as one observation per group (the spec's default);
    ``cluster="ad"`` treats each ad as one, which also carries the spread between creatives
    into the interval (wider, and more honest when Spark and non-Spark ads are few).
    """
    measures = [m for c in claims for m in (*c.numerator, c.denominator)]
    data = spark_clusters(store, measures, window, cluster=cluster)
    notes: list[str] = []
    chosen = claims
    per_currency: list[SparkMetric] = []
    if len(data.currencies) > 1:
        chosen = tuple(c for c in claims if not _MONEY & {*c.numerator, c.denominator})
        money = tuple(c for c in claims if c not in chosen)
        for cur in data.currencies:
            part = spark_clusters(store, measures, replace(window, currency=cur), cluster=cluster)
            per_currency += _in_currency(part, money, alpha, cur)
        if money:
            notes.append(
                f"{', '.join(c.metric for c in money)} measured per currency "
                f"({', '.join(data.currencies)}): money is never summed across currencies"
            )
    for group, n in data.clusters.items():
        if n == 0:
            notes.append(f"no {group.replace('_', '-')} ads with delivery in the window")
    comparison = compare_spark(
        data.groups["spark"], data.groups["non_spark"], alpha=alpha, claims=chosen
    )
    if per_currency:
        comparison = replace(comparison, metrics=(*comparison.metrics, *per_currency))
    elif len(data.currencies) == 1:
        comparison = _money_in(comparison, claims, data.currencies[0])
    return SparkReport(comparison, cluster, data.currencies, tuple(notes))


def _in_currency(
    part: DailyArms, money: tuple[SparkClaim, ...], alpha: float, cur: str
) -> list[SparkMetric]:
    """The money claims measured on one currency's rows, labelled with it."""
    got = compare_spark(part.groups["spark"], part.groups["non_spark"], alpha=alpha, claims=money)
    return [replace(m, label=f"{m.label} ({cur})", currency=cur) for m in got.metrics]


def _money_in(
    comparison: SparkComparison, claims: tuple[SparkClaim, ...], cur: str
) -> SparkComparison:
    """*comparison* with the currency *cur* on its money metrics."""
    metrics = tuple(
        replace(m, currency=cur) if _MONEY & {*_claim_of(claims, m.metric)} else m
        for m in comparison.metrics
    )
    return replace(comparison, metrics=metrics)


def _claim_of(claims: tuple[SparkClaim, ...], metric: str) -> tuple[str, ...]:
    claim = next((c for c in claims if c.metric == metric), None)
    return () if claim is None else (*claim.numerator, claim.denominator)


def ab_from_store(
    store: Reader,
    control_adgroup: str,
    test_adgroup: str,
    metric: str,
    window: Window = ALL_TIME,
    *,
    alpha: float = 0.10,
    mde_rel: float = 0.10,
) -> ABResult:
    """Split test of two ad groups on *metric* with day clusters (delta method, Welch t).

    The sample-ratio check uses impressions as the randomised units (reach is not additive).
    """
    if metric not in AB_METRICS:
        raise ConfigError(f"metric {metric!r}: use one of {', '.join(AB_METRICS)}")
    if control_adgroup == test_adgroup:
        raise ConfigError("control and test ad groups must differ")
    kpi = ratio_kpi(metric)
    if len(kpi.numerator) != 1 or len(kpi.denominator) != 1:  # pragma: no cover - catalogue
        raise ConfigError(f"metric {metric!r} is not a single ratio")
    num, den = kpi.numerator[0], kpi.denominator[0]
    data = adgroup_days(store, (control_adgroup, test_adgroup), (num, den, "impressions"), window)
    missing = [g for g in (control_adgroup, test_adgroup) if g not in data.groups]
    if missing:
        raise ConfigError(f"no ad_daily rows for ad group(s) {', '.join(missing)} in the window")
    if len(data.currencies) > 1 and _MONEY & {num, den}:
        raise ConfigError(
            f"the two ad groups report in different currencies ({', '.join(data.currencies)})"
        )
    for g in (control_adgroup, test_adgroup):
        if float(np.sum(data.groups[g][den])) <= 0:
            raise StatsInputError(
                f"ad group {g} has no {den} in the window: its {metric} is undefined; "
                "compare on a metric both ad groups have"
            )
    scale = float(kpi.scale)

    def arm(name: str, adgroup: str) -> ClusterArm:
        g = data.groups[adgroup]
        return ClusterArm(name, g[num] * scale, g[den], units=float(np.sum(g["impressions"])))

    return analyze_ab(
        arm("control", control_adgroup),
        arm("test", test_adgroup),
        metric=metric,
        alpha=alpha,
        higher_is_better=kpi.better != "down",
        mde_rel=mde_rel,
    )
