"""The table catalogue: every table the toolkit writes, by name (rendered to ``docs/schema.md``).

The events and audience syncs' own records (``events_*``, ``audience_syncs``) are listed too;
:mod:`tokops.activate` creates and writes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from tokops.warehouse.schema import ads, audiences, events, organic, rollups, shop, sync
from tokops.warehouse.schema.table import Table

__all__ = ["SYNCED_TABLES", "TABLES", "table"]

#: Every table in the order of the docs.
TABLES: Final[tuple[Table, ...]] = (
    *(ads.ADVERTISERS, ads.CAMPAIGNS, ads.ADGROUPS, ads.ADS),
    *(ads.ADVERTISER_DAILY, ads.CAMPAIGN_DAILY, ads.ADGROUP_DAILY, ads.AD_DAILY, ads.AD_HOURLY),
    *(ads.AUDIENCE_DAILY, ads.SPLIT_TESTS),
    *(shop.STORES, shop.GMV_MAX_DAILY, shop.SHOP_PRODUCTS, shop.SHOP_ORDERS, shop.SHOP_ORDER_LINES),
    *(organic.ORGANIC_ACCOUNTS, organic.FOLLOWER_SNAPSHOTS, organic.ORGANIC_ACCOUNT_DAILY),
    *(organic.ORGANIC_VIDEOS, organic.ORGANIC_VIDEO_SNAPSHOTS),
    *(sync.INGEST_CURSORS, sync.INGEST_WINDOWS, sync.INGEST_RUNS),
    *(rollups.AD_MONTHLY, rollups.ROLLUP_STATE),
    *(events.EVENTS_LEDGER, events.EVENTS_BATCHES, events.EVENTS_OUTCOMES, events.EVENTS_RUNS),
    *(events.EVENTS_SAMPLES, audiences.AUDIENCE_SYNCS),
)
#: The tables the ads, shop and organic syncs write (:func:`tokops.ingest.declare_tables` creates
#: them); the roll-ups are created by their refresh, the events and audience records by
#: :mod:`tokops.activate`.
SYNCED_TABLES: Final = tuple(t for t in TABLES if t.group in ("ads", "shop", "organic", "sync"))

_BY_NAME: Final[Mapping[str, Table]] = {t.name: t for t in TABLES}
if len(_BY_NAME) != len(TABLES):  # pragma: no cover - guards the table list itself
    raise RuntimeError("duplicate table name")


def table(name: str) -> Table:
    """The table called *name*."""
    return _BY_NAME[name]
