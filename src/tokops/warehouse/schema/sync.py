"""The sync's own bookkeeping: cursors, checkpoints and runs (resumable, idempotent syncs)."""

from __future__ import annotations

from typing import Final

from tokops.warehouse.schema.columns import RUN, SYNCED, col
from tokops.warehouse.schema.table import Table

__all__ = ["INGEST_CURSORS", "INGEST_RUNS", "INGEST_WINDOWS"]

INGEST_CURSORS: Final = Table(
    "ingest_cursors",
    "Where each incremental stream stands, per advertiser or account.",
    "one row per stream and scope",
    ("stream", "scope_id"),
    (
        col("stream", "text", "Stream name, e.g. ad_daily, audience_age."),
        col("scope_id", "id", "Advertiser ID (or business ID, store ID) the stream is for."),
        col("synced_from", "date", "First day of the range kept in sync."),
        col("synced_through", "date", "Last day pulled."),
        col(
            "settled_through",
            "date",
            "Every day up to this one was pulled after its "
            "look-back had passed: the next sync starts the day after.",
        ),
        col("updated_at", "timestamp", "When the cursor moved (UTC)."),
    ),
    group="sync",
)
INGEST_WINDOWS: Final = Table(
    "ingest_windows",
    "One checkpoint per stream, scope and window, written in the same transaction as "
    "the window's rows.",
    "one row per stream, scope and date window pulled",
    ("stream", "scope_id", "window_start", "window_end"),
    (
        col("stream", "text", "Stream name."),
        col("scope_id", "id", "Advertiser, account or store ID."),
        col("window_start", "date", "First day of the window."),
        col("window_end", "date", "Last day of the window."),
        col("row_count", "count", "Rows written for the window."),
        col("run_id", "text", "The sync run that wrote it (ingest_runs)."),
        SYNCED,
    ),
    group="sync",
)
INGEST_RUNS: Final = Table(
    "ingest_runs",
    "One row per `tokops sync` run with its outcome.",
    "one row per run",
    ("run_id",),
    (
        RUN[0],
        col("command", "text", "ads | organic."),
        *RUN[1:],
        col("status", "text", "running | ok | partial | failed | interrupted."),
        col("summary", "json", "Per-stream outcome (JSON)."),
    ),
    group="sync",
)
