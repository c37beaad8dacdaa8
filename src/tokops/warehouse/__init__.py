"""The analytical store (DuckDB by default, PostgreSQL and other Ibis backends by URL)."""

from tokops.warehouse._sqlglot import patch_drop
from tokops.warehouse.store import Engine, Store, connect, quote_ident

patch_drop()

__all__ = ["Engine", "Store", "connect", "quote_ident"]
