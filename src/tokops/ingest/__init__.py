"""API → store: TikTok ads and organic data into the analytical store (DuckDB or PostgreSQL).

Start from :func:`sync_ads` and :func:`sync_organic` with a client from :func:`connect_client`; the
tables they write are declared in :mod:`tokops.ingest.tables` and documented in
``docs/schema.md`` (:func:`render_schema_doc`).
"""

from __future__ import annotations

from tokops.ingest.metering import Meter, MeterReport, connect_client
from tokops.ingest.runner import declare_tables
from tokops.ingest.schema import Column, Table, render_markdown
from tokops.ingest.summary import IngestReporter, NullIngestReporter, StreamResult, SyncResult
from tokops.ingest.sync import (
    AdsSyncOptions,
    OrganicSyncOptions,
    ads_streams,
    discover_advertisers,
    sync_ads,
    sync_all,
    sync_organic,
)
from tokops.ingest.tables import TABLES, table

__all__ = [
    "TABLES",
    "AdsSyncOptions",
    "Column",
    "IngestReporter",
    "Meter",
    "MeterReport",
    "NullIngestReporter",
    "OrganicSyncOptions",
    "StreamResult",
    "SyncResult",
    "Table",
    "ads_streams",
    "connect_client",
    "declare_tables",
    "discover_advertisers",
    "render_schema_doc",
    "sync_ads",
    "sync_all",
    "sync_organic",
    "table",
]


def render_schema_doc() -> str:
    """The text of ``docs/schema.md`` (a test checks the file is up to date)."""
    return render_markdown(TABLES)
