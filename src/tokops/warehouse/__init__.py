"""The analytical store (DuckDB by default, PostgreSQL and other Ibis backends by URL)."""

from tokops.warehouse.store import Engine, Store, connect

__all__ = ["Engine", "Store", "connect"]
