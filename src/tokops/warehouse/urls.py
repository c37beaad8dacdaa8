"""Store URLs: which engine, and which database (BYD-2).

Accepted:

- ``duckdb://PATH`` where PATH is an existing DuckDB database file (any name), or a new one
  ending in ``.duckdb``, ``.ddb`` or ``.db``;
- ``duckdb://:memory:`` (and the bare ``duckdb://``, Ibis's spelling of the same) for a store
  that lives only as long as the process;
- ``postgres://…`` / ``postgresql://…``.

Anything else is a :class:`~tokops.errors.ConfigError`. In particular DuckDB opens a CSV or
Parquet file given as a database as a read-only in-memory catalogue without a word: the ledger
would then vanish with the process and every run would send everything again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from tokops.errors import ConfigError

__all__ = ["DUCKDB_SUFFIXES", "MEMORY", "StoreUrl", "duckdb_database", "parse_store_url"]

DUCKDB_SUFFIXES: Final = (".duckdb", ".ddb", ".db")
MEMORY: Final = ":memory:"
_DATA_SUFFIXES: Final = (
    ".csv",
    ".tsv",
    ".txt",
    ".gz",
    ".parquet",
    ".pq",
    ".json",
    ".jsonl",
    ".ndjson",
    ".xlsx",
    ".arrow",
    ".feather",
)
_MAGIC: Final = b"DUCK"
"""A DuckDB database file has these four bytes at offset 8."""
_USE: Final = "use duckdb://NAME.duckdb, duckdb://:memory: or postgres://…"


@dataclass(frozen=True)
class StoreUrl:
    engine: str
    """The name of the engine's adapter (:data:`~tokops.warehouse.engines.ADAPTERS`)."""
    target: str
    """The DuckDB database path (``:memory:`` for none), or the PostgreSQL URL."""


def _is_duckdb_file(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            head = f.read(12)
    except OSError as exc:
        raise ConfigError(f"store {path}: cannot be read ({exc.strerror})") from None
    return len(head) == 0 or head[8:12] == _MAGIC


def parse_store_url(url: str, shown: str | None = None) -> StoreUrl:
    """The engine and database of *url* (see the module doc); *shown* is the URL as error
    messages may print it (password redacted). Each engine's adapter says which URLs are its
    own (:meth:`~tokops.warehouse.engines.base.EngineAdapter.database`)."""
    from tokops.warehouse.engines import ADAPTERS

    label = shown if shown is not None else url
    for adapter in ADAPTERS.values():
        target = adapter.database(url, label)
        if target is not None:
            return StoreUrl(adapter.name, target)
    raise ConfigError(f"unsupported store URL {label!r}: {_USE}")


def duckdb_database(url: str, label: str) -> str | None:
    """The DuckDB database *url* names (``:memory:`` for none); None for another engine's URL."""
    if not url.lower().startswith("duckdb:"):
        return None
    scheme, sep, rest = url.partition("://")
    if scheme.lower() != "duckdb" or not sep:
        raise ConfigError(f"store URL {label!r} names no database: {_USE}")
    if rest in ("", MEMORY):
        return MEMORY
    path = Path(rest)
    lowered = path.name.lower()
    if any(lowered.endswith(s) for s in _DATA_SUFFIXES):
        raise ConfigError(
            f"store URL {label!r} names a data file, not a DuckDB database (the store would "
            f"be in memory and forget every run): {_USE}"
        )
    if path.is_dir():
        raise ConfigError(f"store URL {label!r} names a folder: {_USE}")
    if path.exists():
        if not _is_duckdb_file(path):
            raise ConfigError(f"store URL {label!r} names a file that is not a DuckDB database")
        return rest
    if path.suffix.lower() not in DUCKDB_SUFFIXES:
        raise ConfigError(
            f"store URL {label!r}: a new DuckDB store needs a name ending in "
            f"{', '.join(DUCKDB_SUFFIXES)} ({_USE})"
        )
    return rest
