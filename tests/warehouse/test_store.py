"""The store on DuckDB and PostgreSQL (BYD-2): quoting, parameters, streaming, engine functions."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pytest

from tokops.errors import ConfigError, SourceError, WarehouseError
from tokops.warehouse import Store, connect, quote_ident

HOSTILE = [
    "Robert'); DROP TABLE students;--",
    'quote " double',
    "new\nline\ttab",
    "unicode ✓ é 漢字 🙂",
    "back\\slash",
]


def test_quote_ident_doubles_quotes() -> None:
    assert quote_ident('a"b') == '"a""b"'
    with pytest.raises(WarehouseError):
        quote_ident("a\x00b")


def test_unsupported_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unsupported store URL"):
        connect("mysql://x")


def test_connect_error_redacts_password() -> None:
    with pytest.raises(WarehouseError) as info:
        connect("postgres://u:s3cret@127.0.0.1:1/db")
    assert "s3cret" not in str(info.value)


def test_hostile_table_and_values_round_trip(any_store: Store) -> None:
    name = 'orders "x"; --'
    any_store.con.create_table(name, schema=ibis.schema({"id": "int64", "note": "string"}))
    any_store.insert(name, pa.table({"id": list(range(len(HOSTILE))), "note": HOSTILE}))
    any_store.update(name, {"note": HOSTILE[0] + "!"}, {"id": 1})
    rows = any_store.fetch(any_store.table(name).order_by("id")).to_pylist()
    assert [r["note"] for r in rows] == [HOSTILE[0], HOSTILE[0] + "!", *HOSTILE[2:]]
    any_store.drop(name)
    assert not any_store.exists(name)


def test_execute_binds_parameters(any_store: Store) -> None:
    any_store.execute(f"CREATE TABLE {quote_ident('p')} (v TEXT)")
    any_store.execute(f"INSERT INTO p VALUES ({any_store.param_mark})", [HOSTILE[0]])
    assert any_store.fetch(any_store.table("p")).column("v").to_pylist() == [HOSTILE[0]]


def test_sql_source_and_errors(any_store: Store) -> None:
    t = any_store.sql("SELECT 1 AS a, 'x' AS b")
    assert any_store.fetch(t).to_pylist() == [{"a": 1, "b": "x"}]
    with pytest.raises(SourceError, match="SQL query failed"):
        any_store.sql("SELECT * FROM no_such_table_here")
    with pytest.raises(SourceError, match="not found"):
        any_store.table("no_such_table_here")


def test_batches_stream_in_bounded_sizes(any_store: Store) -> None:
    any_store.con.create_table("big", pa.table({"i": list(range(2500))}))
    with any_store.streaming():
        sizes = [b.num_rows for b in any_store.batches(any_store.table("big"), 1000)]
    assert sum(sizes) == 2500 and max(sizes) <= 1000


def _setting(store: Store, name: str) -> object:
    t = store.sql(f"SELECT current_setting('{name}') AS v")
    return store.fetch(t).column("v")[0].as_py()


def test_streaming_bounds_read_ahead_per_connection_and_restores(tmp_path: Path) -> None:
    from tokops.warehouse.engines import duckdb as duckdb_engine

    """Issue 9 §1: the stream's budget is a setting of its own connection; the instance's
    memory is that budget plus headroom the stream cannot take (for the other connections'
    commits and checkpoints); no automatic checkpoint inside; all restored after."""
    store = connect(f"duckdb://{tmp_path / 's.duckdb'}")
    try:
        names = (
            "memory_limit",
            "operator_memory_limit",
            "streaming_buffer_size",
            "checkpoint_threshold",
        )
        before = {n: _setting(store, n) for n in names}
        with store.streaming(memory_mb=64):
            assert _setting(store, "operator_memory_limit") == "64.0 MiB"
            assert _setting(store, "streaming_buffer_size") == "16.0 MiB"
            headroom = duckdb_engine.STREAM_HEADROOM_MB
            assert _setting(store, "memory_limit") == f"{64 + 16 + headroom}.0 MiB"
            assert _setting(store, "checkpoint_threshold") != before["checkpoint_threshold"]
            other = store.fork()
            for name in ("operator_memory_limit", "streaming_buffer_size"):
                assert _setting(other, name) == before[name]  # the writer's are its own
            other.close()
        assert {n: _setting(store, n) for n in names} == before
    finally:
        store.close()


def test_a_writer_checkpointing_beside_a_stream_with_a_small_budget(tmp_path: Path) -> None:
    """Issue 9 §1, the crash reproduced at the store's level: a stream with a small budget and
    a second connection committing often with a low checkpoint threshold. The old
    ``streaming()`` set the instance-wide memory limit to the budget: the writer's commit then
    ran an automatic checkpoint that could not pin a block ("FATAL Error: … failed to pin
    block"), DuckDB invalidated the database, and cleanup raised on the dead instance."""
    path = tmp_path / "w.duckdb"
    store = connect(f"duckdb://{path}")
    try:
        store.execute(
            "CREATE TABLE src AS SELECT i, md5(CAST(i AS VARCHAR)) AS s FROM range(300000) t(i)"
        )
        store.execute("CREATE TABLE ledger (i BIGINT, s VARCHAR)")
        store.execute("CHECKPOINT")
        store.execute("SET checkpoint_threshold = '1MB'")
        with store.streaming(memory_mb=4):
            writer = store.fork()
            for batch in store.batches(store.table("src"), 5000):
                rows = pa.Table.from_batches([batch])
                writer.insert_many([("ledger", rows), ("ledger", rows)])
            writer.close()
        assert store.fetch(store.table("ledger").count()).column(0)[0].as_py() == 600_000
        assert not path.with_name("w.duckdb.wal").exists()  # one checkpoint when it closed
    finally:
        store.close()


class _DeadAfter:
    """A DuckDB connection stand-in whose statements fail as an invalidated instance does,
    after *ok* statements; it counts every call that reaches it."""

    def __init__(self, real: Any, ok: int) -> None:
        self.real, self.ok, self.calls = real, ok, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        import duckdb

        self.calls += 1
        if self.calls > self.ok:
            raise duckdb.FatalException(
                "FATAL Error: Failed: database has been invalidated because of a previous "
                "fatal error. The database must be restarted prior to being used again."
            )
        return self.real.execute(*args, **kwargs)


def test_a_fatal_engine_error_is_a_warehouse_error_and_the_instance_is_not_touched_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tokops.warehouse.engines import duckdb as duckdb_engine

    store = connect(f"duckdb://{tmp_path / 'f.duckdb'}")
    store.execute("CREATE TABLE t (i BIGINT)")
    writer = store.fork()
    dead = _DeadAfter(duckdb_engine.raw_connection(writer.con), ok=1)  # BEGIN passes, then fatal
    monkeypatch.setattr(duckdb_engine, "raw_connection", lambda con: dead)
    table = pa.table({"i": [1, 2]})
    with pytest.raises(WarehouseError, match="invalidated") as info:
        writer.insert_many([("t", table), ("t", table)])
    assert "ROLLBACK" not in str(info.value) and "\n" not in str(info.value)
    reached = dead.calls
    assert not store.usable and not writer.usable  # forks share the instance's state
    for call in (
        lambda: store.execute("SELECT 1"),
        lambda: store.fetch(store.table("t")),
        lambda: writer.insert("t", table),
    ):
        with pytest.raises(WarehouseError, match="unusable"):
            call()
    with pytest.raises(WarehouseError), store.streaming():
        pass
    writer.close()
    store.close()
    assert dead.calls == reached  # nothing reached the dead instance after the fatal error


def test_fork_sees_committed_rows_from_another_thread(any_store: Store) -> None:
    any_store.con.create_table("shared", schema=ibis.schema({"i": "int64"}))
    other = any_store.fork()

    def write() -> None:
        other.insert("shared", pa.table({"i": [1, 2, 3]}))

    thread = threading.Thread(target=write)
    thread.start()
    thread.join()
    other.close()
    assert any_store.fetch(any_store.table("shared").count()).column(0)[0].as_py() == 3


def test_sha256_vectors(any_store: Store) -> None:
    t = ibis.memtable(pa.table({"s": ["alice_abc@gmail.com", "+12133734253", "user_123", "é"]}))
    out = any_store.fetch(t.select(h=any_store.sha256_hex(t.s))).column("h").to_pylist()
    assert out[:3] == [
        "848a771458438fc2ec420560d769fb9b9b86851ee338ec56517baabd79d3bb4f",
        "9f7ec22d72092cd3c0b58726ed9c2d91b92e51a3f29837508fb2948bb22dd2fd",
        "80fba0ae1c48e3978e43e4efc365e14e12ea0c830ba8ba5b9a2dafc7e3f2ab8b",
    ]
    assert (
        out[3] == "4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c"
    )  # UTF-8 bytes


def test_epoch_seconds_of_dates_and_timestamps(any_store: Store) -> None:
    ts = datetime(2024, 1, 8, 13, 52, 50, tzinfo=UTC)
    t = ibis.memtable(
        pa.table(
            {
                "tz": pa.array([ts], pa.timestamp("us", tz="UTC")),
                "naive": pa.array([ts.replace(tzinfo=None)], pa.timestamp("us")),
                "d": pa.array([date(2024, 1, 8)]),
            }
        )
    )
    row = any_store.fetch(
        t.select(
            tz=any_store.epoch_seconds(t.tz),
            naive=any_store.epoch_seconds(t.naive),
            d=any_store.epoch_seconds(t.d),
        )
    ).to_pylist()[0]
    assert row == {"tz": 1704721970, "naive": 1704721970, "d": 1704672000}


def test_ascii_case_functions(any_store: Store) -> None:
    t = ibis.memtable(pa.table({"s": ["AbC-İ-z"]}))
    row = any_store.fetch(
        t.select(lo=any_store.ascii_lower(t.s), up=any_store.ascii_upper(t.s))
    ).to_pylist()[0]
    assert row["lo"].startswith("abc-") and row["up"].startswith("ABC-")


def test_ibis_operations_work_through_the_store(any_store: Store) -> None:
    """Ibis 12 with DuckDB 2 / sqlglot 30 needs the compatibility layer: these must not fail."""
    con = any_store.con
    con.create_table("x", pa.table({"a": [1]}))
    con.raw_sql("SELECT 1")  # a result left unread must not block the next statement
    assert "x" in con.list_tables()
    assert con.sql("SELECT a + 1 AS b FROM x").schema().names == ("b",)
    assert sum(b.num_rows for b in con.to_pyarrow_batches(con.table("x"))) == 1
    con.drop_table("x")
    assert "x" not in con.list_tables()


def test_insert_follows_a_changed_table(any_store: Store) -> None:
    any_store.con.create_table("grow", schema=ibis.schema({"a": "int64"}))
    any_store.insert("grow", pa.table({"a": [1]}))
    any_store.execute("ALTER TABLE grow ADD COLUMN b TEXT")
    any_store.insert("grow", pa.table({"a": [2]}))  # old shape: b stays NULL
    any_store.insert("grow", pa.table({"b": ["x"], "a": [3]}))  # other order
    rows = any_store.fetch(any_store.table("grow").order_by("a")).to_pylist()
    assert rows == [{"a": 1, "b": None}, {"a": 2, "b": None}, {"a": 3, "b": "x"}]
