"""KPI roll-ups at any grain: one Ibis query (filter, group by, sums), then the formulas.

The query sums the base measures per group on the engine (DuckDB, PostgreSQL …); the catalogue's
formulas then run on those sums in Python with :class:`~decimal.Decimal`, so every ratio is
Σ numerator / Σ denominator at the grain asked for, and a zero denominator gives ``None``.

Money is never added across currencies: paid roll-ups always group by ``currency`` too (an
account has one currency, so this splits nothing unless the selection mixes currencies; then
each currency gets its own rows).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from tokops.errors import ConfigError
from tokops.metrics.catalogue import CATALOGUE, Kpi
from tokops.metrics.grain import Grain, choose_paid_table, is_native, parse_grain
from tokops.metrics.measures import MEASURES, Source

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from tokops.warehouse import Store

__all__ = ["KpiTable", "Number", "compute_kpis", "evaluate", "select_kpis"]

Number = int | Decimal
ORGANIC_TABLE = "organic_account_daily"
POSTS_TABLE = "organic_video_snapshots"


@dataclass(frozen=True)
class KpiTable:
    """The result of a roll-up: one row per group (group columns, then KPIs by name)."""

    keys: tuple[str, ...]
    kpis: tuple[Kpi, ...]
    rows: list[dict[str, Any]]
    sums: list[dict[str, Number | None]]
    """The base-measure sums behind each row (same order as :attr:`rows`)."""
    table: str
    notes: tuple[str, ...] = field(default=())
    extra: tuple[tuple[str, str], ...] = field(default=())
    """Columns added after the KPIs (comparisons, targets) as (name, unit)."""

    @property
    def units(self) -> dict[str, str]:
        """Column → unit (``key`` for group columns), in output order."""
        units = dict.fromkeys(self.keys, "key")
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
        raise ConfigError(f"unknown KPI {', '.join(unknown)}; see `tokops kpi --list`")
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


def _column(kpi: Kpi, cols: Mapping[str, list[Any]], sums: list[dict[str, Any]]) -> list[Any]:
    """One KPI for every group, column-wise (same results as :func:`evaluate` row by row)."""
    if len(kpi.numerator) != 1 or len(kpi.denominator) > 1:
        return [evaluate(kpi, row) for row in sums]
    num = cols.get(kpi.numerator[0])
    if num is None:
        return [None] * len(sums)
    if not kpi.denominator:
        return num
    den, scale = cols.get(kpi.denominator[0]), kpi.scale
    if den is None:
        return [None] * len(sums)
    return [
        None if n is None or not d else Decimal(n) * scale / d
        for n, d in zip(num, den, strict=True)
    ]


def _key_expr(t: ir.Table, name: str, column: str) -> ir.Value:
    if name == "week":
        return t[column].truncate("W")
    if name == "month":
        return t[column].truncate("M")
    return t[column]


def _paid_base(store: Store, grain: Grain, table: str | None) -> tuple[ir.Table, str, bool]:
    if table is None:
        chosen = choose_paid_table(grain, store.exists)
        name, native = chosen.name, is_native(grain, chosen)
    else:
        name, native = table, False
    t = store.table(name)
    if "spark" in grain.names:
        if "ad_id" not in t.columns:
            raise ConfigError(f"grain 'spark' needs ad_id rows; {name} has none")
        ads = store.table("ads").select("advertiser_id", "ad_id", "is_spark")
        t = t.left_join(ads, ["advertiser_id", "ad_id"]).select(
            *t.columns, is_spark=ads.is_spark.fill_null(False)
        )
    return t, name, native


def _posts_base(store: Store, end: dt.date | None) -> ir.Table:
    import ibis

    t = store.table(POSTS_TABLE)
    if end is not None:
        t = t.filter(t.snapshot_date <= end)
    rank = ibis.row_number().over(
        group_by=[t.business_id, t.item_id], order_by=[ibis.desc(t.snapshot_date)]
    )
    return t.mutate(_rank=rank).filter(lambda r: r._rank == 0)


def _aggregates(
    t: ir.Table, kpis: Sequence[Kpi], native: bool
) -> tuple[dict[str, ir.Value], list[str]]:
    aggs: dict[str, ir.Value] = {}
    skipped: list[str] = []
    for name in dict.fromkeys(m for k in kpis for m in k.measures):
        m = MEASURES[name]
        if not m.additive:
            if native:
                aggs[name] = t[m.column].max()
            else:
                skipped.append(name)
            continue
        value = t[m.column] if m.weight is None else t[m.column] * t[m.weight]
        aggs[name] = value.sum()
    return aggs, skipped


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

    Paid KPIs read the report tables (see :mod:`.grain`), organic ones
    ``organic_account_daily``, post KPIs the latest ``organic_video_snapshots`` row per post up
    to *end*. Reach-based KPIs are ``None`` unless each group is one entity-day (see notes).
    """
    chosen = select_kpis(kpis)
    source = chosen[0].source if chosen else "paid"
    grain = parse_grain(by, source)
    notes: list[str] = []
    if source == "paid":
        t, name, native = _paid_base(store, grain, table)
        keys = [*grain.names, *([] if "currency" in grain.names else ["currency"])]
    elif source == "organic":
        name, native = table or ORGANIC_TABLE, False
        t, keys = store.table(name), list(grain.names)
    else:
        if start is not None:
            notes.append("post KPIs are lifetime values at the latest snapshot; --from is ignored")
        name, native, keys = table or POSTS_TABLE, False, list(grain.names)
        t = _posts_base(store, end)
    if source != "organic_video":
        if start is not None:
            t = t.filter(t.stat_date >= start)
        if end is not None:
            t = t.filter(t.stat_date <= end)
    if advertiser_ids:
        if "advertiser_id" not in t.columns:
            raise ConfigError("--advertiser applies to paid KPIs only")
        t = t.filter(t.advertiser_id.isin(list(advertiser_ids)))
    dims = {d.name: d for d in grain.dims}
    outputs = {k: dims[k].output if k in dims else k for k in keys}
    group = {outputs[k]: _key_expr(t, k, dims[k].column if k in dims else k) for k in keys}
    aggs, skipped = _aggregates(t, chosen, native)
    if skipped:
        notes.append(
            f"{', '.join(k.name for k in chosen if not k.additive)}: not additive over days or "
            "ads; shown only at an entity-day grain (e.g. --by ad,day or --by advertiser,day "
            "with advertiser_daily), None here"
        )
    expr = t.group_by(**group).aggregate(**aggs) if group else t.aggregate(**aggs)
    if group:
        expr = expr.order_by(list(group))
    return _finish(expr, tuple(group), chosen, name, tuple(notes))


def _finish(
    expr: ir.Table, keys: tuple[str, ...], kpis: tuple[Kpi, ...], name: str, notes: tuple[str, ...]
) -> KpiTable:
    import pyarrow as pa

    result = expr.to_pyarrow()
    cols: dict[str, list[Any]] = result.to_pydict()
    measures = [c for c in result.column_names if c not in keys]
    for m in measures:  # sums arrive as int / Decimal; floats become exact Decimals
        if pa.types.is_floating(result.schema.field(m).type):
            cols[m] = [_number(v) for v in cols[m]]
    n = result.num_rows
    sums = [
        dict(zip(measures, vals, strict=True))
        for vals in zip(*(cols[m] for m in measures), strict=True)
    ]
    if not measures:
        sums = [{} for _ in range(n)]
    names = (*keys, *(k.name for k in kpis))
    columns = [cols[k] for k in keys] + [_column(k, cols, sums) for k in kpis]
    rows = (
        [dict(zip(names, vals, strict=True)) for vals in zip(*columns, strict=True)]
        if columns
        else []
    )
    return KpiTable(keys, kpis, rows, sums, name, notes)
