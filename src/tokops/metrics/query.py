"""Measures summed at a grain over a window, filtered: the read the insights make (KPI-5a, BYD-3).

A :class:`MeasureQuery` names the measures of :data:`~tokops.metrics.measures.MEASURES` (or
:class:`Total` s of several), the ``ad_daily`` columns to group by, a :class:`~.window.Window`
and column filters. :func:`sum_measures` runs it as one ``GROUP BY`` / ``SUM`` in the engine
and hands back the grouped rows as Arrow with the currencies they were reported in. Ratios are
never averaged: callers get Σnumerator and Σdenominator and form Σ/Σ themselves.

Insights hold a :class:`Reader` (the store satisfies it) and pass it here; they never import the
store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Final

import numpy as np
import numpy.typing as npt

from tokops.errors import ConfigError
from tokops.metrics.reader import Reader
from tokops.metrics.sources import synced_table
from tokops.metrics.tables import AD_DAILY
from tokops.metrics.window import ALL_TIME, Window

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

__all__ = [
    "AD_TABLE",
    "adgroup_currency",
    "ADS_COLUMNS",
    "CurrencyGroup",
    "MeasureQuery",
    "MeasureSums",
    "Reader",
    "Total",
    "ad_rows",
    "currencies",
    "currency_groups",
    "last_day",
    "measure_total",
    "measure_value",
    "sum_measures",
]

AD_TABLE: Final = AD_DAILY.name
ADS_COLUMNS: Final = ("is_spark", "ad_name")
"""Columns of ``ads`` a query may group by: ``ad_daily`` rows are joined to them when asked."""


@dataclass(frozen=True, slots=True)
class Total:
    """One output column: the sum of several measures (e.g. a KPI's numerator)."""

    name: str
    measures: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MeasureQuery:
    """These measures summed by these columns over this window, filtered.

    *by* names columns of *table* (``stat_date``, ``campaign_id`` …, or ``is_spark`` /
    ``ad_name`` from ``ads``); rows come back ordered by them. *where* keeps the rows whose
    column is one of the values given (e.g. ``{"adgroup_id": ("1", "2")}``). *table* is a
    daily report table (``ad_daily``, or ``audience_daily`` filtered on one ``dimension``).
    With *reported*, each plain measure also gets the number of rows that report it
    (:meth:`MeasureSums.reported`): a measure never reported gives no KPI, not a zero.
    """

    measures: tuple[str | Total, ...]
    by: tuple[str, ...] = ()
    window: Window = ALL_TIME
    where: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    table: str = AD_TABLE
    reported: bool = False


@dataclass(frozen=True, slots=True)
class MeasureSums:
    """The grouped rows of a :class:`MeasureQuery` and the currencies its rows were in."""

    rows: pa.Table
    currencies: tuple[str, ...]

    def floats(self, name: str) -> npt.NDArray[np.float64]:
        """Column *name* as a float array."""
        column = self.rows.column(name).to_numpy(zero_copy_only=False)
        return np.asarray(column, dtype=np.float64)

    def reported(self, name: str) -> npt.NDArray[np.float64]:
        """How many rows of each group report the measure *name* (``reported`` queries)."""
        return self.floats(f"_reported_{name}")

    def strings(self, name: str) -> list[str]:
        """Column *name* as text (IDs)."""
        return [str(v) for v in self.rows.column(name).to_pylist()]


def measure_value(t: ir.Table, name: str) -> ir.FloatingValue:
    """The per-row value of the additive paid measure *name* (nulls count as 0)."""
    from tokops.metrics.measures import MEASURES

    try:
        m = MEASURES[name]
    except KeyError:
        raise ConfigError(f"unknown measure {name!r}") from None
    if m.source != "paid" or not m.additive:
        raise ConfigError(f"measure {name!r} is not an additive paid measure")
    return m.value(t).cast("float64").fill_null(0.0)


def measure_total(t: ir.Table, names: tuple[str, ...]) -> ir.FloatingValue:
    """``SUM`` of the per-row sum of the measures *names*."""
    total = measure_value(t, names[0])
    for name in names[1:]:
        total = total + measure_value(t, name)
    return total.sum()


def _reported(t: ir.Table, name: str) -> ir.IntegerValue:
    from tokops.metrics.measures import MEASURES

    return MEASURES[name].value(t).count()


def ad_rows(
    reader: Reader,
    window: Window = ALL_TIME,
    table: str = AD_TABLE,
    where: Mapping[str, tuple[str, ...]] | None = None,
) -> ir.Table:
    """The rows of *table* (``ad_daily``) in *window* whose columns hold the values *where*
    asks for (an error that names the sync when the table is missing)."""
    t = window.restrict(synced_table(reader, table))
    for column, values in (where or {}).items():
        t = t.filter(t[column].isin(list(values)))
    return t


def _with_ads(reader: Reader, t: ir.Table) -> ir.Table:
    """*t* plus ``is_spark`` (False when unknown) and ``ad_name`` from ``ads``."""
    if not reader.exists("ads"):
        import ibis

        return t.mutate(is_spark=ibis.literal(False), ad_name=ibis.null("string"))
    ads = reader.table("ads").select("advertiser_id", "ad_id", "is_spark", "ad_name")
    joined = t.left_join(ads, ["advertiser_id", "ad_id"])
    return joined.select(*t.columns, is_spark=ads.is_spark.fill_null(False), ad_name=ads.ad_name)


def currencies(reader: Reader, t: ir.Table) -> tuple[str, ...]:
    """The currencies the rows of *t* were reported in, sorted."""
    rows = reader.fetch(t.group_by("currency").aggregate(_n=t.count()).order_by("currency"))
    return tuple(str(c) for c in rows.column("currency").to_pylist() if c is not None)


def sum_measures(reader: Reader, query: MeasureQuery) -> MeasureSums:
    """Run *query* over ``ad_daily`` in the engine (one grouped query)."""
    t = ad_rows(reader, query.window, query.table, query.where)
    base = t
    if set(query.by) & set(ADS_COLUMNS):
        t = _with_ads(reader, t)
    totals = [m if isinstance(m, Total) else Total(m, (m,)) for m in query.measures]
    aggs = {s.name: measure_total(t, s.measures) for s in totals}
    if query.reported:
        aggs |= {f"_reported_{m}": _reported(t, m) for m in query.measures if isinstance(m, str)}
    expr = (
        t.group_by(*query.by).aggregate(**aggs).order_by(list(query.by))
        if query.by
        else (t.aggregate(**aggs))
    )
    return MeasureSums(reader.fetch(expr), currencies(reader, base))


def last_day(reader: Reader, window: Window) -> dt.date | None:
    """The last ``stat_date`` of *window* in ``ad_daily`` (None without rows)."""
    t = ad_rows(reader, window)
    value = reader.fetch(t.aggregate(last=t.stat_date.max())).column("last").to_pylist()[0]
    return value if isinstance(value, dt.date) else None


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


def currency_groups(reader: Reader, t: ir.Table, window: Window) -> list[CurrencyGroup]:
    """One group per currency of the rows of *t* (already filtered to *window*), by currency.

    Money is never summed across currencies: commands that show money run once per group.
    """
    rows = reader.fetch(
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


def adgroup_currency(reader: Reader, adgroup_id: str) -> str | None:
    """The currency an ad group reports in (from ``ad_daily``), for showing its money."""
    t = synced_table(reader, AD_TABLE)
    rows = reader.fetch(t.filter(t.adgroup_id == adgroup_id).select("currency").limit(1))
    values = rows.column("currency").to_pylist()
    return str(values[0]) if values and values[0] is not None else None
