"""The store tables the KPI engine reads, as the catalogue declares them (names and columns).

The declarations live in :mod:`tokops.warehouse.schema`; the features built on the KPI engine
(insights, reports) take them from here, so a table name is written in one place only.
"""

from __future__ import annotations

from tokops.warehouse.schema import (
    AD_DAILY,
    AD_MONTHLY,
    AUDIENCE_DAILY,
    FOLLOWER_SNAPSHOTS,
    ORGANIC_ACCOUNT_DAILY,
    ORGANIC_VIDEO_SNAPSHOTS,
    ORGANIC_VIDEOS,
    SPLIT_TESTS,
    Table,
    table,
)

__all__ = [
    "AD_DAILY",
    "AD_MONTHLY",
    "AUDIENCE_DAILY",
    "FOLLOWER_SNAPSHOTS",
    "ORGANIC_ACCOUNT_DAILY",
    "ORGANIC_VIDEOS",
    "ORGANIC_VIDEO_SNAPSHOTS",
    "SPLIT_TESTS",
    "Table",
    "table",
]
