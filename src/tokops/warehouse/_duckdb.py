"""A thin compatibility layer between Ibis 12 and DuckDB 2.

DuckDB 2 renamed the DB-API Arrow fetchers (``fetch_arrow_table`` → ``to_arrow_table``,
``fetch_record_batch`` → ``to_arrow_reader``), warns when Arrow is fetched from a DB-API result,
and refuses to start a statement while a previous result is unfinished. Ibis 12 still calls the
old names and leaves results of ``raw_sql`` open. :class:`CompatConnection` wraps the native
connection so Ibis keeps working: it restores the old names and, like DuckDB 1.x, abandons an
unfinished result when a new statement starts on the same connection.
"""

from __future__ import annotations

import warnings
from typing import Any

__all__ = ["CompatConnection", "CompatRelation", "raw_connection"]


class CompatConnection:
    """Wraps a ``duckdb.DuckDBPyConnection``; every other attribute is forwarded."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)

    def _abandon_pending(self) -> None:
        try:
            self._raw.abort()
        except Exception:  # noqa: BLE001 - nothing pending, or the connection closed
            pass

    def execute(self, *args: Any, **kwargs: Any) -> CompatConnection:
        self._abandon_pending()
        self._raw.execute(*args, **kwargs)
        return self

    def sql(self, *args: Any, **kwargs: Any) -> Any:
        self._abandon_pending()
        return CompatRelation(self._raw.sql(*args, **kwargs))

    def cursor(self) -> CompatConnection:
        return CompatConnection(self._raw.cursor())

    def fetch_arrow_table(self) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return self._raw.to_arrow_table()

    def fetch_record_batch(self, rows_per_batch: int = 1_000_000) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return self._raw.to_arrow_reader(rows_per_batch)


class CompatRelation:
    """Wraps a ``duckdb.DuckDBPyRelation``: the deprecated fetchers map to the new names."""

    def __init__(self, rel: Any) -> None:
        self._rel = rel

    def __getattr__(self, name: str) -> Any:
        return getattr(self._rel, name)

    def fetch_arrow_table(self, *args: Any) -> Any:
        return self._rel.to_arrow_table(*args)

    def fetch_record_batch(self, rows_per_batch: int = 1_000_000) -> Any:
        return self._rel.to_arrow_reader(rows_per_batch)

    def fetch_arrow_reader(self, batch_size: int = 1_000_000) -> Any:
        return self._rel.to_arrow_reader(batch_size)


def raw_connection(con: Any) -> Any:
    """The native DuckDB connection behind an Ibis DuckDB backend."""
    inner = con.con
    return inner._raw if isinstance(inner, CompatConnection) else inner
