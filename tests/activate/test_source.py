"""``--source`` SQL runs as one read-only query and is recorded without its literals
(issue 9 §6; EVT-3, BYD-4)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tokops.activate import SyncOptions, run_sync
from tokops.activate.ledger import RUNS_TABLE, ensure_tables
from tokops.activate.source import open_source
from tokops.errors import SourceError
from tokops.warehouse import Store

from .conftest import NOW, NOW_S, FakeEventsAPI, make_table

PIXEL = "CPIXEL00000000000001"


def _orders(store: Store) -> str:
    return make_table(
        store,
        {
            "event": ["Purchase", "Purchase"],
            "event_time": [str(NOW_S - 60), str(NOW_S - 120)],
            "order_id": ["o1", "o2"],
            "email": ["jane.doe@shop.example", "john@shop.example"],
            "url": ["https://shop.example/t", "https://shop.example/t"],
        },
        name="orders",
    )


def _runs(store: Store) -> list[dict[str, Any]]:
    return store.fetch(store.table(RUNS_TABLE)).to_pylist()


def test_statements_after_the_query_never_run(
    any_store: Store, client_for: Callable[..., Any]
) -> None:
    """The old code ran ``select 1; drop table events_runs`` whole and lost the run history."""
    _orders(any_store)
    run_sync(any_store, client_for(FakeEventsAPI()), SyncOptions("orders", "web", PIXEL), now=NOW)
    before = _runs(any_store)
    assert len(before) == 1
    for attack in (
        "select 1; drop table events_runs",
        "SELECT * FROM orders;\n DELETE FROM events_runs",
        "select * from orders; ; drop table events_runs;",
    ):
        options = SyncOptions(attack, "web", PIXEL, dry_run=True)
        with pytest.raises(SourceError, match="statements"):
            run_sync(any_store, None, options, now=NOW)
    assert any_store.exists(RUNS_TABLE)
    assert _runs(any_store) == before


@pytest.mark.parametrize(
    ("source", "why"),
    [
        ("with gone as (delete from events_runs returning *) select * from gone", "DELETE"),
        ("select * into stolen from orders", "INTO"),
        ("drop table events_runs", "not a query"),
        ("create table x as select 1", "not a query"),
        ("insert into events_runs select * from events_runs", "not a query"),
        ("copy events_runs to 'out.csv'", "not a query"),
        ("attach 'other.duckdb' as other", "not a query"),
        ("pragma database_list", "not a query"),
        ("install httpfs", "not a query"),
        ("load httpfs", "not a query"),
        ("set memory_limit = '1GB'", "not a query"),
    ],
)
def test_only_a_read_only_query_is_accepted(duck_store: Store, source: str, why: str) -> None:
    ensure_tables(duck_store)
    with pytest.raises(SourceError, match=why) as caught:
        open_source(duck_store, source)
    assert "\n" not in str(caught.value)
    assert duck_store.exists(RUNS_TABLE)
    assert not duck_store.exists("x") and not duck_store.exists("stolen")


def test_a_query_is_recorded_redacted_with_a_fingerprint(
    any_store: Store, client_for: Callable[..., Any]
) -> None:
    _orders(any_store)
    query = "SELECT * FROM orders WHERE email <> 'jane.doe@shop.example' OR order_id = 'o1' "
    options = SyncOptions(query, "web", PIXEL)
    summary = run_sync(any_store, client_for(FakeEventsAPI()), options, now=NOW)
    assert summary.counts["sent"] == 2
    (run,) = _runs(any_store)
    recorded = str(run["source"])
    assert "jane.doe" not in recorded and "o1" not in recorded
    assert "email <> ?" in recorded and "order_id = ?" in recorded
    digest = recorded.rsplit("sha256:", 1)[1]
    assert len(digest) == 64 and int(digest, 16) >= 0
    # same query, other spacing and case: same fingerprint; other literal: another one
    same = open_source(any_store, query.lower().replace(" = ", "=")).label
    other = open_source(any_store, query.replace("'o1'", "'o2'")).label
    assert same.rsplit("sha256:", 1)[1] == digest
    assert other.rsplit("sha256:", 1)[1] != digest


def test_files_and_tables_keep_their_names(duck_store: Store, tmp_path: Any) -> None:
    name = _orders(duck_store)
    assert open_source(duck_store, name).label == name
    path = tmp_path / "copy of orders.csv"  # starts like a COPY statement, but is a file
    path.write_text("event,email\nPurchase,a@b.co\n", encoding="utf-8")
    assert open_source(duck_store, str(path)).label == str(path)


def test_audience_sync_sql_is_checked_too(duck_store: Store) -> None:
    from tokops.activate.audiences import AudienceSyncOptions, run_audience_sync

    _orders(duck_store)
    ensure_tables(duck_store)
    source = "select email from orders; drop table orders"
    options = AudienceSyncOptions(source=source, name="Buyers", advertiser_id="1", dry_run=True)
    with pytest.raises(SourceError, match="statements"):
        run_audience_sync(duck_store, None, options, now=NOW)
    assert duck_store.exists("orders")


def test_queries_recorded_verbatim_by_earlier_versions_are_redacted(any_store: Store) -> None:
    import pyarrow as pa

    from tokops.activate.ledger import RunRecord, runs_schema, start_run
    from tokops.activate.source import redact_recorded_queries

    ensure_tables(any_store)
    old = {
        "r1": "select * from crm where email = 'ann@example.com'",
        "r2": "select 1; drop table events_runs",  # refused today: only a fingerprint stays
        "r3": "orders.csv",
        "r4": "crm_leads",
    }
    for run_id, source in old.items():
        start_run(any_store, RunRecord(run_id, source, "web", PIXEL, True, None, NOW))
    assert redact_recorded_queries(any_store, RUNS_TABLE) == 2
    ensure_tables(any_store)  # idempotent, and what a sync runs first
    got = {r["run_id"]: r["source"] for r in _runs(any_store)}
    assert got["r1"].startswith("SELECT * FROM crm WHERE email = ?  -- sha256:")
    assert got["r2"].startswith("(query not kept)  -- sha256:")
    assert (got["r3"], got["r4"]) == ("orders.csv", "crm_leads")
    assert "ann@example.com" not in str(got) and "drop table" not in str(got)
    assert redact_recorded_queries(any_store, RUNS_TABLE) == 0
    assert pa.Table.from_pylist(_runs(any_store), schema=runs_schema()).num_rows == 4
