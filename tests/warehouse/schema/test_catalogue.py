"""The store's schema: one declaration, its generated doc kept up to date, sound keys and types."""

from __future__ import annotations

from pathlib import Path

import pytest

from tokops.ingest import declare_tables
from tokops.tiktok.marketing import CATALOGUE
from tokops.tiktok.marketing.metrics import audience_forbidden
from tokops.warehouse import Store, schema
from tokops.warehouse.schema import SYNCED_TABLES, TABLES, Table, table
from tokops.warehouse.schema.columns import AUDIENCE_COLUMNS, HOURLY_COLUMNS, REPORT_COLUMNS
from tokops.warehouse.schema.doc import main, render_schema_doc

DOC = Path(__file__).resolve().parents[3] / "docs" / "schema.md"


def test_docs_schema_md_is_the_generated_text() -> None:
    assert DOC.read_text(encoding="utf-8") == render_schema_doc(), (
        "docs/schema.md is stale: regenerate it with "
        "python -m tokops.warehouse.schema.doc docs/schema.md"
    )


def test_the_doc_command_writes_the_file_or_prints_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "schema.md"
    assert main([str(out)]) == 0
    assert out.read_text(encoding="utf-8") == render_schema_doc()
    assert main([]) == 0
    assert capsys.readouterr().out == render_schema_doc()


def test_ad_daily_is_one_row_per_ad_per_local_day_with_the_api_names() -> None:
    ad_daily = table("ad_daily")
    assert ad_daily is schema.AD_DAILY
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
    assert ad_daily.column("frequency").sql_type == "DECIMAL(18, 4)"
    assert ad_daily.column("stat_date").sql_type == "DATE"
    assert ad_daily.column("ad_id").sql_type == "VARCHAR"
    assert "time zone" in ad_daily.column("stat_date").doc
    assert table("advertisers").column("timezone").type == "text"


def test_report_metrics_are_catalogued_api_names_and_non_additive_ones_are_flagged() -> None:
    for col in REPORT_COLUMNS:
        assert col.name in CATALOGUE, col.name
        assert col.additive is not None
        assert CATALOGUE[col.name].kind == col.type, col.name  # one unit, client and store
    flagged = {c.name for c in REPORT_COLUMNS if c.additive is False}
    assert {"reach", "frequency", "average_video_play", "average_video_play_per_user"} == flagged
    assert all(c.additive for c in HOURLY_COLUMNS)
    assert audience_forbidden([c.name for c in AUDIENCE_COLUMNS]) == []
    assert (
        "NOT ADDITIVE"
        in table("ad_daily").spec().columns[table("ad_daily").names.index("reach")].comment
    )
    assert "**Not additive.**" in render_schema_doc()


@pytest.mark.parametrize("tbl", TABLES, ids=lambda t: t.name)
def test_every_table_documents_grain_key_and_columns(tbl: Table) -> None:
    assert tbl.doc and tbl.grain and tbl.key
    assert all(c.doc for c in tbl.columns), [c.name for c in tbl.columns if not c.doc]
    money = [c for c in tbl.columns if c.type == "money"]
    if money and (tbl.window or tbl.group == "rollup"):
        assert "currency" in tbl.names
    assert f"### `{tbl.name}`" in render_schema_doc()


def test_the_syncs_declare_every_table_but_the_roll_ups_and_the_reports_own() -> None:
    assert {t.name for t in TABLES} - {t.name for t in SYNCED_TABLES} == {
        "ad_monthly",
        "rollup_state",
        "report_schedules",
        "report_sends",
    }


def test_a_table_refuses_undeclared_keys_and_twice_declared_columns() -> None:
    adv = table("advertisers").column("advertiser_id")
    with pytest.raises(ValueError, match="not declared"):
        Table("t", "doc", "grain", ("nope",), (adv,))
    with pytest.raises(ValueError, match="duplicate column"):
        Table("t", "doc", "grain", ("advertiser_id",), (adv, adv))
    with pytest.raises(KeyError):
        table("advertisers").column("nope")


def test_declared_tables_exist_on_both_engines_with_their_types(any_store: Store) -> None:
    declare_tables(any_store)
    declare_tables(any_store)  # idempotent
    for tbl in SYNCED_TABLES:
        assert any_store.exists(tbl.name)
        types = any_store.table(tbl.name).schema()
        assert list(types.names) == list(tbl.names)
    spend = any_store.table("ad_daily").schema()["spend"]
    assert spend.is_decimal() and (spend.precision, spend.scale) == (18, 2)
    assert not any_store.exists("ad_monthly")


def test_the_public_api_is_pinned() -> None:
    tables = {t.name.upper() for t in TABLES}
    others = {"MEASURES", "SYNCED_TABLES", "TABLES", "table"}
    types = {"Additivity", "Column", "ColumnType", "Group", "Measure", "Metric", "Source", "Unit"}
    assert set(schema.__all__) == tables | others | {"Table", *types}
    assert all(hasattr(schema, name) for name in schema.__all__)
