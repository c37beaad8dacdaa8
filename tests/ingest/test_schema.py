"""The store's schema: one declaration, its rendered doc kept up to date, sound keys and types."""

from __future__ import annotations

from pathlib import Path

import pytest

import tokops.ingest as ingest
from tokops.ingest import TABLES, declare_tables, render_schema_doc, table
from tokops.ingest.tables import AUDIENCE_METRICS, REPORT_METRICS
from tokops.tiktok.marketing import CATALOGUE
from tokops.tiktok.marketing.metrics import audience_forbidden
from tokops.warehouse import Store

DOC = Path(__file__).resolve().parents[2] / "docs" / "schema.md"


def test_docs_schema_md_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == render_schema_doc(), (
        "docs/schema.md is stale: regenerate it with "
        'python -c \'import tokops.ingest as i; open("docs/schema.md", "w").write('
        "i.render_schema_doc())'"
    )


def test_ad_daily_is_one_row_per_ad_per_local_day_with_the_api_names() -> None:
    ad_daily = table("ad_daily")
    assert ad_daily.key == ("advertiser_id", "ad_id", "stat_date")
    assert table("advertiser_daily").key == ("advertiser_id", "stat_date")
    for name in (
        "advertiser_id",
        "campaign_id",
        "adgroup_id",
        "ad_id",
        "stat_date",
        "spend",
        "impressions",
        "clicks",
        "conversion",
        "reach",
        "video_views_p100",
    ):
        assert name in ad_daily.names
    assert ad_daily.column("spend").sql_type == "DECIMAL(18, 2)"
    assert ad_daily.column("stat_date").sql_type == "DATE"
    assert ad_daily.column("ad_id").sql_type == "VARCHAR"
    assert "time zone" in ad_daily.column("stat_date").doc
    assert table("advertisers").column("timezone").type == "text"


def test_report_metrics_are_catalogued_api_names_and_non_additive_ones_are_flagged() -> None:
    for col in REPORT_METRICS:
        assert col.name in CATALOGUE, col.name
        assert col.additive is not None
    flagged = {c.name for c in REPORT_METRICS if c.additive is False}
    assert {"reach", "frequency", "average_video_play", "average_video_play_per_user"} == flagged
    assert audience_forbidden([c.name for c in AUDIENCE_METRICS]) == []
    assert (
        "NOT ADDITIVE"
        in table("ad_daily").spec().columns[table("ad_daily").names.index("reach")].comment
    )
    assert "**Not additive.**" in render_schema_doc()


@pytest.mark.parametrize("tbl", TABLES, ids=lambda t: t.name)
def test_every_table_documents_grain_key_and_columns(tbl: ingest.Table) -> None:
    assert tbl.doc and tbl.grain and tbl.key
    assert all(c.doc for c in tbl.columns), [c.name for c in tbl.columns if not c.doc]
    money = [c for c in tbl.columns if c.type == "money"]
    if money and tbl.window:
        assert "currency" in tbl.names


def test_declared_tables_exist_on_both_engines_with_their_types(any_store: Store) -> None:
    declare_tables(any_store)
    declare_tables(any_store)  # idempotent
    for tbl in TABLES:
        assert any_store.exists(tbl.name)
        schema = any_store.table(tbl.name).schema()
        assert list(schema.names) == list(tbl.names)
    spend = any_store.table("ad_daily").schema()["spend"]
    assert spend.is_decimal() and (spend.precision, spend.scale) == (18, 2)


def test_the_public_api_is_pinned() -> None:
    assert set(ingest.__all__) == {
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
    }
