"""KPIs from ``ad_monthly``, the store's pre-aggregate of ``ad_daily`` at ad × month (KPI-1).

The store keeps ``ad_monthly`` (declared in :mod:`tokops.warehouse.schema.rollups`, refreshed by
:func:`tokops.warehouse.rollup.refresh_ad_monthly` after every ads sync) with one column per
additive paid measure, named after the measure. :func:`monthly_source` gives ``compute_kpis``
the rows to group for a grain without day/week, spark or audience dimension: whole months inside
the date window from ``ad_monthly``, the partial months at its edges from ``ad_daily`` (UNION
ALL, grouped by the caller), and only while the roll-up is fresh (never a stale answer).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from tokops.metrics.grain import Grain
from tokops.metrics.measures import MEASURES
from tokops.warehouse.rollup import is_fresh, month_of
from tokops.warehouse.schema import AD_DAILY, AD_MONTHLY

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from tokops.warehouse import Store

__all__ = ["monthly_source"]

_GRAIN_NAMES: Final = frozenset({"advertiser", "campaign", "adgroup", "ad", "currency", "month"})


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
    monthly = store.table(AD_MONTHLY.name)
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
        t = store.table(AD_DAILY.name)
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
        cols = {o: month_of(t) if o == "month" else t[o] for o in outputs}
        cols.update({n: MEASURES[n].value(t).cast(types[n]) for n in measures})
        parts.append(t.select(**cols))
    return parts[0] if len(parts) == 1 else parts[0].union(parts[1])
