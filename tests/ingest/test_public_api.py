"""The ingest's public face: the syncs and their options; the schema lives in warehouse."""

from __future__ import annotations

import tokops.ingest as ingest


def test_the_public_api_is_pinned() -> None:
    assert set(ingest.__all__) == {
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
    }
    assert all(hasattr(ingest, name) for name in ingest.__all__)
