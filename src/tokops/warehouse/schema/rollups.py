"""The roll-ups the store maintains from the synced tables, and their freshness (KPI-1).

``ad_monthly`` holds, per advertiser, campaign, ad group, ad, currency and month (the first day
of the month of ``stat_date``, already in the advertiser's time zone), ``days`` (the ``ad_daily``
rows it sums) and one column per **additive** paid measure (:mod:`.measures`), named after the
measure and in its unit. ``rollup_state`` records what each roll-up was built from. The refresh is
:func:`tokops.warehouse.rollup.refresh_ad_monthly`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from tokops.warehouse.schema.ads import AD_DAILY
from tokops.warehouse.schema.columns import AD, ADGROUP, ADV, CAMPAIGN, CURRENCY, col
from tokops.warehouse.schema.measures import MEASURES, Measure
from tokops.warehouse.schema.table import Column, Table

__all__ = ["AD_MONTHLY", "MONTHLY_KEYS", "ROLLUP_STATE", "rollup_measures"]


def rollup_measures(columns: Iterable[str]) -> list[Measure]:
    """Additive paid measures whose columns are all among *columns* (``ad_daily``'s)."""
    have = set(columns)
    return [
        m for m in MEASURES.values() if m.source == "paid" and m.additive and set(m.columns) <= have
    ]


#: The columns ``ad_monthly`` groups ``ad_daily`` by, besides the month.
MONTHLY_KEYS: Final = (ADV, CAMPAIGN, ADGROUP, AD, CURRENCY)

AD_MONTHLY: Final = Table(
    "ad_monthly",
    "A maintained pre-aggregate of `ad_daily` by ad and month, rebuilt after every ads sync: "
    "roll-ups over months read it instead of every day. Read only while `rollup_state` shows "
    "it rolls up `ad_daily` as it is; otherwise KPIs are computed from `ad_daily`.",
    "one row per ad, currency and month of stat_date with delivery",
    (*(c.name for c in MONTHLY_KEYS), "month"),
    (
        *MONTHLY_KEYS,
        col("month", "date", "First day of the month of stat_date (advertiser's time zone)."),
        col("days", "count", "The ad_daily rows summed."),
        *(
            Column(m.name, m.unit, f"Σ {m.description}.", "sum")
            for m in rollup_measures(AD_DAILY.names)
        ),
    ),
    group="rollup",
)

ROLLUP_STATE: Final = Table(
    "rollup_state",
    "Freshness of maintained pre-aggregates: one is read only while its source still has "
    "this row count and latest synced_at.",
    "one row per roll-up",
    ("name",),
    (
        col("name", "text", "The pre-aggregate, e.g. ad_monthly."),
        col("source_rows", "count", "count(*) of the source table it rolled up."),
        col(
            "source_max_synced_at", "timestamp", "max(synced_at) of the source table it rolled up."
        ),
        col("refreshed_at", "timestamp", "When it was rebuilt (UTC)."),
    ),
    group="rollup",
)
