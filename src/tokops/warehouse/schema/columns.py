"""Columns shared by the store's tables, and the metric columns made from the vocabulary.

Metric columns carry the **API field name** (``marketing_api.md`` §2.3, ``analytics`` §2b) so a
number can be traced back to TikTok's documentation; their type, meaning and additivity come
from :mod:`tokops.vocabulary`.
"""

from __future__ import annotations

from typing import Final

from tokops.vocabulary import (
    FOLLOWER_METRICS,
    GMV_MAX_METRICS,
    ORGANIC_DAY_METRICS,
    ORGANIC_VIDEO_METRICS,
    REPORT_METRICS,
)
from tokops.warehouse.schema.table import Column
from tokops.warehouse.schema.types import ColumnType

__all__ = [
    "AD",
    "ADGROUP",
    "ADV",
    "AUDIENCE_COLUMNS",
    "BUSINESS",
    "CAMPAIGN",
    "CURRENCY",
    "FOLLOWER_COLUMNS",
    "GMV_MAX_COLUMNS",
    "HOURLY_COLUMNS",
    "OBJECT_TIMES",
    "ORGANIC_DAY_COLUMNS",
    "ORGANIC_VIDEO_COLUMNS",
    "REPORT_COLUMNS",
    "RUN",
    "STAT_DATE",
    "SYNCED",
    "col",
]


def col(name: str, kind: ColumnType, doc: str) -> Column:
    """A column that is not a metric of the vocabulary."""
    return Column(name, kind, doc)


ADV = col("advertiser_id", "id", "Ad account (advertiser) ID.")
CAMPAIGN = col("campaign_id", "id", "Campaign ID.")
ADGROUP = col("adgroup_id", "id", "Ad group ID.")
AD = col("ad_id", "id", "Ad ID.")
STAT_DATE = col("stat_date", "date", "Report day in the advertiser's time zone (not UTC).")
CURRENCY = col("currency", "text", "ISO 4217 currency of every money column of the row.")
SYNCED = col("synced_at", "timestamp", "When tokops last wrote this row (UTC).")
BUSINESS = col("business_id", "id", "TikTok business account ID (the account's open_id).")
#: The run ID and times every sync run record starts with (ingest_runs, events_runs).
RUN: Final = (
    col("run_id", "text", "Run ID."),
    col("started_at", "timestamp", "Start (UTC)."),
    col("finished_at", "timestamp", "End (UTC); NULL while running or after a crash."),
)
#: The times and statuses every ad object (campaign, ad group, ad) carries.
OBJECT_TIMES: Final = (
    col("create_time", "timestamp", "Creation time (UTC)."),
    col(
        "modify_time", "timestamp", "Last modification time (UTC); missing on some Smart+ objects."
    ),
    col("operation_status", "text", "ENABLE | DISABLE | DELETE (the switch the user sets)."),
    col("secondary_status", "text", "Delivery status, e.g. AD_STATUS_DELIVERY_OK."),
    SYNCED,
)

#: The BASIC report metrics of the daily advertiser, campaign, ad group and ad tables.
REPORT_COLUMNS: Final = tuple(Column.of(m) for m in REPORT_METRICS)
_AUDIENCE_NAMES: Final = (
    "spend impressions clicks conversion complete_payment total_complete_payment_rate "
    "onsite_shopping total_onsite_shopping_value engagements likes comments shares follows "
    "video_watched_2s video_watched_6s"
).split()
#: AUDIENCE report metrics (no unique-visitor metrics are allowed there, §2.2).
AUDIENCE_COLUMNS: Final = tuple(c for c in REPORT_COLUMNS if c.name in _AUDIENCE_NAMES)
#: Metrics of ``ad_hourly``: the additive report metrics (hours are made to be summed; reach,
#: frequency and averages of an hour mean little and are left to the daily tables).
HOURLY_COLUMNS: Final = tuple(c for c in REPORT_COLUMNS if c.additive)
GMV_MAX_COLUMNS: Final = tuple(Column.of(m) for m in GMV_MAX_METRICS)
ORGANIC_DAY_COLUMNS: Final = tuple(Column.of(m) for m in ORGANIC_DAY_METRICS)
ORGANIC_VIDEO_COLUMNS: Final = (
    *(Column.of(m) for m in ORGANIC_VIDEO_METRICS),
    col("impression_sources", "json", "Traffic sources [{source, percentage}] as JSON text."),
    col("audience_countries", "json", "Viewer countries as JSON text."),
)
FOLLOWER_COLUMNS: Final = tuple(Column.of(m) for m in FOLLOWER_METRICS)
