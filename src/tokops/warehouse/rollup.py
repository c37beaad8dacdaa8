"""The refresh of ``ad_monthly``, the store's pre-aggregate of ``ad_daily`` (KPI-1).

Roll-ups by ad over months of delivery keep one sum state per ad and currency; past a few
thousand ads that state no longer fits in the CPU cache and the scan of ``ad_daily`` becomes
the bottleneck. ``ad_monthly`` (declared in :mod:`tokops.warehouse.schema.rollups`) holds one
column per additive paid measure, holding exactly the sum the KPI engine would take
(``SUM(column)``, or ``SUM(column * weight)`` for per-row averages). Summing those sums again
gives the same Decimal totals as summing the days.

Freshness: :func:`refresh_ad_monthly` records in ``rollup_state`` the row count and the latest
``synced_at`` of ``ad_daily`` it rolled up, in the same transaction as the rows. The roll-up is
read only while both still match (:func:`is_fresh`, two cheap aggregates); after any change to
``ad_daily`` that was not followed by a refresh, KPIs are computed from ``ad_daily`` again (never
a stale answer). The ingest refreshes it after every ads sync; the KPI engine reads it
(``tokops.metrics.rollup``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tokops.warehouse.merge import declare_table, run_transaction
from tokops.warehouse.schema.ads import AD_DAILY
from tokops.warehouse.schema.rollups import AD_MONTHLY, MONTHLY_KEYS, ROLLUP_STATE, rollup_measures
from tokops.warehouse.store import quote_ident

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from tokops.warehouse.store import Store

__all__ = ["is_fresh", "month_of", "refresh_ad_monthly"]


def month_of(t: ir.Table) -> ir.DateValue:
    """The first day of the month of ``stat_date`` (already in the advertiser's time zone)."""
    month: ir.DateValue = t.stat_date.truncate("M").cast("date")
    return month


def _select(t: ir.Table, advertiser_ids: Sequence[str] | None) -> ir.Table:
    if advertiser_ids is not None:
        t = t.filter(t.advertiser_id.isin(list(advertiser_ids)))
    group = {c.name: t[c.name] for c in MONTHLY_KEYS} | {"month": month_of(t)}
    aggs: dict[str, Any] = {"days": t.count()}
    aggs.update({m.name: m.value(t).sum() for m in rollup_measures(t.columns)})
    return t.group_by(**group).aggregate(**aggs)


def refresh_ad_monthly(store: Store, advertiser_ids: Sequence[str] | None = None) -> int:
    """Rebuild ``ad_monthly`` from ``ad_daily`` (only *advertiser_ids*' rows when given) and
    record the freshness of ``ad_daily``; one transaction. Returns the rows written.

    Refreshing a subset is right only when no other advertiser's ``ad_daily`` rows changed
    since the last refresh (the ingest checks that before it syncs); the whole table is rebuilt
    when ``ad_monthly`` is missing or lacks a measure column ``ad_daily`` now has. Its columns
    are the declared ones whose ``ad_daily`` columns exist.
    """
    if not store.exists(AD_DAILY.name):
        return 0
    declare_table(store, ROLLUP_STATE.spec())
    source = store.table(AD_DAILY.name)
    full = _select(source, None)
    monthly = AD_MONTHLY.name
    current = list(store.con.table(monthly).columns) if store.exists(monthly) else []
    if current != list(full.columns):
        advertiser_ids = None
    select = full if advertiser_ids is None else _select(source, advertiser_ids)
    name = quote_ident(monthly)
    cols = ", ".join(quote_ident(c) for c in full.columns)
    mark = store.param_mark
    statements: list[tuple[str, Sequence[Any]]] = []
    if advertiser_ids is None:
        ddl = ", ".join(f"{quote_ident(c)} {AD_MONTHLY.column(c).sql_type}" for c in full.columns)
        statements += [(f"DROP TABLE IF EXISTS {name}", []), (f"CREATE TABLE {name} ({ddl})", [])]
    elif advertiser_ids:
        marks = ", ".join([mark] * len(advertiser_ids))
        statements.append(
            (f"DELETE FROM {name} WHERE advertiser_id IN ({marks})", list(advertiser_ids))
        )
    if advertiser_ids is None or advertiser_ids:
        sql = str(store.con.compile(select))
        statements.append((f"INSERT INTO {name} ({cols}) {sql}", []))
    state = quote_ident(ROLLUP_STATE.name)
    statements += [
        (f"DELETE FROM {state} WHERE name = {mark}", [monthly]),
        (
            f"INSERT INTO {state} (name, source_rows, source_max_synced_at, refreshed_at) "
            f"SELECT {mark}, count(*), max(synced_at), CURRENT_TIMESTAMP "
            f"FROM {quote_ident(AD_DAILY.name)}",
            [monthly],
        ),
    ]
    out = run_transaction(store, statements)
    inserted = out[-3] if advertiser_ids is None or advertiser_ids else 0
    return int(inserted or 0)


def is_fresh(store: Store) -> bool:
    """True when ``ad_monthly`` rolls up ``ad_daily`` as it is now (count and max(synced_at))."""
    if not all(store.exists(t.name) for t in (AD_DAILY, AD_MONTHLY, ROLLUP_STATE)):
        return False
    state = store.table(ROLLUP_STATE.name)
    recorded = store.fetch(
        state.filter(state.name == AD_MONTHLY.name).select("source_rows", "source_max_synced_at")
    ).to_pylist()
    if len(recorded) != 1:
        return False
    t = store.table(AD_DAILY.name)
    now = store.fetch(t.aggregate(source_rows=t.count(), source_max_synced_at=t.synced_at.max()))
    return bool(now.to_pylist()[0] == recorded[0])
