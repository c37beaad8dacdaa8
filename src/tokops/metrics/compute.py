"""KPI roll-ups at any grain: one Ibis query (filter, group by, sums), then the formulas.

The query sums the base measures per group on the engine (DuckDB, PostgreSQL …); the catalogue's
formulas then run on those sums in Python with :class:`~decimal.Decimal`, so every ratio is
Σ numerator / Σ denominator at the grain asked for, and a zero denominator gives ``None``.
Only the measures the requested KPIs need are summed, and the formulas run column by column
(C-level ``map`` over the sums, no Python frame per value).

Money is never added across currencies: paid roll-ups always group by ``currency`` too (an
account has one currency, so this splits nothing unless the selection mixes currencies; then
each currency gets its own rows).

Paid roll-ups from ``ad_daily`` at a grain without day, week, spark or audience dimension read
whole months from the ``ad_monthly`` pre-aggregate while it is fresh, and only the partial
months at the window's edges from ``ad_daily`` (:mod:`.rollup`); the sums are the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import repeat
from operator import mul, truediv
from typing import TYPE_CHECKING, Any, Final

from tokops.errors import ConfigError
from tokops.metrics.catalogue import CATALOGUE, Kpi
from tokops.metrics.errors import PaidOnlyFilter, UnknownKpi
from tokops.metrics.grain import parse_grain
from tokops.metrics.measures import MEASURES, Source
from tokops.metrics.rollup import monthly_source
from tokops.metrics.sources import (
    FOLLOWERS_TABLE,
    ORGANIC_TABLE,
    POSTS_TABLE,
    followers_base,
    key_expr,
    paid_base,
    posts_base,
    synced_table,
)
from tokops.metrics.tables import AD_DAILY
from tokops.metrics.window import Window

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

    from tokops.warehouse import Store

__all__ = ["KpiTable", "Number", "compute_kpis", "evaluate", "select_kpis"]

Number = int | Decimal
FOLLOWERS_NOTE: Final = (
    "follower growth: a period opens at the last snapshot before its first one and closes at "
    "its last one (UTC days); a gap between snapshots counts in the period of the later one, "
    "and a period without a snapshot has no row"
)


@dataclass(frozen=True)
class KpiTable:
    """The result of a roll-up: one row per group (group columns, then KPIs by name)."""

    keys: tuple[str, ...]
    kpis: tuple[Kpi, ...]
    rows: list[dict[str, Any]]
    totals: dict[str, list[Number | None]]
    """The base-measure sums behind the rows, column-wise (same order as :attr:`rows`)."""
    table: str
    notes: tuple[str, ...] = field(default=())
    extra: tuple[tuple[str, str], ...] = field(default=())
    """Columns added after the KPIs (comparisons, targets) as (name, unit)."""
    names: tuple[tuple[str, str], ...] = field(default=())
    """Name columns shown right after their ID column, as (ID column, name column)."""

    @property
    def sums(self) -> list[dict[str, Number | None]]:
        """The base-measure sums behind each row, one mapping per row."""
        names = list(self.totals)
        if not names:
            return [{} for _ in self.rows]
        return [dict(zip(names, v, strict=True)) for v in zip(*self.totals.values(), strict=True)]

    @property
    def units(self) -> dict[str, str]:
        """Column → unit (``key`` for group columns, ``name`` for the names beside their IDs),
        in output order."""
        named = dict(self.names)
        units: dict[str, str] = {}
        for key in self.keys:
            units[key] = "key"
            if key in named:
                units[named[key]] = "name"
        units.update({k.name: k.unit for k in self.kpis})
        units.update(dict(self.extra))
        return units


def select_kpis(names: Sequence[str] | str | None, source: Source | None = None) -> tuple[Kpi, ...]:
    """KPIs by name (comma-separated or a list); every KPI of *source* (default paid) if none."""
    if names is None or (isinstance(names, str) and not names.strip()):
        return CATALOGUE.of_source(source or "paid")
    items = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
    unknown = [n for n in items if n and n not in CATALOGUE]
    if unknown:
        raise UnknownKpi(tuple(unknown))
    kpis = tuple(CATALOGUE[n] for n in dict.fromkeys(i for i in items if i))
    sources = {k.source for k in kpis}
    if len(sources) > 1:
        raise ConfigError(f"KPIs of different sources cannot share a query: {sorted(sources)}")
    return kpis


def _number(value: Any) -> Number | None:
    if value is None or isinstance(value, int | Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value))


def _total(values: Sequence[Number | None]) -> Number | None:
    if any(v is None for v in values):
        return None
    return sum(values, start=0)  # type: ignore[arg-type]


def evaluate(kpi: Kpi, sums: Mapping[str, Number | None]) -> Number | None:
    """The KPI from base-measure sums: Σ numerator (/ Σ denominator × scale); ÷0 → None."""
    num = _total([sums.get(m) for m in kpi.numerator])
    if not kpi.denominator:
        return num
    den = _total([sums.get(m) for m in kpi.denominator])
    if num is None or den is None or den == 0:
        return None
    return Decimal(num) * kpi.scale / Decimal(den)


def _ratio(num: list[Any], den: list[Any], scale: Decimal, nulls: bool) -> list[Any]:
    """``Decimal(n) × scale / d`` element-wise; ``None`` where a value is missing or d is 0.

    *nulls* tells whether either list holds a ``None`` (known from Arrow's null counts, which
    is cheaper than ``None in values``: comparing a Decimal with None goes through ABC checks).
    """
    if nulls or 0 in den:
        return [
            None if n is None or not d else Decimal(n) * scale / d
            for n, d in zip(num, den, strict=True)
        ]
    values: Any = map(Decimal, num)  # C-level loops: no Python frame per value
    if scale != 1:
        values = map(mul, values, repeat(scale))
    return list(map(truediv, values, den))


def _column(kpi: Kpi, table: KpiTable, nullable: set[str]) -> list[Any]:
    """One KPI for every group, column-wise (same results as :func:`evaluate` row by row).

    *nullable* names the measure columns holding a ``None``.
    """
    totals = table.totals
    if any(m not in totals for m in kpi.measures):
        return [None] * len(table.rows)
    numer = [totals[m] for m in kpi.numerator]
    nulls = bool(nullable & set(kpi.measures))
    if len(numer) > 1 and bool(nullable & set(kpi.numerator)) or len(kpi.denominator) > 1:
        return [evaluate(kpi, row) for row in table.sums]
    num = numer[0] if len(numer) == 1 else list(map(sum, zip(*numer, strict=True)))
    if not kpi.denominator:
        return num
    return _ratio(num, totals[kpi.denominator[0]], kpi.scale, nulls)


def _aggregates(
    t: ir.Table, kpis: Sequence[Kpi], native: bool
) -> tuple[dict[str, ir.Value], list[str], list[str]]:
    """Sums of the measures *kpis* need; non-additive ones off their grain and absent columns
    are reported (their KPIs are None)."""
    aggs: dict[str, ir.Value] = {}
    skipped: list[str] = []
    absent: list[str] = []
    for name in dict.fromkeys(m for k in kpis for m in k.measures):
        m = MEASURES[name]
        if any(c not in t.columns for c in m.columns):
            absent.append(name)
        elif not m.additive:
            if native:
                aggs[name] = t[m.column].max()
            else:
                skipped.append(name)
        else:
            aggs[name] = m.value(t).sum()
    return aggs, skipped, absent


def compute_kpis(
    store: Store,
    by: Sequence[str] | str | None = None,
    *,
    kpis: Sequence[str] | str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    advertiser_ids: Sequence[str] = (),
    table: str | None = None,
) -> KpiTable:
    """Roll the KPIs up at the grain *by*, over ``start <= stat_date <= end`` (both optional).

    Paid KPIs read the report tables (see :mod:`.grain`), or ``audience_daily`` for an audience
    segment (``age``, ``gender``, ``country``); organic ones ``organic_account_daily``, post
    KPIs the latest ``organic_video_snapshots`` row per post up to *end*, follower KPIs
    ``follower_snapshots`` (see :func:`~tokops.metrics.sources.followers_base`). Reach-based
    KPIs are ``None`` unless each group is one entity-day (see notes).
    """
    chosen = select_kpis(kpis)
    source = chosen[0].source if chosen else "paid"
    grain = parse_grain(by, source)
    notes: list[str] = []
    keys = list(grain.names)
    native = False
    if source == "paid":
        base = paid_base(store, grain, table)
        t, name, native = base.table, base.name, base.native
        keys += [] if "currency" in grain.names else ["currency"]
    elif source == "organic":
        name = table or ORGANIC_TABLE
        t = store.table(name) if table else synced_table(store, name, "organic")
    elif source == "followers":
        name = FOLLOWERS_TABLE
        t = followers_base(store, grain.time, start, end)
        notes.append(FOLLOWERS_NOTE)
    else:
        if start is not None:
            notes.append("post KPIs are lifetime values at the latest snapshot; --from is ignored")
        name = table or POSTS_TABLE
        t = posts_base(store, end)
    if source in ("paid", "organic"):
        t = Window(start, end).restrict(t)
    if advertiser_ids:
        if "advertiser_id" not in t.columns:
            raise PaidOnlyFilter("advertiser_ids")
        t = Window(advertiser_ids=tuple(advertiser_ids)).restrict(t)
    dims = {d.name: d for d in grain.dims}
    outputs = {k: dims[k].output if k in dims else k for k in keys}
    group = {outputs[k]: key_expr(t, k, dims[k].column if k in dims else k) for k in keys}
    aggs, skipped, absent = _aggregates(t, chosen, native)
    if skipped:
        notes.append(
            f"{', '.join(k.name for k in chosen if not k.additive)}: not additive over days or "
            "ads; shown only at an entity-day grain (e.g. --by ad,day or --by advertiser,day "
            "with advertiser_daily), None here"
        )
    if absent:
        missing = [k.name for k in chosen if set(k.measures) & set(absent)]
        notes.append(f"{', '.join(missing)}: not in {name} (None here)")
    if source == "paid" and table is None and name == AD_DAILY.name and not native:
        rows = monthly_source(store, grain, list(group), list(aggs), start, end, advertiser_ids)
        if rows is not None:  # the same sums, from whole months of ad_monthly (see .rollup)
            t, group = rows, {k: rows[k] for k in group}
            aggs = {n: rows[n].sum() for n in aggs}
    expr = t.group_by(**group).aggregate(**aggs) if group else t.aggregate(**aggs)
    if group:
        expr = expr.order_by(list(group))
    return _finish(expr, tuple(group), chosen, name, tuple(notes))


def _pylist(column: pa.ChunkedArray) -> list[Any]:
    """Python values of a result column; decimals via their text (exact, and faster than
    pyarrow's own conversion), floats as exact Decimals of their shortest repr."""
    import pyarrow as pa

    kind = column.type
    if pa.types.is_decimal(kind):
        text = column.cast(pa.string()).to_pylist()
        if column.null_count:
            return [None if v is None else Decimal(v) for v in text]
        return list(map(Decimal, text))
    values: list[Any] = column.to_pylist()
    if pa.types.is_floating(kind):
        return [_number(v) for v in values]
    return values


def _finish(
    expr: ir.Table,
    keys: tuple[str, ...],
    kpis: tuple[Kpi, ...],
    name: str,
    notes: tuple[str, ...],
) -> KpiTable:
    result = expr.to_pyarrow()
    cols = {c: _pylist(result.column(c)) for c in result.column_names}
    totals = {c: v for c, v in cols.items() if c not in keys}
    nullable = {c for c in totals if result.column(c).null_count}
    shell = KpiTable(keys, kpis, [{}] * result.num_rows, totals, name, notes)
    names = (*keys, *(k.name for k in kpis))
    columns = [cols[k] for k in keys] + [_column(k, shell, nullable) for k in kpis]
    rows = list(map(dict, map(zip, repeat(names), zip(*columns, strict=True))))
    if not columns:
        rows = [{} for _ in range(result.num_rows)]
    return KpiTable(keys, kpis, rows, totals, name, notes)
