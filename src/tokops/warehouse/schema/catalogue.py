"""The table catalogue: every table the toolkit writes, by name (rendered to ``docs/schema.md``).

The events and audience syncs' own records (``events_*``, ``audience_syncs``) are kept by
:mod:`tokops.activate` and are not listed here yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

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
from tokops.warehouse.schema.table import Table

__all__ = ["SYNCED_TABLES", "TABLES", "table"]

#: Every table in the order of the docs.
TABLES: Final[tuple[Table, ...]] = (
    ADVERTISERS,
    CAMPAIGNS,
    ADGROUPS,
    ADS,
    ADVERTISER_DAILY,
    CAMPAIGN_DAILY,
    ADGROUP_DAILY,
    AD_DAILY,
    AD_HOURLY,
    AUDIENCE_DAILY,
    SPLIT_TESTS,
    STORES,
    GMV_MAX_DAILY,
    SHOP_PRODUCTS,
    SHOP_ORDERS,
    SHOP_ORDER_LINES,
    ORGANIC_ACCOUNTS,
    FOLLOWER_SNAPSHOTS,
    ORGANIC_ACCOUNT_DAILY,
    ORGANIC_VIDEOS,
    ORGANIC_VIDEO_SNAPSHOTS,
    INGEST_CURSORS,
    INGEST_WINDOWS,
    INGEST_RUNS,
    AD_MONTHLY,
    ROLLUP_STATE,
)
#: The tables the syncs write (:func:`tokops.ingest.declare_tables` creates them); the roll-ups
#: are created by their refresh.
SYNCED_TABLES: Final = tuple(t for t in TABLES if t.group != "rollup")

_BY_NAME: Final[Mapping[str, Table]] = {t.name: t for t in TABLES}
if len(_BY_NAME) != len(TABLES):  # pragma: no cover - guards the table list itself
    raise RuntimeError("duplicate table name")


def table(name: str) -> Table:
    """The table called *name*."""
    return _BY_NAME[name]
