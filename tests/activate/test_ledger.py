"""The ledger's storage (BYD-4, EVT-9): the ``events_ledger`` view over batches and outcomes,
its writer, and the migration of a ledger table written by an earlier version."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import ibis
import pyarrow as pa
import pytest

from tokops.activate.ledger import (
    BATCHES_TABLE,
    KEY_BITS,
    KEYS_COLUMN,
    LEDGER_TABLE,
    MATCH_FLAGS,
    OUTCOMES_TABLE,
    RUNS_TABLE,
    LedgerWriter,
    append_rows,
    ensure_tables,
    ledger_rows,
    ledger_schema,
    runs_schema,
)
from tokops.errors import WarehouseError
from tokops.warehouse import Store

T0 = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)


def row(i: int, status: str = "sent", **kw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "run_id": "r1",
        "event_source": "web",
        "event_source_id": "PIXEL1",
        "event": "Purchase",
        "event_id": f"o{i}",
        "event_time": 1_700_000_000 + i,
        "status": status,
        "reason": None,
        "attempts": 1,
        "api_code": 0,
        "request_id": "req-1",
        "test_event_code": None,
        "recorded_at": T0,
    }
    out.update({flag: bool(i >> n & 1) for n, flag in enumerate(MATCH_FLAGS)})
    out.update(kw)
    return out


ROWS = [
    row(0),
    row(1),
    row(2, "invalid", reason="bad email", api_code=None, request_id=None, event=None),
    row(3, "invalid", reason="bad phone", api_code=None, request_id=None),
    row(4, "rejected", reason="TikTok 40002: bad", api_code=40002, attempts=2),
    row(5, "sent", run_id="r2", test_event_code="TEST1", recorded_at=T0 + timedelta(hours=1)),
    row(63, "duplicate", reason="duplicate", api_code=None, event_id=None, event_time=None),
]


def read_ledger(store: Store) -> list[dict[str, Any]]:
    t = store.table(LEDGER_TABLE)
    got: list[dict[str, Any]] = store.fetch(t.order_by("event_time", "status")).to_pylist()
    return got


def expected(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    names = ledger_schema().names
    return sorted(
        ({k: r[k] for k in names} for r in rows),
        key=lambda r: (r["event_time"] is None, r["event_time"] or 0, r["status"]),
    )


def test_the_view_has_the_contract_columns(any_store: Store) -> None:
    ensure_tables(any_store)
    assert any_store.kind(LEDGER_TABLE) == "view"
    schema = any_store.table(LEDGER_TABLE).schema()
    assert list(schema.names) == ledger_schema().names
    assert schema == ibis.Schema.from_pyarrow(ledger_schema())
    ensure_tables(any_store)  # idempotent
    assert any_store.kind(LEDGER_TABLE) == "view"


def test_the_tables_are_the_catalogues_in_its_column_order_and_types(any_store: Store) -> None:
    """The ledger's tables and view are declared once, in the store's schema catalogue."""
    from tokops.warehouse import schema

    ensure_tables(any_store)
    tables = (schema.EVENTS_LEDGER, schema.EVENTS_BATCHES, schema.EVENTS_OUTCOMES)
    for tbl in (*tables, schema.EVENTS_RUNS):
        got = any_store.table(tbl.name).schema()
        assert got == ibis.Schema.from_pyarrow(tbl.arrow_schema()), tbl.name
    assert (LEDGER_TABLE, BATCHES_TABLE, OUTCOMES_TABLE) == tuple(t.name for t in tables)
    assert RUNS_TABLE == schema.EVENTS_RUNS.name


def test_appended_rows_read_back_unchanged(any_store: Store) -> None:
    append_rows(any_store, pa.Table.from_pylist(ROWS, schema=ledger_schema()))
    assert read_ledger(any_store) == expected(ROWS)


def test_outcomes_keep_only_what_differs_between_rows(duck_store: Store) -> None:
    meta = pa.table(
        {
            "event": ["Purchase"] * 3,
            "event_id": ["a", "b", "c"],
            "event_time": [1, 2, 3],
            KEYS_COLUMN: pa.array([0, KEY_BITS["has_email"], 63], pa.int16()),
        }
    )
    common: dict[str, Any] = {
        "run_id": "r1",
        "event_source": "web",
        "event_source_id": "PIXEL1",
        "test_event_code": None,
    }
    sent = ledger_rows(meta, status="sent", attempts=1, api_code=0, request_id="q", **common)
    bad = ledger_rows(meta, status="invalid", reason=pa.array(["x", "y", "z"]), **common)
    assert sent.batches.num_rows == bad.batches.num_rows == 1
    assert sent.outcomes.column("reason").null_count == 3
    # one event name for the whole batch: kept once, on the batch
    assert sent.batches.column("event").to_pylist() == ["Purchase"]
    assert sent.outcomes.column("event").null_count == 3
    mixed = meta.set_column(0, "event", pa.array(["Purchase", "Lead", None]))
    several = ledger_rows(mixed, status="sent", **common)
    assert several.batches.column("event").to_pylist() == [None]
    assert several.outcomes.column("event").to_pylist() == ["Purchase", "Lead", None]
    assert bad.batches.column("reason").null_count == 1  # the reasons are the rows' own
    ensure_tables(duck_store)
    writer = LedgerWriter(duck_store.fork())
    writer.write(sent)
    writer.write(bad, wait=False)
    writer.close()
    got = read_ledger(duck_store)
    assert [(r["status"], r["event_id"], r["reason"]) for r in got] == [
        ("invalid", "a", "x"),
        ("sent", "a", None),
        ("invalid", "b", "y"),
        ("sent", "b", None),
        ("invalid", "c", "z"),
        ("sent", "c", None),
    ]
    assert [(r["has_email"], r["has_phone"], r["has_ip_ua"]) for r in got[::2]] == [
        (False, False, False),
        (True, False, False),
        (True, True, True),
    ]
    batch_ids = duck_store.fetch(duck_store.table(BATCHES_TABLE).batch_id.nunique()).column(0)
    assert batch_ids[0].as_py() == 2


def test_a_batch_and_its_outcomes_are_committed_together(duck_store: Store) -> None:
    ensure_tables(duck_store)
    batches = pa.Table.from_pylist(
        [{"batch_id": 1, "run_id": "r1", "status": "sent"}],
    )
    broken = pa.table({"batch_id": [1], "event_time": ["not a number"]})
    with pytest.raises(WarehouseError):
        duck_store.insert_many([(BATCHES_TABLE, batches), (OUTCOMES_TABLE, broken)])
    assert duck_store.fetch(duck_store.table(BATCHES_TABLE).count()).column(0)[0].as_py() == 0


def test_a_ledger_table_of_an_earlier_version_is_migrated(any_store: Store) -> None:
    """Stores written before the view held ``events_ledger`` as a table: its rows move to the
    batches and outcomes, unchanged as the view shows them, one batch per shared group."""
    any_store.ensure_table(LEDGER_TABLE, ibis.Schema.from_pyarrow(ledger_schema()))
    any_store.insert(LEDGER_TABLE, pa.Table.from_pylist(ROWS, schema=ledger_schema()))
    assert any_store.kind(LEDGER_TABLE) == "table"
    ensure_tables(any_store)
    assert any_store.kind(LEDGER_TABLE) == "view"
    assert read_ledger(any_store) == expected(ROWS)
    n_batches = any_store.fetch(any_store.table(BATCHES_TABLE).count()).column(0)[0].as_py()
    assert n_batches == 6  # rows 0-1 share one batch; every other row differs in a shared column
    ensure_tables(any_store)
    assert read_ledger(any_store) == expected(ROWS)


def _wal_after_writes(folder: Any, checkpoint_rows: int | None) -> int:
    from tokops.warehouse import connect

    path = folder / f"w{checkpoint_rows}.duckdb"
    store = connect(f"duckdb://{path}")
    try:
        ensure_tables(store)
        n = 2_000
        meta = pa.table(
            {
                "event": ["Purchase"] * n,
                "event_id": [f"e{i}" for i in range(n)],
                "event_time": list(range(n)),
                KEYS_COLUMN: pa.array([1] * n, pa.int16()),
            }
        )
        common: dict[str, Any] = {"event_source": "web", "event_source_id": "P"}
        with store.streaming():  # inside a run: no automatic checkpoint
            writer = LedgerWriter(store.fork(), checkpoint_rows=checkpoint_rows)
            for run in range(5):
                rows = ledger_rows(meta, run_id=f"r{run}", status="sent", test_event_code=None,
                                   **common)  # fmt: skip
                writer.write(rows)
            wal = path.with_name(path.name + ".wal")
            size = wal.stat().st_size if wal.exists() else 0
            writer.close()
        assert store.fetch(store.table(LEDGER_TABLE).count()).column(0)[0].as_py() == 5 * n
        return size
    finally:
        store.close()


def test_the_writer_owns_the_checkpoints_of_a_run(tmp_path: Any) -> None:
    """Issue 9 §1: inside a run no checkpoint is automatic; the writer checkpoints between two
    commits after *checkpoint_rows* rows, so what it committed does not pile up in the WAL."""
    piled = _wal_after_writes(tmp_path, None)
    owned = _wal_after_writes(tmp_path, 3_000)
    assert piled > 100_000  # five commits of 2,000 rows, none checkpointed
    assert owned < piled / 2  # checkpointed after the 2nd and the 4th commit


def test_events_runs_of_an_earlier_version_gain_the_total_column(any_store: Store) -> None:
    """Issue 9 §4: a run's counts add up to its total; runs recorded before keep NULL."""
    old = pa.schema([f for f in runs_schema() if f.name != "total"])
    any_store.ensure_table(RUNS_TABLE, ibis.Schema.from_pyarrow(old))
    row = {f.name: None for f in old} | {"run_id": "r-old", "status": "completed"}
    any_store.insert(RUNS_TABLE, pa.Table.from_pylist([row], schema=old))
    ensure_tables(any_store)
    ensure_tables(any_store)  # idempotent
    runs = any_store.fetch(any_store.table(RUNS_TABLE)).to_pylist()
    assert [(r["run_id"], r["total"]) for r in runs] == [("r-old", None)]
