"""A maintained pre-aggregate of ``ad_daily`` at ad × month grain (``ad_monthly``; KPI-1).

Roll-ups by ad over months of delivery keep one sum state per ad and currency; past a few
thousand ads that state no longer fits in the CPU cache and the scan of ``ad_daily`` becomes
the bottleneck. ``ad_monthly`` holds, per advertiser, campaign, ad group, ad, currency and
month (the first day of the month of ``stat_date``, already in the advertiser's time zone),
``days`` (the ``ad_daily`` rows it sums) and one column per **additive** paid measure, named
after the measure and holding exactly the sum :func:`~tokops.metrics.compute.compute_kpis`
would take (``SUM(column)``, or ``SUM(column * weight)`` for per-row averages). Summing those
sums again gives the same Decimal totals as summing the days.

Freshness: :func:`refresh_ad_monthly` records in ``rollup_state`` the row count and the latest
``synced_at`` of ``ad_daily`` it rolled up, in the same transaction as the rows. The roll-up is
read only while both still match (two cheap aggregates); after any change to ``ad_daily`` that
was not followed by a refresh, KPIs are computed from ``ad_daily`` again (never a stale answer).

:func:`monthly_source` gives ``compute_kpis`` the rows to group for a grain without day/week,
spark or audience dimension: whole months inside the date window from ``ad_monthly``, the
partial months at its edges from ``ad_daily`` (UNION ALL, grouped by the caller).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from tokops.metrics.grain import Grain
from tokops.metrics.measures import MEASURES, Measure
from tokops.warehouse import quote_ident
from tokops.warehouse.merge import ColumnSpec, TableSpec, declare_table, run_transaction

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from tokops.warehouse import Store

__all__ = [
    "MONTHLY_TABLE",
    "SOURCE_TABLE",
    "STATE_TABLE",
    "is_fresh",
    "monthly_source",
    "refresh_ad_monthly",
    "rollup_measures",
]

SOURCE_TABLE: Final = "ad_daily"
MONTHLY_TABLE: Final = "ad_monthly"
STATE_TABLE: Final = "rollup_state"
KEYS: Final = ("advertiser_id", "campaign_id", "adgroup_id", "ad_id", "currency")
_GRAIN_NAMES: Final = frozenset({"advertiser", "campaign", "adgroup", "ad", "currency", "month"})
_STATE_SPEC: Final = TableSpec(
    STATE_TABLE,
    (
        ColumnSpec("name", "VARCHAR", "The pre-aggregate, e.g. ad_monthly."),
        ColumnSpec("source_rows", "BIGINT", "count(*) of the source table it rolled up."),
        ColumnSpec(
            "source_max_synced_at",
            "TIMESTAMP WITH TIME ZONE",
            "max(synced_at) of the source table it rolled up.",
        ),
        ColumnSpec("refreshed_at", "TIMESTAMP WITH TIME ZONE", "When it was rebuilt (UTC)."),
    ),
    "Freshness of maintained pre-aggregates: one is read only while its source still has "
    "this row count and latest synced_at.",
)


def rollup_measures(columns: Sequence[str]) -> list[Measure]:
    """Additive paid measures whose columns are all among *columns* (``ad_daily``'s)."""
    have = set(columns)
    return [
        m for m in MEASURES.values() if m.source == "paid" and m.additive and set(m.columns) <= have
    ]


def _month(t: ir.Table) -> ir.DateValue:
    month: ir.DateValue = t.stat_date.truncate("M").cast("date")
    return month


def _select(t: ir.Table, advertiser_ids: Sequence[str] | None) -> ir.Table:
    if advertiser_ids is not None:
        t = t.filter(t.advertiser_id.isin(list(advertiser_ids)))
    group = {k: t[k] for k in KEYS} | {"month": _month(t)}
    aggs: dict[str, Any] = {"days": t.count()}
    aggs.update({m.name: m.value(t).sum() for m in rollup_measures(t.columns)})
    return t.group_by(**group).aggregate(**aggs)


def _sql_type(dtype: Any) -> str:
    if dtype.is_integer():
        return "BIGINT"
    if dtype.is_decimal():
        return f"DECIMAL({dtype.precision or 38}, {dtype.scale or 0})"
    if dtype.is_date():
        return "DATE"
    if dtype.is_string():
        return "VARCHAR"
    raise AssertionError(f"unexpected column type {dtype} in {MONTHLY_TABLE}")  # pragma: no cover


def refresh_ad_monthly(store: Store, advertiser_ids: Sequence[str] | None = None) -> int:
    """Rebuild ``ad_monthly`` from ``ad_daily`` (only *advertiser_ids*' rows when given) and
    record the freshness of ``ad_daily``; one transaction. Returns the rows written.

    Refreshing a subset is right only when no other advertiser's ``ad_daily`` rows changed
    since the last refresh (the ingest checks that before it syncs); the whole table is rebuilt
    when ``ad_monthly`` is missing or lacks a measure column ``ad_daily`` now has.
    """
    if not store.exists(SOURCE_TABLE):
        return 0
    declare_table(store, _STATE_SPEC)
    source = store.table(SOURCE_TABLE)
    full = _select(source, None)
    current = list(store.con.table(MONTHLY_TABLE).columns) if store.exists(MONTHLY_TABLE) else []
    if current != list(full.columns):
        advertiser_ids = None
    select = full if advertiser_ids is None else _select(source, advertiser_ids)
    name = quote_ident(MONTHLY_TABLE)
    cols = ", ".join(quote_ident(c) for c in full.columns)
    mark = store.param_mark
    statements: list[tuple[str, Sequence[Any]]] = []
    if advertiser_ids is None:
        schema = full.schema()
        ddl = ", ".join(f"{quote_ident(c)} {_sql_type(schema[c])}" for c in full.columns)
        statements += [(f"DROP TABLE IF EXISTS {name}", []), (f"CREATE TABLE {name} ({ddl})", [])]
    elif advertiser_ids:
        marks = ", ".join([mark] * len(advertiser_ids))
        statements.append(
            (f"DELETE FROM {name} WHERE advertiser_id IN ({marks})", list(advertiser_ids))
        )
    if advertiser_ids is None or advertiser_ids:
        sql = str(store.con.compile(select))
        statements.append((f"INSERT INTO {name} ({cols}) {sql}", []))
    state = quote_ident(STATE_TABLE)
    statements += [
        (f"DELETE FROM {state} WHERE name = {mark}", [MONTHLY_TABLE]),
        (
            f"INSERT INTO {state} (name, source_rows, source_max_synced_at, refreshed_at) "
            f"SELECT {mark}, count(*), max(synced_at), CURRENT_TIMESTAMP "
            f"FROM {quote_ident(SOURCE_TABLE)}",
            [MONTHLY_TABLE],
        ),
    ]
    out = run_transaction(store, statements)
    inserted = out[-3] if advertiser_ids is None or advertiser_ids else 0
    return int(inserted or 0)


def is_fresh(store: Store) -> bool:
    """True when ``ad_monthly`` rolls up ``ad_daily`` as it is now (count and max(synced_at))."""
    if not all(store.exists(n) for n in (SOURCE_TABLE, MONTHLY_TABLE, STATE_TABLE)):
        return False
    state = store.table(STATE_TABLE)
    recorded = store.fetch(
        state.filter(state.name == MONTHLY_TABLE).select("source_rows", "source_max_synced_at")
    ).to_pylist()
    if len(recorded) != 1:
        return False
    t = store.table(SOURCE_TABLE)
    now = store.fetch(t.aggregate(source_rows=t.count(), source_max_synced_at=t.synced_at.max()))
    return bool(now.to_pylist()[0] == recorded[0])


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _whole_months(
    start: dt.date | None, end: dt.date | None
) -> tuple[dt.date | None, dt.date | None] | None:
    """``[lo, hi)``: the first days of the months wholly inside ``start..end`` (None = open);
    None when no month is."""
    lo = None if start is None else (start if start.day == 1 else _next_month(start))
    if end is None:
        hi = None
    else:
        hi = _next_month(end) if (end + dt.timedelta(days=1)).day == 1 else end.replace(day=1)
    if lo is not None and hi is not None and lo >= hi:
        return None
    return lo, hi


def monthly_source(
    store: Store,
    grain: Grain,
    outputs: Sequence[str],
    measures: Sequence[str],
    start: dt.date | None,
    end: dt.date | None,
    advertiser_ids: Sequence[str] = (),
) -> ir.Table | None:
    """Rows to group by *outputs* and sum *measures* over (columns named after them), or None
    when ``ad_monthly`` cannot answer: a grain it does not hold, a measure it lacks, no whole
    month in the window, or a roll-up that is not :func:`fresh <is_fresh>`.

    The date window and advertiser filter are applied here.
    """
    if not set(grain.names) <= _GRAIN_NAMES:
        return None
    window = _whole_months(start, end)
    if window is None or not is_fresh(store):
        return None
    monthly = store.table(MONTHLY_TABLE)
    if any(m not in monthly.columns for m in measures):
        return None
    if advertiser_ids:
        monthly = monthly.filter(monthly.advertiser_id.isin(list(advertiser_ids)))
    lo, hi = window
    if lo is not None:
        monthly = monthly.filter(monthly.month >= lo)
    if hi is not None:
        monthly = monthly.filter(monthly.month < hi)
    types = monthly.schema()
    parts = [monthly.select(*outputs, *measures)]
    if lo is not None or hi is not None:
        t = store.table(SOURCE_TABLE)
        if advertiser_ids:
            t = t.filter(t.advertiser_id.isin(list(advertiser_ids)))
        if start is not None:
            t = t.filter(t.stat_date >= start)
        if end is not None:
            t = t.filter(t.stat_date <= end)
        if lo is not None and hi is not None:
            t = t.filter((t.stat_date < lo) | (t.stat_date >= hi))
        elif lo is not None:
            t = t.filter(t.stat_date < lo)
        else:
            t = t.filter(t.stat_date >= hi)
        cols = {o: _month(t) if o == "month" else t[o] for o in outputs}
        cols.update({n: MEASURES[n].value(t).cast(types[n]) for n in measures})
        parts.append(t.select(**cols))
    return parts[0] if len(parts) == 1 else parts[0].union(parts[1])
