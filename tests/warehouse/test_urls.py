"""Store URLs: a data file or an unnamed database is refused, never an in-memory ledger
(issue 9 §6, BYD-2)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tokops.config import Settings
from tokops.errors import ConfigError
from tokops.warehouse import connect
from tokops.warehouse.urls import parse_store_url


@pytest.fixture
def data_files(tmp_path: Path) -> Path:
    con = duckdb.connect()
    con.execute(f"COPY (SELECT 1 AS a) TO '{tmp_path / 'ev.parquet'}'")
    con.execute(f"COPY (SELECT 1 AS a) TO '{tmp_path / 'ev.csv'}'")
    (tmp_path / "parquet-in-disguise.duckdb").write_bytes((tmp_path / "ev.parquet").read_bytes())
    return tmp_path


@pytest.mark.parametrize(
    "name", ["ev.parquet", "ev.csv", "new.parquet", "parquet-in-disguise.duckdb", "new_store"]
)
def test_a_url_that_is_no_duckdb_database_is_refused(data_files: Path, name: str) -> None:
    """The old ``connect`` opened ``duckdb://ev.parquet`` as an in-memory catalogue."""
    with pytest.raises(ConfigError, match="DuckDB") as caught:
        connect(f"duckdb://{data_files / name}")
    assert "\n" not in str(caught.value)
    assert not (data_files / "new.parquet").exists() and not (data_files / "new_store").exists()


@pytest.mark.parametrize("url", ["duckdb:", "duckdb:ev.duckdb", "ev.duckdb", "sqlite://x.db"])
def test_malformed_urls_are_refused(url: str) -> None:
    with pytest.raises(ConfigError):
        parse_store_url(url)


def test_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="folder"):
        connect(f"duckdb://{tmp_path}")


def test_database_files_and_explicit_memory_connect(tmp_path: Path) -> None:
    for name in ("a.duckdb", "b.db", "c.ddb"):
        store = connect(f"duckdb://{tmp_path / name}")
        store.con.raw_sql("CREATE TABLE t (a INTEGER)")
        store.close()
        assert (tmp_path / name).is_file()
    existing = tmp_path / "renamed"
    (tmp_path / "a.duckdb").rename(existing)  # a DuckDB file under any name is still one
    assert connect(f"duckdb://{existing}").exists("t")
    assert parse_store_url("duckdb://:memory:").target == ":memory:"
    assert parse_store_url("postgresql://u@h/db") == parse_store_url("postgres://u@h/db")


def test_workspace_store_in_memory_must_say_so() -> None:
    with pytest.raises(ValueError, match="names no database"):
        Settings.model_validate({"store": {"url": "duckdb://"}})
    assert Settings.model_validate({"store": {"url": "duckdb://:memory:"}}).store.url
