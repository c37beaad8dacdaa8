"""``ad_daily`` sums → the aggregates the statistics need (KPI-5a, KPI-5e, SPK-11; BYD-3).

Every function here asks :func:`tokops.metrics.query.sum_measures` for one grouped query over
``ad_daily`` (joined with ``ads`` where the Spark flag or the ad name is needed): filter,
``GROUP BY`` and ``SUM`` run in the engine, and only the grouped result (one row per ad, or per
day and group) comes back as Arrow. Ratios are never averaged: callers get the sums of the
numerator and denominator measures of the metric catalogue (:mod:`tokops.metrics.catalogue`)
and form Σ/Σ themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

from tokops.errors import ConfigError
from tokops.insights.stats.common import FloatArray
from tokops.metrics.errors import UnknownKpi
from tokops.metrics.query import (
    AD_TABLE,
    CurrencyGroup,
    MeasureQuery,
    MeasureSums,
    Total,
    currency_groups,
    sum_measures,
)
from tokops.metrics.window import ALL_TIME, Window

if TYPE_CHECKING:
    from tokops.metrics.catalogue import Kpi
    from tokops.metrics.reader import Reader

__all__ = [
    "ALL_TIME",
    "AD_TABLE",
    "AdCounts",
    "Cluster",
    "CurrencyGroup",
    "MixedCurrencies",
    "DailyArms",
    "Window",
    "ad_counts",
    "adgroup_days",
    "currency_groups",
    "measure_columns",
    "ratio_kpi",
    "spark_clusters",
    "split_groups",
]

Cluster = Literal["day", "ad"]


@dataclass(frozen=True, slots=True)
class AdCounts:
    """Per-ad sums of a metric's numerator and denominator (one entry per ad, same order)."""

    ad_ids: list[str]
    ad_names: list[str | None]
    advertiser_ids: list[str]
    is_spark: list[bool]
    numerator: FloatArray
    denominator: FloatArray
    currencies: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DailyArms:
    """Per-cluster sums of measures for named groups: ``groups[name][measure]`` is an array."""

    groups: dict[str, dict[str, FloatArray]]
    currencies: tuple[str, ...]
    clusters: dict[str, int] = field(default_factory=dict)


class MixedCurrencies(ConfigError):
    """An amount (a budget, a revenue target) was given for a selection in several currencies."""


def ratio_kpi(metric: str) -> Kpi:
    """The catalogue KPI *metric*, checked to be an additive paid ratio Σnum/Σden."""
    from tokops.metrics.catalogue import CATALOGUE

    kpi = CATALOGUE.get(metric)
    if kpi is None:
        raise UnknownKpi((metric,), "metric")
    if not kpi.denominator or kpi.source != "paid" or not kpi.additive:
        raise ConfigError(f"metric {metric!r} is not a paid ratio of sums (e.g. ctr, cvr, cpa)")
    return kpi


def measure_columns(measures: Iterable[str]) -> tuple[str, ...]:
    """The ``ad_daily`` columns the paid *measures* read."""
    from tokops.metrics.measures import MEASURES

    return tuple(dict.fromkeys(c for m in measures for c in MEASURES[m].columns))


def ad_counts(reader: Reader, metric: str, window: Window = ALL_TIME) -> AdCounts:
    """Σnumerator and Σdenominator of *metric* per ad over the window (ads with no rows omitted)."""
    kpi = ratio_kpi(metric)
    query = MeasureQuery(
        (Total("num", kpi.numerator), Total("den", kpi.denominator)),
        by=("advertiser_id", "ad_id", "ad_name", "is_spark"),
        window=window,
    )
    sums = sum_measures(reader, query)
    return AdCounts(
        ad_ids=sums.strings("ad_id"),
        ad_names=list(sums.rows.column("ad_name").to_pylist()),
        advertiser_ids=sums.strings("advertiser_id"),
        is_spark=[bool(v) for v in sums.rows.column("is_spark").to_pylist()],
        numerator=sums.floats("num"),
        denominator=sums.floats("den"),
        currencies=sums.currencies,
    )


def split_groups(
    sums: MeasureSums, group: str, measures: Sequence[str]
) -> dict[str, dict[str, FloatArray]]:
    """``{group value: {measure: array}}`` from rows ordered by *group* (first-seen order)."""
    keys = sums.strings(group)
    out: dict[str, dict[str, FloatArray]] = {}
    for name in dict.fromkeys(keys):
        mask = np.array([k == name for k in keys], dtype=bool)
        out[name] = {m: sums.floats(m)[mask] for m in dict.fromkeys(measures)}
    return out


def _cluster_key(cluster: Cluster) -> str:
    if cluster not in ("day", "ad"):
        raise ConfigError(f"cluster {cluster!r}: use day or ad")
    return "stat_date" if cluster == "day" else "ad_id"


def _daily_arms(
    sums: MeasureSums, group: str, measures: Sequence[str], names: Sequence[str] = ()
) -> DailyArms:
    groups = split_groups(sums, group, measures)
    if names:
        empty = {m: np.zeros(0) for m in measures}
        groups = {g: groups.get(g, dict(empty)) for g in names}
    clusters = {g: len(next(iter(v.values()), np.zeros(0))) for g, v in groups.items()}
    return DailyArms(groups, sums.currencies, clusters)


def spark_clusters(
    reader: Reader,
    measures: Sequence[str],
    window: Window = ALL_TIME,
    *,
    cluster: Cluster = "day",
) -> DailyArms:
    """Sums of *measures* per cluster (day or ad) for groups ``spark`` and ``non_spark``."""
    key = _cluster_key(cluster)
    query = MeasureQuery(tuple(dict.fromkeys(measures)), by=("is_spark", key), window=window)
    sums = sum_measures(reader, query)
    labels = ["spark" if v else "non_spark" for v in sums.rows.column("is_spark").to_pylist()]
    import pyarrow as pa

    sums = MeasureSums(
        sums.rows.append_column("_group", pa.array(labels, pa.string())), sums.currencies
    )
    return _daily_arms(sums, "_group", measures, ("spark", "non_spark"))


def adgroup_days(
    reader: Reader,
    adgroup_ids: Sequence[str],
    measures: Sequence[str],
    window: Window = ALL_TIME,
) -> DailyArms:
    """Per-day sums of *measures* for each ad group in *adgroup_ids* (keys: the ad group IDs)."""
    query = MeasureQuery(
        tuple(dict.fromkeys(measures)),
        by=("adgroup_id", "stat_date"),
        window=window,
        where={"adgroup_id": tuple(adgroup_ids)},
    )
    return _daily_arms(sum_measures(reader, query), "adgroup_id", measures)
