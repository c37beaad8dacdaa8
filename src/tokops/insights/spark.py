"""Spark vs non-Spark on the user's own data (SPK-11; spec analytics §3b delta method).

TikTok reports Spark Ads uplifts over regular ads of +30 % complete-view rate, +142 % engagement
rate, +43 % CVR and −4 % CPM (SPK-11). This module measures the same relative differences,
``Spark/non-Spark − 1``, as ratios of per-day sums, with a delta-method CI on day clusters
(:mod:`.ratio`), and says whether TikTok's figure lies inside the interval.

KPIs are those of :mod:`tokops.metrics.catalogue` (name, label, definition and unit: rates
in percent)::

    completion_rate = 100 · Σvideo_views_p100 / Σvideo_views           claim +30 %
    engagement_rate = 100 · Σ(likes + comments + shares) / Σvideo_views claim +142 %
    cvr             = 100 · Σconversions / Σimpressions                 claim +43 % (TikTok's CVR)
    cpm             = 1000 · Σspend / Σimpressions                      claim −4 %

Input: per-day columns for each group (a dict of arrays, or a pyarrow Table with those column
names), one row per day. Days are treated as independent clusters per group; since both groups
share the same days, the interval is conservative.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Final, Literal, Protocol

import numpy as np

from tokops.insights.stats.common import StatsInputError, as_array, check_alpha, jsonable
from tokops.insights.stats.power import short_test_warning
from tokops.insights.stats.ratio import ratio_arm, ratio_test

__all__ = ["SPARK_CLAIMS", "SparkClaim", "SparkComparison", "SparkMetric", "compare_spark"]

Verdict = Literal["consistent", "below_claim", "above_claim", "not_measurable"]


class Columns(Protocol):
    """Anything indexable by column name: a ``dict`` of arrays or a ``pyarrow.Table``."""

    def __getitem__(self, key: str, /) -> Any: ...


@dataclass(frozen=True, slots=True)
class SparkClaim:
    """One of TikTok's published Spark uplifts and how to measure it."""

    metric: str
    label: str
    claimed_rel: float
    numerator: tuple[str, ...]
    denominator: str
    scale: float = 1.0


def _claim(metric: str, claimed_rel: float) -> SparkClaim:
    """TikTok's claim on the catalogue KPI *metric* (its label, definition and unit)."""
    from tokops.metrics.catalogue import CATALOGUE

    kpi = CATALOGUE[metric]
    return SparkClaim(
        metric, kpi.label, claimed_rel, kpi.numerator, kpi.denominator[0], float(kpi.scale)
    )


SPARK_CLAIMS: Final[tuple[SparkClaim, ...]] = (
    _claim("completion_rate", 0.30),
    _claim("engagement_rate", 1.42),
    _claim("cvr", 0.43),
    _claim("cpm", -0.04),
)
"""SPK-11's four claims on catalogue KPIs: values come out in the catalogue's units (percent)."""


@dataclass(frozen=True, slots=True)
class SparkMetric:
    """Measured vs claimed relative difference for one KPI."""

    metric: str
    label: str
    spark: float | None
    non_spark: float | None
    measured_rel: float | None
    """Spark/non-Spark − 1."""
    ci: tuple[float, float] | None
    p_value: float | None
    claimed_rel: float
    verdict: Verdict
    note: str | None = None
    currency: str | None = None
    """The currency of ``spark`` and ``non_spark`` when the KPI is money (CPM)."""

    @property
    def claim_in_ci(self) -> bool | None:
        return None if self.verdict == "not_measurable" else self.verdict == "consistent"

    def to_dict(self) -> dict[str, Any]:
        return {**jsonable(asdict(self)), "claim_in_ci": self.claim_in_ci}


@dataclass(frozen=True, slots=True)
class SparkComparison:
    """All four SPK-11 comparisons."""

    metrics: tuple[SparkMetric, ...]
    alpha: float
    days_spark: int
    days_non_spark: int
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "alpha": self.alpha,
            "confidence": 1 - self.alpha,
            "days_spark": self.days_spark,
            "days_non_spark": self.days_non_spark,
            "metrics": [m.to_dict() for m in self.metrics],
            "warnings": list(self.warnings),
        }


def _sum_columns(data: Columns, names: tuple[str, ...]) -> np.ndarray[Any, Any]:
    arrays = [as_array(data[name], name) for name in names]
    return np.sum(arrays, axis=0) if len(arrays) > 1 else arrays[0]


def _verdict(claim: float, ci: tuple[float, float]) -> Verdict:
    if ci[0] <= claim <= ci[1]:
        return "consistent"
    return "below_claim" if ci[1] < claim else "above_claim"


def _measure(claim: SparkClaim, spark: Columns, non_spark: Columns, alpha: float) -> SparkMetric:
    cols = (*claim.numerator, claim.denominator)
    try:
        s = ratio_arm(_sum_columns(spark, claim.numerator), spark[claim.denominator])
        n = ratio_arm(_sum_columns(non_spark, claim.numerator), non_spark[claim.denominator])
    except KeyError:
        note = f"needs per-day columns {', '.join(cols)} for both groups"
    except StatsInputError as exc:
        note = str(exc)
    else:
        rt = ratio_test(n, s, alpha=alpha)
        if np.isnan(rt.lift_rel):
            note = "non-Spark value is 0: relative difference undefined"
        else:
            return SparkMetric(
                metric=claim.metric,
                label=claim.label,
                spark=s.estimate * claim.scale,
                non_spark=n.estimate * claim.scale,
                measured_rel=rt.lift_rel,
                ci=rt.lift_rel_ci,
                p_value=rt.p_value_rel,
                claimed_rel=claim.claimed_rel,
                verdict=_verdict(claim.claimed_rel, rt.lift_rel_ci),
            )
    return SparkMetric(
        claim.metric, claim.label, None, None, None, None, None, claim.claimed_rel,
        "not_measurable", note,
    )  # fmt: skip


def _days(data: Columns) -> int:
    try:
        return len(as_array(data["impressions"], "impressions"))
    except KeyError:
        return 0


def compare_spark(
    spark: Columns,
    non_spark: Columns,
    *,
    alpha: float = 0.10,
    claims: tuple[SparkClaim, ...] = SPARK_CLAIMS,
) -> SparkComparison:
    """Measure each claim's relative difference with a (1 − α) delta-method CI; see module doc."""
    check_alpha(alpha)
    metrics = tuple(_measure(c, spark, non_spark, alpha) for c in claims)
    days_s, days_n = _days(spark), _days(non_spark)
    warnings = [w for w in (short_test_warning(d) for d in (days_s, days_n) if d) if w is not None]
    warnings.append(
        "Spark and non-Spark ads were not randomised: differences mix the ad format with "
        "creative, audience and objective; treat this as descriptive, not causal"
    )
    return SparkComparison(metrics, alpha, days_s, days_n, tuple(dict.fromkeys(warnings)))
