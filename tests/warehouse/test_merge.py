"""Declared tables and idempotent merges, the same on DuckDB and PostgreSQL (BYD-2)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

from tokops.errors import WarehouseError
from tokops.warehouse import Store
from tokops.warehouse.merge import (
    ColumnSpec,
    RowUpsert,
    Scope,
    TableSpec,
    declare_table,
    merge_batches,
    table_columns,
    write_rows,
)

DAILY = TableSpec(
    "daily",
    (
        ColumnSpec("advertiser_id", "VARCHAR", "advertiser"),
        ColumnSpec("ad_id", "VARCHAR", "ad"),
        ColumnSpec("stat_date", "DATE", "day"),
        ColumnSpec("spend", "DECIMAL(18, 2)", "money, it's exact"),
        ColumnSpec("conversion", "BIGINT"),
    ),
    "a daily table",
)
CURSORS = TableSpec("cursors", (ColumnSpec("stream", "VARCHAR"), ColumnSpec("n", "BIGINT")))
KEY = ("advertiser_id", "ad_id", "stat_date")


def batch(rows: list[tuple[str, str, int, str, int]]) -> pa.RecordBatch:
    adv, ad, day, spend, conv = zip(*rows, strict=True) if rows else ((),) * 5
    return pa.RecordBatch.from_arrays(
        [
            pa.array(adv, pa.string()),
            pa.array(ad, pa.string()),
            pa.array([date(2024, 5, d) for d in day], pa.date32()),
            pa.array([Decimal(s) for s in spend], pa.decimal128(18, 2)),
            pa.array(conv, pa.int64()),
        ],
        names=["advertiser_id", "ad_id", "stat_date", "spend", "conversion"],
    )


def rows(store: Store, name: str = "daily") -> list[dict[str, Any]]:
    out = store.fetch(store.table(name)).to_pylist()
    return sorted(out, key=lambda r: tuple(str(v) for v in r.values()))


def window(adv: str, first: int, last: int) -> Scope:
    return Scope({"advertiser_id": adv}, ("stat_date", date(2024, 5, first), date(2024, 5, last)))


def test_declare_creates_once_adds_new_columns_and_keeps_rows(any_store: Store) -> None:
    assert declare_table(any_store, DAILY) is True
    assert declare_table(any_store, DAILY) is False
    merge_batches(any_store, "daily", [batch([("a", "1", 1, "1.50", 1)])], key=KEY)
    wider = TableSpec("daily", (*DAILY.columns, ColumnSpec("reach", "BIGINT", "new")))
    assert declare_table(any_store, wider) is False
    assert table_columns(any_store, "daily")[-1] == "reach"
    assert rows(any_store)[0]["reach"] is None and rows(any_store)[0]["spend"] == Decimal("1.50")


def test_merge_twice_adds_nothing_and_restated_values_replace_old_ones(any_store: Store) -> None:
    declare_table(any_store, DAILY)
    first = batch([("a", "1", 1, "10.00", 2), ("a", "1", 2, "11.00", 1), ("b", "9", 1, "5.55", 0)])
    merge_batches(any_store, "daily", [first], key=KEY, scope=window("a", 1, 2))
    merge_batches(any_store, "daily", [first], key=KEY, scope=window("a", 1, 2))
    assert len(rows(any_store)) == 3
    restated = batch([("a", "1", 1, "10.00", 4), ("a", "1", 2, "11.00", 3)])
    result = merge_batches(any_store, "daily", [restated], key=KEY, scope=window("a", 1, 2))
    assert (result.inserted, result.deleted) == (2, 2)
    got = {(r["ad_id"], r["stat_date"].day): r["conversion"] for r in rows(any_store)}
    assert got == {("1", 1): 4, ("1", 2): 3, ("9", 1): 0}
    assert sum(r["spend"] for r in rows(any_store)) == Decimal("26.55")


def test_scope_removes_rows_the_source_no_longer_returns_and_keeps_others(
    any_store: Store,
) -> None:
    declare_table(any_store, DAILY)
    old = [
        ("a", "1", 1, "1.00", 1),
        ("a", "2", 1, "2.00", 1),
        ("a", "1", 5, "3.00", 1),
        ("b", "3", 1, "4.00", 1),
    ]
    merge_batches(any_store, "daily", [batch(old)], key=KEY)
    result = merge_batches(any_store, "daily", [], key=KEY, scope=window("a", 1, 2))
    assert (result.inserted, result.deleted) == (0, 2)
    left = {(r["advertiser_id"], r["ad_id"], r["stat_date"].day) for r in rows(any_store)}
    assert left == {("a", "1", 5), ("b", "3", 1)}


def test_a_key_staged_twice_keeps_the_last_row_and_batches_stream(any_store: Store) -> None:
    declare_table(any_store, DAILY)
    parts = [batch([("a", "1", 1, "1.00", 1)]), batch([("a", "1", 1, "9.00", 9)]), batch([])]
    result = merge_batches(any_store, "daily", parts, key=KEY)
    assert result.inserted == 1
    assert rows(any_store)[0]["conversion"] == 9


def test_checkpoint_rows_commit_with_the_data_or_not_at_all(any_store: Store) -> None:
    declare_table(any_store, DAILY)
    declare_table(any_store, CURSORS)
    ok = [RowUpsert("cursors", ("stream",), {"stream": "ad_daily", "n": 1})]
    merge_batches(any_store, "daily", [batch([("a", "1", 1, "1.00", 1)])], key=KEY, also=ok)
    bad = pa.RecordBatch.from_arrays(
        [pa.array(["a"]), pa.array(["not a date"])], names=["advertiser_id", "stat_date"]
    )
    moved = [RowUpsert("cursors", ("stream",), {"stream": "ad_daily", "n": 2})]
    with pytest.raises(WarehouseError):
        merge_batches(any_store, "daily", [bad], key=KEY, scope=window("a", 1, 2), also=moved)
    assert rows(any_store, "cursors") == [{"stream": "ad_daily", "n": 1}]
    assert len(rows(any_store)) == 1  # the scope's delete was rolled back too
    write_rows(any_store, moved)
    assert rows(any_store, "cursors") == [{"stream": "ad_daily", "n": 2}]


def test_comments_are_visible_to_sql_tools(duck_store: Store) -> None:
    declare_table(duck_store, DAILY)
    con = duck_store.con.con
    table_comment = con.execute(
        "SELECT comment FROM duckdb_tables() WHERE table_name = 'daily'"
    ).fetchall()
    column_comment = con.execute(
        "SELECT comment FROM duckdb_columns() WHERE table_name = 'daily' AND column_name = 'spend'"
    ).fetchall()
    assert table_comment == [("a daily table",)]
    assert column_comment == [("money, it's exact",)]


def test_a_merge_needs_a_key_and_a_scope_needs_a_condition(duck_store: Store) -> None:
    declare_table(duck_store, DAILY)
    with pytest.raises(WarehouseError):
        merge_batches(duck_store, "daily", [], key=())
    with pytest.raises(WarehouseError):
        merge_batches(duck_store, "daily", [], key=KEY, scope=Scope())


def test_a_fatal_engine_error_in_a_transaction_is_not_masked_by_the_rollback(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 9 §1: after a fatal engine error the ROLLBACK (which would raise "database has
    been invalidated" and hide the cause) is not sent; the error is a WarehouseError."""
    import duckdb

    from tokops.warehouse import connect
    from tokops.warehouse import merge as merge_mod
    from tokops.warehouse.engines import duckdb as duckdb_engine

    store = connect(f"duckdb://{tmp_path / 'm.duckdb'}")
    store.execute("CREATE TABLE t (i BIGINT)")
    real = duckdb_engine.raw_connection(store.con)
    sent: list[str] = []

    class Dying:
        def execute(self, sql: str, *args: Any) -> Any:
            sent.append(sql)
            if sql.startswith("INSERT"):
                raise duckdb.FatalException("FATAL Error: Failed to create checkpoint: no memory")
            return real.execute(sql, *args)

    monkeypatch.setattr(duckdb_engine, "raw_connection", lambda con: Dying())
    with pytest.raises(WarehouseError, match="FATAL Error: Failed to create checkpoint"):
        merge_mod.run_transaction(store, [("INSERT INTO t VALUES (1)", [])])
    assert sent == ["BEGIN TRANSACTION", "INSERT INTO t VALUES (1)"]  # no ROLLBACK after it
    assert not store.usable
    with pytest.raises(WarehouseError, match="unusable"):
        merge_mod.run_transaction(store, [("INSERT INTO t VALUES (2)", [])])
    assert len(sent) == 2
