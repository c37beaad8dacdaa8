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
    assert tbl.doc and tbl.grain
    # Only the events ledger's append-only records have no key (nothing identifies their rows).
    assert tbl.key or tbl.name in {"events_ledger", "events_outcomes"}
    assert all(c.doc for c in tbl.columns), [c.name for c in tbl.columns if not c.doc]
    money = [c for c in tbl.columns if c.type == "money"]
    if money and (tbl.window or tbl.group == "rollup"):
        assert "currency" in tbl.names
    assert f"### `{tbl.name}`" in render_schema_doc()


def test_the_syncs_declare_every_table_but_the_roll_ups_and_activates_records() -> None:
    assert {t.name for t in TABLES} - {t.name for t in SYNCED_TABLES} == {
        "ad_monthly",
        "rollup_state",
        "events_ledger",
        "events_batches",
        "events_outcomes",
        "events_runs",
        "events_samples",
        "audience_syncs",
    }


def test_the_events_ledger_view_is_declared_as_docs_contracts_md_lists_it() -> None:
    """BYD-4, EVT-9: the view's columns and types as ``docs/CONTRACTS.md`` documents them."""
    ledger = schema.EVENTS_LEDGER
    flags = ["has_email", "has_phone", "has_external_id", "has_ttclid", "has_ttp", "has_ip_ua"]
    assert list(ledger.names) == [
        *("run_id", "event_source", "event_source_id", "event", "event_id", "event_time"),
        *("status", "reason", "attempts", "api_code", "request_id", *flags),
        *("test_event_code", "recorded_at"),
    ]
    assert ledger.view_of == ("events_outcomes", "events_batches")
    with pytest.raises(ValueError, match="view"):
        ledger.spec()
    types = {c.name: c.sql_type for c in ledger.columns}
    assert (types["event_time"], types["attempts"], types["has_ttp"]) == (
        "BIGINT",
        "INTEGER",
        "BOOLEAN",
    )
    keys = schema.EVENTS_OUTCOMES.column("keys")
    assert keys.sql_type == "SMALLINT"
    assert "1 email, 2 phone, 4 external_id, 8 ttclid, 16 ttp, 32 ip_ua" in keys.doc
    assert schema.EVENTS_BATCHES.column("batch_id").sql_type == "BIGINT"
    arrow = schema.EVENTS_OUTCOMES.arrow_schema()
    assert [str(arrow.field(n).type) for n in ("batch_id", "event_time", "keys")] == [
        "int64",
        "int64",
        "int16",
    ]
    assert str(ledger.arrow_schema().field("api_code").type) == "int32"
    assert "- **View** of `events_outcomes` and `events_batches`" in render_schema_doc()
    assert "- **Key**: none (append-only)" in render_schema_doc()


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
