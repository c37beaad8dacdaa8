"""The user's own SQL: one read-only query, and its redacted label (issue 9 §6, BYD-4)."""

from __future__ import annotations

import logging

import duckdb
import pytest

from tokops.errors import SourceError
from tokops.warehouse import Store
from tokops.warehouse.user_sql import check_duckdb_query, query_label, read_only_query


@pytest.mark.parametrize("engine", ["duckdb", "postgres"])
@pytest.mark.parametrize(
    "query",
    [
        "select 1",
        "select 1;",
        "WITH x AS (SELECT 1 AS a) SELECT a FROM x",
        "(select 1) union all (select 2)",
        "values (1), (2)",
        "select ';drop table t' as s -- ; drop table t",
    ],
)
def test_read_only_queries_pass(engine: str, query: str) -> None:
    assert read_only_query(query, engine) == query.strip().rstrip(";")


@pytest.mark.parametrize("engine", ["duckdb", "postgres"])
@pytest.mark.parametrize(
    "query",
    [
        "select 1; drop table t",
        "select 1; select 2",
        "with d as (delete from t returning *) select * from d",
        "with u as (update t set a = 1 returning *) select * from u",
        "select * into t2 from t",
        "create view v as select 1",
        "delete from t",
        "copy t to 'x.csv'",
        "set search_path = other",
        "select * from",
    ],
)
def test_anything_else_is_refused_in_one_line(engine: str, query: str) -> None:
    with pytest.raises(SourceError) as caught:
        read_only_query(query, engine)
    assert "\n" not in str(caught.value)


def test_duckdb_parser_must_agree() -> None:
    raw = duckdb.connect()
    check_duckdb_query(raw, "select 1")
    with pytest.raises(SourceError, match="2 statement"):
        check_duckdb_query(raw, "select 1; select 2")


def test_store_sql_refuses_before_running(duck_store: Store) -> None:
    duck_store.con.raw_sql("CREATE TABLE keep (a INTEGER)")
    with pytest.raises(SourceError):
        duck_store.sql("select 1; drop table keep")
    assert duck_store.exists("keep")
    assert duck_store.fetch(duck_store.sql("select 41 + 1 as n")).to_pylist() == [{"n": 42}]


def test_label_hides_string_and_number_literals() -> None:
    label = query_label(
        "SELECT * FROM crm WHERE email = ' Ann@Example.com ' AND phone = '+12135550100' "
        "AND total > 99.5",
        "duckdb",
    )
    assert "Ann" not in label and "2135550100" not in label and "99.5" not in label
    assert label.startswith("SELECT * FROM crm WHERE email = ? AND phone = ? AND total > ?")


def test_parsing_logs_nothing_of_the_query(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG), pytest.raises(SourceError):
        read_only_query("load 'secret@example.com'", "duckdb")
    assert "secret@example.com" not in caplog.text


def test_postgres_runs_the_view_as_one_statement(
    pg_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even a text the parser let through could not carry a second statement on PostgreSQL."""
    import tokops.warehouse.store

    pg_store.execute("CREATE TABLE keep (a INTEGER)")
    monkeypatch.setattr(tokops.warehouse.store, "read_only_query", lambda q, engine: q)
    with pytest.raises(SourceError, match="multiple commands"):
        pg_store.sql("select 1; drop table keep")
    assert pg_store.exists("keep")
    assert pg_store.fetch(pg_store.sql("select 1 as n")).to_pylist() == [{"n": 1}]
