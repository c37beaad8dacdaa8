"""Store → the aggregates the statistics need (KPI-5a, KPI-5e, SPK-11; BYD-3).

Every function here builds one Ibis query over ``ad_daily`` (joined with ``ads`` where the Spark
flag or the ad name is needed): filter, ``GROUP BY`` and ``SUM`` run in the engine, and only the
grouped result (one row per ad, or per day and group) comes back as Arrow. Ratios are never
averaged: callers get the sums of the numerator and denominator measures of the metric catalogue
(:mod:`tokops.metrics.catalogue`) and form Σ/Σ themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from tokops.errors import ConfigError
from tokops.metrics.sources import synced_table
from tokops.metrics.tables import AD_DAILY

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

    from tokops.metrics.catalogue import Kpi
    from tokops.warehouse import Store

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
]

AD_TABLE = AD_DAILY.name
Cluster = Literal["day", "ad"]
FloatArray = np.ndarray[Any, np.dtype[np.float64]]


@dataclass(frozen=True, slots=True)
class Window:
    """Which ``ad_daily`` rows to read: ``start <= stat_date <= end``, optional account filter.

    *currency* keeps the rows reported in that currency only (one table per currency).
    """

    start: dt.date | None = None
    end: dt.date | None = None
    advertiser_ids: tuple[str, ...] = ()
    currency: str | None = None

    def restrict(self, t: ir.Table) -> ir.Table:
        """*t* (a daily report table) filtered to this window."""
        if self.start is not None:
            t = t.filter(t.stat_date >= self.start)
        if self.end is not None:
            t = t.filter(t.stat_date <= self.end)
        if self.advertiser_ids:
            t = t.filter(t.advertiser_id.isin(list(self.advertiser_ids)))
        if self.currency is not None:
            t = t.filter(t.currency == self.currency)
        return t


@dataclass(frozen=True, slots=True)
class CurrencyGroup:
    """The accounts of a selection that report in one currency, and the window that reads them."""

    currency: str | None
    advertiser_ids: tuple[str, ...]
    window: Window

    @property
    def title(self) -> str:
        """``EUR: 7100000000000000001`` (accounts listed up to three)."""
        ids = ", ".join(self.advertiser_ids[:3])
        more = f" and {len(self.advertiser_ids) - 3} more" if len(self.advertiser_ids) > 3 else ""
        return f"{self.currency or 'no currency'}: {ids}{more}"


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


ALL_TIME = Window()
"""No filter: every row of ``ad_daily``."""


def ratio_kpi(metric: str) -> Kpi:
    """The catalogue KPI *metric*, checked to be an additive paid ratio Σnum/Σden."""
    from tokops.metrics.catalogue import CATALOGUE

    kpi = CATALOGUE.get(metric)
    if kpi is None:
        raise ConfigError(f"unknown metric {metric!r}: see `tokops kpi --list`")
    if not kpi.denominator or kpi.source != "paid" or not kpi.additive:
        raise ConfigError(f"metric {metric!r} is not a paid ratio of sums (e.g. ctr, cvr, cpa)")
    return kpi


def measure_columns(measures: Iterable[str]) -> tuple[str, ...]:
    """The ``ad_daily`` columns the paid *measures* read."""
    from tokops.metrics.measures import MEASURES

    return tuple(dict.fromkeys(c for m in measures for c in MEASURES[m].columns))


def _measure(t: ir.Table, name: str) -> ir.FloatingValue:
    from tokops.metrics.measures import MEASURES

    try:
        m = MEASURES[name]
    except KeyError:
        raise ConfigError(f"unknown measure {name!r}") from None
    if m.source != "paid" or not m.additive:
        raise ConfigError(f"measure {name!r} is not an additive paid measure")
    value = t[m.column] if m.weight is None else t[m.column] * t[m.weight]
    return value.cast("float64").fill_null(0.0)


def _sum(t: ir.Table, names: Sequence[str]) -> ir.FloatingValue:
    total = _measure(t, names[0])
    for name in names[1:]:
        total = total + _measure(t, name)
    return total.sum()


def _base(store: Store, window: Window) -> ir.Table:
    return window.restrict(synced_table(store, AD_TABLE))


def currency_groups(store: Store, t: ir.Table, window: Window) -> list[CurrencyGroup]:
    """One group per currency of the rows of *t* (already filtered to *window*), by currency.

    Money is never summed across currencies: commands that show money run once per group.
    """
    rows = store.fetch(
        t.group_by("currency", "advertiser_id")
        .aggregate(_n=t.count())
        .order_by(["currency", "advertiser_id"])
    )
    by: dict[str | None, list[str]] = {}
    for cur, adv in zip(
        rows.column("currency").to_pylist(), rows.column("advertiser_id").to_pylist(), strict=True
    ):
        by.setdefault(None if cur is None else str(cur), []).append(str(adv))
    if len(by) <= 1:
        cur, ids = next(iter(by.items()), (None, []))
        return [CurrencyGroup(cur, tuple(ids), window)]
    return [
        CurrencyGroup(cur, tuple(ids), replace(window, currency=cur))
        for cur, ids in by.items()
        if cur is not None
    ]


def _with_ads(store: Store, t: ir.Table) -> ir.Table:
    """*t* plus ``is_spark`` (False when unknown) and ``ad_name`` from ``ads``."""
    if not store.exists("ads"):
        import ibis

        return t.mutate(is_spark=ibis.literal(False), ad_name=ibis.null("string"))
    ads = store.table("ads").select("advertiser_id", "ad_id", "is_spark", "ad_name")
    joined = t.left_join(ads, ["advertiser_id", "ad_id"])
    return joined.select(*t.columns, is_spark=ads.is_spark.fill_null(False), ad_name=ads.ad_name)


def _currencies(store: Store, t: ir.Table) -> tuple[str, ...]:
    rows = store.fetch(t.group_by("currency").aggregate(_n=t.count()).order_by("currency"))
    return tuple(str(c) for c in rows.column("currency").to_pylist() if c is not None)


def _floats(table: pa.Table, name: str) -> FloatArray:
    return np.asarray(table.column(name).to_numpy(zero_copy_only=False), dtype=np.float64)


def ad_counts(store: Store, metric: str, window: Window = ALL_TIME) -> AdCounts:
    """Σnumerator and Σdenominator of *metric* per ad over the window (ads with no rows omitted)."""
    kpi = ratio_kpi(metric)
    t = _with_ads(store, _base(store, window))
    expr = (
        t.group_by("advertiser_id", "ad_id")
        .aggregate(
            ad_name=t.ad_name.max(),
            is_spark=t.is_spark.max(),
            num=_sum(t, kpi.numerator),
            den=_sum(t, kpi.denominator),
        )
        .order_by(["advertiser_id", "ad_id"])
    )
    rows = store.fetch(expr)
    return AdCounts(
        ad_ids=[str(v) for v in rows.column("ad_id").to_pylist()],
        ad_names=list(rows.column("ad_name").to_pylist()),
        advertiser_ids=[str(v) for v in rows.column("advertiser_id").to_pylist()],
        is_spark=[bool(v) for v in rows.column("is_spark").to_pylist()],
        numerator=_floats(rows, "num"),
        denominator=_floats(rows, "den"),
        currencies=_currencies(store, _base(store, window)),
    )


def _grouped(
    store: Store,
    t: ir.Table,
    group: ir.Value,
    cluster_key: str,
    measures: Sequence[str],
) -> dict[str, dict[str, FloatArray]]:
    aggs = {m: _sum(t, (m,)) for m in dict.fromkeys(measures)}
    expr = (
        t.group_by(_group=group, _cluster=t[cluster_key])
        .aggregate(**aggs)
        .order_by(["_group", "_cluster"])
    )
    rows = store.fetch(expr)
    keys = [str(v) for v in rows.column("_group").to_pylist()]
    out: dict[str, dict[str, FloatArray]] = {}
    for name in dict.fromkeys(keys):
        mask = np.array([k == name for k in keys], dtype=bool)
        out[name] = {m: _floats(rows, m)[mask] for m in aggs}
    return out


def _cluster_key(cluster: Cluster) -> str:
    if cluster not in ("day", "ad"):
        raise ConfigError(f"cluster {cluster!r}: use day or ad")
    return "stat_date" if cluster == "day" else "ad_id"


def spark_clusters(
    store: Store,
    measures: Sequence[str],
    window: Window = ALL_TIME,
    *,
    cluster: Cluster = "day",
) -> DailyArms:
    """Sums of *measures* per cluster (day or ad) for groups ``spark`` and ``non_spark``."""
    key = _cluster_key(cluster)
    base = _base(store, window)
    t = _with_ads(store, base)
    label = t.is_spark.ifelse("spark", "non_spark")
    groups = _grouped(store, t, label, key, measures)
    empty = {m: np.zeros(0) for m in measures}
    full = {g: groups.get(g, dict(empty)) for g in ("spark", "non_spark")}
    clusters = {g: len(next(iter(v.values()), np.zeros(0))) for g, v in full.items()}
    return DailyArms(full, _currencies(store, base), clusters)


def adgroup_days(
    store: Store,
    adgroup_ids: Sequence[str],
    measures: Sequence[str],
    window: Window = ALL_TIME,
) -> DailyArms:
    """Per-day sums of *measures* for each ad group in *adgroup_ids* (keys: the ad group IDs)."""
    base = _base(store, window)
    t = base.filter(base.adgroup_id.isin(list(adgroup_ids)))
    groups = _grouped(store, t, t.adgroup_id.cast("string"), "stat_date", measures)
    clusters = {g: len(next(iter(v.values()))) for g, v in groups.items()}
    return DailyArms(groups, _currencies(store, t), clusters)
