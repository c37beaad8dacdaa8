"""The row set each KPI source reads, as an Ibis table with ``stat_date`` and the measure columns.

- ``paid``: the coarsest daily report table holding the grain's entities (:mod:`.grain`), or
  ``audience_daily`` filtered on one audience dimension for a segment grain (KPI-5c);
- ``organic``: ``organic_account_daily``;
- ``organic_video``: the latest ``organic_video_snapshots`` row per post up to the end date;
- ``followers``: one row per follower snapshot with the measures of :func:`followers_base`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from tokops.errors import ConfigError
from tokops.metrics.grain import AUDIENCE_TABLE, Grain, choose_paid_table, is_native
from tokops.metrics.reader import Reader
from tokops.metrics.tables import FOLLOWER_SNAPSHOTS, ORGANIC_ACCOUNT_DAILY, ORGANIC_VIDEO_SNAPSHOTS

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from tokops.warehouse import Store

__all__ = [
    "FOLLOWERS_TABLE",
    "ORGANIC_TABLE",
    "POSTS_TABLE",
    "Base",
    "followers_base",
    "key_expr",
    "paid_base",
    "posts_base",
    "synced_table",
]

ORGANIC_TABLE: Final = ORGANIC_ACCOUNT_DAILY.name
POSTS_TABLE: Final = ORGANIC_VIDEO_SNAPSHOTS.name
FOLLOWERS_TABLE: Final = FOLLOWER_SNAPSHOTS.name


@dataclass(frozen=True, slots=True)
class Base:
    table: ir.Table
    name: str
    native: bool
    """True when each group of the grain is one store row (non-additive measures are read)."""


def synced_table(store: Reader, name: str, stream: str = "ads") -> ir.Table:
    """The store's *name* table, or an error that says which sync fills it."""
    if not store.exists(name):
        raise ConfigError(f"no {name} table in the store: run `tokops sync {stream}` first")
    return store.table(name)


def key_expr(t: ir.Table, name: str, column: str) -> ir.Value:
    """A group column: ``week``/``month`` truncate the date (weeks start on Monday)."""
    if name == "week":
        return t[column].truncate("W")
    if name == "month":
        return t[column].truncate("M")
    return t[column]


def paid_base(store: Store, grain: Grain, table: str | None) -> Base:
    """Report rows for *grain*: a daily report table, or one dimension of ``audience_daily``."""
    segment = grain.segment
    if segment is not None:
        t = store.table(table) if table else synced_table(store, AUDIENCE_TABLE)
        return Base(t.filter(t.dimension == segment.segment), AUDIENCE_TABLE, False)
    if table is None:
        chosen = choose_paid_table(grain, store.exists)
        name, native = chosen.name, is_native(grain, chosen)
        t = synced_table(store, name)
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
    return Base(t, name, native)


def posts_base(store: Store, end: dt.date | None) -> ir.Table:
    """The latest snapshot per post up to *end* (lifetime values are never summed over days)."""
    import ibis

    t = synced_table(store, POSTS_TABLE, "organic")
    if end is not None:
        t = t.filter(t.snapshot_date <= end)
    rank = ibis.row_number().over(
        group_by=[t.business_id, t.item_id], order_by=[ibis.desc(t.snapshot_date)]
    )
    return t.mutate(_rank=rank).filter(lambda r: r._rank == 0)


def followers_base(
    store: Store, time: str | None, start: dt.date | None, end: dt.date | None
) -> ir.Table:
    """One row per follower snapshot in ``start..end`` with the follower measures.

    A period (the *time* dimension, or the whole window without one) of an account opens at the
    last snapshot **before** its first snapshot in the period (the first snapshot itself when
    there is none) and closes at its last snapshot. So ``followers_start`` is set on the
    period's first row, ``followers_end`` on its last, and ``follower_growth`` on every row is
    the change since the previous snapshot: summed over the period it is end − start. Missing
    days make no error: the change over a gap counts in the period of the snapshot that closes
    it, and a period without any snapshot has no row. Periods are UTC days of the reading.
    """
    import ibis

    t = synced_table(store, FOLLOWERS_TABLE, "organic")
    if end is not None:
        t = t.filter(t.snapshot_date <= end)
    count = t.followers_count
    prev = count.lag().over(group_by=t.business_id, order_by=t.snapshot_date)
    t = t.mutate(stat_date=t.snapshot_date, _open=prev.coalesce(count))
    if start is not None:
        t = t.filter(t.stat_date >= start)
    period = [t.business_id] + ([key_expr(t, time, "stat_date")] if time else [])
    first = ibis.row_number().over(group_by=period, order_by=t.stat_date)
    last = ibis.row_number().over(group_by=period, order_by=ibis.desc(t.stat_date))
    return t.mutate(
        followers_start=ibis.ifelse(first == 0, t._open, ibis.null("int64")),
        followers_end=ibis.ifelse(last == 0, t.followers_count, ibis.null("int64")),
        follower_growth=t.followers_count - t._open,
    )
