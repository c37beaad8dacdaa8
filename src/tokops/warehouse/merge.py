"""Declared tables and idempotent merges of Arrow batches, the same on DuckDB and PostgreSQL.

Two operations, both in **one transaction** so a crash leaves either the old rows or the new ones:

- :func:`declare_table` creates a table from a neutral :class:`TableSpec` (column names, SQL types
  both engines accept, comments) and adds the columns a newer spec has; the comments go into the
  database (``COMMENT ON``) so any SQL tool shows them.
- :func:`merge_batches` stages Arrow batches in a temporary table, then deletes every target row
  whose key is staged **or** that lies inside a :class:`Scope` (an advertiser and a date window:
  rows the source no longer returns disappear too), then inserts the staged rows, keeping the last
  one when a key is staged twice. Extra single-row upserts (:class:`RowUpsert`, e.g. a sync
  checkpoint) are written in the same transaction, so a checkpoint never outlives its data.

Delete-then-insert is used on both engines instead of ``MERGE``: it is portable, it also removes
rows that vanished from the source, and the keys are documented rather than enforced (no index to
maintain on a bulk load). Values always travel as Arrow data or bound parameters, never as SQL
text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tokops.errors import WarehouseError
from tokops.warehouse.merge_sql import MergeRequest, MergeResult, RowUpsert, Scope, upsert_sql
from tokops.warehouse.quoting import quote_ident

if TYPE_CHECKING:
    import pyarrow as pa

    from tokops.warehouse.store import Store

__all__ = [
    "ColumnSpec",
    "MergeResult",
    "RowUpsert",
    "Scope",
    "TableSpec",
    "declare_table",
    "merge_batches",
    "run_transaction",
    "table_columns",
    "write_rows",
]


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    sql_type: str
    """A type both engines accept: VARCHAR, DATE, BIGINT, BOOLEAN, DECIMAL(p, s),
    TIMESTAMP WITH TIME ZONE."""
    comment: str = ""


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[ColumnSpec, ...]
    comment: str = ""


def table_columns(store: Store, name: str) -> list[str]:
    """Column names of an existing table (empty when it does not exist)."""
    if not store.exists(name):
        return []
    return list(store.con.table(name).schema().names)


def declare_table(store: Store, spec: TableSpec) -> bool:
    """Create *spec* if missing, add columns it lacks, comment it; True when created."""
    existing = table_columns(store, spec.name)
    statements: list[str] = []
    created = not existing
    if created:
        cols = ", ".join(f"{quote_ident(c.name)} {c.sql_type}" for c in spec.columns)
        statements.append(f"CREATE TABLE IF NOT EXISTS {quote_ident(spec.name)} ({cols})")
    added = [c for c in spec.columns if existing and c.name not in existing]
    for col in added:
        statements.append(
            f"ALTER TABLE {quote_ident(spec.name)} ADD COLUMN {quote_ident(col.name)} "
            f"{col.sql_type}"
        )
    if created or added:
        statements += _comments(spec, spec.columns if created else tuple(added), created)
    if statements:
        run_transaction(store, [(s, []) for s in statements])
    return created


def _comments(spec: TableSpec, cols: Sequence[ColumnSpec], table_too: bool) -> list[str]:
    def lit(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    out = []
    if table_too and spec.comment:
        out.append(f"COMMENT ON TABLE {quote_ident(spec.name)} IS {lit(spec.comment)}")
    for col in cols:
        if col.comment:
            out.append(
                f"COMMENT ON COLUMN {quote_ident(spec.name)}.{quote_ident(col.name)} "
                f"IS {lit(col.comment)}"
            )
    return out


def merge_batches(
    store: Store,
    table: str,
    batches: Iterable[pa.RecordBatch | pa.Table],
    *,
    key: Sequence[str],
    scope: Scope | None = None,
    also: Sequence[RowUpsert] = (),
) -> MergeResult:
    """Replace *table*'s rows by the staged ones (see the module doc); one transaction."""
    if not key:
        raise WarehouseError(f"merge into {table}: a key is required")
    store.guard()
    try:
        return store.adapter.merge(MergeRequest(table, batches, key, scope, also))
    except WarehouseError:
        raise
    except Exception as exc:  # noqa: BLE001 - every driver raises its own types
        raise WarehouseError(f"merge into {table} failed: {store.engine_error(exc)}") from None


def run_transaction(store: Store, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
    """Run SQL statements (engine dialect, bound parameters) in one transaction; returns what
    each returned first (DuckDB) or its row count (PostgreSQL). Raises WarehouseError."""
    return store.adapter.run_transaction(statements)


def write_rows(store: Store, rows: Sequence[RowUpsert]) -> None:
    """Upsert single rows (bookkeeping such as a run record) in one transaction."""
    mark = store.param_mark
    statements: list[tuple[str, Sequence[Any]]] = []
    for row in rows:
        statements += upsert_sql(row, mark)
    if statements:
        run_transaction(store, statements)
