"""API → store: TikTok ads and organic data into the analytical store (DuckDB or PostgreSQL).

Start from :func:`sync_ads` and :func:`sync_organic` with a client from :func:`connect_client`; the
tables they write are declared in the store's catalogue (:mod:`tokops.warehouse.schema`) and
documented in ``docs/schema.md``.
"""

from __future__ import annotations

from tokops.ingest.metering import Meter, MeterReport, connect_client
from tokops.ingest.runner import declare_tables
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

__all__ = [
    "AdsSyncOptions",
    "IngestReporter",
    "Meter",
    "MeterReport",
    "NullIngestReporter",
    "OrganicSyncOptions",
    "StreamResult",
    "SyncResult",
    "ads_streams",
    "connect_client",
    "declare_tables",
    "discover_advertisers",
    "sync_ads",
    "sync_all",
    "sync_organic",
]
