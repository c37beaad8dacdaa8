"""The store's schema: the table catalogue, the column types and the measures (one home).

Pure declarations (no engine I/O). Every table the toolkit writes is a :class:`Table` here,
reachable by its constant (``AD_DAILY.name`` is the one place the name ``ad_daily`` is written)
or by :func:`table`; a metric column's unit and additivity come from :mod:`tokops.vocabulary`,
re-exported here. ``docs/schema.md`` is generated from it (:mod:`.doc`). The ingest writes
against these declarations; the KPI engine, the insights, the roll-up refresh
(:mod:`tokops.warehouse.rollup`) and the events and audience syncs (:mod:`tokops.activate`, whose
ledger, runs, samples and audience records are declared here too) read table names and columns
from them.
"""

from __future__ import annotations

from tokops.vocabulary import Additivity, Metric, Unit
from tokops.warehouse.schema.ads import (
    AD_DAILY,
    AD_HOURLY,
    ADGROUP_DAILY,
    ADGROUPS,
    ADS,
    ADVERTISER_DAILY,
    ADVERTISERS,
    AUDIENCE_DAILY,
    CAMPAIGN_DAILY,
    CAMPAIGNS,
    SPLIT_TESTS,
)
from tokops.warehouse.schema.audiences import AUDIENCE_SYNCS
from tokops.warehouse.schema.catalogue import SYNCED_TABLES, TABLES, table
from tokops.warehouse.schema.events import (
    EVENTS_BATCHES,
    EVENTS_LEDGER,
    EVENTS_OUTCOMES,
    EVENTS_RUNS,
    EVENTS_SAMPLES,
)
from tokops.warehouse.schema.measures import MEASURES, Measure, Source
from tokops.warehouse.schema.organic import (
    FOLLOWER_SNAPSHOTS,
    ORGANIC_ACCOUNT_DAILY,
    ORGANIC_ACCOUNTS,
    ORGANIC_VIDEO_SNAPSHOTS,
    ORGANIC_VIDEOS,
)
from tokops.warehouse.schema.rollups import AD_MONTHLY, ROLLUP_STATE
from tokops.warehouse.schema.shop import (
    GMV_MAX_DAILY,
    SHOP_ORDER_LINES,
    SHOP_ORDERS,
    SHOP_PRODUCTS,
    STORES,
)
from tokops.warehouse.schema.sync import INGEST_CURSORS, INGEST_RUNS, INGEST_WINDOWS
from tokops.warehouse.schema.table import Column, Group, Table
from tokops.warehouse.schema.types import ColumnType

__all__ = [
    "ADGROUPS",
    "ADGROUP_DAILY",
    "ADS",
    "ADVERTISERS",
    "ADVERTISER_DAILY",
    "AD_DAILY",
    "AD_HOURLY",
    "AD_MONTHLY",
    "AUDIENCE_DAILY",
    "AUDIENCE_SYNCS",
    "CAMPAIGNS",
    "CAMPAIGN_DAILY",
    "EVENTS_BATCHES",
    "EVENTS_LEDGER",
    "EVENTS_OUTCOMES",
    "EVENTS_RUNS",
    "EVENTS_SAMPLES",
    "FOLLOWER_SNAPSHOTS",
    "GMV_MAX_DAILY",
    "INGEST_CURSORS",
    "INGEST_RUNS",
    "INGEST_WINDOWS",
    "MEASURES",
    "ORGANIC_ACCOUNTS",
    "ORGANIC_ACCOUNT_DAILY",
    "ORGANIC_VIDEOS",
    "ORGANIC_VIDEO_SNAPSHOTS",
    "ROLLUP_STATE",
    "SHOP_ORDERS",
    "SHOP_ORDER_LINES",
    "SHOP_PRODUCTS",
    "SPLIT_TESTS",
    "STORES",
    "SYNCED_TABLES",
    "TABLES",
    "Additivity",
    "Column",
    "ColumnType",
    "Group",
    "Measure",
    "Metric",
    "Source",
    "Table",
    "Unit",
    "table",
]
