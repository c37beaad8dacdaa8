"""The engine adapters (BYD-2, issue 10 §1): one interface, one module per engine, a registry;
the store and everything above it never ask which engine they are on."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pytest

import tokops
from tokops.errors import ConfigError
from tokops.warehouse import Store, connect
from tokops.warehouse.engines import ADAPTERS, EngineAdapter, adapter_class
from tokops.warehouse.engines.duckdb import DuckDBAdapter

_DECLARED = ("param_mark", "byte_length_function", "trim_function", "builtin_schema")


@pytest.mark.parametrize("name", sorted(ADAPTERS))
def test_every_registered_adapter_declares_what_differs(name: str) -> None:
    adapter = ADAPTERS[name]
    assert issubclass(adapter, EngineAdapter) and adapter.name == name
    assert not getattr(adapter, "__abstractmethods__", None)
    for attribute in _DECLARED:
        assert isinstance(getattr(adapter, attribute), str) and getattr(adapter, attribute)
    assert isinstance(adapter.single_writer, bool)


def test_an_unknown_engine_has_no_adapter() -> None:
    with pytest.raises(ConfigError, match="no adapter for the store engine 'oracle'"):
        adapter_class("oracle")


def test_a_store_is_backed_by_its_engines_adapter(any_store: Store) -> None:
    assert type(any_store.adapter) is ADAPTERS[any_store.engine]
    assert any_store.param_mark == any_store.adapter.param_mark
    assert any_store.single_writer is (any_store.engine == "duckdb")
    fork = any_store.fork()
    try:
        assert type(fork.adapter) is type(any_store.adapter) and fork.engine == any_store.engine
    finally:
        fork.close()


def test_urls_go_to_the_engine_that_claims_them() -> None:
    assert DuckDBAdapter.database("postgres://u@h/db", "x") is None
    assert ADAPTERS["postgres"].database("duckdb://:memory:", "x") is None
    assert ADAPTERS["postgres"].database("postgresql://u@h/db", "x") == "postgres://u@h/db"
    assert DuckDBAdapter.database("duckdb://", "x") == ":memory:"


class _OtherEngine(DuckDBAdapter):
    """An engine added as one class and one registry entry (here: DuckDB under another name)."""

    name = "other"

    @classmethod
    def database(cls, url: str, label: str) -> str | None:
        return ":memory:" if url == "other://" else None


def test_adding_an_engine_is_adding_an_adapter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(ADAPTERS, "other", _OtherEngine)
    store = connect("other://")
    try:
        assert store.engine == "other" and isinstance(store.adapter, _OtherEngine)
        store.execute("CREATE TABLE t (i BIGINT)")
        store.insert("t", pa.table({"i": [1, 2]}))
        assert store.fetch(store.table("t").count()).column(0)[0].as_py() == 2
    finally:
        store.close()
    with pytest.raises(ConfigError, match="unsupported store URL"):
        connect("another://")


def test_no_module_outside_the_adapters_asks_which_engine_it_is_on() -> None:
    root = Path(tokops.__file__).parent
    asks = re.compile(r"\bengine\s*[!=]=|[!=]=\s*[\w.]*\bengine\b")
    found = [
        f"{path.relative_to(root)}:{n}"
        for path in sorted(root.rglob("*.py"))
        if "engines" not in path.relative_to(root).parts
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if asks.search(line)
    ]
    assert found == []


def test_duckdb_never_draws_its_progress_bar(tmp_path: Path) -> None:
    """A long query under load must not print DuckDB's bar into a command's stdout (--json)."""
    from tokops.warehouse._duckdb import raw_connection

    store = connect(f"duckdb:///{tmp_path / 'w.duckdb'}")
    try:
        for s in (store, store.fork()):
            raw = raw_connection(s.adapter.con)
            setting = "SELECT current_setting('enable_progress_bar')"
            assert raw.execute(setting).fetchall() == [(False,)]
    finally:
        store.close()
