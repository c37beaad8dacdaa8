"""The audience syncs' record (EVT-8): one row per sync that reached TikTok, never a hash."""

from __future__ import annotations

from typing import Final

from tokops.warehouse.schema.columns import ADV, SYNCED, col
from tokops.warehouse.schema.table import Table

__all__ = ["AUDIENCE_SYNCS"]

AUDIENCE_SYNCS: Final = Table(
    "audience_syncs",
    "Suppression audiences synced to TikTok custom audiences, append-only: the latest row of an "
    "(advertiser, name) pair is that audience's current state. Hashes are never stored.",
    "one row per audience sync run",
    ("run_id",),
    (
        col("run_id", "id", "Run ID."),
        SYNCED,
        col("name", "text", "The audience's name."),
        ADV,
        col("custom_audience_id", "id", "TikTok's custom audience ID."),
        col("calculate_type", "text", "EMAIL_SHA256 | PHONE_SHA256: the key the list is of."),
        col("action", "text", "create | replace | recreate | unchanged."),
        col("rows", "count", "Source rows kept (those in the time window, when one is set)."),
        col("invalid", "count", "Source rows left out as blank or invalid."),
        col("entries", "count", "Distinct hashes in the customer file."),
        col("file_md5", "text", "MD5 of the customer file (the audience's content fingerprint)."),
    ),
    group="audiences",
)
