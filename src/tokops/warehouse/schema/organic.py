"""The organic tables: business accounts, follower history and the posts (KPI-3, KPI-5c)."""

from __future__ import annotations

from typing import Final

from tokops.warehouse.schema.columns import (
    BUSINESS,
    FOLLOWER_COLUMNS,
    ORGANIC_DAY_COLUMNS,
    ORGANIC_VIDEO_COLUMNS,
    SYNCED,
    col,
)
from tokops.warehouse.schema.table import Table

__all__ = [
    "FOLLOWER_SNAPSHOTS",
    "ORGANIC_ACCOUNTS",
    "ORGANIC_ACCOUNT_DAILY",
    "ORGANIC_VIDEOS",
    "ORGANIC_VIDEO_SNAPSHOTS",
]

ORGANIC_ACCOUNTS: Final = Table(
    "organic_accounts",
    "TikTok business accounts (profile and the latest follower count).",
    "one row per account",
    ("business_id",),
    (
        BUSINESS,
        col("username", "text", "@handle."),
        col("display_name", "text", "Display name."),
        col("profile_image", "text", "Profile image URL."),
        col("followers_count", "count", "Followers at synced_at (see follower_snapshots)."),
        SYNCED,
    ),
    group="organic",
)
FOLLOWER_SNAPSHOTS: Final = Table(
    "follower_snapshots",
    "Follower count read once per day: the API only gives the count at call time and "
    "cannot backfill it, so this table is the only follower history.",
    "one row per account per UTC day of the reading (the day's latest reading)",
    ("business_id", "snapshot_date"),
    (
        BUSINESS,
        col("snapshot_date", "date", "UTC date of taken_at."),
        *FOLLOWER_COLUMNS,
        col("taken_at", "timestamp", "When the count was read (UTC)."),
    ),
    group="organic",
)
ORGANIC_ACCOUNT_DAILY: Final = Table(
    "organic_account_daily",
    "Daily organic account metrics (the API backfills about 60 days).",
    "one row per account per day (the account's day as the API reports it)",
    ("business_id", "stat_date"),
    (
        BUSINESS,
        col("stat_date", "date", "Day as reported by the API."),
        *ORGANIC_DAY_COLUMNS,
        SYNCED,
    ),
    group="organic",
    window="stat_date",
    scope=("business_id",),
)
ORGANIC_VIDEOS: Final = Table(
    "organic_videos",
    "The accounts' posts with their latest lifetime metrics (KPI-3).",
    "one row per post",
    ("business_id", "item_id"),
    (
        BUSINESS,
        col("item_id", "id", "Post ID (ads.tiktok_item_id for Spark ads)."),
        col("create_time", "timestamp", "When the post was published (UTC)."),
        col("caption", "text", "Caption."),
        col("share_url", "text", "Share URL."),
        col("thumbnail_url", "text", "Thumbnail URL."),
        col("video_duration", "seconds", "Length in seconds."),
        col(
            "hashtags",
            "json",
            "Hashtags (JSON list) when the API returns them; NULL: parse the caption.",
        ),
        col("content_type", "text", "Format (tutorial, review …) when the API returns it."),
        *ORGANIC_VIDEO_COLUMNS,
        SYNCED,
    ),
    group="organic",
)
ORGANIC_VIDEO_SNAPSHOTS: Final = Table(
    "organic_video_snapshots",
    "Lifetime post metrics read once per day; consecutive snapshots give daily views, "
    "likes … per post (KPI-3). Includes paid engagement of Spark ads (SPK-2).",
    "one row per post per UTC day of the reading (the day's latest reading)",
    ("business_id", "item_id", "snapshot_date"),
    (
        BUSINESS,
        col("item_id", "id", "Post ID."),
        col("snapshot_date", "date", "UTC date of taken_at."),
        col("taken_at", "timestamp", "When the metrics were read (UTC)."),
        *ORGANIC_VIDEO_COLUMNS,
    ),
    group="organic",
)
